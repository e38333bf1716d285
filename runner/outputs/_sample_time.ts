/**
 * A sample's time as whole microseconds since the epoch, for the outputs that write it finer
 * than a millisecond (NDJSON, CSV, InfluxDB). Samples are timed in ms with a µs fraction; µs
 * since the epoch stay below 2^53, so they are exact as a number, where ns are not.
 *
 * @module
 */

/**
 * Microseconds since the epoch, the fraction of `ms` rounded to the nearest µs (a fraction that
 * rounds to 1,000 carries into the next ms).
 *
 * @param ms Milliseconds since the epoch, with a sub-ms fraction.
 * @returns Whole µs since the epoch.
 *
 * @example Usage
 * ```ts
 * import { epochMicros } from "./_sample_time.ts";
 * import assert from "node:assert/strict";
 * assert.equal(epochMicros(Date.UTC(2025, 0, 2) + 0.456), Date.UTC(2025, 0, 2) * 1000 + 456);
 * assert.equal(epochMicros(7.9996), 8000);
 * ```
 */
export function epochMicros(ms: number): number {
  // The fraction is taken from the ms below it, not from ms × 1000, whose double would round it.
  const whole = Math.floor(ms);
  return whole * 1000 + Math.round((ms - whole) * 1000);
}
