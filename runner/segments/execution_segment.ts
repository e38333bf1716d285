/**
 * k6's execution segments: a test split into parts `(from, to]` of the whole
 * work, so that several processes or machines each run one part, knowing only
 * their own segment (and, for exact striping, the sequence of all segments).
 *
 * ```
 * mqload run --execution-segment 1/4:2/4 --execution-segment-sequence 0,1/4,2/4,3/4,1 script.ts
 * ```
 *
 * Values are exact fractions (`1/3`), decimals (`0.25`) or percentages
 * (`25%`). A segment is `from:to`, or a single value `to` meaning `0:to`; the
 * empty string is the whole test. A sequence is a comma-separated list of
 * boundaries. {@linkcode ExecutionTuple} (in `execution_tuple.ts`) does the
 * scaling that executors need.
 *
 * @module
 */

import {
  add,
  checkCount,
  cmp,
  frac,
  type Fraction,
  fractionString,
  gcd,
  mul,
  ONE,
  parseFraction,
  roundHalfUp,
  sub,
  toNumber,
  ZERO,
} from "./fraction.ts";

export type { Fraction } from "./fraction.ts";

/**
 * A part `(from, to]` of the whole work of a test, with `0 ≤ from < to ≤ 1`.
 *
 * @example Usage
 * ```ts
 * import { parseExecutionSegment } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const segment = parseExecutionSegment("1/4:2/4");
 * assert.equal(segment.toString(), "1/4:1/2");
 * assert.equal(segment.scale(10), 2);
 * assert.equal(segment.scaleRate(100), 25);
 * ```
 */
export class ExecutionSegment {
  /** Start of the segment (exclusive). */
  readonly from: Fraction;
  /** End of the segment (inclusive). */
  readonly to: Fraction;
  /** `to − from`. */
  readonly length: Fraction;

  /**
   * Creates a segment from exact bounds.
   *
   * @param from Start, at least 0.
   * @param to End, greater than `from`, at most 1.
   * @throws {RangeError} When the bounds are out of order or outside [0, 1].
   */
  constructor(from: Fraction = ZERO, to: Fraction = ONE) {
    if (cmp(from, ZERO) < 0) {
      throw new RangeError(
        `Invalid execution segment: start ${fractionString(from)} must be at least 0`,
      );
    }
    if (cmp(from, to) >= 0) {
      throw new RangeError(
        `Invalid execution segment: start ${fractionString(from)} must be less than its end ${
          fractionString(to)
        }`,
      );
    }
    if (cmp(to, ONE) > 0) {
      throw new RangeError(
        `Invalid execution segment: end ${fractionString(to)} must be at most 1`,
      );
    }
    this.from = from;
    this.to = to;
    this.length = sub(to, from);
  }

  /**
   * k6's `ExecutionSegment.Scale`: this segment's share of an integer amount,
   * `round(value × to − round(value × from))`. Contiguous segments' shares
   * add up to `value`; {@linkcode ExecutionTuple.scaleInt} spreads them more evenly.
   *
   * @param value A non-negative integer (VUs, iterations).
   * @returns This segment's share.
   * @throws {RangeError} When `value` is not a non-negative safe integer.
   *
   * @example Usage
   * ```ts
   * import { parseExecutionSegment } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * const shares = ["0:1/3", "1/3:2/3", "2/3:1"].map((s) => parseExecutionSegment(s).scale(10));
   * assert.deepEqual(shares, [3, 4, 3]);
   * ```
   */
  scale(value: number): number {
    const v = BigInt(checkCount(value));
    const toValue = mul(frac(v), this.to);
    const fromRounded = roundHalfUp(mul(frac(v), this.from));
    return Number(roundHalfUp(sub(toValue, frac(fromRounded))));
  }

  /**
   * Scales a rate (k6's `InPlaceScaleRat`): `rate × length`. The shares of
   * the segments of a full sequence add up to `rate`.
   *
   * @param rate Any finite number, such as iterations per time unit.
   * @returns This segment's share of it.
   * @throws {RangeError} When `rate` is not finite.
   *
   * @example Usage
   * ```ts
   * import { parseExecutionSegment } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * assert.equal(parseExecutionSegment("50%:75%").scaleRate(40), 10);
   * ```
   */
  scaleRate(rate: number): number {
    if (!Number.isFinite(rate)) {
      throw new RangeError(`Cannot scale rate ${rate}: expected a finite number`);
    }
    return (rate * Number(this.length.num)) / Number(this.length.den);
  }

