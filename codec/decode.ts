/**
 * The MQTT packet decoder: an incremental {@linkcode Decoder} fed with chunks of a byte stream,
 * and {@linkcode decode} for one whole packet.
 *
 * @module
 */

import { MqttProtocolError } from "./errors.ts";
import type { Packet, ProtocolVersion } from "./packets.ts";
import { checkFirstByte, decodeBody, malformed } from "./_decode_body.ts";
import { nonMinimal, Reader } from "./_reader.ts";

/** The largest packet MQTT can frame: a 4-byte remaining length plus the fixed header. */
const MAX_PACKET_SIZE = 268435455 + 5;
/** First capacity of the buffer a split packet is assembled in, unless it is smaller. */
const ASSEMBLY_START = 64 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * Options of a {@linkcode Decoder}.
 *
 * @example Usage
 * ```ts
 * import type { DecoderOptions } from "@mqload/mqload/codec";
 * const options: DecoderOptions = { protocolVersion: 5, maximumPacketSize: 1 << 20 };
 * ```
 */
export interface DecoderOptions {
  /** Protocol level of the connection: 3, 4 (default) or 5. */
  protocolVersion?: ProtocolVersion | undefined;
  /**
   * Largest packet accepted, in bytes, fixed header included (as MQTT 5's Maximum Packet Size
   * counts). Default: the largest MQTT can frame.
   */
  maximumPacketSize?: number | undefined;
}

/**
 * An incremental MQTT decoder. Feed it the bytes of a stream in chunks of any size (down to
 * one byte) and take whole packets out with {@linkcode Decoder.next}.
 *
 * A packet that lies whole inside the fed chunk is decoded in place: its payload and binary
 * fields are views into the chunk, valid until the caller reuses that memory (copy them to keep
 * them). Only a packet split across chunks is assembled in a buffer of its own, which it then
 * keeps. After an {@linkcode MqttProtocolError} the stream cannot be resynchronized: close the
 * connection.
 *
 * @example Usage
 * ```ts
 * import { Decoder, encode } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 *
 * const bytes = encode({ type: "pingreq" });
 * const decoder = new Decoder({ protocolVersion: 4 });
 * decoder.feed(bytes.subarray(0, 1));
 * assert.equal(decoder.next(), undefined);
 * decoder.feed(bytes.subarray(1));
 * assert.deepEqual(decoder.next(), { type: "pingreq" });
 * assert.equal(decoder.next(), undefined);
 * ```
 */
export class Decoder {
  /**
   * Protocol level used to decode the packets that follow. A decoded CONNECT sets it to the
   * level it announces, so a server can start with the default.
   */
  protocolVersion: ProtocolVersion;
  /** Largest packet accepted, in bytes, fixed header included. */
  readonly maximumPacketSize: number;

  #reader = new Reader();
  #chunk: Uint8Array = EMPTY;
  #pos = 0;
  // A packet split across chunks: its fixed header so far, then its assembly buffer.
  // Only a fixed header split across chunks needs it: allocated then, as thousands of idle
  // connections each hold a Decoder.
  #head: Uint8Array | undefined;
  #headLen = 0;
  #asm: Uint8Array | undefined;
  #asmLen = 0;
  #asmTotal = 0;

  /**
   * Creates a decoder.
   *
   * @param options Protocol version and maximum packet size.
   * @throws {RangeError} On an unsupported protocol version or a maximum packet size below 2.
   */
  constructor(options: DecoderOptions = {}) {
    const version = options.protocolVersion ?? 4;
    if (version !== 3 && version !== 4 && version !== 5) {
      throw new RangeError(`Unsupported protocol version: ${version}`);
    }
    const max = options.maximumPacketSize ?? MAX_PACKET_SIZE;
    if (typeof max !== "number" || !(max >= 2)) {
      throw new RangeError(`maximumPacketSize must be at least 2, got ${max}`);
    }
    this.protocolVersion = version;
    this.maximumPacketSize = Math.min(max, MAX_PACKET_SIZE);
  }

