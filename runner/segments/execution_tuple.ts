/**
 * k6's `ExecutionTuple`: one execution segment within its full sequence, with
 * the striping that splits integers (VUs, iterations) and iteration indices
 * between the segments so that, together, they do exactly the work of one
 * whole run — whatever the values, the shares add up.
 *
 * How k6's executors use it (each process runs with its own tuple):
 *
 * | executor | VUs | work |
 * |---|---|---|
 * | constant-vus | `scaleInt(vus)` | for `duration` |
 * | ramping-vus | `rampingVUsSteps` (in `segment_schedule.ts`) | stages |
 * | per-vu-iterations | `scaleInt(vus)` | `iterations` each, unscaled |
 * | shared-iterations | `scaleInt(vus)` | `forValue(vus)?.scaleInt(iterations) ?? 0` |
 * | constant/ramping-arrival-rate | `scaleInt(preAllocatedVUs)`, `scaleInt(maxVUs)` | the global iteration indices of `forValue(maxVUs)` (`arrivalTimes`) |
 *
 * Iteration numbers (`exec.scenario.iterationInTest`): the `n`-th iteration a
 * process starts in a scenario is `globalIndex(n)` of the segment, or of
 * `forValue(vus)` for shared-iterations and `forValue(maxVUs)` for the
 * arrival-rate executors (k6's `iterSegIndex`; `iterationTuple()` in the
 * executors' registry).
 *
 * @module
 */

import { ExecutionSegment, ExecutionSegmentSequence } from "./execution_segment.ts";
import { checkCount, frac } from "./fraction.ts";
import { SegmentedIndex } from "./segmented_index.ts";

export { SegmentedIndex } from "./segmented_index.ts";

/**
 * The striping of one segment: it owns global indices `start`,
 * `start + offsets[0]`, `start + offsets[0] + offsets[1]`, …, cycling through
 * `offsets`; each cycle spans `lcd` indices.
 *
 * @example Usage
 * ```ts
 * import {
 *   ExecutionTuple,
 *   parseExecutionSegment,
 *   parseExecutionSegmentSequence,
 *   type StripedOffsets,
 * } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const striped: StripedOffsets = new ExecutionTuple(
 *   parseExecutionSegment("1/4:2/4"),
 *   parseExecutionSegmentSequence("0,1/4,2/4,3/4,1"),
 * ).stripedOffsets();
 * assert.deepEqual(striped, { start: 1, offsets: [4], lcd: 4 });
 * ```
 */
export interface StripedOffsets {
  /** First index (0-based) owned by the segment. */
  start: number;
  /** Distances between consecutive owned indices, one cycle's worth. */
  offsets: readonly number[];
  /** Length of a cycle: the sequence's least common denominator. */
  lcd: number;
}

/** Largest striping cycle computed: its tables hold one number per index of a cycle. */
const MAX_LCD = 10_000_000;

/** k6's `ExecutionSegmentSequenceWrapper`: a full sequence with its striping tables. */
class Striping {
  readonly sequence: ExecutionSegmentSequence;
  readonly lcd: number;
  readonly offsets: number[][];

  constructor(sequence: ExecutionSegmentSequence) {
    const lcdBig = sequence.lcd();
    if (lcdBig > BigInt(MAX_LCD)) {
      throw new RangeError(
        `Cannot stripe execution segment sequence "${sequence}": its lengths' common ` +
          `denominator ${lcdBig} is over ${MAX_LCD}; use simpler fractions`,
      );
    }
    const lcd = Number(lcdBig);
    const segs = sequence.segments;
    // Each segment owns `normalized` of every `lcd` indices; biggest first, as k6.
    const sorted = segs.map((s, index) => ({
      normalized: Number(s.length.num) * (lcd / Number(s.length.den)),
      index,
    })).sort((a, b) => b.normalized - a.normalized);
    const offsets: number[][] = segs.map(() => []);
    const prev = segs.map(() => 0);
    const chosen = segs.map(() => 0);
    // k6's striping: index i goes to the first segment (biggest first) whose
    // share is behind, so each segment's indices are spread as evenly as possible.
    for (let i = 0; i < lcd; i++) {
      for (let k = 0; k < sorted.length; k++) {
        const num = chosen[k] * lcd;
        const den = sorted[k].normalized;
        const q = Math.floor(num / den);
        if (i > q || (i === q && num % den === 0)) {
          chosen[k]++;
          const o = offsets[sorted[k].index];
          o.push(i - prev[sorted[k].index]);
          prev[sorted[k].index] = i;
          if (o.length === den) o.push(o[0] + lcd - i);
          break;
        }
      }
    }
    this.sequence = sequence;
    this.lcd = lcd;
    this.offsets = offsets;
  }

  scaleInt(index: number, value: number): number {
    const table = this.offsets[index];
    const cycle = table.length - 1;
    let result = Math.floor(value / this.lcd) * cycle;
    const rest = value % this.lcd;
    for (let gi = 0, i = table[0]; i < rest; i += table[1 + gi], gi++) result++;
    return result;
  }
}

