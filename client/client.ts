/**
 * The MQTT client with the API of k6's xk6-mqtt extension. @module
 */

import type { Calls } from "./_calls.ts";
import { clientCalls } from "./_client_calls.ts";
import { type ClientSettings, resolveClientSettings } from "./_settings.ts";
import { ClientEventTarget, eventListenersOf } from "./event_target.ts";
import type { ConnectInfo } from "./events.ts";
import type { MqttError } from "./errors.ts";
import type {
  MessageStream,
  MessageStreamOptions,
  SubscriptionOptions,
  TopicSubscription,
} from "./messages.ts";
import type {
  ClientOptions,
  ConnectOptions,
  EndOptions,
  Payload,
  PublishOptions,
  SubscribeOptions,
  UnsubscribeOptions,
} from "./options.ts";

/**
 * An MQTT 3.1, 3.1.1 and 5.0 client with the API of k6's xk6-mqtt extension, over TCP, TLS or
 * WebSocket (URLs as {@linkcode parseBrokerUrl} reads them; credentials in them never show in
 * messages, events or metric tags), for load tests and for long-running services.
 *
 * **Calls** return Promises that resolve when the broker acknowledges (CONNACK; SUBACK with the
 * granted QoS per filter; PUBACK or PUBCOMP at QoS 1/2, the write at QoS 0; UNSUBACK) and reject
 * with an `MqttError` (`name` `"MQTTError"`, `code`, `method`, `reasonCode`). Each failure is
 * reported once: to whoever awaits the call (or attached a handler); else, for the xk6-mqtt
 * names (`connect`, `publish`, …), to the `error` event, and without an `error` handler in the
 * log (a client's first such failure only); never as an unhandled rejection. The `*Async` twins
 * skip the event. An `on()` handler's exception goes the same way; the client goes on. Bad
 * arguments throw `TypeError`/`RangeError` at once. `signal` aborts any call.
 *
 * **Connection.** A lost connection is reconnected under the `reconnect` policy (events: see
 * {@linkcode ClientEventTarget}); with `retry_first_connect` so is a failed first `connect()`.
 * Calls made while (re)connecting wait for the connection (bounded by `max_queued`), as does a
 * `subscription()` made before `connect()`. On a new session (Session Present 0) the client
 * subscribes again to every filter it holds and publishes again what the broker had not
 * accepted; on a resumed one it resends its unacknowledged publications (DUP) and the broker
 * resends its own.
 *
 * **Acknowledgements of received QoS 1/2 messages** (PUBACK; PUBREC, then PUBCOMP on PUBREL):
 * sent once the `on("message")` handler and listeners have run, when no iterator wants the
 * message; else as {@linkcode MessageStream} says: a slow loop holds them back, which bounds what
 * the broker has in flight to the client, not what it queues or drops (mosquitto drops past
 * `max_queued_messages`, unseen by the client). A message never acknowledged is resent by the
 * broker after a reconnection when the session persists (`clean_session: false` or a v5
 * `session_expiry_interval`); at QoS 2 once a loop took it (even if its PUBREC could not go
 * out), or with `manual_ack` once `ack()`ed: taken, not acknowledged, it comes again (`dup`).
 *
 * **Differences from xk6-mqtt**: calls return Promises; `subscribe` resolves with the granted
 * QoS; handlers receive more arguments; unknown options and events throw `TypeError` (the
 * `k6/x/mqtt` module of `mqload run` ignores them with a warning, and keeps xk6-mqtt's failure
 * reporting); `end()` when not connected resolves, fires `end`, counts the call (it throws).
 *
 * @example Usage
 * ```ts
 * import { Client, QoS } from "@mqload/mqload";
 *
 * const client = new Client({ client_id: "sensor-1", will: { topic: "status", payload: "gone" } });
 * client.on("message", (topic, payload) => console.log(topic, new TextDecoder().decode(payload)));
 * // await client.connect("mqtt://127.0.0.1:1883");
 * // await client.subscribe("sensors/#", { qos: QoS.AtLeastOnce });
 * // await client.publish("sensors/1", "21.5", { qos: QoS.AtLeastOnce });
 * // await client.end();
 * ```
 */
