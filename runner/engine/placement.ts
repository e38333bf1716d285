/**
 * Where the VUs go: this process's share of the test split between its Workers as execution
 * segments, so that k6's striping makes every count exact, and each scenario's VU slots placed
 * on the Workers. VU ids are not placed: as in k6, a VU gets the process's next id when it is
 * initialized (`VuIds`), so ids run 1..vus_max whichever Workers and scenarios hold the VUs.
 *
 * @module
 */

import { ExecutionSegment, ExecutionSegmentSequence } from "../segments/execution_segment.ts";
import { ExecutionTuple } from "../segments/execution_tuple.ts";
import { scenarioVus } from "../executors/mod.ts";
import type { TestPlan } from "../config/options.ts";
import type { ScenarioSlots } from "../worker/messages.ts";

/** The Workers' shares of the process and their VU slots. */
export interface Placement {
  /** Each Worker's share of the process's work. */
  tuples: ExecutionTuple[];
  /** The sequence of those shares. */
  localSequence: ExecutionSegmentSequence;
  /** Each Worker's VU slots per scenario (empty for a Worker with nothing to run). */
  slots: ScenarioSlots[][];
  /** The most VUs the process can initialize (every scenario's `max`, k6's "max VUs"). */
  maxVus: number;
}

/**
 * Splits the plan's VUs between at most `requested` Workers.
 *
 * @param plan The test plan.
 * @param requested The Workers asked for (at most one per VU is used, at least one).
 * @returns The placement.
 */
export function placeVus(plan: TestPlan, requested: number): Placement {
  const maxVus = plan.scenarios.reduce((n, c) => n + scenarioVus(c, plan.tuple).max, 0);
  const count = Math.max(1, Math.min(requested, maxVus));
  // The process's values are split between Workers as if they were the whole test (splitting
  // the k6 segment itself would change how k6's striping shares work between processes).
  const parts = new ExecutionSegment().split(count);
  const localSequence = new ExecutionSegmentSequence(parts);
  const tuples = parts.map((p) => new ExecutionTuple(p, localSequence));
  const slots: ScenarioSlots[][] = tuples.map(() => []);
  for (const config of plan.scenarios) {
    tuples.forEach((tuple, w) => {
      const { planned, max } = scenarioVus(config, plan.tuple, tuple);
      if (max > 0) slots[w].push({ config, count: max, planned });
    });
  }
  return { tuples, localSequence, slots, maxVus };
}