/**
 * One segment of a full execution segment sequence, with k6's striped scaling.
 *
 * @example Usage
 * ```ts
 * import {
 *   ExecutionTuple,
 *   parseExecutionSegment,
 *   parseExecutionSegmentSequence,
 * } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const sequence = parseExecutionSegmentSequence("0,1/2,3/4,1");
 * const tuples = ["0:1/2", "1/2:3/4", "3/4:1"].map((s) =>
 *   new ExecutionTuple(parseExecutionSegment(s), sequence)
 * );
 * assert.deepEqual(tuples.map((t) => t.scaleInt(7)), [4, 2, 1]);
 * ```
 */
export class ExecutionTuple {
  /** This process's segment. */
  readonly segment: ExecutionSegment;
  /** Its position in {@linkcode ExecutionTuple.sequence}. */
  readonly segmentIndex: number;
  /** The full sequence (filled with the missing parts so it spans 0 to 1). */
  readonly sequence: ExecutionSegmentSequence;
  readonly #striping: Striping;
  /** Where each position of a cycle falls, from the cycle's start (for `globalIndex`). */
  #cycle?: number[];

  /**
   * Places `segment` in `sequence` (k6's `NewExecutionTuple`). Without a
   * sequence, the segment alone is filled to a full sequence (`1/4:1/2`
   * becomes `0,1/4,1/2,1`); without either, the tuple is the whole test.
   *
   * @param segment This process's segment (default `0:1`).
   * @param sequence All the segments of the test run.
   * @throws {RangeError} When `segment` is not one of the sequence's segments,
   *   or the sequence's common denominator is over ten million.
   */
  constructor(segment?: ExecutionSegment, sequence?: ExecutionSegmentSequence) {
    const full = (sequence ?? new ExecutionSegmentSequence()).filled(segment);
    const index = full.indexOf(segment);
    if (index < 0) {
      throw new RangeError(
        `Cannot find execution segment ${segment ?? "0:1"} in sequence ${full}`,
      );
    }
    this.segment = full.segments[index];
    this.segmentIndex = index;
    this.sequence = full;
    this.#striping = new Striping(full);
  }

  /**
   * k6's `ExecutionTuple.ScaleInt64`: this segment's share of an integer. The
   * shares of all the segments add up to `value`, and each share only grows as
   * `value` grows.
   *
   * @param value A non-negative integer (VUs, iterations).
   * @returns This segment's share.
   * @throws {RangeError} When `value` is not a non-negative safe integer.
   *
   * @example Usage
   * ```ts
   * import {
   *   ExecutionTuple,
   *   parseExecutionSegment,
   *   parseExecutionSegmentSequence,
   * } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * const thirds = parseExecutionSegmentSequence("0,1/3,2/3,1");
   * const shares = ["0:1/3", "1/3:2/3", "2/3:1"].map((s) =>
   *   new ExecutionTuple(parseExecutionSegment(s), thirds).scaleInt(50)
   * );
   * assert.deepEqual(shares, [17, 17, 16]);
   * assert.equal(new ExecutionTuple().scaleInt(50), 50);
   * ```
   */
  scaleInt(value: number): number {
    checkCount(value);
    if (this.sequence.segments.length === 1) return value;
    return this.#striping.scaleInt(this.segmentIndex, value);
  }

  /**
   * This segment's share of a rate (iterations per time unit): `rate × length`,
   * as k6's arrival-rate executors scale it. The shares add up to `rate`.
   *
   * @param rate A finite number.
   * @returns The scaled rate.
   * @throws {RangeError} When `rate` is not finite.
   *
   * @example Usage
   * ```ts
   * import { ExecutionTuple, parseExecutionSegment } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new ExecutionTuple(parseExecutionSegment("0:1/4")).scaleRate(100), 25);
   * ```
   */
  scaleRate(rate: number): number {
    return this.segment.scaleRate(rate);
  }