export class Client extends ClientEventTarget implements AsyncDisposable {
  readonly #settings: ClientSettings;
  readonly #calls: Calls;

  /**
   * Creates a client. Nothing happens on the network until `connect()`.
   *
   * @param options Client options (snake_case, see {@linkcode ClientOptions}).
   * @throws {TypeError} On an unknown option or a value of the wrong type.
   * @throws {RangeError} On a value out of range.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client({ client_id: "c1", keepalive: 30, tags: { fleet: "a" } });
   * ```
   */
  constructor(options?: ClientOptions) {
    super();
    this.#settings = resolveClientSettings(options);
    this.#calls = clientCalls(this, eventListenersOf(this), this.#settings);
  }

  /** Whether the client is connected to a broker right now. */
  get connected(): boolean {
    return this.#calls.lifecycle.state === "connected";
  }

  /** The client identifier in use: the configured one, or the one an MQTT 5 broker assigned. */
  get clientId(): string {
    return this.#calls.lifecycle.clientId;
  }

  /**
   * Connects to a broker, replacing any current connection. Fires `connect` on success.
   *
   * @param url Broker URL, or connection options; without a URL the brokers are those of the
   * `servers` option (of this call or the constructor), tried in order.
   * @param options Connection options for this connection and its reconnections.
   * @returns Resolves with the connection details on CONNACK; rejects with `MqttConnectError`
   * (refused), `MqttTimeoutError` (`connect_timeout`) or `MqttClosedError` (network) after every
   * server was tried, or an `MqttError` of code `"aborted"` when `signal` gave up connecting.
   * @throws {TypeError} On a bad URL or option, or when no broker URL is given.
   *
   * @example Usage
   * ```ts ignore
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * const info = await client.connect("mqtt://127.0.0.1:1883", { keepalive: 30 });
   * console.log(info.clientId, info.sessionPresent);
   * await client.end();
   * ```
   */
  connect(url?: string | ConnectOptions, options?: ConnectOptions): Promise<ConnectInfo> {
    return this.#calls.connect(this.#settings.connect, url, options, true);
  }

  /** Same as {@linkcode Client.connect}, without the `error` event on failure. */
  connectAsync(url?: string | ConnectOptions, options?: ConnectOptions): Promise<ConnectInfo> {
    return this.#calls.connect(this.#settings.connect, url, options, false);
  }

  /**
   * Drops the current connection, if any, and connects again with the last `connect()` settings.
   * Fires `reconnect`, then `connect`.
   *
   * @returns Resolves on CONNACK, rejects with an `MqttError`.
   *
   * @example Usage
   * ```ts ignore
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * await client.connect("mqtt://127.0.0.1:1883");
   * await client.reconnect();
   * await client.end();
   * ```
   */
  reconnect(): Promise<ConnectInfo> {
    return this.#calls.outcomes.call(this.#calls.lifecycle.reconnect(), "reconnect", true);
  }

  /** Same as {@linkcode Client.reconnect}, without the `error` event on failure. */
  reconnectAsync(): Promise<ConnectInfo> {
    return this.#calls.outcomes.call(this.#calls.lifecycle.reconnect(), "reconnect", false);
  }

  /**
   * Subscribes to one or more topic filters.
   *
   * @param topic A filter, an array of filters (all with `options`), or an object mapping each
   * filter to its own options.
   * @param options QoS, MQTT 5 subscription options and properties, metric tags.
   * @returns Resolves with the granted QoS per filter on SUBACK; rejects with an `MqttError`
   * (code `"refused"`, the failure `reasonCode`) when the broker refuses any filter.
   * @throws {TypeError} On an empty or non-string filter or a bad option.
   *
   * @example Usage
   * ```ts ignore
   * import { Client, QoS } from "@mqload/mqload";
   * const client = new Client();
   * await client.connect("mqtt://127.0.0.1:1883");
   * const granted = await client.subscribe(["a/#", "b/+"], { qos: QoS.ExactlyOnce });
   * await client.end();
   * ```
   */
  subscribe(
    topic: string | string[] | Record<string, SubscribeOptions>,
    options?: SubscribeOptions,
  ): Promise<number[]> {
    return this.#calls.subscribe(topic, options, true);
  }

