/**
 * k6's `constant-arrival-rate` executor: `rate` iterations per `timeUnit` start for `duration`,
 * whatever the iterations' length (an open model). Iteration `n` starts at `n × timeUnit / rate`;
 * when no VU is free it is dropped (`dropped_iterations`) and a VU is added, up to `maxVUs`.
 *
 * @module
 */

import { formatDuration } from "../config/duration.ts";
import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import {
  arrivalVus,
  type BaseConfig,
  baseInfo,
  ConfigReader,
  MIN_DURATION_MS,
  validateBase,
} from "./_config.ts";
import { localArrivals, runArrivals } from "./_arrival.ts";
import type { Executor } from "./executor.ts";
import type { ScenarioRuntime } from "./_runtime.ts";

/** `constant-arrival-rate` config (durations in ms). */
export interface ConstantArrivalRateConfig extends BaseConfig {
  executor: "constant-arrival-rate";
  /** Iterations per `timeUnit` (required). */
  rate: number | undefined;
  /** The rate's time unit (default 1 s). */
  timeUnit: number;
  /** How long iterations start (required). */
  duration: number | undefined;
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
function parseConstantArrivalRate(
  name: string,
  raw: Record<string, unknown>,
): { config: ConstantArrivalRateConfig; errors: string[] } {
  const r = new ConfigReader(raw, ["rate", "timeUnit", "duration", "preAllocatedVUs", "maxVUs"]);
  const preAllocatedVUs = r.int("preAllocatedVUs");
  const config: ConstantArrivalRateConfig = {
    ...r.base(name, "constant-arrival-rate"),
    executor: "constant-arrival-rate",
    rate: r.int("rate"),
    timeUnit: r.duration("timeUnit", 1000)!,
    duration: r.duration("duration"),
    preAllocatedVUs,
    maxVUs: r.int("maxVUs", preAllocatedVUs ?? 0)!,
  };
  return { config, errors: r.errors };
}

/**
 * k6's `ConstantArrivalRateConfig.Validate`.
 *
 * @param c The config.
 * @returns Every problem found.
 */
function validateConstantArrivalRate(c: ConstantArrivalRateConfig): string[] {
  const errors = validateBase(c);
  if (c.rate === undefined) errors.push("the iteration rate isn't specified");
  else if (c.rate <= 0) errors.push("the iteration rate must be more than 0");
  if (c.timeUnit <= 0) errors.push("the timeUnit must be more than 0");
  if (c.duration === undefined) errors.push("the duration is unspecified");
  else if (c.duration < MIN_DURATION_MS) {
    errors.push(
      `the duration should be at least ${formatDuration(MIN_DURATION_MS)}, but is ${
        formatDuration(c.duration)
      }`,
    );
  }
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
function describeConstantArrivalRate(
  c: ConstantArrivalRateConfig,
  tuple: ExecutionTuple,
): string {
  const pre = tuple.scaleInt(c.preAllocatedVUs ?? 0);
  const max = tuple.scaleInt(c.maxVUs);
  const perSec = tuple.scaleRate((c.rate ?? 0) * 1000 / c.timeUnit);
  return `${perSec.toFixed(2)} iterations/s for ${formatDuration(c.duration ?? 0)}` +
    baseInfo(c, `maxVUs: ${pre}${max > pre ? `-${max}` : ""}`);
}

/**
 * The start offsets (ms) this tuple owns: the test's arrival `n` starts at
 * `n × timeUnit / rate`, for every `n` that starts before `duration` ends.
 */
export function* constantArrivals(
  c: ConstantArrivalRateConfig,
  tuple: ExecutionTuple,
): Generator<number> {
  const owned = tuple.forValue(c.maxVUs);
  const rate = c.rate ?? 0;
  if (owned === undefined || rate <= 0) return;
  const duration = c.duration ?? 0;
  for (const n of owned.indices()) {
    // n × timeUnit < duration × rate, exactly for integer ms.
    if (n * c.timeUnit >= duration * rate) return;
    yield n * c.timeUnit / rate;
  }
}

/**
 * Starts this Worker's share of the iterations. As k6's, the run lasts the whole `duration`
 * (its loop waits for the end of the regular duration, not for its last arrival).
 *
 * @param rt The Worker's runtime for the scenario.
 */
function runConstantArrivalRate(rt: ScenarioRuntime<ConstantArrivalRateConfig>) {
  const c = rt.config;
  const arrivals = localArrivals(rt, c.maxVUs, constantArrivals(c, rt.segment));
  return runArrivals(rt, c.duration ?? 0, arrivals, "duration");
}

/** k6's `constant-arrival-rate` executor. */
export const constantArrivalRate: Executor<ConstantArrivalRateConfig> = {
  parse: parseConstantArrivalRate,
  validate: validateConstantArrivalRate,
  describe: describeConstantArrivalRate,
  vus: arrivalVus,
  durationMs: (c) => c.duration ?? 0,
  // k6 numbers the iterations in the segments' shares of maxVUs, as it splits the arrivals.
  iterationTuple: (c, segment) => segment.forValue(c.maxVUs),
  run: runConstantArrivalRate,
};
