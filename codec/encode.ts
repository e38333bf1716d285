/**
 * The MQTT packet encoder: one packet object in, one `Uint8Array` out. Each packet is sized
 * first (validating every field), then allocated once and written in place.
 *
 * @module
 */

import type {
  AckPacket,
  AuthPacket,
  ConnackPacket,
  DisconnectPacket,
  Packet,
  ProtocolVersion,
  PublishPacket,
  SubackPacket,
  SubscribePacket,
  UnsubackPacket,
  UnsubscribePacket,
} from "./packets.ts";
import { isReasonCodeAllowed } from "./reason_codes.ts";
import { encodeConnect } from "./_encode_connect.ts";
import {
  contextBit,
  intCheck,
  propertiesSize,
  withLength,
  writeProperties,
} from "./_properties.ts";
import { filterProblem, isShared } from "./_topics.ts";
import { stringSize } from "./_utf8.ts";
import { BufferPool } from "./_buffer_pool.ts";
import {
  checkAuthentication,
  checkPacketId,
  checkQos,
  start,
  topicNameSize,
} from "./_encode_util.ts";

const ACK_TYPE = { puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7 } as const;

/**
 * Encodes one MQTT control packet.
 *
 * v5-only fields (`properties`, reason codes of acknowledgements) are ignored for protocol
 * versions 3 and 4. Properties are written in the order of the object's keys.
 *
 * @param packet The packet to encode.
 * @param protocolVersion The connection's protocol level (3, 4 or 5), 4 by default. A CONNECT
 *   uses its own `protocolVersion` instead.
 * @returns The packet's bytes, never handed out again. Small packets are views into a shared
 *   8 KiB slab (as Node's `Buffer` pool does), so their `byteOffset` may be non-zero and their
 *   `buffer` holds other packets too; CONNECT and AUTH, which carry credentials, always get an
 *   `ArrayBuffer` of their own.
 * @throws {TypeError} When a field has the wrong type or breaks a rule of the protocol (a
 *   wildcard in a topic name, an invalid topic filter, a property not allowed in the packet, an
 *   AUTH below MQTT 5…).
 * @throws {RangeError} When a number is out of range (QoS, packet identifier, keepalive,
 *   property values) or a string, binary field or the whole packet is too long.
 *
 * @example Usage
 * ```ts
 * import { encode } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 *
 * const bytes = encode({
 *   type: "publish",
 *   topic: "a/b",
 *   payload: new Uint8Array([0x68, 0x69]),
 *   qos: 1,
 *   retain: false,
 *   dup: false,
 *   packetId: 10,
 * });
 * assert.deepEqual(
 *   [...bytes],
 *   [0x32, 9, 0, 3, 0x61, 0x2f, 0x62, 0, 10, 0x68, 0x69],
 * );
 * ```
 */
export function encode(packet: Packet, protocolVersion: ProtocolVersion = 4): Uint8Array {
  if (protocolVersion !== 4 && protocolVersion !== 5 && protocolVersion !== 3) {
    throw new RangeError(`Unsupported protocol version: ${protocolVersion}`);
  }
  const own = packet?.type === "connect" || packet?.type === "auth";
  return encodePacket(packet, protocolVersion, own ? undefined : SHARED);
}

// An ArrayBuffer per packet costs more than encoding a 64-byte PUBLISH; small packets share
// slabs instead. A slab is never written twice (see BufferPool), and a retained packet keeps at most
// its 8 KiB slab alive.
const SHARED = new BufferPool(8192);

/**
 * encode() with room taken from `pool` (an Encoder's, a client connection's) or, without one,
 * allocated.
 */
export function encodePacket(
  packet: Packet,
  protocolVersion: ProtocolVersion,
  pool: BufferPool | undefined,
): Uint8Array {
  if (typeof packet !== "object" || packet === null) {
    throw new TypeError("packet must be an object");
  }
  const v5 = protocolVersion === 5;
  switch (packet.type) {
    case "publish":
      return encodePublish(packet, v5, pool);
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp":
      return encodeAck(packet, v5, pool);
    case "connect":
      return encodeConnect(packet, pool);
    case "connack":
      return encodeConnack(packet, protocolVersion, pool);
    case "subscribe":
      return encodeSubscribe(packet, v5, pool);
    case "suback":
      return encodeSuback(packet, v5, pool);
    case "unsubscribe":
      return encodeUnsubscribe(packet, v5, pool);
    case "unsuback":
      return encodeUnsuback(packet, v5, pool);
    case "pingreq":
      return start(0xc0, 0, pool).done();
    case "pingresp":
      return start(0xd0, 0, pool).done();
    case "disconnect":
      return encodeDisconnect(packet, v5, pool);
    case "auth":
      return encodeAuth(packet, v5, pool);
    default:
      throw new TypeError(`Unknown packet type: ${(packet as { type: unknown }).type}`);
  }
}