  /** Same as {@linkcode Client.subscribe}, without the `error` event on failure. */
  subscribeAsync(
    topic: string | string[] | Record<string, SubscribeOptions>,
    options?: SubscribeOptions,
  ): Promise<number[]> {
    return this.#calls.subscribe(topic, options, false);
  }

  /**
   * Unsubscribes from one or more topic filters.
   *
   * @param topics A filter or an array of filters.
   * @param options MQTT 5 properties, metric tags.
   * @returns Resolves on UNSUBACK; rejects with an `MqttError` when a v5 broker refuses.
   * @throws {TypeError} On an empty or non-string filter.
   *
   * @example Usage
   * ```ts ignore
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * await client.connect("mqtt://127.0.0.1:1883");
   * await client.subscribe("a");
   * await client.unsubscribe("a");
   * await client.end();
   * ```
   */
  unsubscribe(topics: string | string[], options?: UnsubscribeOptions): Promise<void> {
    return this.#calls.unsubscribe(topics, options, true);
  }

  /** Same as {@linkcode Client.unsubscribe}, without the `error` event on failure. */
  unsubscribeAsync(topics: string | string[], options?: UnsubscribeOptions): Promise<void> {
    return this.#calls.unsubscribe(topics, options, false);
  }

  /**
   * Publishes a message. Publications beyond the in-flight window (`max_inflight`, or the MQTT 5
   * broker's Receive Maximum) wait in a bounded queue (`max_queued`), and so do publications made
   * while (re)connecting. A QoS 0 publication made while connected goes to the socket's write
   * queue, which is not bounded (as in MQTT.js: a burst of any size is written in full); against
   * a broker that stops reading, await the publications, or every few hundred, to hold back.
   *
   * @param topic The topic (no wildcards).
   * @param payload Text (sent as UTF-8), an ArrayBuffer or a Uint8Array.
   * @param options QoS, retain, MQTT 5 properties, metric tags.
   * @returns Resolves once written (QoS 0) or acknowledged (PUBACK at QoS 1, PUBCOMP at QoS 2);
   * rejects with an `MqttError` when refused (v5 reason code ≥ 0x80), too large for the broker
   * (`"packet_too_large"`), not connected, or the queue is full.
   * @throws {TypeError} On a bad topic, payload or option.
   *
   * @example Usage
   * ```ts ignore
   * import { Client, QoS } from "@mqload/mqload";
   * const client = new Client();
   * await client.connect("mqtt://127.0.0.1:1883");
   * await client.publish("sensors/1", "21.5", { qos: QoS.AtLeastOnce, retain: true });
   * await client.end();
   * ```
   */
  publish(topic: string, payload: Payload, options?: PublishOptions): Promise<void> {
    return this.#calls.publish(topic, payload, options, true);
  }

  /** Same as {@linkcode Client.publish}, without the `error` event on failure. */
  publishAsync(topic: string, payload: Payload, options?: PublishOptions): Promise<void> {
    return this.#calls.publish(topic, payload, options, false);
  }

  /**
   * Ends the client: waits (up to `timeout`, by default `connect_timeout`) for in-flight
   * acknowledgements (the UNSUBSCRIBE of a `subscription()` loop just left too), sends DISCONNECT,
   * closes the connection, cancels any reconnection, fails what is still pending with
   * `MqttClosedError`, ends the iterators and fires `end`. A second `end()` (or aborting `signal`)
   * closes at once. An idle client just fires `end`.
   *
   * @param options MQTT 5 reason code and properties, metric tags, `timeout`, `signal`.
   * @returns Resolves once closed.
   * @throws {TypeError} On a bad option.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * await client.end(); // idle: nothing to send, `end` fires
   * ```
   */
  end(options?: EndOptions): Promise<void> {
    return this.#calls.end(options, true);
  }

