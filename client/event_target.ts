/**
 * The event surface of a {@linkcode Client}: `on()`, which keeps one handler per event as
 * xk6-mqtt does, and typed `addEventListener`/`removeEventListener` for any number of listeners.
 *
 * @module
 */

import { Listeners } from "./_listeners.ts";
import type { MqttError } from "./errors.ts";
import type {
  ClientEventMap,
  CloseInfo,
  ConnectInfo,
  MessageInfo,
  ReconnectInfo,
} from "./events.ts";

/**
 * The `on()` handler of each event of a {@linkcode Client}: what it is called with.
 *
 * @example Usage
 * ```ts
 * import type { ClientHandlers } from "@mqload/mqload";
 * const onMessage: ClientHandlers["message"] = (topic, payload) => console.log(topic, payload.byteLength);
 * ```
 */
export interface ClientHandlers {
  /** Connected (first time and after every reconnection). */
  connect: (info: ConnectInfo) => unknown;
  /** About to try reconnecting. */
  reconnect: (info: ReconnectInfo) => unknown;
  /** A message arrived: its topic, its payload (an ArrayBuffer of its own), delivery details. */
  message: (topic: string, payload: ArrayBuffer, info: MessageInfo) => unknown;
  /** `end()` completed, or the connection was lost for good. */
  end: () => unknown;
  /** A failure nobody awaits, a background failure, or a handler's exception. */
  error: (error: MqttError) => unknown;
  /** The connection was lost. */
  close: (info: CloseInfo) => unknown;
}

/**
 * The listeners of a target, for the client that extends it. Assigned once, by the class's static
 * block: a friend accessor, not state (`#events` stays unreachable from outside this module).
 */
let listenersOf: (target: ClientEventTarget) => Listeners;

/**
 * An `EventTarget` with the events of an MQTT client. {@linkcode Client} extends it; it is not
 * meant to be constructed on its own.
 *
 * | event       | when                                           | `on()` handler arguments                | listener event         |
 * |-------------|------------------------------------------------|-----------------------------------------|------------------------|
 * | `connect`   | connected (also after each reconnection)       | `info: ConnectInfo`                     | `MqttConnectEvent`     |
 * | `reconnect` | about to try reconnecting                      | `info: ReconnectInfo`                   | `MqttReconnectEvent`   |
 * | `message`   | a message arrived                              | `topic, payload: ArrayBuffer, info`     | `MqttMessageEvent`     |
 * | `end`       | `end()` completed, or the connection is lost for good | none                             | `Event`                |
 * | `error`     | a sync-named call or a background task failed  | `error: MqttError`                      | `MqttErrorEvent`       |
 * | `close`     | the connection was lost (not by `end()`)       | `info: CloseInfo`                       | `MqttCloseEvent`       |
 *
 * The `on()` handler of an event runs first, then the listeners, in the order they were added.
 * An exception thrown by the `message` handler goes to the `error` handler (or the log, once)
 * and does not disturb the client; one thrown by a listener is reported as `EventTarget` does
 * (`reportError`).
 *
 * @example Usage
 * ```ts
 * import { Client, ClientEventTarget } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 * const client = new Client();
 * assert.ok(client instanceof ClientEventTarget);
 * assert.ok(client instanceof EventTarget);
 * ```
 */
export abstract class ClientEventTarget extends EventTarget {
  readonly #events: Listeners = new Listeners(this);

  static {
    listenersOf = (target) => target.#events;
  }

  /**
   * Sets the one handler of an event, replacing the previous one (`null` removes it), as
   * xk6-mqtt does; the handler's arguments are those of {@linkcode ClientHandlers}:
   *
   * - `connect` `(info)`: every successful connection, reconnections included;
   * - `reconnect` `(info)`: before each reconnection attempt (attempt number, previous error);
   * - `message` `(topic, payload, info)`: a message arrived; `payload` is an `ArrayBuffer` of its
   *   own (decode it with `TextDecoder`), `info` the QoS, retain, dup, packet id, properties;
   * - `end` `()`: `end()` completed, or the connection is lost and will not be reconnected;
   * - `error` `(error)`: a call's failure nobody awaits, a background failure, or an exception
   *   of a handler; while one is set, such failures are not logged;
   * - `close` `(info)`: the connection was lost (not by `end()`), and whether it reconnects.
   *
   * @param event The event name.
   * @param handler The handler, or `null`.
   * @throws {TypeError} On an unknown event, or a handler that is not a function or `null`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * client.on("connect", (info) => console.log("connected to", info.url, "as", info.clientId));
   * client.on("message", (topic, payload, info) => {
   *   console.log(topic, new TextDecoder().decode(payload), info.qos);
   * });
   * client.on("error", (error) => console.error(error.name, error.method, error.message));
   * ```
   */
  on<E extends keyof ClientHandlers>(event: E, handler: ClientHandlers[E] | null): void;
  on(event: string, handler: ((...args: never[]) => unknown) | null): void {
    this.#events.setHandler(event, handler);
  }

  /**
   * Adds a listener of a client event; the listener receives the event object of
   * {@linkcode ClientEventMap}.
   *
   * @param type The event name.
   * @param listener The listener.
   * @param options `once`, `signal`, as for any `EventTarget`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * client.addEventListener("message", (event) => console.log(event.topic, event.info.retain));
   * ```
   */
  override addEventListener<K extends keyof ClientEventMap>(
    type: K,
    listener: ((this: this, event: ClientEventMap[K]) => void) | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /**
   * Adds a listener of any event type, as `EventTarget` does.
   *
   * @param type The event name.
   * @param listener A function or an object with `handleEvent`.
   * @param options `once`, `signal`, as for any `EventTarget`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * client.addEventListener("end", { handleEvent: (event) => console.log(event.type) });
   * ```
   */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
    if (listener !== null) this.#events.added(type, listener, options);
  }

  /**
   * Removes a listener of a client event added with `addEventListener`.
   *
   * @param type The event name.
   * @param listener The listener.
   * @param options `capture`, as for any `EventTarget`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * const listener = () => {};
   * client.addEventListener("end", listener);
   * client.removeEventListener("end", listener);
   * ```
   */
  override removeEventListener<K extends keyof ClientEventMap>(
    type: K,
    listener: ((this: this, event: ClientEventMap[K]) => void) | null,
    options?: boolean | EventListenerOptions,
  ): void;
  /**
   * Removes a listener of any event type, as `EventTarget` does.
   *
   * @param type The event name.
   * @param listener A function or an object with `handleEvent`.
   * @param options `capture`, as for any `EventTarget`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * const listener = { handleEvent() {} };
   * client.addEventListener("close", listener);
   * client.removeEventListener("close", listener);
   * ```
   */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
    if (listener !== null) this.#events.removed(type, listener, options);
  }
}

/** The listeners of `target`: the client hands them to the parts that emit its events. */
export function eventListenersOf(target: ClientEventTarget): Listeners {
  return listenersOf(target);
}
