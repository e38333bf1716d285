/**
 * The `k6/x/mqtt` module (xk6-mqtt's API): {@linkcode Client} and `QoS`. The client is the
 * library's, given the Worker's metric registry (xk6-mqtt's metrics, tagged with the VU's tags)
 * and registered with its VU, so that an iteration lasts until every client it opened is idle,
 * as k6's event loop does: a script may call `client.connect()` without awaiting and end the
 * client from its `message` handler.
 *
 * @example Usage
 * ```ts ignore
 * import { Client } from "k6/x/mqtt";
 *
 * export default function () {
 *   const client = new Client();
 *   client.on("connect", () => {
 *     client.subscribe("greeting");
 *     client.publish("greeting", "Hello MQTT!");
 *   });
 *   client.on("message", () => client.end());
 *   client.connect(__ENV.MQTT_BROKER_ADDRESS);
 * }
 * ```
 *
 * @module
 */

import {
  Client as LibraryClient,
  type ClientOptions,
  type Clock,
  type ConnectInfo,
  type ConnectOptions,
  type EndOptions,
  type Payload,
  type PublishOptions,
  QoS,
  type SubscribeOptions,
  SYSTEM_CLOCK,
  type UnsubscribeOptions,
} from "../../client/mod.ts";
import {
  eventListenersOf,
  forgetPending,
  isConnecting,
  withXk6Semantics,
} from "../../client/internal.ts";
import { ABANDON, RAW_TIMERS, type VuState, vuStorage } from "../worker/vu_context.ts";
import { BlockingCalls } from "./_mqtt_blocking.ts";
import { inVuHandler, Xk6EventLoop } from "./_xk6_event_loop.ts";
import { isKnownEvent, knownOptions } from "./_mqtt_lenient.ts";
import { type Muted, vuSink, withGroupTag } from "./_mqtt_metrics.ts";
import { hostnameOf, k6Tls } from "./_mqtt_tls.ts";
import { refuseOldApi } from "./_mqtt_old_api.ts";

export { QoS };

/**
 * How long an abandoned client waits for its in-flight acknowledgements, then for its last
 * writes: the iteration was interrupted, and a broker that stopped answering must not hold the
 * stop for the client's `connect_timeout` twice.
 */
const ABANDON_WAIT_MS = 1000;

/**
 * The client's own timers (keepalive, timeouts) must not hold an iteration open; its time is the
 * system clock's (so `now` and `fromPerformance` agree).
 */
const UNTRACKED_CLOCK: Clock = Object.freeze({
  ...SYSTEM_CLOCK,
  setTimeout: (callback: () => void, ms: number): unknown => RAW_TIMERS.setTimeout(callback, ms),
  clearTimeout: (id: unknown): void => RAW_TIMERS.clearTimeout(id as number),
});

/**
 * xk6-mqtt's `Client`, reporting metrics and holding its VU's iteration open while busy. Its
 * calls made while the VU has an un-awaited `sleep()` pending start when that sleep ends, as if
 * `sleep()` blocked as it does in k6. Outside `mqload run` it is the library client.
 */
export class Client extends LibraryClient {
  readonly #vu: VuState | undefined;
  /** Set while the runner closes the client (see {@linkcode ABANDON}). */
  readonly #muted: Muted;
  /** xk6-mqtt's loop of the client's handlers, which stops for good (see Xk6EventLoop). */
  readonly #loop = new Xk6EventLoop();
  /** Orders the calls as k6's blocking calls and `sleep()` would. */
  readonly #calls: BlockingCalls;
  /** TLS settings come from k6's options (the script gave no `tls`). */
  readonly #k6Tls: boolean;

