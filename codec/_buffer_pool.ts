// Slabs that packets are encoded into, shared by the encoders that own one: encode()'s module
// pool, an Encoder's, a client connection's write burst.

import { Writer } from "./_writer.ts";

/**
 * Hands out room for packets from slabs, so encoding a small packet costs a view instead of an
 * ArrayBuffer. Room is never handed out twice: a full slab is dropped (it lives on in the views
 * still in use) and a new one started.
 */
export class BufferPool {
  readonly #slabSize: number;
  #slab: Uint8Array = new Uint8Array(0);
  #used = 0;

  /** A pool of `slabSize`-byte slabs; packets above a quarter of it get their own buffer. */
  constructor(slabSize: number) {
    this.#slabSize = slabSize;
  }

  /** A writer for a packet of exactly `size` bytes. */
  writer(size: number): Writer {
    if (size > this.#slabSize >>> 2) return new Writer(new Uint8Array(size), 0);
    let used = this.#used;
    if (used + size > this.#slab.length) {
      this.#slab = new Uint8Array(this.#slabSize);
      used = 0;
    }
    this.#used = used + size;
    return new Writer(this.#slab, used);
  }
}
