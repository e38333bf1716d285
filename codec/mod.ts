/**
 * A pure MQTT 3.1, 3.1.1 and 5.0 packet codec over `Uint8Array`: no I/O, no dependencies, no
 * Deno APIs, so it also runs in browsers and other runtimes.
 *
 * - {@linkcode encode} turns a {@linkcode Packet} into bytes, validating it on the way;
 *   {@linkcode Encoder} does the same from slabs, for callers encoding on a hot path of their own.
 * - {@linkcode Decoder} takes a byte stream in chunks of any size and hands out whole packets;
 *   {@linkcode decode} decodes one whole packet.
 * - Malformed input throws {@linkcode MqttProtocolError} with the MQTT 5 reason code that
 *   describes it (0x81 Malformed Packet, 0x82 Protocol Error, 0x95 Packet too large…).
 * - {@linkcode PROPERTY_DEFINITIONS} and {@linkcode ReasonCode} describe MQTT 5 properties and
 *   reason codes; {@linkcode reasonCodeName} names a code.
 *
 * @example Usage
 * ```ts
 * import { Decoder, encode, reasonCodeName } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 *
 * const bytes = encode({
 *   type: "publish",
 *   topic: "sensors/1",
 *   payload: new TextEncoder().encode("21.5"),
 *   qos: 1,
 *   retain: false,
 *   dup: false,
 *   packetId: 1,
 *   properties: { userProperties: [["unit", "C"]] },
 * }, 5);
 *
 * const decoder = new Decoder({ protocolVersion: 5 });
 * for (const byte of bytes) decoder.feed(Uint8Array.of(byte)); // any split works
 * const packet = decoder.next();
 * assert.equal(packet?.type, "publish");
 * if (packet?.type === "publish") {
 *   assert.equal(new TextDecoder().decode(packet.payload), "21.5");
 *   assert.deepEqual(packet.properties?.userProperties, [["unit", "C"]]);
 * }
 * assert.equal(reasonCodeName(0x97), "Quota exceeded");
 * ```
 *
 * @module
 */

export type {
  AckPacket,
  AuthPacket,
  ConnackPacket,
  ConnectPacket,
  DisconnectPacket,
  Packet,
  PacketType,
  PingreqPacket,
  PingrespPacket,
  Properties,
  ProtocolVersion,
  PubackPacket,
  PubcompPacket,
  PublishPacket,
  PubrecPacket,
  PubrelPacket,
  QoSLevel,
  SubackPacket,
  SubscribePacket,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
  UserProperty,
  Will,
} from "./packets.ts";
export { MqttError, type MqttErrorOptions, MqttProtocolError } from "./errors.ts";
export { encode } from "./encode.ts";
export { Encoder, type EncoderOptions } from "./encoder.ts";
export { decode, Decoder, type DecoderOptions } from "./decode.ts";
export {
  isPropertyAllowed,
  PROPERTY_DEFINITIONS,
  propertyById,
  propertyByName,
  type PropertyContext,
  type PropertyDefinition,
  type PropertyType,
} from "./properties.ts";
export {
  ConnackReturnCode,
  connackReturnCodeName,
  isReasonCodeAllowed,
  ReasonCode,
  reasonCodeName,
} from "./reason_codes.ts";
