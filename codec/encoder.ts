/**
 * {@linkcode Encoder}: {@linkcode encode} for code that encodes many packets on a hot path of its
 * own (its own connection, a broker, a test harness), taking room for small packets from slabs
 * it owns instead of allocating an ArrayBuffer per packet.
 *
 * The library's `Client` does not use it: its connection sizes its slabs by its write bursts and
 * lets them go when it idles, and writes acknowledgements without packet objects, from the same
 * slab pool and encoders.
 *
 * @module
 */

import type { Packet, ProtocolVersion } from "./packets.ts";
import { encodePacket } from "./encode.ts";
import { BufferPool } from "./_buffer_pool.ts";

/**
 * Options of an {@linkcode Encoder}.
 *
 * @example Usage
 * ```ts
 * import type { EncoderOptions } from "@mqload/mqload/codec";
 * const options: EncoderOptions = { protocolVersion: 5, slabSize: 64 * 1024 };
 * ```
 */
export interface EncoderOptions {
  /** Protocol level of the connection: 3, 4 (default) or 5. A CONNECT uses its own. */
  protocolVersion?: ProtocolVersion | undefined;
  /**
   * Bytes per slab, 16 KiB by default. Packets above a quarter of it get a buffer of their own.
   */
  slabSize?: number | undefined;
}

/**
 * Encodes packets like {@linkcode encode}, but a small packet is a view into a slab this
 * encoder owns, which makes encoding several times cheaper where allocation is slow. A slab is
 * never written twice, so every returned array stays valid; but its `buffer` is shared with
 * other packets: use `byteOffset`/`byteLength`, never transfer or detach it, and `slice()` a
 * packet you keep for long (a kept view keeps its whole slab alive). Keep one encoder per
 * connection, not per module: it has state.
 *
 * @example Usage
 * ```ts
 * import { decode, Encoder } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 *
 * const encoder = new Encoder({ protocolVersion: 5 });
 * const bytes = encoder.encode({ type: "puback", packetId: 3, reasonCode: 0x10 });
 * assert.deepEqual([...bytes], [0x40, 0x03, 0x00, 0x03, 0x10]);
 * assert.deepEqual(decode(bytes, 5), { type: "puback", packetId: 3, reasonCode: 0x10 });
 * ```
 */
export class Encoder {
  /** Protocol level used for every packet but CONNECT. */
  protocolVersion: ProtocolVersion;
  readonly #pool: BufferPool;

  /**
   * Creates an encoder.
   *
   * @param options Protocol version and slab size.
   * @throws {RangeError} On an unsupported protocol version or a slab size below 256 bytes.
   */
  constructor(options: EncoderOptions = {}) {
    const version = options.protocolVersion ?? 4;
    if (version !== 3 && version !== 4 && version !== 5) {
      throw new RangeError(`Unsupported protocol version: ${version}`);
    }
    const slabSize = options.slabSize ?? 16 * 1024;
    if (!Number.isInteger(slabSize) || slabSize < 256) {
      throw new RangeError(`slabSize must be an integer of at least 256, got ${slabSize}`);
    }
    this.protocolVersion = version;
    this.#pool = new BufferPool(slabSize);
  }

  /**
   * Encodes one packet for this encoder's protocol version.
   *
   * @param packet The packet.
   * @returns Its bytes, as a view into a slab for small packets.
   * @throws {TypeError} On a field of the wrong type or that breaks the protocol (see
   *   {@linkcode encode}).
   * @throws {RangeError} On a number, string or packet out of range.
   *
   * @example Usage
   * ```ts
   * import { Encoder } from "@mqload/mqload/codec";
   * import assert from "node:assert/strict";
   * const encoder = new Encoder();
   * assert.deepEqual([...encoder.encode({ type: "pingreq" })], [0xc0, 0x00]);
   * ```
   */
  encode(packet: Packet): Uint8Array {
    const version = this.protocolVersion;
    if (version !== 4 && version !== 5 && version !== 3) {
      throw new RangeError(`Unsupported protocol version: ${version}`);
    }
    return encodePacket(packet, version, this.#pool);
  }
}
