/**
 * Reconnect delays: exponential backoff with optional full jitter.
 *
 * @module
 */

/**
 * How the client reconnects after losing a connection. Every field is optional; the defaults are
 * {@linkcode DEFAULT_RECONNECT}.
 *
 * @example Usage
 * ```ts
 * import { Client, type ReconnectOptions } from "@mqload/mqload";
 * const reconnect: ReconnectOptions = { initial_delay: 500, max_delay: 5000, max_attempts: 10 };
 * const client = new Client({ reconnect });
 * ```
 */
export interface ReconnectOptions {
  /** Delay before the first attempt, in milliseconds (default 1000). */
  initial_delay?: number;
  /** Largest delay between attempts, in milliseconds (default 30000). */
  max_delay?: number;
  /** Factor applied to the delay after each failed attempt, ≥ 1 (default 2). */
  multiplier?: number;
  /**
   * Full jitter: wait a uniformly random time between 0 and the computed delay, so a fleet of
   * clients dropped together does not come back together (default `true`).
   */
  jitter?: boolean;
  /** Attempts before giving up; `Infinity` never gives up (default `Infinity`). */
  max_attempts?: number;
}

/**
 * The reconnect defaults: like Paho (which xk6-mqtt uses), the client reconnects automatically
 * after losing an established connection, starting after 1 s and doubling up to 30 s, with full
 * jitter, forever. A failed first `connect()` is not retried.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_RECONNECT } from "@mqload/mqload/client";
 * import assert from "node:assert/strict";
 * assert.equal(DEFAULT_RECONNECT.initial_delay, 1000);
 * ```
 */
export const DEFAULT_RECONNECT: Readonly<Required<ReconnectOptions>> = Object.freeze({
  initial_delay: 1000,
  max_delay: 30000,
  multiplier: 2,
  jitter: true,
  max_attempts: Infinity,
});

/**
 * The delay before a reconnect attempt: `min(max_delay, initial_delay × multiplier^attempt)`,
 * scaled by `random()` when jitter is on.
 *
 * @param attempt The attempt number, 0 for the first.
 * @param options Complete reconnect options.
 * @param random A source of numbers in [0, 1), `Math.random` by default.
 * @returns The delay in milliseconds.
 *
 * @example Usage
 * ```ts
 * import { backoffDelay, DEFAULT_RECONNECT } from "@mqload/mqload/client";
 * import assert from "node:assert/strict";
 * const options = { ...DEFAULT_RECONNECT, jitter: false };
 * assert.deepEqual([0, 1, 2, 10].map((n) => backoffDelay(n, options)), [1000, 2000, 4000, 30000]);
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: Readonly<Required<ReconnectOptions>>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    options.max_delay,
    options.initial_delay * options.multiplier ** Math.min(attempt, 1000),
  );
  return options.jitter ? Math.floor(random() * ceiling) : ceiling;
}
