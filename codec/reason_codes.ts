/**
 * MQTT 5 reason codes (MQTT 5.0 §2.4) with their names and the packets that may carry them, and
 * the MQTT 3.1 / 3.1.1 CONNACK return codes.
 *
 * @module
 */

import type { PacketType } from "./packets.ts";

/**
 * MQTT 5 reason codes by name. Several names share a value (0x00 is `Success`,
 * `NormalDisconnection` and `GrantedQoS0`).
 *
 * @example Usage
 * ```ts
 * import { ReasonCode } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * assert.equal(ReasonCode.NotAuthorized, 0x87);
 * ```
 */
export const ReasonCode = {
  Success: 0x00,
  NormalDisconnection: 0x00,
  GrantedQoS0: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWillMessage: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  ContinueAuthentication: 0x18,
  ReAuthenticate: 0x19,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  Banned: 0x8a,
  ServerShuttingDown: 0x8b,
  BadAuthenticationMethod: 0x8c,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  MessageRateTooHigh: 0x96,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QoSNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  SharedSubscriptionsNotSupported: 0x9e,
  ConnectionRateExceeded: 0x9f,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;

/**
 * MQTT 3.1 / 3.1.1 CONNACK return codes by name.
 *
 * @example Usage
 * ```ts
 * import { ConnackReturnCode } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * assert.equal(ConnackReturnCode.NotAuthorized, 5);
 * ```
 */
export const ConnackReturnCode = {
  Accepted: 0,
  UnacceptableProtocolVersion: 1,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUserNameOrPassword: 4,
  NotAuthorized: 5,
} as const;

const CONNACK_V3_NAMES = [
  "Connection accepted",
  "Unacceptable protocol version",
  "Identifier rejected",
  "Server unavailable",
  "Bad user name or password",
  "Not authorized",
];

type Row = readonly [code: number, name: string, packets: readonly PacketType[]];

const PUB = ["puback", "pubrec"] as const;
const MOST = ["connack", ...PUB, "suback", "unsuback", "disconnect"] as const;

// MQTT 5.0 Table 2-6, one row per (code, name); a code with two names has two rows.
const TABLE: readonly Row[] = [
  [0x00, "Success", ["connack", ...PUB, "pubrel", "pubcomp", "unsuback", "auth"]],
  [0x00, "Normal disconnection", ["disconnect"]],
  [0x00, "Granted QoS 0", ["suback"]],
  [0x01, "Granted QoS 1", ["suback"]],
  [0x02, "Granted QoS 2", ["suback"]],
  [0x04, "Disconnect with Will Message", ["disconnect"]],
  [0x10, "No matching subscribers", PUB],
  [0x11, "No subscription existed", ["unsuback"]],
  [0x18, "Continue authentication", ["auth"]],
  [0x19, "Re-authenticate", ["auth"]],
  [0x80, "Unspecified error", MOST],
  [0x81, "Malformed Packet", ["connack", "disconnect"]],
  [0x82, "Protocol Error", ["connack", "disconnect"]],
  [0x83, "Implementation specific error", MOST],
  [0x84, "Unsupported Protocol Version", ["connack"]],
  [0x85, "Client Identifier not valid", ["connack"]],
  [0x86, "Bad User Name or Password", ["connack"]],
  [0x87, "Not authorized", MOST],
  [0x88, "Server unavailable", ["connack"]],
  [0x89, "Server busy", ["connack", "disconnect"]],
  [0x8a, "Banned", ["connack"]],
  [0x8b, "Server shutting down", ["disconnect"]],
  [0x8c, "Bad authentication method", ["connack", "disconnect"]],
  [0x8d, "Keep Alive timeout", ["disconnect"]],
  [0x8e, "Session taken over", ["disconnect"]],
  [0x8f, "Topic Filter invalid", ["suback", "unsuback", "disconnect"]],
  [0x90, "Topic Name invalid", ["connack", ...PUB, "disconnect"]],
  [0x91, "Packet Identifier in use", [...PUB, "suback", "unsuback"]],
  [0x92, "Packet Identifier not found", ["pubrel", "pubcomp"]],
  [0x93, "Receive Maximum exceeded", ["disconnect"]],
  [0x94, "Topic Alias invalid", ["disconnect"]],
  [0x95, "Packet too large", ["connack", "disconnect"]],
  [0x96, "Message rate too high", ["disconnect"]],
  [0x97, "Quota exceeded", ["connack", ...PUB, "suback", "disconnect"]],
  [0x98, "Administrative action", ["disconnect"]],
  [0x99, "Payload format invalid", ["connack", ...PUB, "disconnect"]],
  [0x9a, "Retain not supported", ["connack", "disconnect"]],
  [0x9b, "QoS not supported", ["connack", "disconnect"]],
  [0x9c, "Use another server", ["connack", "disconnect"]],
  [0x9d, "Server moved", ["connack", "disconnect"]],
  [0x9e, "Shared Subscriptions not supported", ["suback", "disconnect"]],
  [0x9f, "Connection rate exceeded", ["connack", "disconnect"]],
  [0xa0, "Maximum connect time", ["disconnect"]],
  [0xa1, "Subscription Identifiers not supported", ["suback", "disconnect"]],
  [0xa2, "Wildcard Subscriptions not supported", ["suback", "disconnect"]],
];

// Per packet type: code → name. Built once; never mutated afterwards.
const BY_PACKET = new Map<PacketType, Map<number, string>>();
const GENERIC = new Map<number, string>();
for (const [code, name, packets] of TABLE) {
  if (!GENERIC.has(code)) GENERIC.set(code, name);
  for (const packet of packets) {
    let names = BY_PACKET.get(packet);
    if (names === undefined) BY_PACKET.set(packet, names = new Map());
    names.set(code, name);
  }
}

/**
 * The name of an MQTT 5 reason code, as the specification spells it.
 *
 * @param code The reason code, 0 to 255.
 * @param packetType The packet that carries it: picks the right name for a shared value
 *   (0x00 is "Normal disconnection" in DISCONNECT) and rejects a code that packet may not carry.
 * @returns The name, or `undefined` when the code is not defined (for that packet).
 *
 * @example Usage
 * ```ts
 * import { reasonCodeName } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * assert.equal(reasonCodeName(0x87), "Not authorized");
 * assert.equal(reasonCodeName(0x00, "disconnect"), "Normal disconnection");
 * assert.equal(reasonCodeName(0x84, "puback"), undefined);
 * ```
 */
export function reasonCodeName(code: number, packetType?: PacketType): string | undefined {
  if (packetType === undefined) return GENERIC.get(code);
  return BY_PACKET.get(packetType)?.get(code);
}

/**
 * Whether an MQTT 5 packet may carry a reason code.
 *
 * @param code The reason code.
 * @param packetType The packet type.
 * @returns `true` when MQTT 5.0 Table 2-6 lists the code for that packet.
 *
 * @example Usage
 * ```ts
 * import { isReasonCodeAllowed } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * assert.equal(isReasonCodeAllowed(0x10, "puback"), true);
 * assert.equal(isReasonCodeAllowed(0x10, "pubcomp"), false);
 * ```
 */
export function isReasonCodeAllowed(code: number, packetType: PacketType): boolean {
  return BY_PACKET.get(packetType)?.has(code) ?? false;
}

/**
 * The name of an MQTT 3.1 / 3.1.1 CONNACK return code.
 *
 * @param code The return code, 0 to 5.
 * @returns The name, or `undefined` for a reserved code.
 *
 * @example Usage
 * ```ts
 * import { connackReturnCodeName } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * assert.equal(connackReturnCodeName(4), "Bad user name or password");
 * ```
 */
export function connackReturnCodeName(code: number): string | undefined {
  return CONNACK_V3_NAMES[code];
}
