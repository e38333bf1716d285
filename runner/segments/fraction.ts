/**
 * Exact rational numbers over `bigint`, for execution segments: k6 uses Go's
 * `big.Rat` so that splitting work in thirds never loses a VU to rounding.
 *
 * @module
 */

/**
 * A reduced fraction `num / den` with `den > 0`: the exact bounds of execution segments.
 *
 * @example Usage
 * ```ts
 * import { type Fraction, parseExecutionSegment } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const to: Fraction = parseExecutionSegment("1/3:2/3").to;
 * assert.deepEqual(to, { num: 2n, den: 3n });
 * ```
 */
export interface Fraction {
  /** Numerator (carries the sign). */
  readonly num: bigint;
  /** Denominator, always positive. */
  readonly den: bigint;
}

export const ZERO: Fraction = Object.freeze({ num: 0n, den: 1n });
export const ONE: Fraction = Object.freeze({ num: 1n, den: 1n });

export function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The reduced fraction `num / den`; `den` must not be zero. */
export function frac(num: bigint, den = 1n): Fraction {
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

export function add(a: Fraction, b: Fraction): Fraction {
  return frac(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function sub(a: Fraction, b: Fraction): Fraction {
  return frac(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function mul(a: Fraction, b: Fraction): Fraction {
  return frac(a.num * b.num, a.den * b.den);
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function cmp(a: Fraction, b: Fraction): number {
  const l = a.num * b.den, r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Go's `Rat.RatString`: `"3"` for integers, `"1/4"` otherwise. */
export function fractionString(f: Fraction): string {
  return f.den === 1n ? String(f.num) : `${f.num}/${f.den}`;
}

export function toNumber(f: Fraction): number {
  return Number(f.num) / Number(f.den);
}

/**
 * k6's `roundUp`: rounds half up toward +∞ for positive values, using Go's
 * truncated `QuoRem` (which `bigint` division matches).
 */
export function roundHalfUp(f: Fraction): bigint {
  const quo = f.num / f.den;
  const rem = f.num % f.den;
  return rem * 2n >= f.den ? quo + 1n : quo;
}

const FRACTION_RE = /^([+-]?\d+)\/(\d+)$/;
const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a fraction as k6 writes execution segments: `"3/4"`, `"0.75"`, `"7.5e-1"` or
 * `"75%"`, exactly (no floating-point rounding).
 *
 * @param text The text.
 * @returns The reduced fraction, or undefined when the text is malformed.
 *
 * @example Usage
 * ```ts
 * import { parseFraction } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseFraction("25%"), { num: 1n, den: 4n });
 * assert.deepEqual(parseFraction("2/6"), { num: 1n, den: 3n });
 * assert.equal(parseFraction("a/b"), undefined);
 * ```
 */
export function parseFraction(text: string): Fraction | undefined {
  const s = text.trim();
  if (s.endsWith("%")) {
    const f = parseDecimal(s.slice(0, -1).trim());
    return f && frac(f.num, f.den * 100n);
  }
  const m = FRACTION_RE.exec(s);
  if (m !== null) {
    const den = BigInt(m[2]);
    return den === 0n ? undefined : frac(BigInt(m[1]), den);
  }
  return parseDecimal(s);
}

function parseDecimal(s: string): Fraction | undefined {
  const m = DECIMAL_RE.exec(s);
  if (m === null) return undefined;
  const [, sign, int, fracDigits = "", exp = "0"] = m;
  if (int === "" && fracDigits === "") return undefined;
  const e = Number(exp) - fracDigits.length;
  // Exponents this large are typos, and 10n ** e would be unbounded work.
  if (Math.abs(e) > 400) return undefined;
  let num = BigInt((int || "0") + fracDigits);
  if (sign === "-") num = -num;
  return e >= 0 ? frac(num * 10n ** BigInt(e)) : frac(num, 10n ** BigInt(-e));
}

/** Checks an amount to scale: VUs, iterations. */
export function checkCount(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Cannot scale ${value}: expected a non-negative integer`);
  }
  return value;
}