  /**
   * Bytes fed but not yet returned as packets.
   *
   * @returns The count of buffered bytes.
   *
   * @example Usage
   * ```ts
   * import { Decoder } from "@mqload/mqload/codec";
   * import assert from "node:assert/strict";
   * const decoder = new Decoder();
   * decoder.feed(new Uint8Array([0xc0]));
   * assert.equal(decoder.next(), undefined);
   * assert.equal(decoder.buffered, 1);
   * ```
   */
  get buffered(): number {
    const pending = this.#asm === undefined ? this.#headLen : this.#asmLen;
    return this.#chunk.length - this.#pos + pending;
  }

  /**
   * Hands over the next bytes of the stream. Call {@linkcode Decoder.next} until it returns
   * `undefined` before feeding again; bytes left undecoded are kept (copied) if you do not.
   *
   * @param chunk The bytes; not copied when whole packets are decoded from it.
   * @throws {TypeError} When `chunk` is not a Uint8Array.
   *
   * @example Usage
   * ```ts
   * import { Decoder } from "@mqload/mqload/codec";
   * import assert from "node:assert/strict";
   * const decoder = new Decoder();
   * decoder.feed(new Uint8Array([0xd0, 0x00, 0xd0, 0x00]));
   * assert.deepEqual(decoder.next(), { type: "pingresp" });
   * assert.deepEqual(decoder.next(), { type: "pingresp" });
   * assert.equal(decoder.next(), undefined);
   * ```
   */
  feed(chunk: Uint8Array): void {
    if (!(chunk instanceof Uint8Array)) throw new TypeError("chunk must be a Uint8Array");
    const left = this.#chunk.length - this.#pos;
    if (left > 0) {
      // The caller fed again without draining: keep the undecoded bytes in front.
      const merged = new Uint8Array(left + chunk.length);
      merged.set(this.#chunk.subarray(this.#pos));
      merged.set(chunk, left);
      chunk = merged;
    }
    this.#chunk = chunk;
    this.#pos = 0;
  }

  /**
   * Decodes the next whole packet.
   *
   * @returns The packet, or `undefined` when more bytes are needed.
   * @throws {MqttProtocolError} On a malformed packet or a protocol violation (its
   *   `reasonCode` tells which), and with reason code 0x95 as soon as a fixed header announces a
   *   packet larger than `maximumPacketSize`, before any of it is buffered.
   *
   * @example Usage
   * ```ts
   * import { Decoder } from "@mqload/mqload/codec";
   * import assert from "node:assert/strict";
   * const decoder = new Decoder({ protocolVersion: 4 });
   * decoder.feed(new Uint8Array([0x40, 0x02, 0x00, 0x07]));
   * assert.deepEqual(decoder.next(), { type: "puback", packetId: 7 });
   * ```
   */
  next(): Packet | undefined {
    if (this.#headLen !== 0) return this.#nextSplit();
    const chunk = this.#chunk;
    const pos = this.#pos;
    const len = chunk.length;
    if (pos + 2 > len) return pos === len ? this.#drained() : this.#nextSplit();
    const first = chunk[pos]!;
    let b = chunk[pos + 1]!;
    let remaining = b & 0x7f;
    let i = pos + 2;
    if (b > 0x7f) {
      let mul = 128;
      do {
        if (i - pos === 5) throw varintTooLong();
        if (i >= len) return this.#nextSplit();
        b = chunk[i++]!;
        remaining += (b & 0x7f) * mul;
        mul *= 128;
      } while (b > 0x7f);
      if (b === 0) throw nonMinimal();
    }
    const end = i + remaining;
    if (end - pos > this.maximumPacketSize) throw tooLarge(end - pos, this.maximumPacketSize);
    checkFirstByte(first, this.protocolVersion);
    if (end > len) return this.#nextSplit();
    this.#pos = end;
    return this.#decode(chunk, first, i, end);
  }

  #decode(buf: Uint8Array, first: number, start: number, end: number): Packet {
    const r = this.#reader;
    r.reset(buf, start, end);
    const packet = decodeBody(r, first, this.protocolVersion);
    if (first === 0x10) {
      this.protocolVersion = (packet as { protocolVersion: ProtocolVersion }).protocolVersion;
    }
    return packet;
  }

  // Every byte fed is decoded: let go of the chunk, so that an idle connection's decoder holds
  // no view of its transport's read buffer until the next read.
  #drained(): undefined {
    if (this.#chunk !== EMPTY) {
      this.#chunk = EMPTY;
      this.#pos = 0;
      this.#reader.reset(EMPTY, 0, 0);
    }
    return undefined;
  }