  /** The segment's length as a float (1 for the whole test). */
  get floatLength(): number {
    return toNumber(this.length);
  }

  /**
   * Splits the segment into `parts` equal consecutive segments.
   *
   * @param parts How many, at least 1.
   * @returns The sub-segments, in order.
   * @throws {RangeError} When `parts` is not a positive integer.
   *
   * @example Usage
   * ```ts
   * import { ExecutionSegment } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(new ExecutionSegment().split(4).map(String), ["0:1/4", "1/4:1/2", "1/2:3/4", "3/4:1"]);
   * ```
   */
  split(parts: number): ExecutionSegment[] {
    if (!Number.isSafeInteger(parts) || parts < 1) {
      throw new RangeError(`Cannot split a segment in ${parts} parts: expected a positive integer`);
    }
    const step = frac(this.length.num, this.length.den * BigInt(parts));
    const out: ExecutionSegment[] = [];
    let from = this.from;
    for (let i = 0; i < parts; i++) {
      const to = i === parts - 1 ? this.to : add(from, step);
      out.push(new ExecutionSegment(from, to));
      from = to;
    }
    return out;
  }

  /**
   * Whether both segments have the same bounds.
   *
   * @param other Another segment.
   * @returns True when equal.
   *
   * @example Usage
   * ```ts
   * import { parseExecutionSegment } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * assert.ok(parseExecutionSegment("1/4:2/4").equals(parseExecutionSegment("25%:0.5")));
   * ```
   */
  equals(other: ExecutionSegment): boolean {
    return cmp(this.from, other.from) === 0 && cmp(this.to, other.to) === 0;
  }

  /**
   * k6's `from:to` form, with exact fractions (`"1/4:1/2"`, `"0:1"`).
   *
   * @returns The segment as text that {@linkcode parseExecutionSegment} reads back.
   */
  toString(): string {
    return `${fractionString(this.from)}:${fractionString(this.to)}`;
  }
}

/**
 * An ordered chain of contiguous execution segments: `"0,1/4,1/2,1"` is
 * `(0,1/4], (1/4,1/2], (1/2,1]`. Empty means one segment, the whole test.
 *
 * @example Usage
 * ```ts
 * import { parseExecutionSegmentSequence } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const sequence = parseExecutionSegmentSequence("0,1/3,2/3,1");
 * assert.equal(sequence.segments.length, 3);
 * assert.equal(sequence.lcd(), 3n);
 * assert.ok(sequence.isFull());
 * ```
 */
export class ExecutionSegmentSequence {
  /** The segments, in order. */
  readonly segments: readonly ExecutionSegment[];

  /**
   * Checks that each segment starts where the previous one ends.
   *
   * @param segments The segments, in order.
   * @throws {RangeError} When there is a gap or an overlap.
   */
  constructor(segments: readonly ExecutionSegment[] = []) {
    for (let i = 1; i < segments.length; i++) {
      if (cmp(segments[i].from, segments[i - 1].to) !== 0) {
        throw new RangeError(
          `Invalid execution segment sequence: segment #${i} starts at ${
            fractionString(segments[i].from)
          } but the previous one ends at ${fractionString(segments[i - 1].to)}`,
        );
      }
    }
    this.segments = Object.freeze([...segments]);
  }

  /**
   * Least common denominator of the segments' lengths: the striping cycle.
   *
   * @returns The LCD (1 for an empty sequence).
   */
  lcd(): bigint {
    let acc = 1n;
    for (const s of this.segments) {
      const d = s.length.den;
      acc = (acc / gcd(acc, d)) * d;
    }
    return acc;
  }

  /**
   * Whether the sequence starts at 0 and ends at 1.
   *
   * @returns True when it covers the whole test.
   */
  isFull(): boolean {
    const s = this.segments;
    return s.length > 0 && cmp(s[0].from, ZERO) === 0 && cmp(s[s.length - 1].to, ONE) === 0;
  }

