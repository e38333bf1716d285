// Field checks and the fixed header, shared by the packet encoders.

import type { Properties } from "./packets.ts";
import { stringSize, utf8Length } from "./_utf8.ts";
import type { BufferPool } from "./_buffer_pool.ts";
import { varintSize, Writer } from "./_writer.ts";

const MAX_REMAINING = 268435455;

/**
 * Allocates a packet of `remaining` bytes after the fixed header (from `pool` when given) and
 * writes the header.
 */
export function start(first: number, remaining: number, pool: BufferPool | undefined): Writer {
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

/**
 * Size of a topic name, checked in one pass.
 *
 * @throws {TypeError} on a wildcard, U+0000, a lone surrogate or a non-string.
 * @throws {RangeError} when it is longer than 65535 bytes.
 */
export function topicNameSize(topic: string, what: string): number {
  const n = typeof topic === "string" ? utf8Length(topic, true) : -1;
  if (n >= 0 && n <= 0xffff) return n;
  if (n === -2) throw new TypeError(`${what} "${topic}" must not contain wildcards`);
  return stringSize(topic, what); // throws the precise error
}

/** @throws {TypeError} when authentication data comes without an authentication method. */
export function checkAuthentication(props: Properties | undefined): void {
  if (props?.authenticationData !== undefined && props.authenticationMethod === undefined) {
    throw new TypeError("Authentication data needs an authentication method");
  }
}
