/**
 * The raw floor's handling of one read, shared by the shapes' floor program on sockets
 * (`_shapes_floor.ts`) and `delivery_path.ts` in memory: the codec's decoder, each publication's
 * stamp read, and one buffer with the PUBACKs of the read's QoS 1 publications.
 *
 * @module
 */

import type { Decoder } from "../codec/mod.ts";
import type { Packet, PublishPacket } from "../codec/packets.ts";

/** What a read's packets tell the floor program. */
export interface FloorSink {
  /** A CONNACK arrived. */
  connack?(): void;
  /** A publication arrived at `now` (epoch ms), stamped with its send time, or undefined. */
  received(stamp: number | undefined, now: number): void;
}

/**
 * Decodes one read and returns the acknowledgements to write, if any.
 *
 * @param decoder The connection's decoder.
 * @param chunk The bytes read.
 * @param now When they arrived (epoch ms): the receive time of every publication in them.
 * @param stampOf Where a publication carries its send time.
 * @param sink What hears of the packets.
 * @returns The PUBACKs of the read's QoS 1 publications in one buffer, or undefined.
 */
export function floorRead(
  decoder: Decoder,
  chunk: Uint8Array,
  now: number,
  stampOf: (packet: PublishPacket) => number | undefined,
  sink: FloorSink,
): Uint8Array | undefined {
  decoder.feed(chunk);
  const acks: number[] = [];
  let packet: Packet | undefined;
  while ((packet = decoder.next()) !== undefined) {
    if (packet.type === "connack") sink.connack?.();
    if (packet.type !== "publish") continue;
    const stamp = stampOf(packet);
    sink.received(stamp !== undefined && Number.isFinite(stamp) ? stamp : undefined, now);
    if (packet.qos === 1) acks.push(packet.packetId!);
  }
  if (acks.length === 0) return undefined;
  const bytes = new Uint8Array(acks.length * 4);
  acks.forEach((id, i) => bytes.set([0x40, 2, id >> 8, id & 0xff], i * 4));
  return bytes;
}
