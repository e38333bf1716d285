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
 * An exception thrown by a handler or listener is reported (`reportError`) and does not disturb
 * the client.
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
   * Sets the one `connect` handler, replacing the previous one (`null` removes it). It runs on
   * every successful connection, reconnections included.
   *
   * @param event `"connect"`.
   * @param handler Called with the connection details (xk6-mqtt passes none: extra arguments are
   * ignored by its handlers).
   * @throws {TypeError} When the handler is not a function or `null`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * client.on("connect", (info) => console.log("connected to", info.url, "as", info.clientId));
   * ```
   */
  on(event: "connect", handler: ((info: ConnectInfo) => unknown) | null): void;
  /**
   * Sets the one `reconnect` handler, replacing the previous one (`null` removes it). It runs
   * before each reconnection attempt, automatic or by `reconnect()`.
   *
   * @param event `"reconnect"`.
   * @param handler Called with the attempt number and, from the second attempt, why the
   * previous one failed.
   * @throws {TypeError} When the handler is not a function or `null`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * client.on("reconnect", (info) => console.log("reconnection attempt", info.attempt));
   * ```
   */
  on(event: "reconnect", handler: ((info: ReconnectInfo) => unknown) | null): void;
  /**
   * Sets the one `message` handler, replacing the previous one (`null` removes it).
   *
   * @param event `"message"`.
   * @param handler Called with the topic, the payload (an `ArrayBuffer` of its own) and the
   * delivery details (QoS, retain, dup, packet id, MQTT 5 properties).
   * @throws {TypeError} When the handler is not a function or `null`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * client.on("message", (topic, payload, info) => {
   *   console.log(topic, new TextDecoder().decode(payload), info.qos);
   * });
   * ```
   */
  on(
    event: "message",
    handler: ((topic: string, payload: ArrayBuffer, info: MessageInfo) => unknown) | null,
  ): void;
  /**
   * Sets the one `end` handler, replacing the previous one (`null` removes it). It runs once
   * `end()` has completed, or when the connection is lost and will not be reconnected.
   *
   * @param event `"end"`.
   * @param handler Called with no arguments.
   * @throws {TypeError} When the handler is not a function or `null`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * client.on("end", () => console.log("disconnected"));
   * ```
   */
  on(event: "end", handler: (() => unknown) | null): void;
  /**
   * Sets the one `error` handler, replacing the previous one (`null` removes it). While one is
   * set, failures of the sync-named calls (`connect`, `publish`, …) go to it and their rejected
   * Promises count as handled, as xk6-mqtt reports them.
   *
   * @param event `"error"`.
   * @param handler Called with the `MqttError` (`name` `"MQTTError"`, `method`, `code`,
   * `reasonCode`).
   * @throws {TypeError} When the handler is not a function or `null`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * client.on("error", (error) => console.error(error.name, error.method, error.message));
   * ```
   */
  on(event: "error", handler: ((error: MqttError) => unknown) | null): void;
  /**
   * Sets the one `close` handler, replacing the previous one (`null` removes it). It runs when
   * the connection is lost (network, keepalive, protocol error, broker DISCONNECT), not on
   * `end()`.
   *
   * @param event `"close"`.
   * @param handler Called with why the connection was lost and whether the client reconnects.
   * @throws {TypeError} When the handler is not a function or `null`.
   *
   * @example Usage
   * ```ts
   * import { Client } from "@mqload/mqload";
   * const client = new Client();
   * client.on("close", (info) => console.warn(info.error.message, info.reconnecting));
   * ```
   */
  on(event: "close", handler: ((info: CloseInfo) => unknown) | null): void;
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
