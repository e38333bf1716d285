/**
 * The `k6/timers` module: the global timers (a pending timer keeps its VU's iteration open).
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
type Callback = (...args: any[]) => void;

/**
 * Calls `callback` once after `ms` milliseconds.
 *
 * @param callback What to call.
 * @param ms The delay.
 * @param args Arguments for `callback`.
 * @returns The timer's id.
 */
export function setTimeout(callback: Callback, ms?: number, ...args: unknown[]): number {
  return globalThis.setTimeout(callback, ms, ...args) as unknown as number;
}

/**
 * Cancels a timeout.
 *
 * @param id The timer's id.
 */
export function clearTimeout(id?: number): void {
  globalThis.clearTimeout(id);
}

/**
 * Calls `callback` every `ms` milliseconds.
 *
 * @param callback What to call.
 * @param ms The period.
 * @param args Arguments for `callback`.
 * @returns The timer's id.
 */
export function setInterval(callback: Callback, ms?: number, ...args: unknown[]): number {
  return globalThis.setInterval(callback, ms, ...args) as unknown as number;
}

/**
 * Cancels an interval.
 *
 * @param id The timer's id.
 */
export function clearInterval(id?: number): void {
  globalThis.clearInterval(id);
}

export default { setTimeout, clearTimeout, setInterval, clearInterval };