  // The slow path: a fixed header or a body that continues in a later chunk.
  #nextSplit(): Packet | undefined {
    const chunk = this.#chunk;
    const len = chunk.length;
    let pos = this.#pos;
    let asm = this.#asm;
    if (asm === undefined) {
      const head = this.#head ??= new Uint8Array(5);
      for (;;) {
        if (pos >= len) {
          this.#pos = pos;
          return undefined;
        }
        const b = chunk[pos++]!;
        head[this.#headLen++] = b;
        if (this.#headLen === 1) continue;
        if (b < 0x80) break;
        if (this.#headLen === 5) throw varintTooLong();
      }
      const headLen = this.#headLen;
      if (headLen > 2 && head[headLen - 1] === 0) throw nonMinimal();
      let remaining = 0;
      for (let k = 1, mul = 1; k < headLen; k++, mul *= 128) remaining += (head[k]! & 0x7f) * mul;
      const total = headLen + remaining;
      if (total > this.maximumPacketSize) throw tooLarge(total, this.maximumPacketSize);
      checkFirstByte(head[0]!, this.protocolVersion);
      asm = new Uint8Array(Math.min(total, Math.max(ASSEMBLY_START, headLen + len - pos)));
      asm.set(head.subarray(0, headLen));
      this.#asm = asm;
      this.#asmLen = headLen;
      this.#asmTotal = total;
    }
    const total = this.#asmTotal;
    let filled = this.#asmLen;
    const n = Math.min(total - filled, len - pos);
    if (filled + n > asm.length) {
      // Grow by doubling, never past the announced size: a peer that announces a large packet
      // and stalls costs at most twice what it has sent.
      const grown = new Uint8Array(Math.min(total, Math.max(asm.length * 2, filled + n)));
      grown.set(asm.subarray(0, filled));
      this.#asm = asm = grown;
    }
    if (n > 0) asm.set(chunk.subarray(pos, pos + n), filled);
    filled += n;
    this.#pos = pos + n;
    if (filled < total) {
      this.#asmLen = filled;
      return undefined;
    }
    // Complete: the packet keeps the buffer (its payload is a view into it); the next split
    // packet gets a new one.
    const start = this.#headLen;
    this.#asm = undefined;
    this.#asmLen = 0;
    this.#headLen = 0;
    const packet = this.#decode(asm, asm[0]!, start, total);
    // Let go of the buffer: the packet alone decides how long it lives.
    this.#reader.reset(EMPTY, 0, 0);
    return packet;
  }
}

/**
 * Decodes exactly one whole packet.
 *
 * @param bytes The packet's bytes, nothing more.
 * @param protocolVersion The connection's protocol level, 4 by default (a CONNECT announces
 *   its own).
 * @returns The packet; its payload and binary fields are views into `bytes`.
 * @throws {MqttProtocolError} When the bytes are not exactly one valid packet.
 *
 * @example Usage
 * ```ts
 * import { decode } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * const packet = decode(new Uint8Array([0x20, 0x02, 0x00, 0x05]), 4);
 * assert.deepEqual(packet, { type: "connack", sessionPresent: false, reasonCode: 5 });
 * ```
 */
export function decode(bytes: Uint8Array, protocolVersion: ProtocolVersion = 4): Packet {
  const decoder = new Decoder({ protocolVersion });
  decoder.feed(bytes);
  const packet = decoder.next();
  if (packet === undefined) throw malformed("incomplete packet");
  if (decoder.buffered !== 0) throw malformed(`${decoder.buffered} bytes after the packet`);
  return packet;
}

function varintTooLong(): MqttProtocolError {
  return new MqttProtocolError("Malformed variable byte integer: more than 4 bytes");
}

function tooLarge(size: number, max: number): MqttProtocolError {
  return new MqttProtocolError(
    `Packet too large: ${size} bytes, the maximum is ${max}`,
    0x95,
  );
}