  /** Same as {@linkcode Client.end}, without the `error` event on failure. */
  endAsync(options?: EndOptions): Promise<void> {
    return this.#calls.end(options, false);
  }

  /**
   * Iterates over every received message, bounded and acknowledged as
   * {@linkcode MessageStream} says. Messages that arrive while no iterator, handler or listener
   * exists (a resumed session's queue, retained messages) wait for the first iterator, so it may
   * be made before or after `connect()` and `subscribe()`. One at a time; see
   * {@linkcode Client.subscription} for one per topic filter.
   *
   * @param options `capacity` (default 1024), `signal` to end the iteration.
   * @returns The message stream.
   * @throws {TypeError} When another `messages()` iterator is active.
   *
   * @example Usage
   * ```ts ignore
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * await client.connect("mqtt://127.0.0.1:1883");
   * await client.subscribe("sensors/#", { qos: 1 });
   * for await (const message of client.messages()) console.log(message.topic, message.text());
   * ```
   */
  messages(options?: MessageStreamOptions): MessageStream {
    return this.#calls.messages(options);
  }

  /**
   * Subscribes and iterates over that subscription's messages: see
   * {@linkcode TopicSubscription}. Made before `connect()` (or while reconnecting), it subscribes
   * once connected; on a client ended or lost for good since its last `connect()`, it fails.
   *
   * @param topic A filter or an array of filters (`$share/group/filter` included).
   * @param options `subscribe()` options, `capacity` and `signal`.
   * @returns The subscription, an async iterable of its messages.
   * @throws {TypeError} On a bad filter or option.
   *
   * @example Usage
   * ```ts ignore
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * await client.connect("mqtt://127.0.0.1:1883");
   * for await (const alert of client.subscription("alerts/#", { qos: 1 })) console.log(alert.json());
   * ```
   */
  subscription(topic: string | string[], options?: SubscriptionOptions): TopicSubscription {
    return this.#calls.subscription(topic, options);
  }

  /**
   * Resolves once the client is idle (no connection, attempt or reconnection due) after `end()`
   * or `connect()`: with `undefined` when asked to (`end()`, `drain()`, `connect()`'s `signal`),
   * else the error: a lost connection not reconnected, or a `connect()` failed for good (refused,
   * timed out, `retry_first_connect` attempts used up). At once if so and no `connect()` since.
   *
   * @returns Resolves with why the client closed, `undefined` when asked to.
   *
   * @example Usage
   * ```ts ignore
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * await client.connect("mqtt://127.0.0.1:1883");
   * console.error("closed:", (await client.closed())?.message ?? "by end()");
   * ```
   */
  closed(): Promise<MqttError | undefined> {
    return this.#calls.whenClosed();
  }

  /**
   * Ends the client once every publication in flight or queued is acknowledged, however long it
   * takes unless `timeout` says (`end()` waits `connect_timeout` at most): a service's orderly
   * shutdown. Iterators end after yielding what they hold.
   *
   * @param options `end()` options; `timeout` bounds the wait (default none).
   * @returns Resolves once closed.
   * @throws {TypeError} On a bad option.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * await new Client().drain(); // idle: nothing to wait for
   * ```
   */
  drain(options?: EndOptions): Promise<void> {
    return this.#calls.end(options, false, Infinity);
  }

  /**
   * Resolves once the client has no connection, no connection attempt, no scheduled reconnection
   * and no pending operation: after `end()`, after a failed `connect()`, or after a lost
   * connection that will not be retried. A runner awaits it to end an iteration as k6 does.
   *
   * @returns Resolves when idle (at once if idle now).
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * await new Client().idle(); // never connected: idle
   * ```
   */
  idle(): Promise<void> {
    return this.#calls.idleness();
  }

  /**
   * Ends the client (`endAsync()`), for `await using`.
   *
   * @returns Resolves once closed.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * {
   *   await using client = new Client();
   * } // ended here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.endAsync();
  }
}
