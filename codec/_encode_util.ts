// Field checks and the fixed header, shared by the packet encoders.

import type { Properties } from "./packets.ts";
import { hasWildcard } from "./_topics.ts";
import { stringSize } from "./_utf8.ts";
import { type Pool, varintSize, Writer } from "./_writer.ts";

const MAX_REMAINING = 268435455;

/**
 * Allocates a packet of `remaining` bytes after the fixed header (from `pool` when given) and
 * writes the header.
 */
export function start(first: number, remaining: number, pool: Pool | undefined): Writer {
  if (remaining > MAX_REMAINING) {
    throw new RangeError(`Packet is too large: ${remaining} bytes after the fixed header`);
  }
  const size = 1 + varintSize(remaining) + remaining;
  const w = pool === undefined ? new Writer(new Uint8Array(size), 0) : pool.writer(size);
  w.u8(first);
  w.varint(remaining);
  return w;
}

/** @throws {RangeError} unless `id` is a packet identifier, 1 to 65535. */
export function checkPacketId(id: unknown): number {
  if (typeof id !== "number" || !(id >= 1 && id <= 0xffff) || (id | 0) !== id) {
    throw new RangeError(`Packet identifier must be an integer from 1 to 65535, got ${id}`);
  }
  return id;
}

/** @throws {RangeError} unless `qos` is 0, 1 or 2. */
export function checkQos(qos: unknown): number {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new RangeError(`Invalid QoS: ${qos}`);
  return qos;
}

/** Size of a topic name; @throws {TypeError} on a wildcard. */
export function topicNameSize(topic: string, what: string): number {
  const n = stringSize(topic, what);
  if (hasWildcard(topic)) throw new TypeError(`${what} "${topic}" must not contain wildcards`);
  return n;
}

/** @throws {TypeError} when authentication data comes without an authentication method. */
export function checkAuthentication(props: Properties | undefined): void {
  if (props?.authenticationData !== undefined && props.authenticationMethod === undefined) {
    throw new TypeError("Authentication data needs an authentication method");
  }
}
