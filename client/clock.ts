/**
 * The time source of a client: wall-clock milliseconds and one-shot timers. Tests pass a fake one
 * to drive keepalive, timeouts and backoff without waiting.
 *
 * @module
 */

/**
 * Time and timers, as the client uses them.
 *
 * @example Usage
 * ```ts
 * import type { Clock } from "@mqload/mqload/client";
 * const clock: Clock = {
 *   now: () => Date.now(),
 *   setTimeout: (callback, ms) => setTimeout(callback, ms),
 *   clearTimeout: (id) => clearTimeout(id as number),
 * };
 * ```
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (fractions allowed). */
  now(): number;
  /**
   * Calls `callback` once after `ms` milliseconds.
   *
   * @param callback What to call.
   * @param ms The delay in milliseconds.
   * @returns A handle for {@linkcode Clock.clearTimeout}.
   */
  setTimeout(callback: () => void, ms: number): unknown;
  /**
   * Cancels a timer; unknown or fired handles are ignored.
   *
   * @param id The handle `setTimeout` returned.
   */
  clearTimeout(id: unknown): void;
  /**
   * Optional, for a clock that reads `performance`: its time at a `performance.now()` reading
   * taken already (a transport's, as a read completed), which saves reading the clock again.
   * It must agree with `now()`: a clock made from another that overrides `now` (say
   * `{ ...SYSTEM_CLOCK, now }`) must override or drop it too.
   *
   * @param performanceNow A `performance.now()` reading.
   * @returns The clock's time then.
   */
  fromPerformance?(performanceNow: number): number;
}

/**
 * The real clock: `performance.timeOrigin + performance.now()` (monotonic within a process and
 * comparable across processes, as the latency stamp needs) and the global timers.
 *
 * @example Usage
 * ```ts
 * import { SYSTEM_CLOCK } from "@mqload/mqload/client";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(SYSTEM_CLOCK.now() - Date.now()) < 60_000);
 * ```
 */
export const SYSTEM_CLOCK: Clock = Object.freeze({
  now: (): number => performance.timeOrigin + performance.now(),
  fromPerformance: (performanceNow: number): number => performance.timeOrigin + performanceNow,
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (id: unknown): void => clearTimeout(id as number),
});
