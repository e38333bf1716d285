/**
 * The MQTT client with the API of k6's xk6-mqtt extension.
 *
 * @module
 */

import { Lifecycle } from "./_lifecycle.ts";
import { Calls } from "./_calls.ts";
import { Metrics } from "./_metrics.ts";
import { type ClientSettings, resolveClientSettings } from "./_settings.ts";
import { ClientEventTarget, eventListenersOf } from "./event_target.ts";
import type { ConnectInfo } from "./events.ts";
import type { MessageStream } from "./messages.ts";
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
 * WebSocket.
 *
 * **Calls.** Deno cannot block, so every call starts the operation and returns a Promise. The
 * `*Async` twins resolve when the broker acknowledges (CONNACK; SUBACK, with the granted QoS per
 * filter; PUBACK or PUBCOMP at QoS 1/2, the write at QoS 0; UNSUBACK) and reject with an
 * `MqttError` (`name` `"MQTTError"`, `code`, `method`, `reasonCode`, the broker's reason string in
 * the message) when refused, timed out or cut off. The xk6-mqtt names (`connect`, `subscribe`,
 * `publish`, …) return the same Promise; when such a call fails and an `error` handler or
 * listener is registered, the error goes to it and the Promise's rejection counts as handled, so
 * scripts that never `await` work as in k6. With no `error` handler the rejection is unhandled and
 * reported as an error of the running code. Bad arguments throw `TypeError`/`RangeError`
 * synchronously, naming the argument or option.
 *
 * **Events** (`on()` keeps one handler per event, replacing the previous one, as xk6-mqtt;
 * `addEventListener` adds any number of listeners, see {@linkcode ClientEventTarget}):
 *
 * | event       | when                                                  | `on()` handler arguments            |
 * |-------------|-------------------------------------------------------|-------------------------------------|
 * | `connect`   | connected (also after each reconnection)              | `info: ConnectInfo`                 |
 * | `reconnect` | about to try reconnecting                             | `info: ReconnectInfo`               |
 * | `message`   | a message arrived                                     | `topic, payload: ArrayBuffer, info` |
 * | `end`       | every `end()` call, or the connection lost for good   | none                                |
 * | `error`     | a sync-named call or a background task failed         | `error: MqttError`                  |
 * | `close`     | the connection was lost (not by `end()`)              | `info: CloseInfo`                   |
 *
 * **Broker URLs** (a URL without a scheme is taken as `mqtt://`; credentials in the URL are used
 * for the connection and never shown in messages, events or metric tags):
 *
 * | scheme                        | transport                    | default port | path              |
 * |-------------------------------|------------------------------|--------------|-------------------|
 * | `mqtt://`, `tcp://`           | TCP                          | 1883         |                   |
 * | `mqtts://`, `ssl://`, `tls://`| TLS (options in `tls`)       | 8883         |                   |
 * | `ws://`                       | WebSocket                    | 80           | `/mqtt` unless given |
 * | `wss://`                      | WebSocket over TLS           | 443          | `/mqtt` unless given |
 *
 * **Differences from xk6-mqtt**: calls return Promises (see above); `subscribe` resolves with the
 * granted QoS per filter; handlers receive more arguments (`connect` its details, `message` the
 * delivery details); `connectAsync` and `reconnectAsync` exist (xk6-mqtt has them but its
 * `index.d.ts` omits them); unknown options and `on()` with an unknown event throw a `TypeError`
 * instead of being ignored (the `k6/x/mqtt` module of `mqload run` ignores them with a warning, as
 * xk6-mqtt does); `reconnect()` fires `reconnect` before `connect`, as MQTT.js does; a lost
 * connection is reconnected automatically (as Paho does) and reported by `close`; calls made
 * while (re)connecting wait for the connection instead of failing; the sync-named methods never
 * resolve on failure.
 *
 * @example Usage
 * ```ts
 * import { Client, QoS } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 *
 * const client = new Client({ client_id: "sensor-1", will: { topic: "status", payload: "gone" } });
 * client.on("message", (topic, payload) => {
 *   console.log(topic, new TextDecoder().decode(payload));
 * });
 * assert.equal(client.connected, false);
 * // await client.connect("mqtt://127.0.0.1:1883");
 * // await client.subscribe("sensors/#", { qos: QoS.AtLeastOnce });
 * // await client.publish("sensors/1", "21.5", { qos: QoS.AtLeastOnce });
 * // await client.end();
 * ```
 */
