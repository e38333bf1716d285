/**
 * Packet types of MQTT 3.1, 3.1.1 and 5.0 as a discriminated union on a literal `type`.
 *
 * Field names are camelCase; v5-only fields (`properties`, reason codes) are optional and
 * ignored when a packet is encoded for protocol version 3 or 4.
 *
 * Decoded packets are canonical: `properties` is present only when the packet's property block
 * is not empty, MQTT 5 acknowledgements, DISCONNECT and AUTH always carry `reasonCode` (0 when
 * the wire omits it), MQTT 5 subscriptions carry all three options, and `packetId` is present
 * only on PUBLISH packets with QoS 1 or 2.
 *
 * @module
 */

import type {
  SubackPacket,
  SubscribePacket,
  UnsubackPacket,
  UnsubscribePacket,
} from "./subscription_packets.ts";

export type {
  SubackPacket,
  SubscribePacket,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
} from "./subscription_packets.ts";

/**
 * The protocol level sent in CONNECT: 3 = MQTT 3.1 (`MQIsdp`), 4 = MQTT 3.1.1, 5 = MQTT 5.0.
 *
 * @example Usage
 * ```ts
 * import type { ProtocolVersion } from "@mqload/mqload/codec";
 * const version: ProtocolVersion = 5;
 * ```
 */
export type ProtocolVersion = 3 | 4 | 5;

/**
 * A quality-of-service level: 0 at most once, 1 at least once, 2 exactly once.
 *
 * @example Usage
 * ```ts
 * import type { QoSLevel } from "@mqload/mqload/codec";
 * const qos: QoSLevel = 1;
 * ```
 */
export type QoSLevel = 0 | 1 | 2;

/**
 * One MQTT 5 user property: a name and a value. A packet may repeat a name; order is kept.
 *
 * @example Usage
 * ```ts
 * import type { UserProperty } from "@mqload/mqload/codec";
 * const property: UserProperty = ["region", "eu"];
 * ```
 */
export type UserProperty = [name: string, value: string];

/**
 * Every MQTT 5 property, by its camelCase name. Which ones a packet may carry is checked by the
 * encoder and decoder (MQTT 5.0 §2.2.2.2); the table is `PROPERTY_DEFINITIONS`. The encoder
 * writes them in the order of the object's keys and skips keys set to `undefined`; decoded
 * binary values are views into the decoder's input, like payloads.
 *
 * @example Usage
 * ```ts
 * import type { Properties } from "@mqload/mqload/codec";
 * const properties: Properties = { sessionExpiryInterval: 60, userProperties: [["a", "1"]] };
 * ```
 */
export interface Properties {
  /** 0x01: the payload is UTF-8 text. */
  payloadFormatIndicator?: boolean | undefined;
  /** 0x02: lifetime of the message in seconds. */
  messageExpiryInterval?: number | undefined;
  /** 0x03: MIME type of the payload. */
  contentType?: string | undefined;
  /** 0x08: topic for a response. */
  responseTopic?: string | undefined;
  /** 0x09: correlation data for request/response. */
  correlationData?: Uint8Array | undefined;
  /** 0x0B: subscription identifiers (one in SUBSCRIBE, one or more in PUBLISH). */
  subscriptionIdentifiers?: number[] | undefined;
  /** 0x11: session expiry interval in seconds. */
  sessionExpiryInterval?: number | undefined;
  /** 0x12: the client identifier the server assigned. */
  assignedClientIdentifier?: string | undefined;
  /** 0x13: keepalive the server requires, in seconds. */
  serverKeepAlive?: number | undefined;
  /** 0x15: extended authentication method. */
  authenticationMethod?: string | undefined;
  /** 0x16: extended authentication data. */
  authenticationData?: Uint8Array | undefined;
  /** 0x17: whether the server may send reason strings and user properties on failures. */
  requestProblemInformation?: boolean | undefined;
  /** 0x18: delay in seconds before the will is published. */
  willDelayInterval?: number | undefined;
  /** 0x19: whether the client asks for response information. */
  requestResponseInformation?: boolean | undefined;
  /** 0x1A: response information from the server. */
  responseInformation?: string | undefined;
  /** 0x1C: another server to use. */
  serverReference?: string | undefined;
  /** 0x1F: a human-readable reason. */
  reasonString?: string | undefined;
  /** 0x21: how many QoS 1/2 publishes the sender accepts in flight. */
  receiveMaximum?: number | undefined;
  /** 0x22: the highest topic alias the sender accepts. */
  topicAliasMaximum?: number | undefined;
  /** 0x23: a topic alias. */
  topicAlias?: number | undefined;
  /** 0x24: the highest QoS the server supports (0 or 1; absent means 2). */
  maximumQoS?: QoSLevel | undefined;
  /** 0x25: whether the server supports retained messages. */
  retainAvailable?: boolean | undefined;
  /** 0x26: user properties, repeatable, order kept. */
  userProperties?: UserProperty[] | undefined;
  /** 0x27: the largest packet the sender accepts, in bytes. */
  maximumPacketSize?: number | undefined;
  /** 0x28: whether the server supports wildcard subscriptions. */
  wildcardSubscriptionAvailable?: boolean | undefined;
  /** 0x29: whether the server supports subscription identifiers. */
  subscriptionIdentifiersAvailable?: boolean | undefined;
  /** 0x2A: whether the server supports shared subscriptions. */
  sharedSubscriptionAvailable?: boolean | undefined;
}

