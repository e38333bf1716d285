/**
 * A mergeable, log-bucketed histogram for trend metrics.
 *
 * Values fall into buckets whose bounds grow by a fixed ratio (1.02), so every
 * quantile is known within 1 % of its true value whatever the range of the
 * data, the memory stays bounded (about 800 buckets span 10 µs to 1 min), and
 * two histograms merge by adding bucket counts: a histogram merged from the
 * Workers, processes or machines of a test run is the same, bucket for bucket,
 * as the one a single process would have built. Count, sum, min and max are
 * kept exactly, and so is each bucket's value while its samples all share one
 * (`_log_buckets.ts`): quantiles of whole numbers, or of few samples, are then
 * k6's exactly.
 *
 * @module
 */

/** Ratio between the bounds of consecutive buckets. */
import { Buckets, type BucketsJSON } from "./_log_buckets.ts";

export type { BucketsJSON };

const RATIO = 1.02;
const LOG_RATIO = Math.log(RATIO);
/** Value that stands for a bucket: minimises the worst relative error in it. */
const MID = 2 / (1 + RATIO);

/**
 * The serialised form of a {@linkcode LogHistogram}: plain numbers and arrays,
 * so it survives `structuredClone`, `postMessage` and `JSON.stringify`.
 *
 * `positive.counts[i]` is the number of values `v` with
 * `ratio^(offset + i - 1) < v <= ratio^(offset + i)`; `negative` does the same
 * for `-v`; `zero` counts the zeros.
 */
export interface HistogramJSON {
  /** Ratio between consecutive bucket bounds (1.02). */
  ratio: number;
  /** Number of values. */
  count: number;
  /** Exact sum of the values. */
  sum: number;
  /** Exact minimum, or 0 when empty. */
  min: number;
  /** Exact maximum, or 0 when empty. */
  max: number;
  /** Number of values equal to zero. */
  zero: number;
  /** Buckets of the positive values. */
  positive: BucketsJSON;
  /** Buckets of the magnitudes of the negative values. */
  negative: BucketsJSON;
}

/**
 * A log-bucketed histogram with exact count, sum, min and max, and quantiles
 * within 1 % relative error.
 *
 * Quantiles follow k6's trend semantics: `quantile(q)` is the value at rank
 * `q × (count − 1)` in the sorted samples, linearly interpolated between the two
 * neighbouring samples; each sample stands for its bucket (clamped to the exact
 * min and max), so the result is within 1 % of what k6 computes from the raw samples.
 *
 * @example Usage
 * ```ts
 * import { LogHistogram } from "./histogram.ts";
 * import assert from "node:assert/strict";
 *
 * const a = new LogHistogram();
 * for (let i = 1; i <= 50; i++) a.add(i);
 * const b = new LogHistogram();
 * for (let i = 51; i <= 100; i++) b.add(i);
 * a.merge(b);
 * assert.equal(a.count, 100);
 * assert.equal(a.max, 100);
 * assert.ok(Math.abs(a.quantile(0.9) - 90.1) / 90.1 <= 0.01);
 * const copy = LogHistogram.fromJSON(structuredClone(a.toJSON()));
 * assert.equal(copy.quantile(0.5), a.quantile(0.5));
 * ```
 */
export class LogHistogram {
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;
  #zero = 0;
  #positive = new Buckets();
  #negative = new Buckets();

  /**
   * Records one value.
   *
   * @param value A finite number; zero and negative values are kept apart.
   * @throws {RangeError} When `value` is not a finite number.
   *
   * @example Usage
   * ```ts
   * import { LogHistogram } from "./histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const h = new LogHistogram();
   * h.add(-2);
   * h.add(0);
   * h.add(3);
   * assert.deepEqual([h.count, h.sum, h.min, h.max], [3, 1, -2, 3]);
   * ```
   */
  add(value: number): void {
    if (!Number.isFinite(value)) {
      throw new RangeError(`Cannot add ${value} to a histogram: expected a finite number`);
    }
    this.#count++;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    if (value > 0) this.#positive.add(Math.ceil(Math.log(value) / LOG_RATIO), 1, value);
    else if (value < 0) this.#negative.add(Math.ceil(Math.log(-value) / LOG_RATIO), 1, value);
    else this.#zero++;
  }

