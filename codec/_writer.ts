// A cursor over the one Uint8Array a packet is encoded into. The encoder sizes the packet
// first, so no method checks bounds or grows anything.

import { writeUtf8 } from "./_utf8.ts";

/** Bytes a variable byte integer takes (MQTT 5.0 §1.5.5); the value is already range-checked. */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
}

/** Writes fields of a packet sized beforehand. */
export class Writer {
  /** The memory the packet is written into. */
  buf: Uint8Array;
  /** Next write position. */
  pos: number;
  #start: number;

  /** Writes into `buf` from `start`; the caller reserved room for the whole packet. */
  constructor(buf: Uint8Array, start: number) {
    this.buf = buf;
    this.pos = start;
    this.#start = start;
  }

  /**
   * Points this writer at a new packet's room, as a new one would be made: for a pool that
   * hands out one packet's writer at a time (a packet is encoded, and `done()` taken, before
   * the next is started).
   */
  reset(buf: Uint8Array, start: number): this {
    this.buf = buf;
    this.pos = start;
    this.#start = start;
    return this;
  }

  /** The packet written: the whole buffer when it was allocated for it, else a view. */
  done(): Uint8Array {
    const buf = this.buf;
    return this.#start === 0 && this.pos === buf.length ? buf : buf.subarray(this.#start, this.pos);
  }

  /** One byte. */
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  /** Two-byte integer, big endian. */
  u16(v: number): void {
    const buf = this.buf;
    buf[this.pos++] = v >>> 8;
    buf[this.pos++] = v;
  }

  /** Four-byte integer, big endian. */
  u32(v: number): void {
    const buf = this.buf;
    buf[this.pos++] = v >>> 24;
    buf[this.pos++] = v >>> 16;
    buf[this.pos++] = v >>> 8;
    buf[this.pos++] = v;
  }

  /** Variable byte integer. */
  varint(v: number): void {
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** UTF-8 string with its two-byte length (the string was validated while sizing). */
  utf8(s: string): void {
    const at = this.pos;
    const n = writeUtf8(this.buf, at + 2, s);
    this.buf[at] = n >>> 8;
    this.buf[at + 1] = n;
    this.pos = at + 2 + n;
  }

  /** Binary data with its two-byte length. */
  binary(b: Uint8Array): void {
    this.u16(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Raw bytes (a payload). */
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}
