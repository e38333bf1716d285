/**
 * The executor registry: k6's executor names to their records, in k6's documentation order.
 * Adding an executor is one file exporting an {@linkcode Executor} record and one line here;
 * everything that depends on the executor type goes through the functions below.
 *
 * @module
 */

import { ExecutionTuple } from "../segments/execution_tuple.ts";
import type { Executor, ProgressInput, ScenarioProgress } from "./executor.ts";
import type { ScenarioRuntime } from "./_runtime.ts";
import { progressOf } from "./_progress.ts";
import { sharedIterations } from "./shared_iterations.ts";
import { perVuIterations } from "./per_vu_iterations.ts";
import { constantVus } from "./constant_vus.ts";
import { rampingVus } from "./ramping_vus.ts";
import { constantArrivalRate } from "./constant_arrival_rate.ts";
import { rampingArrivalRate } from "./ramping_arrival_rate.ts";
import { externallyControlled } from "./externally_controlled.ts";

/** Every executor, by k6's name. */
export const EXECUTORS = {
  "shared-iterations": sharedIterations,
  "per-vu-iterations": perVuIterations,
  "constant-vus": constantVus,
  "ramping-vus": rampingVus,
  "constant-arrival-rate": constantArrivalRate,
  "ramping-arrival-rate": rampingArrivalRate,
  "externally-controlled": externallyControlled,
} as const;

/** The executors mqload runs (k6's names). */
export type ExecutorType = keyof typeof EXECUTORS;

/** Any executor's config. */
export type ScenarioConfig = {
  [K in ExecutorType]: (typeof EXECUTORS)[K] extends Executor<infer C> ? C : never;
}[ExecutorType];

/** The executor types, in k6's documentation order. */
export const EXECUTOR_TYPES: readonly ExecutorType[] = Object.keys(EXECUTORS) as ExecutorType[];

/** The record of a config's executor, typed for that config. */
function executorOf<C extends ScenarioConfig>(c: C): Executor<C> {
  return EXECUTORS[c.executor] as unknown as Executor<C>;
}

/**
 * Decodes and validates one scenario.
 *
 * @param name The scenario's name.
 * @param raw Its object from `options.scenarios`.
 * @returns The config (when the executor is known) and every error found.
 */
export function parseScenario(
  name: string,
  raw: unknown,
): { config?: ScenarioConfig; errors: string[] } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { errors: ["the scenario must be an object"] };
  }
  const type = (raw as Record<string, unknown>).executor;
  if (typeof type !== "string" || type === "") {
    return { errors: ["missing or empty executor field"] };
  }
  if (!Object.hasOwn(EXECUTORS, type)) {
    return {
      errors: [`unknown executor "${type}": expected one of ${EXECUTOR_TYPES.join(", ")}`],
    };
  }
  const executor = EXECUTORS[type as ExecutorType] as Executor<ScenarioConfig>;
  const { config, errors } = executor.parse(name, raw as Record<string, unknown>);
  return { config, errors: [...errors, ...executor.validate(config)] };
}

/**
 * k6's one-line description of a scenario, for the banner.
 *
 * @param c The config.
 * @param tuple The share described.
 * @returns The text, such as `10 looping VUs for 30s (gracefulStop: 30s)`.
 */
export function describeScenario(c: ScenarioConfig, tuple: ExecutionTuple): string {
  return executorOf(c).describe(c, tuple);
}

/**
 * The VUs a share of a scenario needs.
 *
 * @param c The config.
 * @param segment The process's execution segment.
 * @param local A Worker's share of the process (omit for the whole process).
 * @returns Planned (initialized before the test) and maximum VUs.
 */
export function scenarioVus(
  c: ScenarioConfig,
  segment: ExecutionTuple,
  local?: ExecutionTuple,
): { planned: number; max: number } {
  const { planned, max } = executorOf(c).vus(c, segment);
  if (local === undefined) return { planned, max };
  return { planned: local.scaleInt(planned), max: local.scaleInt(max) };
}