  /**
   * Creates a client for the calling VU.
   *
   * @param options xk6-mqtt client options (see the library's `ClientOptions`).
   * @throws {TypeError} On a value of the wrong type (unknown options are ignored with a
   * warning, as xk6-mqtt ignores them).
   */
  constructor(options: ClientOptions = {}) {
    // pmalhaire/xk6-mqtt's positional arguments would read as options named "0", "1", …
    refuseOldApi(arguments);
    options = knownOptions("client", options);
    const vu = vuStorage.getStore();
    const tls = options.tls === undefined && vu !== undefined
      ? k6Tls(vu.services.options, undefined)
      : undefined;
    if (tls !== undefined) options = { ...options, tls };
    // Made before `this` exists: the metrics sink is an option of the library's constructor.
    const muted: Muted = { muted: false };
    super(
      vu === undefined
        ? options
        : { clock: UNTRACKED_CLOCK, ...options, metrics: options.metrics ?? vuSink(vu, muted) },
    );
    withXk6Semantics(this);
    this.#muted = muted;
    this.#vu = vu;
    this.#k6Tls = options.tls === undefined || tls !== undefined;
    // As the library does for its xk6-mqtt names, an `error` handler takes a failed call's
    // rejection; and an abandoned client reports none.
    this.#calls = new BlockingCalls((events) => muted.muted || (events && this.#heardError()));
    vu?.track(this);
  }

  /**
   * Whether the client is connected. xk6-mqtt's `connect()` and `end()` block until done, so a
   * k6 script may check `client.connected` right after calling them: from a `connect()` call
   * until it fails this is `true`, and from an `end()` call on it is `false`.
   */
  override get connected(): boolean {
    return this.#calls.connected ?? super.connected;
  }

  /**
   * Whether the client is connecting (beyond xk6-mqtt): an attempt under way or the next one
   * due (a reconnection after a lost connection), its calls waiting for the connection. Neither
   * `connected` nor `connecting`, the client is ending or closed: its calls fail at once. A
   * blocking `connect()` or `end()` call in progress has, for a script, returned: not connecting.
   */
  get connecting(): boolean {
    return this.#calls.connected === undefined && isConnecting(this);
  }

