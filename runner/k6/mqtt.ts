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

import { Client as LibraryClient } from "../../client/client.ts";
import type { Clock } from "../../client/clock.ts";
import type { MetricsSink } from "../../client/metrics_sink.ts";
import type { ClientOptions, ConnectOptions } from "../../client/options.ts";
import type { ConnectInfo } from "../../client/events.ts";
import type { Tags } from "../metrics.ts";
import { RAW_TIMERS, type VuState, vuStorage } from "./_context.ts";

import { QoS } from "../../client/options.ts";

export { QoS };

/** The client's own timers (keepalive, timeouts) must not hold an iteration open. */
const UNTRACKED_CLOCK: Clock = Object.freeze({
  now: (): number => performance.timeOrigin + performance.now(),
  setTimeout: (callback: () => void, ms: number): unknown => RAW_TIMERS.setTimeout(callback, ms),
  clearTimeout: (id: unknown): void => RAW_TIMERS.clearTimeout(id as number),
});

/** A sink adding the VU's current tags to the client's samples. */
function vuSink(vu: VuState): MetricsSink {
  const registry = vu.services.registry;
  let base: Tags | undefined;
  let cache = new WeakMap<Tags, Tags>();
  return {
    add(metric, value, tags) {
      const current = vu.tags;
      if (current !== base) {
        base = current;
        cache = new WeakMap();
      }
      let merged = cache.get(tags);
      if (merged === undefined || !sameEntries(merged, tags)) {
        merged = Object.freeze({ ...current, ...tags });
        cache.set(tags, merged);
      }
      registry.add(metric, value, merged);
    },
  };
}

/** The cached merge is still right when the client changed its (shared) tags object meanwhile. */
function sameEntries(merged: Tags, tags: Tags): boolean {
  for (const k in tags) if (merged[k] !== tags[k]) return false;
  return true;
}

/**
 * xk6-mqtt's `Client`, reporting metrics and holding its VU's iteration open while busy. Outside
 * `mqload run` it is the library client.
 */
export class Client extends LibraryClient {
  readonly #vu: VuState | undefined;

  /**
   * Creates a client for the calling VU.
   *
   * @param options xk6-mqtt client options (see the library's `ClientOptions`).
   * @throws {TypeError} On an unknown option or a value of the wrong type.
   */
  constructor(options: ClientOptions = {}) {
    const vu = vuStorage.getStore();
    super(
      vu === undefined
        ? options
        : { clock: UNTRACKED_CLOCK, ...options, metrics: options.metrics ?? vuSink(vu) },
    );
    this.#vu = vu;
    vu?.track(this);
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
    this.#track();
    return super.connect(url, options);
  }

  /**
   * Connects, without the `error` event on failure.
   *
   * @param url Broker URL or connection options.
   * @param options Connection options.
   * @returns Resolves on CONNACK.
   */
  override connectAsync(
    url?: string | ConnectOptions,
    options?: ConnectOptions,
  ): Promise<ConnectInfo> {
    this.#track();
    return super.connectAsync(url, options);
  }

  /**
   * Reconnects with the last settings.
   *
   * @returns Resolves on CONNACK.
   */
  override reconnect(): Promise<ConnectInfo> {
    this.#track();
    return super.reconnect();
  }

  /**
   * Reconnects, without the `error` event on failure.
   *
   * @returns Resolves on CONNACK.
   */
  override reconnectAsync(): Promise<ConnectInfo> {
    this.#track();
    return super.reconnectAsync();
  }

  #track(): void {
    (vuStorage.getStore() ?? this.#vu)?.track(this);
  }
}

export default { Client, QoS };
