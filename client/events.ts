/**
 * The events a {@linkcode Client} emits, as `on()` handler arguments and as `EventTarget` events.
 *
 * | event       | `on()` handler                      | `addEventListener` event  |
 * |-------------|-------------------------------------|---------------------------|
 * | `connect`   | `(info: ConnectInfo)`               | `MqttConnectEvent`        |
 * | `reconnect` | `(info: ReconnectInfo)`             | `MqttReconnectEvent`      |
 * | `message`   | `(topic, payload: ArrayBuffer, info: MessageInfo)` | `MqttMessageEvent` |
 * | `end`       | `()`                                | `Event`                   |
 * | `error`     | `(error: MqttError)`                | `MqttErrorEvent`          |
 * | `close`     | `(info: CloseInfo)`                 | `MqttCloseEvent`          |
 *
 * @module
 */

import type { Properties } from "../codec/packets.ts";
import type { MqttError } from "./errors.ts";
import type { QoS } from "./options.ts";

/**
 * What a `connect` event tells: where, as whom, and whether the broker resumed a session.
 *
 * @example Usage
 * ```ts
 * import type { ConnectInfo } from "@mqload/mqload";
 * const info: ConnectInfo = { url: "mqtt://127.0.0.1:1883", clientId: "c1", sessionPresent: false };
 * ```
 */
export interface ConnectInfo {
  /** The broker URL, without credentials. */
  url: string;
  /** The client identifier in use (the broker-assigned one in MQTT 5, when it assigned one). */
  clientId: string;
  /** Whether the broker resumed a stored session. */
  sessionPresent: boolean;
  /** MQTT 5 CONNACK properties. */
  properties?: Properties | undefined;
}

/**
 * What a `reconnect` event tells, before each reconnection attempt.
 *
 * @example Usage
 * ```ts
 * import type { ReconnectInfo } from "@mqload/mqload";
 * const info: ReconnectInfo = { attempt: 1 };
 * ```
 */
export interface ReconnectInfo {
  /** 1 for the first attempt after a loss, then 2, 3, … */
  attempt: number;
  /** Why the previous attempt failed, from the second attempt on. */
  error?: MqttError | undefined;
}

/**
 * Delivery details of a received message.
 *
 * @example Usage
 * ```ts
 * import { type MessageInfo, QoS } from "@mqload/mqload";
 * const info: MessageInfo = { qos: QoS.AtLeastOnce, retain: false, dup: false, packetId: 7 };
 * ```
 */
export interface MessageInfo {
  /** The QoS it was delivered at. */
  qos: QoS;
  /** Whether it is a retained message sent on subscription. */
  retain: boolean;
  /** Whether the broker flagged it as a possible redelivery. */
  dup: boolean;
  /** Packet identifier, for QoS 1 and 2. */
  packetId?: number | undefined;
  /** MQTT 5 PUBLISH properties (user properties, content type, …). */
  properties?: Properties | undefined;
}

/**
 * A received message, as the iterators (`messages()`, `subscription()`) yield it.
 *
 * @example Usage
 * ```ts ignore
 * import { Client, type Message } from "@mqload/mqload";
 * const client = new Client({ manual_ack: true });
 * await client.connect("mqtt://127.0.0.1:1883");
 * for await (const message of client.subscription("orders/#", { qos: 1 })) {
 *   const order = message.json() as { id: string };
 *   console.log(message.topic, order.id);
 *   message.ack(); // processed: now the broker may forget it
 * }
 * ```
 */
export interface Message extends MessageInfo {
  /** The topic it was published to. */
  readonly topic: string;
  /** The payload: bytes of its own. */
  readonly payload: Uint8Array;
  /**
   * The payload decoded as UTF-8.
   *
   * @returns The text.
   */
  text(): string;
  /**
   * The payload parsed as JSON (UTF-8).
   *
   * @returns The parsed value.
   * @throws {SyntaxError} When the payload is not JSON.
   */
  json(): unknown;
  /**
   * With the client's `manual_ack`, sends the acknowledgement (PUBACK at QoS 1, PUBREC at QoS 2)
   * that the broker waits for before it forgets the message; call it once processed. Without
   * `manual_ack` the message was acknowledged as it was buffered (or, past the iterator's
   * `capacity`, when the loop took it), and this does nothing; at QoS 0 there is nothing to
   * acknowledge.
   */
  ack(): void;
}

