/**
 * Where the VUs go: this process's share of the test split between its Workers as execution
 * segments, so that k6's striping makes every count exact, and each scenario's VU slots placed
 * on the Workers. As k6's execution plan, a Worker needs the most VUs its scenarios run at once
 * (a scenario holds its VUs from its `startTime` to the end of its `gracefulStop`), not their sum:
 * scenarios that run one after the other share VUs. VU ids are not placed: as in k6, a VU gets the
 * process's next id when it is initialized (a `SharedCounter`), so ids run 1..vus_max.
 *
 * @module
 */

import { ExecutionSegment, ExecutionSegmentSequence } from "../segments/execution_segment.ts";
import { ExecutionTuple } from "../segments/execution_tuple.ts";
import { type ScenarioConfig, scenarioMaxEndMs, scenarioVus } from "../executors/mod.ts";
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
  /** Each Worker's most planned VUs at once, and planned and unplanned VUs at once. */
  vus: WorkerVus[];
  /** The most VUs the process can run at once (k6's "max VUs", `GetMaxPossibleVUs`). */
  maxVus: number;
}

/** The VUs a Worker initializes before the test, and at most. */
export interface WorkerVus {
  /** The most planned VUs its scenarios run at once: initialized before the test. */
  planned: number;
  /** The most planned and unplanned VUs they run at once. */
  possible: number;
}

/**
 * VUs per Worker when `--workers` is not given. Each Worker is an event loop that wakes on its
 * own, so a light load spread over more Workers costs more CPU, and on a machine shared with the
 * broker the Workers and the broker take each other's cores: against a local mosquitto on 2
 * cores, one Worker instead of two took CPU per message from 173 to 120 µs (100 VUs at 10 msg/s)
 * and fan-out to 1,000 subscribers from 29.2 to 20.8 µs per delivery, where it also kept up. A
 * test with more VUs gets a Worker per 2,000, up to one per core (10,000 VUs hold less memory
 * on two Workers than on one); a few VUs that each publish flat out take `--workers N`.
 */
export const VUS_PER_WORKER = 2000;

/**
 * The Workers a run uses by default: one per {@linkcode VUS_PER_WORKER} VUs, at least one, at
 * most `cores`.
 *
 * @param maxVus The most VUs the process runs at once.
 * @param cores The CPU cores.
 * @returns The Worker count.
 */
export function defaultWorkers(maxVus: number, cores: number): number {
  return Math.max(1, Math.min(cores, Math.ceil(maxVus / VUS_PER_WORKER)));
}

/**
 * Splits the plan's VUs between at most `requested` Workers.
 *
 * @param plan The test plan.
 * @param requested The Workers asked for (at most one per VU is used, at least one); by
 * default {@linkcode defaultWorkers} of the CPU cores.
 * @returns The placement.
 */
export function placeVus(plan: TestPlan, requested?: number): Placement {
  const whole = plan.scenarios.map((config) => ({ config, ...scenarioVus(config, plan.tuple) }));
  const maxVus = mostAtOnce(whole).possible;
  const wanted = requested ?? defaultWorkers(maxVus, navigator.hardwareConcurrency ?? 1);
  const count = Math.max(1, Math.min(wanted, maxVus));
  // The process's values are split between Workers as if they were the whole test (splitting
  // the k6 segment itself would change how k6's striping shares work between processes).
  const parts = new ExecutionSegment().split(count);
  const localSequence = new ExecutionSegmentSequence(parts);
  const tuples = parts.map((p) => new ExecutionTuple(p, localSequence));
  const slots = tuples.map((tuple) =>
    plan.scenarios.map((config) => ({ config, ...scenarioVus(config, plan.tuple, tuple) }))
      .filter((share) => share.max > 0)
  );
  const vus = slots.map(mostAtOnce);
  return {
    tuples,
    localSequence,
    slots: slots.map((list) =>
      list.map(({ config, planned, max }) => ({ config, count: max, planned }))
    ),
    vus,
    maxVus,
  };
}

/**
 * k6's `GetMaxPlannedVUs` and `GetMaxPossibleVUs` over the execution plan: each scenario needs
 * its VUs from its `startTime` until its `gracefulStop` is over; the most needed at once. A
 * scenario ending when another starts gives its VUs over (k6 orders steps of the same time by
 * the scenarios' start, so the ending one comes first).
 */
function mostAtOnce(
  shares: ReadonlyArray<{ config: ScenarioConfig; planned: number; max: number }>,
): WorkerVus {
  const steps: Array<{ at: number; planned: number; possible: number }> = [];
  for (const { config, planned, max } of shares) {
    steps.push({ at: config.startTime, planned, possible: max });
    steps.push({ at: scenarioMaxEndMs(config), planned: -planned, possible: -max });
  }
  steps.sort((a, b) => a.at - b.at || a.possible - b.possible);
  const most = { planned: 0, possible: 0 };
  const now = { planned: 0, possible: 0 };
  for (const step of steps) {
    now.planned += step.planned;
    now.possible += step.possible;
    most.planned = Math.max(most.planned, now.planned);
    most.possible = Math.max(most.possible, now.possible);
  }
  return most;
}
