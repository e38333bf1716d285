/**
 * k6's `SegmentedIndex`: a segment's own count of VUs or iterations walked in step with the
 * whole test's count, over the segment's striping.
 *
 * @module
 */

import type { StripedOffsets } from "./execution_tuple.ts";

/**
 * k6's `SegmentedIndex`: walks this segment's own (scaled) numbers and the
 * matching global (unscaled) ones, both counted from 1: ramping-vus uses it to
 * know which global VU number its n-th VU is, hence when to start it.
 *
 * @example Usage
 * ```ts
 * import { SegmentedIndex } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const index = new SegmentedIndex({ start: 1, offsets: [4, 3], lcd: 7 });
 * assert.deepEqual(index.next(), [1, 2]);
 * assert.deepEqual(index.next(), [2, 6]);
 * assert.deepEqual(index.goTo(9), [3, 9]);
 * assert.deepEqual(index.prev(), [2, 6]);
 * ```
 */
export class SegmentedIndex {
  readonly #start: number;
  readonly #offsets: readonly number[];
  readonly #lcd: number;
  #scaled = 0;
  #unscaled = 0;

  /**
   * Starts at position 0 (no VU yet).
   *
   * @param striped From {@linkcode ExecutionTuple.stripedOffsets}.
   */
  constructor(striped: StripedOffsets) {
    this.#start = striped.start;
    this.#offsets = striped.offsets;
    this.#lcd = striped.lcd;
  }

  /** This segment's count (1-based position) at the current step. */
  get scaled(): number {
    return this.#scaled;
  }

  /** The matching global count (1-based). */
  get unscaled(): number {
    return this.#unscaled;
  }

  /**
   * Moves to this segment's next number.
   *
   * @returns `[scaled, unscaled]`.
   */
  next(): [number, number] {
    if (this.#scaled === 0) this.#unscaled += this.#start + 1;
    else this.#unscaled += this.#offsets[(this.#scaled - 1) % this.#offsets.length];
    this.#scaled++;
    return [this.#scaled, this.#unscaled];
  }

  /**
   * Moves back to this segment's previous number (undefined at position 0, as in k6).
   *
   * @returns `[scaled, unscaled]`.
   */
  prev(): [number, number] {
    if (this.#scaled === 1) this.#unscaled -= this.#start + 1;
    else this.#unscaled -= this.#offsets[(this.#scaled - 2) % this.#offsets.length];
    this.#scaled--;
    return [this.#scaled, this.#unscaled];
  }

  /**
   * Moves to the largest scaled number whose global number is at most `value`.
   *
   * @param value A global count.
   * @returns `[scaled, unscaled]`.
   */
  goTo(value: number): [number, number] {
    const offsets = this.#offsets;
    const cycles = Math.floor(value / this.#lcd);
    let scaled = cycles * offsets.length;
    let unscaled = cycles * this.#lcd + this.#start + 1;
    let gi = 0;
    for (let i = this.#start; i < value % this.#lcd; i += offsets[gi], gi++) {
      scaled++;
      unscaled += offsets[gi];
    }
    if (gi > 0) unscaled -= offsets[gi - 1];
    else if (scaled > 0) unscaled -= offsets[offsets.length - 1];
    if (scaled === 0) unscaled = 0;
    this.#scaled = scaled;
    this.#unscaled = unscaled;
    return [scaled, unscaled];
  }
}
