/**
 * k6's `ramping-arrival-rate` executor: the iteration start rate follows linear stages from
 * `startRate`. Iteration `n` (from 1) starts when the area under the rate curve reaches `n`;
 * when no VU is free it is dropped (`dropped_iterations`) and a VU is added, up to `maxVUs`.
 *
 * @module
 */

import { formatDuration } from "../config/duration.ts";
import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import { arrivalTimes } from "../segments/segment_schedule.ts";
import {
  arrivalVus,
  type BaseConfig,
  baseInfo,
  ConfigReader,
  type Stage,
  stagesDuration,
  validateBase,
  validateStages,
} from "./_config.ts";
import { localArrivals, runArrivals } from "./_arrival.ts";
import type { Executor } from "./executor.ts";
import type { ScenarioRuntime } from "./_runtime.ts";

/** `ramping-arrival-rate` config (durations in ms). */
export interface RampingArrivalRateConfig extends BaseConfig {
  executor: "ramping-arrival-rate";
  /** Iterations per `timeUnit` at the start (default 0). */
  startRate: number;
  /** The rates' time unit (default 1 s). */
  timeUnit: number;
  /** The stages (required); targets are rates. */
  stages: Stage[];
  /** VUs created before the test (required). */
  preAllocatedVUs: number | undefined;
  /** Most VUs (default `preAllocatedVUs`). */
  maxVUs: number;
}

/**
 * Reads a raw scenario object.
 *
 * @param name The scenario's name.
 * @param raw The object from `options.scenarios`.
 * @returns The config with defaults, and every decoding error.
 */
function parseRampingArrivalRate(
  name: string,
  raw: Record<string, unknown>,
): { config: RampingArrivalRateConfig; errors: string[] } {
  const r = new ConfigReader(raw, ["startRate", "timeUnit", "stages", "preAllocatedVUs", "maxVUs"]);
  const preAllocatedVUs = r.int("preAllocatedVUs");
  const config: RampingArrivalRateConfig = {
    ...r.base(name, "ramping-arrival-rate"),
    executor: "ramping-arrival-rate",
    startRate: r.int("startRate", 0)!,
    timeUnit: r.duration("timeUnit", 1000)!,
    stages: r.stages("stages"),
    preAllocatedVUs,
    maxVUs: r.int("maxVUs", preAllocatedVUs ?? 0)!,
  };
  return { config, errors: r.errors };
}

/**
 * k6's `RampingArrivalRateConfig.Validate`.
 *
 * @param c The config.
 * @returns Every problem found.
 */
function validateRampingArrivalRate(c: RampingArrivalRateConfig): string[] {
  const errors = validateBase(c);
  if (c.startRate < 0) errors.push("the startRate value can't be negative");
  if (c.timeUnit <= 0) errors.push("the timeUnit must be more than 0");
  errors.push(...validateStages(c.stages));
  if (c.preAllocatedVUs === undefined) {
    errors.push("the number of preAllocatedVUs isn't specified");
  } else if (c.preAllocatedVUs < 0) {
    errors.push("the number of preAllocatedVUs can't be negative");
  }
  if (c.maxVUs < (c.preAllocatedVUs ?? 0)) {
    errors.push("maxVUs can't be less than preAllocatedVUs");
  }
  return errors;
}

/** k6's description, for the banner. */
function describeRampingArrivalRate(
  c: RampingArrivalRateConfig,
  tuple: ExecutionTuple,
): string {
  const pre = tuple.scaleInt(c.preAllocatedVUs ?? 0);
  const max = tuple.scaleInt(c.maxVUs);
  const top = Math.max(c.startRate, ...c.stages.map((s) => s.target));
  const perSec = tuple.scaleRate(top * 1000 / c.timeUnit);
  return `Up to ${perSec.toFixed(2)} iterations/s for ${
    formatDuration(stagesDuration(c.stages))
  } over ${c.stages.length} stages` + baseInfo(c, `maxVUs: ${pre}${max > pre ? `-${max}` : ""}`);
}

/** The start offsets (ms) this tuple owns. */
export function* rampingArrivals(
  c: RampingArrivalRateConfig,
  tuple: ExecutionTuple,
): Generator<number> {
  const owned = tuple.forValue(c.maxVUs);
  if (owned === undefined) return;
  const stages = c.stages.map((s) => ({ durationMs: s.duration, target: s.target }));
  yield* arrivalTimes(owned, { startRate: c.startRate, timeUnitMs: c.timeUnit, stages });
}

/**
 * Starts this Worker's share of the iterations. As k6's, the run ends with the last arrival the
 * stages make (k6's loop ends when they yield no more), before the stages' end when the rate
 * ramps down to 0.
 *
 * @param rt The Worker's runtime for the scenario.
 */
function runRampingArrivalRate(rt: ScenarioRuntime<RampingArrivalRateConfig>) {
  const c = rt.config;
  const arrivals = localArrivals(rt, c.maxVUs, rampingArrivals(c, rt.segment));
  return runArrivals(rt, stagesDuration(c.stages), arrivals, "last arrival");
}

/** k6's `ramping-arrival-rate` executor. */
export const rampingArrivalRate: Executor<RampingArrivalRateConfig> = {
  parse: parseRampingArrivalRate,
  validate: validateRampingArrivalRate,
  describe: describeRampingArrivalRate,
  vus: arrivalVus,
  durationMs: (c) => stagesDuration(c.stages),
  // k6 numbers the iterations in the segments' shares of maxVUs, as it splits the arrivals.
  iterationTuple: (c, segment) => segment.forValue(c.maxVUs),
  run: runRampingArrivalRate,
};
