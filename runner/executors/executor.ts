/**
 * The contract of an executor: one record per k6 executor, in its own file, listed once in the
 * registry (`registry.ts`). The record owns everything that depends on the executor type — its
 * config, validation, banner text, VUs, duration, iteration count, shared budget and the
 * Worker-side loop — and a scenario's progress is computed from its duration and iteration count
 * in one place (`registry.ts` `scenarioProgress()`), so that nothing else recomputes how far a
 * scenario is.
 *
 * @module
 */

import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import type { BaseConfig } from "./_config.ts";
import type { ScenarioRuntime } from "./_runtime.ts";

/** How far a scenario is, as the progress bar and `exec.scenario.progress` show it. */
export interface ScenarioProgress {
  /** The share done: 0 at the start, 1 at the end (may run past 1 on a late stop). */
  fraction: number;
  /** The text beside the bar, such as `05.0s/30s` or `3/10 iters, 01.2s/10m0s`. */
  detail: string;
}

/** What a scenario's progress is computed from. */
export interface ProgressInput {
  /** Milliseconds since the scenario's start (negative before it). */
  sinceMs: number;
  /** Iterations the scenario completed so far, in this process. */
  iterationsDone: number;
}

/** One k6 executor. */
export interface Executor<C extends BaseConfig> {
  /** Reads a raw scenario object: the config with k6's defaults, and every decoding error. */
  parse(name: string, raw: Record<string, unknown>): { config: C; errors: string[] };
  /** k6's `Validate`: every problem of a decoded config. */
  validate(config: C): string[];
  /** k6's one-line description for the banner. */
  describe(config: C, tuple: ExecutionTuple): string;
  /** The VUs the segment needs: planned (initialized before the test) and at most. */
  vus(config: C, segment: ExecutionTuple): { planned: number; max: number };
  /** How long the scenario runs, without `startTime` and `gracefulStop`, in ms. */
  durationMs(config: C): number;
  /**
   * How long the segment's share runs at the most, graceful stops included (k6's last
   * execution requirement step); by default `durationMs` and `gracefulStop`.
   */
  maxDurationMs?(config: C, segment: ExecutionTuple): number;
  /**
   * The iterations the segment runs in all, for executors that count iterations; absent for
   * executors that run for a time.
   */
  iterations?(config: C, segment: ExecutionTuple): number;
  /**
   * Whether the main thread hands the segment's iterations out to the Workers in chunks (one
   * budget shared by every VU, as `shared-iterations`), instead of each Worker owning its share.
   */
  readonly sharedBudget?: boolean;
  /**
   * The striping in which k6 numbers the scenario's iterations across the test
   * (`exec.scenario.iterationInTest`, its `iterSegIndex`), when not the segment's own: k6
   * re-segments by the VUs that share the iterations (`forValue`).
   */
  iterationTuple?(config: C, segment: ExecutionTuple): ExecutionTuple | undefined;
  /** Runs a Worker's share of the scenario; resolves when its VUs are done with it. */
  run(rt: ScenarioRuntime<C>): Promise<void>;
}
