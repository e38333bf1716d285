/**
 * k6's executors, one file each: strict config decoding with k6's defaults, `validate()`
 * returning every error, the banner description, the VUs a segment needs, and the Worker-side
 * loop. {@linkcode parseScenario} picks the executor from a raw scenario object.
 *
 * @module
 */

import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import type { BaseConfig, ExecutorType } from "./_config.ts";
import { stagesDuration } from "./_config.ts";
import type { ScenarioRuntime } from "./_runtime.ts";
import {
  describeConstantArrivalRate,
  parseConstantArrivalRate,
  runConstantArrivalRate,
  validateConstantArrivalRate,
} from "./constant_arrival_rate.ts";
import type { ConstantArrivalRateConfig } from "./constant_arrival_rate.ts";
import {
  type ConstantVusConfig,
  describeConstantVus,
  parseConstantVus,
  runConstantVus,
  validateConstantVus,
} from "./constant_vus.ts";
import {
  describePerVuIterations,
  parsePerVuIterations,
  type PerVuIterationsConfig,
  runPerVuIterations,
  validatePerVuIterations,
} from "./per_vu_iterations.ts";
import {
  describeRampingArrivalRate,
  parseRampingArrivalRate,
  type RampingArrivalRateConfig,
  runRampingArrivalRate,
  validateRampingArrivalRate,
} from "./ramping_arrival_rate.ts";
import {
  describeRampingVus,
  parseRampingVus,
  type RampingVusConfig,
  rampingVusMax,
  runRampingVus,
  validateRampingVus,
} from "./ramping_vus.ts";
import {
  describeSharedIterations,
  parseSharedIterations,
  runSharedIterations,
  type SharedIterationsConfig,
  sharedIterationsShare,
  validateSharedIterations,
} from "./shared_iterations.ts";

export type { BaseConfig, ExecutorType, Stage } from "./_config.ts";
export type { RunnableVu, ScenarioRuntime, VuSlot } from "./_runtime.ts";
export { share } from "./_runtime.ts";
export type {
  ConstantArrivalRateConfig,
  ConstantVusConfig,
  PerVuIterationsConfig,
  RampingArrivalRateConfig,
  RampingVusConfig,
  SharedIterationsConfig,
};
export { sharedIterationsShare };

/** Any executor's config. */
export type ScenarioConfig =
  | SharedIterationsConfig
  | PerVuIterationsConfig
  | ConstantVusConfig
  | RampingVusConfig
  | ConstantArrivalRateConfig
  | RampingArrivalRateConfig;

interface Executor<C extends BaseConfig> {
  parse(name: string, raw: Record<string, unknown>): { config: C; errors: string[] };
  validate(config: C): string[];
  describe(config: C, tuple: ExecutionTuple): string;
  vus(config: C, segment: ExecutionTuple): { planned: number; max: number };
  durationMs(config: C): number;
  run(rt: ScenarioRuntime<C>): Promise<void>;
}

const vusOf = (c: { vus: number }, t: ExecutionTuple) => {
  const n = t.scaleInt(c.vus);
  return { planned: n, max: n };
};
const arrivalVus = (c: { preAllocatedVUs?: number; maxVUs: number }, t: ExecutionTuple) => ({
  planned: t.scaleInt(c.preAllocatedVUs ?? 0),
  max: t.scaleInt(c.maxVUs),
});

// deno-lint-ignore no-explicit-any
const EXECUTORS: Record<ExecutorType, Executor<any>> = {
  "shared-iterations": {
    parse: parseSharedIterations,
    validate: validateSharedIterations,
    describe: describeSharedIterations,
    vus: vusOf,
    durationMs: (c: SharedIterationsConfig) => c.maxDuration,
    run: runSharedIterations,
  },
  "per-vu-iterations": {
    parse: parsePerVuIterations,
    validate: validatePerVuIterations,
    describe: describePerVuIterations,
    vus: vusOf,
    durationMs: (c: PerVuIterationsConfig) => c.maxDuration,
    run: runPerVuIterations,
  },
  "constant-vus": {
    parse: parseConstantVus,
    validate: validateConstantVus,
    describe: describeConstantVus,
    vus: vusOf,
    durationMs: (c: ConstantVusConfig) => c.duration ?? 0,
    run: runConstantVus,
  },
  "ramping-vus": {
    parse: parseRampingVus,
    validate: validateRampingVus,
    describe: describeRampingVus,
    vus: (c: RampingVusConfig, t: ExecutionTuple) => {
      const n = rampingVusMax(c, t);
      return { planned: n, max: n };
    },
    durationMs: (c: RampingVusConfig) => stagesDuration(c.stages),
    run: runRampingVus,
  },
  "constant-arrival-rate": {
    parse: parseConstantArrivalRate,
    validate: validateConstantArrivalRate,
    describe: describeConstantArrivalRate,
    vus: arrivalVus,
    durationMs: (c: ConstantArrivalRateConfig) => c.duration ?? 0,
    run: runConstantArrivalRate,
  },
  "ramping-arrival-rate": {
    parse: parseRampingArrivalRate,
    validate: validateRampingArrivalRate,
    describe: describeRampingArrivalRate,
    vus: arrivalVus,
    durationMs: (c: RampingArrivalRateConfig) => stagesDuration(c.stages),
    run: runRampingArrivalRate,
  },
};

/** The executor types, in k6's documentation order. */
export const EXECUTOR_TYPES: readonly ExecutorType[] = Object.keys(EXECUTORS) as ExecutorType[];

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
  const executor = EXECUTORS[type as ExecutorType];
  if (executor === undefined) {
    return {
      errors: [`unknown executor "${type}": expected one of ${EXECUTOR_TYPES.join(", ")}`],
    };
  }
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
  return EXECUTORS[c.executor].describe(c, tuple);
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
  const { planned, max } = EXECUTORS[c.executor].vus(c, segment);
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
  return EXECUTORS[c.executor].durationMs(c);
}

/**
 * When a scenario is over at the latest, from the test start: `startTime`, its duration and
 * `gracefulStop` (plus `gracefulRampDown` for ramping-vus, which may outlast it).
 *
 * @param c The config.
 * @returns Milliseconds.
 */
export function scenarioMaxEndMs(c: ScenarioConfig): number {
  return c.startTime + scenarioDurationMs(c) + c.gracefulStop;
}

/**
 * Runs a Worker's share of a scenario.
 *
 * @param rt The runtime.
 * @returns Resolves when this Worker's VUs are done with the scenario.
 */
export function runScenario(rt: ScenarioRuntime<ScenarioConfig>): Promise<void> {
  return EXECUTORS[rt.config.executor].run(rt);
}