  /**
   * Connects (see the library's `Client.connect`); the calling VU's iteration waits for the
   * client to be idle again.
   *
   * @param url Broker URL or connection options.
   * @param options Connection options.
   * @returns Resolves on CONNACK.
   */
  override connect(url?: string | ConnectOptions, options?: ConnectOptions): Promise<ConnectInfo> {
    this.#dial();
    url = knownOptions("connect", url);
    options = this.#withTls(url, knownOptions("connect", options));
    return this.#xk6(this.#calls.connecting(
      this.#calls.afterSleep(() => this.#dialed(super.connect(url, options)), true),
      true,
    ));
  }

  /**
   * Connects without blocking the VU; a failure goes to an `error` handler (the promise then
   * resolves), as xk6-mqtt's `connectExecute` → `handleError` does, else rejects.
   *
   * @param url Broker URL or connection options.
   * @param options Connection options.
   * @returns Resolves on CONNACK.
   */
  override connectAsync(
    url?: string | ConnectOptions,
    options?: ConnectOptions,
  ): Promise<ConnectInfo> {
    this.#dial();
    url = knownOptions("connect", url);
    options = this.#withTls(url, knownOptions("connect", options));
    // The library's sync-named call: its failure reaches the `error` handler (see #xk6).
    return this.#xk6(this.#calls.connecting(
      this.#calls.afterSleep(() => this.#dialed(super.connect(url, options)), false),
      false,
    ));
  }

  /**
   * Reconnects with the last settings.
   *
   * @returns Resolves on CONNACK.
   */
  override reconnect(): Promise<ConnectInfo> {
    this.#dial();
    return this.#xk6(this.#calls.connecting(
      this.#calls.afterSleepAndConnect(() => this.#dialed(super.reconnect()), true),
      true,
    ));
  }

  /**
   * Reconnects without blocking the VU; a failure goes to an `error` handler as `connectAsync`'s.
   *
   * @returns Resolves on CONNACK.
   */
  override reconnectAsync(): Promise<ConnectInfo> {
    this.#dial();
    return this.#xk6(this.#calls.connecting(
      this.#calls.afterSleepAndConnect(() => this.#dialed(super.reconnect()), false),
      false,
    ));
  }

  /**
   * Subscribes (see the library's `Client.subscribe`).
   *
   * @param topic A filter, an array of filters, or an object of filter → options.
   * @param options Subscription options.
   * @returns Resolves with the granted QoS per filter.
   */
  override subscribe(
    topic: string | string[] | Record<string, SubscribeOptions>,
    options?: SubscribeOptions,
  ): Promise<number[]> {
    options = this.#grouped(knownOptions("subscribe", options));
    return this.#xk6(this.#calls.afterSleep(() => super.subscribe(topic, options), true));
  }

  /**
   * Subscribes without blocking the VU; a failure goes to an `error` handler as `connectAsync`'s.
   *
   * @param topic A filter, an array of filters, or an object of filter → options.
   * @param options Subscription options.
   * @returns Resolves with the granted QoS per filter.
   */
  override subscribeAsync(
    topic: string | string[] | Record<string, SubscribeOptions>,
    options?: SubscribeOptions,
  ): Promise<number[]> {
    options = this.#grouped(knownOptions("subscribe", options));
    return this.#xk6(this.#calls.afterSleep(() => super.subscribe(topic, options), false));
  }

  /**
   * Unsubscribes (see the library's `Client.unsubscribe`).
   *
   * @param topics A filter or an array of filters.
   * @param options MQTT 5 properties, metric tags.
   * @returns Resolves on UNSUBACK.
   */
  override unsubscribe(topics: string | string[], options?: UnsubscribeOptions): Promise<void> {
    options = this.#grouped(knownOptions("unsubscribe", options));
    return this.#xk6(this.#calls.afterSleep(() => super.unsubscribe(topics, options), true));
  }

  /**
   * Unsubscribes without blocking the VU; a failure goes to an `error` handler as `connectAsync`'s.
   *
   * @param topics A filter or an array of filters.
   * @param options MQTT 5 properties, metric tags.
   * @returns Resolves on UNSUBACK.
   */
  override unsubscribeAsync(
    topics: string | string[],
    options?: UnsubscribeOptions,
  ): Promise<void> {
    options = this.#grouped(knownOptions("unsubscribe", options));
    return this.#xk6(this.#calls.afterSleep(() => super.unsubscribe(topics, options), false));
  }

  /**
   * Publishes (see the library's `Client.publish`).
   *
   * @param topic The topic.
   * @param payload Text, an ArrayBuffer or a Uint8Array.
   * @param options QoS, retain, properties, tags.
   * @returns Resolves once written (QoS 0) or acknowledged (QoS 1/2).
   */
  override publish(topic: string, payload: Payload, options?: PublishOptions): Promise<void> {
    options = this.#grouped(knownOptions("publish", options));
    return this.#xk6(this.#calls.afterSleep(() => super.publish(topic, payload, options), true));
  }

  /**
   * Publishes without blocking the VU; a failure goes to an `error` handler as `connectAsync`'s.
   *
   * @param topic The topic.
   * @param payload Text, an ArrayBuffer or a Uint8Array.
   * @param options QoS, retain, properties, tags.
   * @returns Resolves once written (QoS 0) or acknowledged (QoS 1/2).
   */
  override publishAsync(topic: string, payload: Payload, options?: PublishOptions): Promise<void> {
    options = this.#grouped(knownOptions("publish", options));
    return this.#xk6(this.#calls.afterSleep(() => super.publish(topic, payload, options), false));
  }

  /**
   * Ends the client (see the library's `Client.end`).
   *
   * @param options MQTT 5 reason code and properties, metric tags.
   * @returns Resolves once closed.
   */
  override end(options?: EndOptions): Promise<void> {
    options = this.#grouped(knownOptions("end", options));
    this.#loop.ending();
    const calls = this.#calls;
    return this.#xk6(
      calls.ending(() => calls.afterSleepAndConnect(() => super.end(options), true)),
    );
  }

  /**
   * Ends the client, without the `error` event on failure.
   *
   * @param options MQTT 5 reason code and properties, metric tags.
   * @returns Resolves once closed.
   */
  override endAsync(options?: EndOptions): Promise<void> {
    options = this.#grouped(knownOptions("end", options));
    this.#loop.ending();
    return this.#calls.afterSleepAndConnect(() => super.endAsync(options), false);
  }

  /**
   * Ends the client at once, for the runner when it interrupts the iteration or the iteration
   * failed: unlike `end()`, it does not wait for a pending connection attempt or sleep, it aborts
   * them, nor for its calls in progress, which never settle. Silently: in k6 the VU's context ends
   * and xk6-mqtt's client stops calling the script, so while it ends no handler but `message` runs
   * (not `end`), no metric is added (not `mqtt_calls{method:end}`, nor an `mqtt_errors` for the
   * connect it aborts), no failure is reported; `failuresOnly` (a bench's end): failures only.
   *
   * @returns Resolves once closed.
   */
  [ABANDON](timeout: number = ABANDON_WAIT_MS, failuresOnly = false): Promise<void> {
    const muted = this.#muted;
    if (failuresOnly) muted.failures = true;
    else {
      muted.muted = true;
      // Its calls never settle: k6 runs nothing more of the iteration (no check on a failure).
      forgetPending(this);
    }
    // Only while it ends: a script that keeps the client (a module-level one) uses it again in
    // its next iteration, with its handlers and metrics.
    return super.endAsync({ timeout }).finally(() => muted.muted = muted.failures = false);
  }

  /**
   * Sets the one handler of an event (see the library's `Client.on`). An event name xk6-mqtt
   * does not know is ignored with a warning, as xk6-mqtt does, rather than refused.
   *
   * @param event `connect`, `reconnect`, `message`, `end`, `error` or `close`.
   * @param handler The handler, or `null` to remove it.
   */
  override on(event: string, handler: ((...args: never[]) => unknown) | null): void {
    if (!isKnownEvent(event)) return;
    const inVu = inVuHandler(this.#vu, this.#muted, event, handler);
    super.on(event as "end", this.#loop.wrap(event, inVu) as () => unknown);
  }

  /**
   * A sync-named call's promise as xk6-mqtt returns: a failure an `error` handler takes is not
   * thrown to the script (the call returns), else it is.
   */
  #xk6<T>(call: Promise<T>): Promise<T> {
    if (!this.#heardError()) return call;
    return call.catch((error) => {
      if (this.#heardError()) return undefined as T;
      throw error;
    });
  }

  /** Whether an `error` handler takes failures: one is set, and xk6-mqtt's loop still runs. */
  #heardError(): boolean {
    return !this.#loop.silent && eventListenersOf(this).heard("error");
  }

  /** Adds the `tlsAuth` certificate for the broker's host name, as k6 picks it by domain. */
  #withTls(
    url: string | ConnectOptions | undefined,
    options: ConnectOptions | undefined,
  ): ConnectOptions | undefined {
    const vu = this.#vu;
    if (!this.#k6Tls || vu === undefined || options?.tls !== undefined) return options;
    if (typeof url !== "string") return options;
    const tls = k6Tls(vu.services.options, hostnameOf(url));
    return tls?.cert === undefined ? options : { ...options, tls };
  }

  /** Tags a call made inside `group()` with that group (see `withGroupTag` for why). */
  #grouped<T extends { tags?: Record<string, string> }>(options: T | undefined): T | undefined {
    return withGroupTag((vuStorage.getStore() ?? this.#vu)?.group, options);
  }

  /** A connect() or reconnect() call: the VU tracks the client, xk6-mqtt's loop hears of it. */
  #dial(): void {
    (vuStorage.getStore() ?? this.#vu)?.track(this);
    this.#loop.dialing();
  }

  /** A connection attempt under way (its arguments were good). */
  #dialed<T>(attempt: Promise<T>): Promise<T> {
    this.#loop.dialed();
    return attempt;
  }
}

export default { Client, QoS };
