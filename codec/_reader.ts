// A cursor over one packet's variable header and payload, bounded by its remaining length.
// A Decoder keeps one and points it at each packet, so decoding allocates no reader.

import { MqttProtocolError } from "./errors.ts";
import { readUtf8 } from "./_utf8.ts";

// Topic names repeat, on a connection and across the connections of a process (a fan-out's
// thousand subscribers all read the same few), so the decoders of an isolate share one cache of
// recent ones: a hit costs a byte comparison instead of building a string, and the cache stays
// in the CPU's cache where one per connection, each touched once per message, did not. Slots
// hold up to CACHED_MAX bytes each; two topics that hash to the same slot take turns.
const CACHE_SLOTS = 256;
const CACHED_MAX = 64;

/** Recent topic names: slot i holds `lengths[i]` bytes at `arena[i * CACHED_MAX]`. */
class TopicCache {
  arena = new Uint8Array(CACHE_SLOTS * CACHED_MAX);
  lengths = new Uint8Array(CACHE_SLOTS);
  topics: string[] = new Array(CACHE_SLOTS).fill("");
}

let shared: TopicCache | undefined;

/** Reads the fields of one packet; every read past `end` is a Malformed Packet. */
export class Reader {
  /** The bytes (a fed chunk or the assembly buffer). */
  buf: Uint8Array = new Uint8Array(0);
  /** Next read position. */
  pos = 0;
  /** End of the packet (or of the property block being read). */
  end = 0;

  /** Points the reader at `buf[pos, end)`. */
  reset(buf: Uint8Array, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** One byte. */
  u8(): number {
    if (this.pos >= this.end) throw overrun();
    return this.buf[this.pos++]!;
  }

  /** Two-byte integer. */
  u16(): number {
    const p = this.pos;
    if (p + 2 > this.end) throw overrun();
    this.pos = p + 2;
    return (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  /** Four-byte integer. */
  u32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw overrun();
    this.pos = p + 4;
    const b = this.buf;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** Variable byte integer: at most four bytes, minimal encoding. */
  varint(): number {
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw nonMinimal();
        return value;
      }
      shift += 7;
    }
    throw new MqttProtocolError("Malformed variable byte integer: more than 4 bytes");
  }

  /** UTF-8 string with its two-byte length. */
  utf8(): string {
    const len = this.u16();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw overrun();
    this.pos = end;
    return readUtf8(this.buf, start, end);
  }

  /**
   * A topic name: a UTF-8 string like {@linkcode Reader.utf8}, looked up in (and added to)
   * the isolate's cache of recent topic names.
   */
  topic(): string {
    const len = this.u16();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw overrun();
    this.pos = end;
    if (len === 0 || len > CACHED_MAX) return readUtf8(this.buf, start, end);
    const b = this.buf;
    const slot = (len * 31 + b[start]! * 7 + b[end - 1]! * 131 + b[start + (len >> 1)]! * 17) &
      (CACHE_SLOTS - 1);
    const base = slot * CACHED_MAX;
    let cache = shared;
    if (cache === undefined) {
      cache = shared = new TopicCache();
    } else if (cache.lengths[slot] === len) {
      const arena = cache.arena;
      let i = 0;
      while (i < len && arena[base + i] === b[start + i]) i++;
      if (i === len) return cache.topics[slot]!;
    }
    const topic = readUtf8(b, start, end);
    const arena = cache.arena;
    for (let i = 0; i < len; i++) arena[base + i] = b[start + i]!;
    cache.lengths[slot] = len;
    cache.topics[slot] = topic;
    return topic;
  }

  /** Binary data with its two-byte length, as a view (no copy). */
  binary(): Uint8Array {
    const len = this.u16();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw overrun();
    this.pos = end;
    return this.buf.subarray(start, end);
  }

  /** The rest of the packet, as a view (no copy). */
  rest(): Uint8Array {
    const start = this.pos;
    this.pos = this.end;
    return this.buf.subarray(start, this.end);
  }
}

/** The error for a field that runs past the remaining length. */
export function overrun(): MqttProtocolError {
  return new MqttProtocolError("Malformed packet: a field runs past the remaining length");
}

/** The error for a variable byte integer with superfluous trailing zero bytes. */
export function nonMinimal(): MqttProtocolError {
  return new MqttProtocolError("Malformed variable byte integer: not minimally encoded");
}
