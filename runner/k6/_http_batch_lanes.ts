/**
 * How `http.batch()` runs its requests, as k6's `batch` and `batchPerHost` options bound them:
 * at most `limit` at once, and at most `perHost` at once to one host (0: no per-host bound),
 * each started as soon as both allow it, in the order given.
 *
 * @module
 */

/**
 * Runs `run` for every item, within the bounds; resolves with the results in the items' order,
 * or rejects with the first failure.
 *
 * @example Usage
 * ```ts
 * import { runBounded } from "./_http_batch_lanes.ts";
 * import assert from "node:assert/strict";
 *
 * let most = 0, now = 0;
 * const results = await runBounded(["a", "a", "a", "b"], 3, 2, (x) => x, async (x) => {
 *   most = Math.max(most, ++now);
 *   await Promise.resolve();
 *   now--;
 *   return x.toUpperCase();
 * });
 * assert.deepEqual(results, ["A", "A", "A", "B"]);
 * assert.equal(most, 3);
 * ```
 *
 * @param items What to run.
 * @param limit The most at once (at least 1).
 * @param perHost The most at once with one key (0: no bound).
 * @param hostOf An item's key (its host).
 * @param run Runs one item.
 * @returns The results.
 */
export function runBounded<T, R>(
  items: readonly T[],
  limit: number,
  perHost: number,
  hostOf: (item: T) => string,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  if (items.length === 0) return Promise.resolve(results);
  const hosts = items.map(hostOf);
  const active = new Map<string, number>();
  const waiting = items.map((_, i) => i);
  let running = 0;
  let finished = 0;
  return new Promise((resolve, reject) => {
    const pump = () => {
      for (let k = 0; k < waiting.length && running < Math.max(1, limit); k++) {
        const i = waiting[k];
        const host = hosts[i];
        const busy = active.get(host) ?? 0;
        if (perHost > 0 && busy >= perHost) continue;
        waiting.splice(k--, 1);
        active.set(host, busy + 1);
        running++;
        run(items[i]).then((result) => {
          results[i] = result;
          running--;
          active.set(host, active.get(host)! - 1);
          if (++finished === items.length) resolve(results);
          else pump();
        }, reject);
      }
    };
    pump();
  });
}
