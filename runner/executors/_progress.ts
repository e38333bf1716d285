/**
 * A scenario's progress from its executor's record: the share of its iterations done for
 * executors that count them (as k6 does), else the share of its duration passed.
 *
 * @module
 */

import { formatDuration } from "../config/duration.ts";
import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import type { BaseConfig } from "./_config.ts";
import type { Executor, ProgressInput, ScenarioProgress } from "./executor.ts";

/**
 * k6's time beside a progress bar: `05.0s/30s`.
 *
 * @param elapsedMs Time spent (clamped to `[0, totalMs]`).
 * @param totalMs The whole.
 * @returns The text.
 */
function timeDetail(elapsedMs: number, totalMs: number): string {
  const spent = Math.min(Math.max(0, elapsedMs), totalMs);
  const s = (spent / 1000).toFixed(1).padStart(4, "0");
  return `${s}s/${formatDuration(totalMs)}`;
}

/** See the module documentation. */
export function progressOf<C extends BaseConfig>(
  executor: Executor<C>,
  config: C,
  segment: ExecutionTuple,
  at: ProgressInput,
): ScenarioProgress {
  const duration = executor.durationMs(config);
  const time = timeDetail(at.sinceMs, duration);
  if (executor.iterations === undefined) {
    return { fraction: duration > 0 ? at.sinceMs / duration : 1, detail: time };
  }
  const target = executor.iterations(config, segment);
  return {
    fraction: target > 0 ? at.iterationsDone / target : 1,
    detail: `${at.iterationsDone}/${target} iters, ${time}`,
  };
}