function checkReasonCode(code: number, type: Packet["type"]): void {
  // As the decoder: an unlisted failure code is still a failure (a test broker may send one).
  const failure = Number.isInteger(code) && code >= 0x80 && code <= 0xff;
  if (!failure && !isReasonCodeAllowed(code, type)) {
    throw new RangeError(`Reason code ${code} is not valid in ${type.toUpperCase()}`);
  }
}

function encodePublish(p: PublishPacket, v5: boolean, pool: BufferPool | undefined): Uint8Array {
  const qos = checkQos(p.qos);
  const topic = p.topic;
  const topicSize = topicNameSize(topic, "Topic name");
  const payload = p.payload;
  if (!(payload instanceof Uint8Array)) throw new TypeError("payload must be a Uint8Array");
  let len = 2 + topicSize + payload.length;
  if (qos !== 0) {
    checkPacketId(p.packetId);
    len += 2;
  } else if (p.dup) {
    throw new TypeError("A QoS 0 PUBLISH must not set DUP");
  }
  let propsSize = 0;
  if (v5) {
    propsSize = propertiesSize(p.properties, 1 << 3);
    len += withLength(propsSize);
    if (topicSize === 0 && p.properties?.topicAlias === undefined) {
      throw new TypeError("A PUBLISH needs a topic name or a topic alias");
    }
  } else if (topicSize === 0) {
    throw new TypeError("A PUBLISH needs a topic name");
  }
  const w = start(0x30 | (p.dup ? 8 : 0) | (qos << 1) | (p.retain ? 1 : 0), len, pool);
  w.utf8(topic);
  if (qos !== 0) w.u16(p.packetId!);
  if (v5) writeProperties(w, p.properties, propsSize);
  w.bytes(payload);
  return w.done();
}

function encodeAck(
  p: AckPacket<"puback" | "pubrec" | "pubrel" | "pubcomp">,
  v5: boolean,
  pool: BufferPool | undefined,
): Uint8Array {
  const n = ACK_TYPE[p.type];
  const first = (n << 4) | (n === 6 ? 2 : 0);
  const id = checkPacketId(p.packetId);
  if (!v5) {
    const w = start(first, 2, pool);
    w.u16(id);
    return w.done();
  }
  const code = p.reasonCode ?? 0;
  checkReasonCode(code, p.type);
  const propsSize = propertiesSize(p.properties, contextBit(n));
  const len = propsSize !== 0 ? 3 + withLength(propsSize) : code !== 0 ? 3 : 2;
  const w = start(first, len, pool);
  w.u16(id);
  if (len > 2) w.u8(code);
  if (len > 3) writeProperties(w, p.properties, propsSize);
  return w.done();
}

function encodeConnack(
  p: ConnackPacket,
  version: ProtocolVersion,
  pool: BufferPool | undefined,
): Uint8Array {
  const v5 = version === 5;
  const code = p.reasonCode;
  if (v5) checkReasonCode(code, "connack");
  else intCheck(code, 0, 5, "CONNACK return code");
  if (p.sessionPresent && code !== 0) {
    throw new TypeError("A CONNACK refusing the connection must not set session present");
  }
  const propsSize = v5 ? propertiesSize(p.properties, 1 << 2) : 0;
  if (v5) checkAuthentication(p.properties);
  const w = start(0x20, v5 ? 2 + withLength(propsSize) : 2, pool);
  // MQTT 3.1 has no session present flag: the byte is reserved.
  w.u8(p.sessionPresent && version !== 3 ? 1 : 0);
  w.u8(code);
  if (v5) writeProperties(w, p.properties, propsSize);
  return w.done();
}

function encodeSubscribe(
  p: SubscribePacket,
  v5: boolean,
  pool: BufferPool | undefined,
): Uint8Array {
  const id = checkPacketId(p.packetId);
  const subs = p.subscriptions;
  if (!Array.isArray(subs) || subs.length === 0) {
    throw new TypeError("A SUBSCRIBE needs at least one subscription");
  }
  let len = 2;
  for (const s of subs) {
    len += 3 + stringSize(s.topicFilter, "Topic filter");
    const problem = filterProblem(s.topicFilter, v5);
    if (problem !== undefined) throw new TypeError(`Invalid topic filter: ${problem}`);
    checkQos(s.qos);
    if (v5) {
      if (s.noLocal && isShared(s.topicFilter)) {
        throw new TypeError("No local must not be set on a shared subscription");
      }
      const rh = s.retainHandling ?? 0;
      if (rh !== 0 && rh !== 1 && rh !== 2) throw new RangeError(`Invalid retain handling: ${rh}`);
    }
  }
  const propsSize = v5 ? propertiesSize(p.properties, 1 << 8) : 0;
  if (v5) len += withLength(propsSize);
  const w = start(0x82, len, pool);
  w.u16(id);
  if (v5) writeProperties(w, p.properties, propsSize);
  for (const s of subs) {
    w.utf8(s.topicFilter);
    w.u8(
      v5
        ? s.qos | (s.noLocal ? 4 : 0) | (s.retainAsPublished ? 8 : 0) |
          ((s.retainHandling ?? 0) << 4)
        : s.qos,
    );
  }
  return w.done();
}