  /**
   * k6's `GetFilledExecutionSegmentSequence`: this sequence (or, when empty,
   * `fallback` alone) with segments added before and after so it spans 0 to 1.
   *
   * @param fallback The segment to use when this sequence is empty.
   * @returns A full sequence.
   *
   * @example Usage
   * ```ts
   * import { ExecutionSegmentSequence, parseExecutionSegment } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * const filled = new ExecutionSegmentSequence().filled(parseExecutionSegment("1/4:1/2"));
   * assert.equal(filled.toString(), "0,1/4,1/2,1");
   * ```
   */
  filled(fallback?: ExecutionSegment): ExecutionSegmentSequence {
    let segments = [...this.segments];
    if (segments.length === 0) {
      if (fallback === undefined || cmp(fallback.length, ONE) === 0) {
        return new ExecutionSegmentSequence([new ExecutionSegment()]);
      }
      segments = [fallback];
    }
    if (cmp(segments[0].from, ZERO) !== 0) {
      segments.unshift(new ExecutionSegment(ZERO, segments[0].from));
    }
    const last = segments[segments.length - 1];
    if (cmp(last.to, ONE) !== 0) segments.push(new ExecutionSegment(last.to, ONE));
    return new ExecutionSegmentSequence(segments);
  }

  /**
   * The position of `segment` in the sequence.
   *
   * @param segment A segment (default the whole test).
   * @returns Its index, or -1 when it is not one of the sequence's segments.
   */
  indexOf(segment: ExecutionSegment = new ExecutionSegment()): number {
    return this.segments.findIndex((s) => s.equals(segment));
  }

  /**
   * k6's form: the boundaries separated by commas (`"0,1/4,1/2,1"`), empty for an empty sequence.
   *
   * @returns The sequence as text that {@linkcode parseExecutionSegmentSequence} reads back.
   */
  toString(): string {
    if (this.segments.length === 0) return "";
    return [this.segments[0].from, ...this.segments.map((s) => s.to)].map(fractionString).join(",");
  }
}

/**
 * Parses `--execution-segment`: `"from:to"` (`"1/4:2/4"`, `"0.25:0.5"`,
 * `"25%:50%"`, mixed forms too), or `"to"` alone meaning `0:to`, or `""` for
 * the whole test.
 *
 * @param text The flag's value.
 * @returns The segment.
 * @throws {RangeError} When a value is malformed or the bounds are invalid.
 *
 * @example Usage
 * ```ts
 * import { parseExecutionSegment } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseExecutionSegment("25%:50%").toString(), "1/4:1/2");
 * assert.equal(parseExecutionSegment("0.2").toString(), "0:1/5");
 * assert.equal(parseExecutionSegment("").toString(), "0:1");
 * assert.throws(() => parseExecutionSegment("3/4:1/4"), RangeError);
 * ```
 */
export function parseExecutionSegment(text: string): ExecutionSegment {
  const s = text.trim() === "" ? "1" : text;
  const colon = s.indexOf(":");
  const from = colon < 0 ? ZERO : parseValue(s.slice(0, colon), text);
  const to = parseValue(colon < 0 ? s : s.slice(colon + 1), text);
  return new ExecutionSegment(from, to);
}

/**
 * Parses `--execution-segment-sequence`: at least two comma-separated
 * boundaries (`"0,1/4,1/2,3/4,1"`); the empty string gives an empty sequence.
 *
 * @param text The flag's value.
 * @returns The sequence.
 * @throws {RangeError} When a value is malformed, there is one boundary only, or they do not increase.
 *
 * @example Usage
 * ```ts
 * import { parseExecutionSegmentSequence } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseExecutionSegmentSequence("0, 25%, 0.5, 3/4, 1").toString(), "0,1/4,1/2,3/4,1");
 * assert.throws(() => parseExecutionSegmentSequence("0,1/2,1/4"), RangeError);
 * ```
 */
export function parseExecutionSegmentSequence(text: string): ExecutionSegmentSequence {
  if (text.trim() === "") return new ExecutionSegmentSequence();
  const points = text.split(",").map((p) => parseValue(p, text));
  if (points.length < 2) {
    throw new RangeError(
      `Invalid execution segment sequence "${text}": at least 2 points are needed, 1 given`,
    );
  }
  const segments: ExecutionSegment[] = [];
  for (let i = 1; i < points.length; i++) {
    segments.push(new ExecutionSegment(points[i - 1], points[i]));
  }
  return new ExecutionSegmentSequence(segments);
}

function parseValue(part: string, text: string): Fraction {
  const f = parseFraction(part);
  if (f === undefined) {
    throw new RangeError(
      `Invalid execution segment value "${part.trim()}" in "${text}": ` +
        "expected a fraction (1/4), a decimal (0.25) or a percentage (25%)",
    );
  }
  return f;
}