  /**
   * Adds every value of another histogram into this one. Bucket counts add up,
   * so merging is exact: the result equals the histogram of all the values.
   *
   * @param other The histogram (or its JSON form) to fold in; left unchanged.
   * @returns This histogram, for chaining.
   * @throws {RangeError} When `other` was built with another bucket ratio.
   *
   * @example Usage
   * ```ts
   * import { LogHistogram } from "./histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const a = new LogHistogram();
   * a.add(1);
   * const b = new LogHistogram();
   * b.add(5);
   * assert.equal(a.merge(b).max, 5);
   * ```
   */
  merge(other: LogHistogram | HistogramJSON): this {
    if (other instanceof LogHistogram) {
      if (other.#count === 0) return this;
      this.#count += other.#count;
      this.#sum += other.#sum;
      if (other.#min < this.#min) this.#min = other.#min;
      if (other.#max > this.#max) this.#max = other.#max;
      this.#zero += other.#zero;
      if (other.#positive.total > 0) this.#positive.merge(other.#positive);
      if (other.#negative.total > 0) this.#negative.merge(other.#negative);
      return this;
    }
    const json = other;
    if (json.ratio !== RATIO) {
      throw new RangeError(
        `Cannot merge a histogram with bucket ratio ${json.ratio}: expected ${RATIO}`,
      );
    }
    if (json.count === 0) return this;
    this.#count += json.count;
    this.#sum += json.sum;
    if (json.min < this.#min) this.#min = json.min;
    if (json.max > this.#max) this.#max = json.max;
    this.#zero += json.zero;
    this.#positive.merge(json.positive);
    this.#negative.merge(json.negative);
    return this;
  }

  /** Number of values recorded. */
  get count(): number {
    return this.#count;
  }

  /** Exact sum of the values. */
  get sum(): number {
    return this.#sum;
  }

  /** Exact smallest value, or 0 when empty (as k6 reports it). */
  get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  /** Exact largest value, or 0 when empty (as k6 reports it). */
  get max(): number {
    return this.#count === 0 ? 0 : this.#max;
  }

  /** Mean of the values, or 0 when empty. */
  get avg(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /**
   * The q-quantile with k6's semantics (0 when empty, the only value when
   * there is one, else linear interpolation at rank `q × (count − 1)`).
   *
   * @param q A fraction from 0 to 1 (`p(95)` is `quantile(0.95)`).
   * @returns The quantile, within 1 % of the exact one.
   * @throws {RangeError} When `q` is outside [0, 1].
   *
   * @example Usage
   * ```ts
   * import { LogHistogram } from "./histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const h = new LogHistogram();
   * [10, 20, 30, 40].forEach((v) => h.add(v));
   * assert.equal(h.quantile(0), 10);
   * assert.equal(h.quantile(1), 40);
   * assert.ok(Math.abs(h.quantile(0.5) - 25) <= 0.25);
   * ```
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) {
      throw new RangeError(`Cannot compute quantile ${q}: expected a number from 0 to 1`);
    }
    if (this.#count === 0) return 0;
    if (this.#count === 1) return this.#min;
    const rank = q * (this.#count - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    const a = this.#valueAt(lo);
    if (hi === lo) return a;
    const b = this.#valueAt(hi);
    return a + (b - a) * (rank - lo);
  }

  /** Approximate value of the sample of 0-based rank `rank` in sorted order. */
  #valueAt(rank: number): number {
    if (rank <= 0) return this.#min;
    if (rank >= this.#count - 1) return this.#max;
    let seen = 0;
    const neg = this.#negative;
    if (neg.total > 0) {
      // Most negative first: the largest magnitude index comes first.
      for (let i = neg.counts.length - 1; i >= 0; i--) {
        seen += neg.counts[i];
        if (seen > rank) return this.#stand(neg, neg.offset + i, -1);
      }
    }
    seen += this.#zero;
    if (seen > rank) return 0;
    const pos = this.#positive;
    for (let i = 0; i < pos.counts.length; i++) {
      seen += pos.counts[i];
      if (seen > rank) return this.#stand(pos, pos.offset + i, 1);
    }
    return this.#max;
  }

  /** The value of a bucket's samples: their own when they share one, else its midpoint. */
  #stand(buckets: Buckets, index: number, sign: 1 | -1): number {
    const exact = buckets.exactAt(index);
    return Number.isNaN(exact) ? this.#clamp(sign * represent(index)) : exact;
  }

  #clamp(v: number): number {
    return v < this.#min ? this.#min : v > this.#max ? this.#max : v;
  }

  /**
   * Forgets every value.
   *
   * @example Usage
   * ```ts
   * import { LogHistogram } from "./histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const h = new LogHistogram();
   * h.add(1);
   * h.reset();
   * assert.equal(h.count, 0);
   * ```
   */
  reset(): void {
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
    this.#zero = 0;
    this.#positive.clear();
    this.#negative.clear();
  }

  /**
   * The compact, structured-clone-able and JSON-able form of this histogram.
   *
   * @returns Plain data that {@linkcode LogHistogram.fromJSON} turns back into an equal histogram.
   *
   * @example Usage
   * ```ts
   * import { LogHistogram } from "./histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const h = new LogHistogram();
   * h.add(100);
   * const json = JSON.parse(JSON.stringify(h));
   * assert.equal(json.count, 1);
   * assert.equal(LogHistogram.fromJSON(json).max, 100);
   * ```
   */
  toJSON(): HistogramJSON {
    return {
      ratio: RATIO,
      count: this.#count,
      sum: this.#sum,
      min: this.min,
      max: this.max,
      zero: this.#zero,
      positive: this.#positive.toJSON(),
      negative: this.#negative.toJSON(),
    };
  }

  /**
   * Rebuilds a histogram from {@linkcode LogHistogram.toJSON} output.
   *
   * @param json The serialised histogram.
   * @returns A new histogram equal to the one serialised.
   * @throws {RangeError} When `json` uses another bucket ratio.
   * @throws {TypeError} When `json` is not a serialised histogram.
   *
   * @example Usage
   * ```ts
   * import { LogHistogram } from "./histogram.ts";
   * import assert from "node:assert/strict";
   *
   * const h = LogHistogram.fromJSON(new LogHistogram().toJSON());
   * assert.equal(h.count, 0);
   * ```
   */
  static fromJSON(json: HistogramJSON): LogHistogram {
    if (
      typeof json !== "object" || json === null || typeof json.count !== "number" ||
      !json.positive || !json.negative
    ) {
      throw new TypeError("Cannot read histogram: expected the output of LogHistogram.toJSON()");
    }
    return new LogHistogram().merge(json);
  }
}

function represent(index: number): number {
  return Math.pow(RATIO, index) * MID;
}