function checkCodes(codes: unknown, v5: boolean, type: "suback" | "unsuback"): number[] {
  if (!Array.isArray(codes) || codes.length === 0) {
    throw new TypeError(`A ${type.toUpperCase()} needs at least one reason code`);
  }
  for (const code of codes) {
    if (v5) checkReasonCode(code, type);
    else if (code !== 0 && code !== 1 && code !== 2 && code !== 0x80) {
      throw new RangeError(`Invalid SUBACK return code: ${code}`);
    }
  }
  return codes;
}

function encodeSuback(p: SubackPacket, v5: boolean, pool: BufferPool | undefined): Uint8Array {
  const id = checkPacketId(p.packetId);
  const codes = checkCodes(p.reasonCodes, v5, "suback");
  const propsSize = v5 ? propertiesSize(p.properties, 1 << 9) : 0;
  const w = start(0x90, 2 + (v5 ? withLength(propsSize) : 0) + codes.length, pool);
  w.u16(id);
  if (v5) writeProperties(w, p.properties, propsSize);
  for (const code of codes) w.u8(code);
  return w.done();
}

function encodeUnsubscribe(
  p: UnsubscribePacket,
  v5: boolean,
  pool: BufferPool | undefined,
): Uint8Array {
  const id = checkPacketId(p.packetId);
  const filters = p.topicFilters;
  if (!Array.isArray(filters) || filters.length === 0) {
    throw new TypeError("An UNSUBSCRIBE needs at least one topic filter");
  }
  let len = 2;
  for (const f of filters) {
    len += 2 + stringSize(f, "Topic filter");
    const problem = filterProblem(f, v5);
    if (problem !== undefined) throw new TypeError(`Invalid topic filter: ${problem}`);
  }
  const propsSize = v5 ? propertiesSize(p.properties, 1 << 10) : 0;
  if (v5) len += withLength(propsSize);
  const w = start(0xa2, len, pool);
  w.u16(id);
  if (v5) writeProperties(w, p.properties, propsSize);
  for (const f of filters) w.utf8(f);
  return w.done();
}

function encodeUnsuback(p: UnsubackPacket, v5: boolean, pool: BufferPool | undefined): Uint8Array {
  const id = checkPacketId(p.packetId);
  if (!v5) {
    const w = start(0xb0, 2, pool);
    w.u16(id);
    return w.done();
  }
  const codes = checkCodes(p.reasonCodes, v5, "unsuback");
  const propsSize = propertiesSize(p.properties, 1 << 11);
  const w = start(0xb0, 2 + withLength(propsSize) + codes.length, pool);
  w.u16(id);
  writeProperties(w, p.properties, propsSize);
  for (const code of codes) w.u8(code);
  return w.done();
}

function encodeDisconnect(
  p: DisconnectPacket,
  v5: boolean,
  pool: BufferPool | undefined,
): Uint8Array {
  if (!v5) return start(0xe0, 0, pool).done();
  const code = p.reasonCode ?? 0;
  checkReasonCode(code, "disconnect");
  const propsSize = propertiesSize(p.properties, 1 << 14);
  const len = propsSize !== 0 ? 1 + withLength(propsSize) : code !== 0 ? 1 : 0;
  const w = start(0xe0, len, pool);
  if (len > 0) w.u8(code);
  if (len > 1) writeProperties(w, p.properties, propsSize);
  return w.done();
}

function encodeAuth(p: AuthPacket, v5: boolean, pool: BufferPool | undefined): Uint8Array {
  if (!v5) throw new TypeError("AUTH exists only in MQTT 5");
  const code = p.reasonCode ?? 0;
  checkReasonCode(code, "auth");
  checkAuthentication(p.properties);
  const propsSize = propertiesSize(p.properties, 1 << 15);
  const len = code === 0 && propsSize === 0 ? 0 : 1 + withLength(propsSize);
  const w = start(0xf0, len, pool);
  if (len > 0) {
    w.u8(code);
    writeProperties(w, p.properties, propsSize);
  }
  return w.done();
}