export class Client extends ClientEventTarget implements AsyncDisposable {
  readonly #settings: ClientSettings;
  readonly #calls: Calls;
  readonly #lifecycle: Lifecycle;

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
    const sink = this.#settings.metrics;
    const metrics = sink === undefined ? undefined : new Metrics(sink);
    this.#calls = new Calls(eventListenersOf(this), this.#settings.clock, metrics);
    this.#lifecycle = this.#calls.lifecycle = new Lifecycle(this.#settings, this.#calls, metrics);
  }

  /** Whether the client is connected to a broker right now. */
  get connected(): boolean {
    return this.#lifecycle.state === "connected";
  }

  /** The client identifier in use: the configured one, or the one an MQTT 5 broker assigned. */
  get clientId(): string {
    return this.#lifecycle.clientId;
  }

  /**
   * Connects to a broker, replacing any current connection. Fires `connect` on success.
   *
   * @param url Broker URL, or connection options; without a URL the brokers are those of the
   * `servers` option (of this call or the constructor), tried in order.
   * @param options Connection options for this connection and its reconnections.
   * @returns Resolves with the connection details on CONNACK; rejects with `MqttConnectError`
   * (refused), `MqttTimeoutError` (`connect_timeout`) or `MqttClosedError` (network) after every
   * server was tried.
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

  /**
   * Same as {@linkcode Client.connect}, without the `error` event on failure.
   *
   * @param url Broker URL, or connection options.
   * @param options Connection options.
   * @returns Resolves on CONNACK, rejects with an `MqttError`.
   * @throws {TypeError} On a bad URL or option.
   */
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
    return this.#calls.outcomes.call(this.#lifecycle.reconnect(), "reconnect", true);
  }

  /**
   * Same as {@linkcode Client.reconnect}, without the `error` event on failure.
   *
   * @returns Resolves on CONNACK, rejects with an `MqttError`.
   */
  reconnectAsync(): Promise<ConnectInfo> {
    return this.#calls.outcomes.call(this.#lifecycle.reconnect(), "reconnect", false);
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

  /**
   * Same as {@linkcode Client.subscribe}, without the `error` event on failure.
   *
   * @param topic A filter, an array of filters, or an object of filter → options.
   * @param options Subscription options.
   * @returns Resolves with the granted QoS per filter, rejects with an `MqttError`.
   * @throws {TypeError} On a bad filter or option.
   */
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

  /**
   * Same as {@linkcode Client.unsubscribe}, without the `error` event on failure.
   *
   * @param topics A filter or an array of filters.
   * @param options MQTT 5 properties, metric tags.
   * @returns Resolves on UNSUBACK, rejects with an `MqttError`.
   * @throws {TypeError} On a bad filter.
   */
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

  /**
   * Same as {@linkcode Client.publish}, without the `error` event on failure.
   *
   * @param topic The topic.
   * @param payload Text, an ArrayBuffer or a Uint8Array.
   * @param options QoS, retain, properties, tags.
   * @returns Resolves once written (QoS 0) or acknowledged (QoS 1/2), rejects with an `MqttError`.
   * @throws {TypeError} On a bad topic, payload or option.
   */
  publishAsync(topic: string, payload: Payload, options?: PublishOptions): Promise<void> {
    return this.#calls.publish(topic, payload, options, false);
  }

  /**
   * Ends the client: waits (up to `connect_timeout`) for in-flight acknowledgements, sends
   * DISCONNECT, closes the connection, cancels any reconnection, fails what is still pending with
   * `MqttClosedError`, ends `messages()` and fires `end`. Ending an idle client sends nothing but
   * still fires `end` and counts the call (`mqtt_calls{method:end}`), as xk6-mqtt does for every
   * `end()`.
   *
   * @param options MQTT 5 reason code and properties, metric tags.
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

  /**
   * Same as {@linkcode Client.end}, without the `error` event on failure.
   *
   * @param options MQTT 5 reason code and properties, metric tags.
   * @returns Resolves once closed.
   * @throws {TypeError} On a bad option.
   */
  endAsync(options?: EndOptions): Promise<void> {
    return this.#calls.end(options, false);
  }

  /**
   * Iterates over received messages. The iterator holds up to `capacity` messages and, when full,
   * pauses reading from the broker until the loop catches up. It ends when the client becomes
   * idle (`end()`, a `connect()` that failed, a connection lost for good), at once on a client
   * already idle after a `connect()`. Made before the first `connect()`, it waits for it and also
   * gets the messages that arrive with the CONNACK (the queue of a resumed session). Only one
   * iterator may be active at a time; `on("message")` handlers and listeners still fire.
   *
   * @param options `capacity`: messages held before back-pressure (default 1024).
   * @returns The message stream.
   * @throws {TypeError} When another `messages()` iterator is active.
   *
   * @example Usage
   * ```ts ignore
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * await client.connect("mqtt://127.0.0.1:1883");
   * await client.subscribe("sensors/#");
   * for await (const message of client.messages()) {
   *   console.log(message.topic, message.payload.byteLength);
   *   break;
   * }
   * await client.end();
   * ```
   */
  messages(options: { capacity?: number } = {}): MessageStream {
    return this.#calls.messages(options.capacity ?? 1024);
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