/**
 * What a `close` event tells: the connection was lost (network, keepalive, protocol error, or a
 * broker DISCONNECT), not ended by `end()`. When the client then gives up reconnecting (its
 * attempts exhausted), one more `close` says so, with `reconnecting: false` and an error
 * that gives the attempts made: a service's cue that the client is done.
 *
 * @example Usage
 * ```ts
 * import { type CloseInfo, MqttClosedError } from "@mqload/mqload";
 * const info: CloseInfo = { error: new MqttClosedError("Connection closed by the broker"), reconnecting: true };
 * ```
 */
export interface CloseInfo {
  /** Why: `MqttClosedError` (with the v5 DISCONNECT `reasonCode`), `MqttTimeoutError`, … */
  error: MqttError;
  /** Whether the client will try to reconnect. */
  reconnecting: boolean;
  /** MQTT 5 reason code of a broker DISCONNECT. */
  reasonCode?: number | undefined;
  /** MQTT 5 Server Reference of a broker DISCONNECT: where the broker asks us to go. */
  serverReference?: string | undefined;
}

/**
 * The `message` event.
 *
 * @example Usage
 * ```ts
 * import { MqttMessageEvent } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 * const event = new MqttMessageEvent("a/b", new ArrayBuffer(1), { qos: 0, retain: false, dup: false });
 * assert.equal(event.type, "message");
 * ```
 */
export class MqttMessageEvent extends Event {
  /** The topic. */
  readonly topic: string;
  /** The payload. */
  readonly payload: ArrayBuffer;
  /** Delivery details. */
  readonly info: MessageInfo;

  /**
   * Creates a message event.
   *
   * @param topic The topic.
   * @param payload The payload.
   * @param info Delivery details.
   */
  constructor(topic: string, payload: ArrayBuffer, info: MessageInfo) {
    super("message");
    this.topic = topic;
    this.payload = payload;
    this.info = info;
  }
}

/**
 * The `connect` event.
 *
 * @example Usage
 * ```ts
 * import { MqttConnectEvent } from "@mqload/mqload";
 * const event = new MqttConnectEvent({ url: "mqtt://h:1883", clientId: "c", sessionPresent: false });
 * ```
 */
export class MqttConnectEvent extends Event {
  /** Connection details. */
  readonly info: ConnectInfo;

  /**
   * Creates a connect event.
   *
   * @param info Connection details.
   */
  constructor(info: ConnectInfo) {
    super("connect");
    this.info = info;
  }
}

/**
 * The `reconnect` event, fired before each reconnection attempt.
 *
 * @example Usage
 * ```ts
 * import { MqttReconnectEvent } from "@mqload/mqload";
 * const event = new MqttReconnectEvent({ attempt: 1 });
 * ```
 */
export class MqttReconnectEvent extends Event {
  /** Attempt details. */
  readonly info: ReconnectInfo;

  /**
   * Creates a reconnect event.
   *
   * @param info Attempt details.
   */
  constructor(info: ReconnectInfo) {
    super("reconnect");
    this.info = info;
  }
}

/**
 * The `close` event: the connection was lost.
 *
 * @example Usage
 * ```ts
 * import { MqttCloseEvent, MqttClosedError } from "@mqload/mqload";
 * const event = new MqttCloseEvent({ error: new MqttClosedError("lost"), reconnecting: false });
 * ```
 */
export class MqttCloseEvent extends Event {
  /** Why and what next. */
  readonly info: CloseInfo;

  /**
   * Creates a close event.
   *
   * @param info Why and what next.
   */
  constructor(info: CloseInfo) {
    super("close");
    this.info = info;
  }
}

/**
 * The `error` event.
 *
 * @example Usage
 * ```ts
 * import { MqttError, MqttErrorEvent } from "@mqload/mqload";
 * const event = new MqttErrorEvent(new MqttError("refused", { method: "subscribe" }));
 * ```
 */
export class MqttErrorEvent extends Event {
  /** The error. */
  readonly error: MqttError;

  /**
   * Creates an error event.
   *
   * @param error The error.
   */
  constructor(error: MqttError) {
    super("error");
    this.error = error;
  }
}

/**
 * Event types by name, for `addEventListener`.
 *
 * @example Usage
 * ```ts
 * import type { ClientEventMap } from "@mqload/mqload";
 * const topicOf = (event: ClientEventMap["message"]) => event.topic;
 * ```
 */
export interface ClientEventMap {
  /** Connected (first time and after every reconnection). */
  connect: MqttConnectEvent;
  /** About to try reconnecting. */
  reconnect: MqttReconnectEvent;
  /** A message arrived. */
  message: MqttMessageEvent;
  /** `end()` completed, or the connection was lost for good (reconnection off or given up). */
  end: Event;
  /** An operation started by a sync-named method, or a background task, failed. */
  error: MqttErrorEvent;
  /** The connection was lost. */
  close: MqttCloseEvent;
}
