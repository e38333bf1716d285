/**
 * How many Workers a bench needs. Each Worker is an event loop of its own, and at the rates
 * broker benchmarks run (many clients, each at a modest rate) most of a generator's CPU goes to
 * waking event loops, not to messages: 100 publishers at 10 msg/s cost 173 µs of CPU per
 * message over two Workers and 120 µs over one (20-30 % less in a user's trial of the bench).
 * So a bench spreads its clients over no more Workers than its planned load needs (and the
 * runner's rule for its clients as VUs), up to one per core; `--workers` overrides.
 *
 * @module
 */

import { defaultWorkers } from "../engine/placement.ts";
import type { BenchConfig } from "./config.ts";

/**
 * Planned messages per second a Worker takes before the bench adds another: one Worker
 * publishes 10,000 QoS 1 messages/s at about half a core, and stays under a core well past
 * 20,000.
 */
export const MESSAGES_PER_WORKER = 20_000;
/** Planned connects per second a Worker takes (a connect costs about half a millisecond). */
export const CONNECTS_PER_WORKER = 1_000;

/**
 * The Workers a bench's planned load needs, at most `cores`: its publications, its connects and
 * its clients (the runner's {@linkcode defaultWorkers}). Publishers with `-I 0` publish as fast
 * as they can: one Worker per core. A subscriber's rate is not known in advance: `undefined`
 * leaves the runner's default for its clients.
 *
 * @param config The bench.
 * @param cores The most Workers to use.
 * @returns The Worker count, or undefined.
 *
 * @example Usage
 * ```ts
 * import { parseBenchArgs } from "./flags.ts";
 * import { plannedWorkers } from "./workers.ts";
 * import assert from "node:assert/strict";
 *
 * const bench = parseBenchArgs(["pub", "-c", "100", "-I", "100", "-t", "t/%i"]);
 * assert.ok(typeof bench !== "string" && !("help" in bench));
 * assert.equal(plannedWorkers(bench.config, 8), 1);
 * ```
 */
export function plannedWorkers(config: BenchConfig, cores: number): number | undefined {
  if (config.kind === "sub") return undefined;
  const c = config.connection;
  const perClients = defaultWorkers(c.count, cores);
  // -i 0 connects every client at once: count them as a second's connects.
  const connects = c.connectIntervalMs === 0 ? c.count : 1000 / c.connectIntervalMs;
  let messages = 0;
  const publish = config.publish;
  if (publish !== undefined) {
    const intervals = publish.topics?.map((t) => t.intervalMs) ?? [publish.intervalMs];
    if (intervals.some((ms) => ms === 0)) return Math.max(1, cores);
    for (const ms of intervals) messages += (c.count * 1000) / ms;
  }
  const needed = Math.ceil(
    Math.max(messages / MESSAGES_PER_WORKER, connects / CONNECTS_PER_WORKER),
  );
  return Math.min(Math.max(1, cores), Math.max(perClients, needed));
}
