/**
 * The buckets of one sign of a {@linkcode LogHistogram}: counts over a growable index range and,
 * per bucket, the value its samples had when they were all the same. A trend of whole numbers
 * (retries, messages per batch) or of few samples then gives its quantiles exactly, as k6's
 * sorted samples do, so a threshold such as `p(95)>=1` on values 0 and 1 reaches k6's verdict;
 * a bucket whose samples differ stands for them with its log midpoint (within 1 %).
 *
 * @module
 */

/**
 * The serialised buckets of one sign of a histogram: counts from `offset`, and the
 * `[index, value]` of the buckets whose samples all had one value.
 *
 * @example Usage
 * ```ts
 * import type { BucketsJSON } from "@mqload/mqload/runner";
 * const twos: BucketsJSON = { offset: 36, counts: [3], exact: [[36, 2]] }; // three 2s
 * ```
 */
export interface BucketsJSON {
  /** The bucket index of `counts[0]`. */
  offset: number;
  /** Values per bucket. */
  counts: number[];
  /** Buckets whose samples all had one value (absent in histograms of older versions). */
  exact?: [number, number][];
}

/** Dense bucket counts over a growable index range, with each bucket's value when it has one. */
export class Buckets {
  offset = 0;
  counts: Float64Array = new Float64Array(0);
  /** Per bucket: its samples' value when they were all equal, NaN when not (unset when empty). */
  values: Float64Array = new Float64Array(0);
  total = 0;

  /** Adds `n` samples to bucket `index`, all of them `value` (NaN: not known to be one value). */
  add(index: number, n: number, value: number): void {
    let i = index - this.offset;
    if (i < 0 || i >= this.counts.length) {
      this.#grow(index);
      i = index - this.offset;
    }
    const before = this.counts[i]!;
    this.counts[i] = before + n;
    if (before === 0) this.values[i] = value;
    else if (this.values[i] !== value) this.values[i] = NaN;
    this.total += n;
  }

  /** The value every sample of bucket `index` had, or NaN (several values, or none). */
  exactAt(index: number): number {
    const i = index - this.offset;
    return this.counts[i]! > 0 ? this.values[i]! : NaN;
  }

  #grow(index: number): void {
    if (this.counts.length === 0) {
      this.offset = index - 16;
      this.counts = new Float64Array(64);
      this.values = new Float64Array(64);
      return;
    }
    const lo = Math.min(this.offset, index);
    const hi = Math.max(this.offset + this.counts.length - 1, index);
    // Headroom on the side that grew, so a drifting range does not copy each time.
    const span = hi - lo + 1;
    const extra = Math.max(32, span >> 1);
    const newOffset = index < this.offset ? lo - extra : lo;
    const grown = new Float64Array(span + extra);
    grown.set(this.counts, this.offset - newOffset);
    const values = new Float64Array(span + extra);
    values.set(this.values, this.offset - newOffset);
    this.offset = newOffset;
    this.counts = grown;
    this.values = values;
  }

  /** Adds every sample of `from` (another histogram's buckets, live or serialised). */
  merge(from: Buckets | BucketsJSON): void {
    const { offset, counts } = from;
    let exact: (i: number) => number;
    if (from instanceof Buckets) exact = (i) => from.values[i]!;
    else {
      const byIndex = new Map(from.exact ?? []);
      exact = (i) => byIndex.get(offset + i) ?? NaN;
    }
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] !== 0) this.add(offset + i, counts[i]!, exact(i));
    }
  }

  clear(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  toJSON(): BucketsJSON {
    if (this.total === 0) return { offset: 0, counts: [] };
    let first = 0;
    while (this.counts[first] === 0) first++;
    let last = this.counts.length - 1;
    while (this.counts[last] === 0) last--;
    // A plain loop: Array.from over a view makes an iterator result per bucket, and every
    // series of every Worker is snapshot each second.
    const counts: number[] = new Array(last + 1 - first);
    const exact: [number, number][] = [];
    for (let i = first; i <= last; i++) {
      const n = this.counts[i]!;
      counts[i - first] = n;
      if (n > 0 && !Number.isNaN(this.values[i])) exact.push([this.offset + i, this.values[i]!]);
    }
    const json: BucketsJSON = { offset: this.offset + first, counts };
    if (exact.length > 0) json.exact = exact;
    return json;
  }
}
