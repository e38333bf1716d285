// The few packets a client writes from a packet identifier or a reason code alone: the
// acknowledgements of the QoS 1 and 2 flows, PINGREQ and DISCONNECT. They are written straight
// from those fields, with no packet object to build and validate, because an acknowledgement
// goes out for every QoS 1 and 2 message: the hot path of a subscriber's throughput.

import type { Properties, ProtocolVersion } from "./packets.ts";
import type { BufferPool } from "./_buffer_pool.ts";
import { encodePacket } from "./encode.ts";

/** The acknowledgements of the QoS 1 and 2 flows. */
export type AckType = "puback" | "pubrec" | "pubrel" | "pubcomp";

/** PINGREQ: the same two bytes in every version, shared (never written to). */
export const PINGREQ_BYTES: Uint8Array = Uint8Array.of(0xc0, 0x00);

/**
 * An acknowledgement of `packetId`, in room from `pool`: 4 bytes in every version, 5 with an
 * MQTT 5 reason code (v5 leaves out 0x00 Success, remaining length 2). Only MQTT 5 may pass a
 * `reasonCode` other than 0; neither it nor `packetId` is checked.
 */
export function encodeAck(
  pool: BufferPool,
  type: AckType,
  packetId: number,
  reasonCode = 0,
): Uint8Array {
  // PUBREL's fixed header has the flags 0010 (MQTT-3.6.1-1); the others 0000.
  const first = type === "puback"
    ? 0x40
    : type === "pubrec"
    ? 0x50
    : type === "pubrel"
    ? 0x62
    : 0x70;
  const w = pool.writer(reasonCode ? 5 : 4);
  w.u8(first);
  w.u8(reasonCode ? 3 : 2);
  w.u16(packetId);
  if (reasonCode) w.u8(reasonCode);
  return w.done();
}

/**
 * DISCONNECT: two bytes, or three with an MQTT 5 reason code other than 0x00. Below MQTT 5 the
 * reason code and properties are left out; MQTT 5 properties go through the full encoder, which
 * checks them. A reason code alone is not checked: the client's come from `end()`, which checked
 * it, or from a protocol error of the broker's.
 */
export function encodeDisconnect(
  version: ProtocolVersion,
  reasonCode = 0,
  properties?: Properties,
): Uint8Array {
  if (version !== 5) return Uint8Array.of(0xe0, 0x00);
  if (properties !== undefined) {
    return encodePacket({ type: "disconnect", reasonCode, properties }, 5, undefined);
  }
  return reasonCode !== 0 ? Uint8Array.of(0xe0, 0x01, reasonCode) : Uint8Array.of(0xe0, 0x00);
}