/**
 * How long a scenario runs, without `startTime` and `gracefulStop`.
 *
 * @param c The config.
 * @returns Milliseconds.
 */
export function scenarioDurationMs(c: ScenarioConfig): number {
  return executorOf(c).durationMs(c);
}

/**
 * When a scenario is over at the latest, from the test start: `startTime`, its duration and
 * `gracefulStop`, or what the executor says (ramping-vus: its last graceful step, which a ramp
 * down to 0 and `gracefulRampDown` may bring sooner).
 *
 * @param c The config.
 * @param segment This process's share (the whole test when not given).
 * @returns Milliseconds.
 */
export function scenarioMaxEndMs(c: ScenarioConfig, segment?: ExecutionTuple): number {
  const executor = executorOf(c);
  const most = executor.maxDurationMs?.(c, segment ?? new ExecutionTuple());
  return c.startTime + (most ?? executor.durationMs(c) + c.gracefulStop);
}

/**
 * The iterations the main thread hands out in chunks for a scenario whose VUs share one budget
 * (`shared-iterations`); undefined for the others, whose Workers each own their share.
 *
 * @param c The config.
 * @param segment The process's execution segment.
 * @returns The process's iterations, or undefined.
 */
export function sharedBudget(c: ScenarioConfig, segment: ExecutionTuple): number | undefined {
  const executor = executorOf(c);
  return executor.sharedBudget ? executor.iterations?.(c, segment) : undefined;
}

/**
 * The striping k6 numbers a scenario's iterations in: the `n`-th iteration the process starts
 * (from 0) is the test's `globalIndex(n)` (`exec.scenario.iterationInTest`), so that the
 * processes of a test split by `--execution-segment` share no number.
 *
 * @param c The config.
 * @param segment The process's execution segment.
 * @returns The tuple (the segment itself for most executors).
 *
 * @example Usage
 * ```ts
 * import { iterationTuple, parseScenario } from "./registry.ts";
 * import { ExecutionTuple } from "../segments/execution_tuple.ts";
 * import assert from "node:assert/strict";
 *
 * const { config } = parseScenario("s", { executor: "per-vu-iterations", vus: 2, iterations: 5 });
 * assert.equal(iterationTuple(config!, new ExecutionTuple()).globalIndex(7), 7);
 * ```
 */
export function iterationTuple(c: ScenarioConfig, segment: ExecutionTuple): ExecutionTuple {
  // A segment with no share of the VUs runs no iteration: any tuple does.
  return executorOf(c).iterationTuple?.(c, segment) ?? segment;
}

/**
 * How far a scenario is: the share of its iterations done for executors that count them (as
 * k6 does), else the share of its duration passed.
 *
 * @param c The config.
 * @param segment The process's execution segment.
 * @param at Time since the scenario's start and iterations done in this process.
 * @returns The fraction and the text beside the progress bar.
 *
 * @example Usage
 * ```ts
 * import { parseScenario, scenarioProgress } from "./registry.ts";
 * import { ExecutionTuple } from "../segments/execution_tuple.ts";
 * import assert from "node:assert/strict";
 *
 * const { config } = parseScenario("s", { executor: "per-vu-iterations", vus: 2, iterations: 5 });
 * const p = scenarioProgress(config!, new ExecutionTuple(), { sinceMs: 1500, iterationsDone: 4 });
 * assert.equal(p.fraction, 0.4);
 * assert.equal(p.detail, "4/10 iters, 01.5s/10m0s");
 * ```
 */
export function scenarioProgress(
  c: ScenarioConfig,
  segment: ExecutionTuple,
  at: ProgressInput,
): ScenarioProgress {
  return progressOf(executorOf(c), c, segment, at);
}

/**
 * Runs a Worker's share of a scenario.
 *
 * @param rt The runtime.
 * @returns Resolves when this Worker's VUs are done with the scenario.
 */
export function runScenario(rt: ScenarioRuntime<ScenarioConfig>): Promise<void> {
  return executorOf(rt.config).run(rt);
}