  /**
   * k6's `GetStripedOffsets`: which global indices (VU numbers, iteration
   * numbers) belong to this segment.
   *
   * @returns The start, the cycle of offsets, and the cycle length.
   *
   * @example Usage
   * ```ts
   * import {
   *   ExecutionTuple,
   *   parseExecutionSegment,
   *   parseExecutionSegmentSequence,
   * } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * const tuple = new ExecutionTuple(
   *   parseExecutionSegment("0:0.3"),
   *   parseExecutionSegmentSequence("0,0.3,0.5,0.6,0.7,0.8,0.9,1"),
   * );
   * assert.deepEqual(tuple.stripedOffsets(), { start: 0, offsets: [4, 3, 3], lcd: 10 });
   * ```
   */
  stripedOffsets(): StripedOffsets {
    const table = this.#striping.offsets[this.segmentIndex];
    return { start: table[0], offsets: table.slice(1), lcd: this.#striping.lcd };
  }

  /**
   * The global 0-based indices owned by this segment, in increasing order,
   * without end: across the segments of a sequence, every index is owned by
   * exactly one. Arrival-rate executors start global iteration `i` at
   * `i × timeUnit / rate`.
   *
   * @returns An endless iterator (bound it by count or time).
   *
   * @example Usage
   * ```ts
   * import {
   *   ExecutionTuple,
   *   parseExecutionSegment,
   *   parseExecutionSegmentSequence,
   * } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * const tuple = new ExecutionTuple(
   *   parseExecutionSegment("1/2:3/4"),
   *   parseExecutionSegmentSequence("0,1/2,3/4,1"),
   * );
   * const first = [];
   * for (const i of tuple.indices()) if (first.push(i) === 3) break;
   * assert.deepEqual(first, [1, 5, 9]);
   * ```
   */
  *indices(): Generator<number, never, undefined> {
    const { start, offsets } = this.stripedOffsets();
    for (let i = start, k = 0;; i += offsets[k], k = (k + 1) % offsets.length) yield i;
  }

  /**
   * The `n`-th global index this segment owns (0-based): the `n`-th value of
   * {@linkcode ExecutionTuple.indices}, in constant time. k6 numbers a
   * segment's iterations so (`exec.scenario.iterationInTest`), which makes the
   * numbers of all the segments of a test cover each iteration once.
   *
   * @param n A position in this segment's own count (0-based).
   * @returns The matching global index.
   * @throws {RangeError} When `n` is not a non-negative safe integer.
   *
   * @example Usage
   * ```ts
   * import {
   *   ExecutionTuple,
   *   parseExecutionSegment,
   *   parseExecutionSegmentSequence,
   * } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * const tuple = new ExecutionTuple(
   *   parseExecutionSegment("1/2:3/4"),
   *   parseExecutionSegmentSequence("0,1/2,3/4,1"),
   * );
   * assert.deepEqual([0, 1, 2, 1000].map((n) => tuple.globalIndex(n)), [1, 5, 9, 4001]);
   * ```
   */
  globalIndex(n: number): number {
    checkCount(n);
    const { start, offsets, lcd } = this.stripedOffsets();
    if (this.#cycle === undefined) {
      const cycle = [0];
      for (let i = 0; i < offsets.length - 1; i++) cycle.push(cycle[i] + offsets[i]);
      this.#cycle = cycle;
    }
    const cycle = this.#cycle;
    return start + Math.floor(n / cycle.length) * lcd + cycle[n % cycle.length];
  }

  /**
   * k6's `GetNewExecutionTupleFromValue`: re-segments the sequence by how
   * `value` splits (each new segment's length is its share of `value` over
   * `value`), so that a second amount (iterations) is split like the first
   * (VUs): a segment with no VU gets no iteration.
   *
   * @param value A positive integer, such as the scenario's VUs or maxVUs.
   * @returns The new tuple, or undefined when this segment's share of `value` is 0.
   * @throws {RangeError} When `value` is not a non-negative safe integer.
   *
   * @example Usage
   * ```ts
   * import {
   *   ExecutionTuple,
   *   parseExecutionSegment,
   *   parseExecutionSegmentSequence,
   * } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * const tuple = new ExecutionTuple(
   *   parseExecutionSegment("0:1/3"),
   *   parseExecutionSegmentSequence("0,1/3,2/3,1"),
   * );
   * assert.equal(tuple.forValue(20)?.sequence.toString(), "0,7/20,7/10,1");
   * assert.equal(tuple.forValue(20)?.scaleInt(50), 18);
   * ```
   */
  forValue(value: number): ExecutionTuple | undefined {
    checkCount(value);
    if (value < 1) return undefined;
    const striping = this.#striping;
    if (value % striping.lcd === 0) return this;
    const segments: ExecutionSegment[] = [];
    let newIndex = -1;
    let prev = 0;
    const v = BigInt(value);
    for (let i = 0; i < this.sequence.segments.length; i++) {
      const share = striping.scaleInt(i, value);
      if (share === 0) continue;
      if (i === this.segmentIndex) newIndex = segments.length;
      segments.push(
        new ExecutionSegment(frac(BigInt(prev), v), frac(BigInt(prev + share), v)),
      );
      prev += share;
    }
    if (newIndex < 0) return undefined;
    return new ExecutionTuple(segments[newIndex], new ExecutionSegmentSequence(segments));
  }

  /**
   * A {@linkcode SegmentedIndex} over this segment's striping.
   *
   * @returns A new iterator at position 0.
   */
  segmentedIndex(): SegmentedIndex {
    return new SegmentedIndex(this.stripedOffsets());
  }

  /**
   * k6's form: `"1/4:1/2 in 0,1/4,1/2,1"`.
   *
   * @returns The segment and its sequence.
   */
  toString(): string {
    return `${this.segment} in ${this.sequence}`;
  }
}
