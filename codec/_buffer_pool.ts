// Slabs that packets are encoded into, shared by the encoders that own one: encode()'s module
// pool, an Encoder's, a client connection's write burst.

import { Writer } from "./_writer.ts";

// Slabs given back by pools whose bytes are all written (see `release`), by size: the next
// write burst of any connection of this isolate takes one, so a burst costs no new ArrayBuffer
// (a malloc, and a backing store for the GC to sweep: 300 ns for the smallest). Bounded in bytes
// per size, 2,048 of the smallest: 1,000 subscribers acknowledging a fan-out each take one in
// the same turn of the event loop, and with room for 512, half their bursts allocated a slab.
const FREE = new Map<number, Uint8Array[]>();
const MAX_FREE_BYTES = 1024 * 1024;
const NO_SLAB = new Uint8Array(0);

/**
 * Hands out room for packets from slabs, so encoding a small packet costs a view instead of an
 * ArrayBuffer. Room is never handed out twice: a full slab is dropped (it lives on in the views
 * still in use) and a new one started, unless the pool's owner says, with `release`, that none
 * of its views is in use any more.
 */
export class BufferPool {
  #slabSize: number;
  #slab: Uint8Array = NO_SLAB;
  #used = 0;
  // One writer, pointed at each packet's room in turn: packets are encoded one at a time.
  readonly #writer = new Writer(NO_SLAB, 0);
  /** Slabs this pool filled before the current one, for `release` (most bursts fill none). */
  #full?: Uint8Array[] | undefined;

  /**
   * A pool of `slabSize`-byte slabs (rounded up to a power of two, so that released slabs fit
   * other pools); packets above a quarter of it get their own buffer.
   */
  constructor(slabSize: number) {
    this.#slabSize = slabBytes(slabSize);
  }

  /** A writer for a packet of exactly `size` bytes. */
  writer(size: number): Writer {
    if (size > this.#slabSize >>> 2) return this.#writer.reset(new Uint8Array(size), 0);
    let used = this.#used;
    if (used + size > this.#slab.length) {
      if (this.#slab !== NO_SLAB) (this.#full ??= []).push(this.#slab);
      this.#slab = FREE.get(this.#slabSize)?.pop() ?? new Uint8Array(this.#slabSize);
      used = 0;
    }
    this.#used = used + size;
    return this.#writer.reset(this.#slab, used);
  }

  /**
   * Gives this pool's slabs to the other pools: call it only once every byte encoded here has
   * been written and no view of them is kept. The pool may then be used again, with slabs of
   * `slabSize` when given (a connection's pool follows the size of its write bursts).
   */
  release(slabSize?: number): void {
    const slab = this.#slab;
    if (slab !== NO_SLAB) {
      this.#slab = NO_SLAB;
      const size = this.#slabSize;
      let free = FREE.get(size);
      if (free === undefined) FREE.set(size, free = []);
      if ((free.length + 1) * size <= MAX_FREE_BYTES) free.push(slab);
      const full = this.#full;
      if (full !== undefined) {
        this.#full = undefined;
        for (const s of full) if ((free.length + 1) * size <= MAX_FREE_BYTES) free.push(s);
      }
    }
    // Its writer points at the last packet's room: an idle pool must not keep that alive.
    this.#writer.reset(NO_SLAB, 0);
    if (slabSize !== undefined) this.#slabSize = slabBytes(slabSize);
  }
}

/** `size` rounded up to a power of two, so that released slabs fit other pools. */
function slabBytes(size: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, size)));
}