/**
 * The will message of a CONNECT.
 *
 * @example Usage
 * ```ts
 * import type { Will } from "@mqload/mqload/codec";
 * const will: Will = { topic: "w", payload: new TextEncoder().encode("bye"), qos: 1, retain: false };
 * ```
 */
export interface Will {
  /** Topic the will is published to. */
  topic: string;
  /** Will payload. */
  payload: Uint8Array;
  /** QoS of the will. */
  qos: QoSLevel;
  /** Whether the will is retained. */
  retain: boolean;
  /** MQTT 5 will properties. */
  properties?: Properties | undefined;
}

/**
 * CONNECT: the first packet a client sends.
 *
 * @example Usage
 * ```ts
 * import type { ConnectPacket } from "@mqload/mqload/codec";
 * const p: ConnectPacket = { type: "connect", protocolVersion: 4, clientId: "c1", cleanStart: true, keepalive: 60 };
 * ```
 */
export interface ConnectPacket {
  /** Discriminant. */
  type: "connect";
  /** Protocol level; the protocol name follows from it (`MQIsdp` for 3, `MQTT` otherwise). */
  protocolVersion: ProtocolVersion;
  /**
   * Client identifier; empty asks the server to assign one (MQTT 3.1.1 allows that only with
   * `cleanStart`, MQTT 3.1 not at all: the encoder refuses those with a TypeError).
   */
  clientId: string;
  /** Clean session (3.1.1) or clean start (5). */
  cleanStart: boolean;
  /** Keepalive in seconds, 0 to 65535. */
  keepalive: number;
  /** User name. */
  username?: string | undefined;
  /** Password (binary data in MQTT). */
  password?: Uint8Array | undefined;
  /** Will message. */
  will?: Will | undefined;
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}

/**
 * CONNACK: the server's answer to CONNECT.
 *
 * @example Usage
 * ```ts
 * import type { ConnackPacket } from "@mqload/mqload/codec";
 * const p: ConnackPacket = { type: "connack", sessionPresent: false, reasonCode: 0 };
 * ```
 */
export interface ConnackPacket {
  /** Discriminant. */
  type: "connack";
  /** Whether the server resumed a session. */
  sessionPresent: boolean;
  /** v3/v4 return code (0–5) or v5 reason code. */
  reasonCode: number;
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}

/**
 * PUBLISH: an application message.
 *
 * @example Usage
 * ```ts
 * import type { PublishPacket } from "@mqload/mqload/codec";
 * const p: PublishPacket = { type: "publish", topic: "a/b", payload: new Uint8Array([1]), qos: 1, retain: false, dup: false, packetId: 7 };
 * ```
 */
export interface PublishPacket {
  /** Discriminant. */
  type: "publish";
  /** Topic name (may be empty in v5 when a topic alias is set). */
  topic: string;
  /** Payload bytes. A decoded payload may be a view into the decoder's input. */
  payload: Uint8Array;
  /** QoS. */
  qos: QoSLevel;
  /** Retain flag. */
  retain: boolean;
  /** Duplicate delivery flag. */
  dup: boolean;
  /** Packet identifier, required for QoS 1 and 2, absent for QoS 0. */
  packetId?: number | undefined;
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}

/**
 * PUBACK, PUBREC, PUBREL or PUBCOMP: the acknowledgements of the QoS 1 and 2 flows.
 *
 * @example Usage
 * ```ts
 * import type { PubackPacket } from "@mqload/mqload/codec";
 * const p: PubackPacket = { type: "puback", packetId: 7 };
 * ```
 */
export interface AckPacket<T extends "puback" | "pubrec" | "pubrel" | "pubcomp"> {
  /** Discriminant. */
  type: T;
  /** Packet identifier of the flow. */
  packetId: number;
  /** MQTT 5 reason code; absent means 0 (success). Decoded MQTT 5 packets always have it. */
  reasonCode?: number | undefined;
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}

/**
 * PUBACK: acknowledges a QoS 1 PUBLISH.
 *
 * @example Usage
 * ```ts
 * import type { PubackPacket } from "@mqload/mqload/codec";
 * const p: PubackPacket = { type: "puback", packetId: 1 };
 * ```
 */
export type PubackPacket = AckPacket<"puback">;
/**
 * PUBREC: first answer to a QoS 2 PUBLISH.
 *
 * @example Usage
 * ```ts
 * import type { PubrecPacket } from "@mqload/mqload/codec";
 * const p: PubrecPacket = { type: "pubrec", packetId: 1 };
 * ```
 */
export type PubrecPacket = AckPacket<"pubrec">;
/**
 * PUBREL: releases a QoS 2 message.
 *
 * @example Usage
 * ```ts
 * import type { PubrelPacket } from "@mqload/mqload/codec";
 * const p: PubrelPacket = { type: "pubrel", packetId: 1 };
 * ```
 */
export type PubrelPacket = AckPacket<"pubrel">;
/**
 * PUBCOMP: completes a QoS 2 flow.
 *
 * @example Usage
 * ```ts
 * import type { PubcompPacket } from "@mqload/mqload/codec";
 * const p: PubcompPacket = { type: "pubcomp", packetId: 1 };
 * ```
 */
export type PubcompPacket = AckPacket<"pubcomp">;

/**
 * PINGREQ.
 *
 * @example Usage
 * ```ts
 * import type { PingreqPacket } from "@mqload/mqload/codec";
 * const p: PingreqPacket = { type: "pingreq" };
 * ```
 */
export interface PingreqPacket {
  /** Discriminant. */
  type: "pingreq";
}

/**
 * PINGRESP.
 *
 * @example Usage
 * ```ts
 * import type { PingrespPacket } from "@mqload/mqload/codec";
 * const p: PingrespPacket = { type: "pingresp" };
 * ```
 */
export interface PingrespPacket {
  /** Discriminant. */
  type: "pingresp";
}

/**
 * DISCONNECT, from either side in v5.
 *
 * @example Usage
 * ```ts
 * import type { DisconnectPacket } from "@mqload/mqload/codec";
 * const p: DisconnectPacket = { type: "disconnect", reasonCode: 0 };
 * ```
 */
export interface DisconnectPacket {
  /** Discriminant. */
  type: "disconnect";
  /**
   * v5 reason code; absent means 0 (normal disconnection). Decoded MQTT 5 packets always have
   * it.
   */
  reasonCode?: number | undefined;
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}

/**
 * AUTH (MQTT 5 only).
 *
 * @example Usage
 * ```ts
 * import type { AuthPacket } from "@mqload/mqload/codec";
 * const p: AuthPacket = { type: "auth", reasonCode: 0x18, properties: { authenticationMethod: "SCRAM" } };
 * ```
 */
export interface AuthPacket {
  /** Discriminant. */
  type: "auth";
  /** Reason code; absent means 0 (success). Decoded packets always have it. */
  reasonCode?: number | undefined;
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}

/**
 * Any MQTT control packet.
 *
 * @example Usage
 * ```ts
 * import type { Packet } from "@mqload/mqload/codec";
 * function describe(p: Packet): string {
 *   return p.type === "publish" ? `publish to ${p.topic}` : p.type;
 * }
 * ```
 */
export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

/**
 * The name of a packet type.
 *
 * @example Usage
 * ```ts
 * import type { PacketType } from "@mqload/mqload/codec";
 * const t: PacketType = "suback";
 * ```
 */
export type PacketType = Packet["type"];
