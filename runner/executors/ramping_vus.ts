/**
 * k6's `ramping-vus` executor: the number of looping VUs follows linear stages. A VU ramped
 * down finishes its iteration within `gracefulRampDown`; at the end, within `gracefulStop`.
 *
 * @module
 */

import { formatDuration } from "../config/duration.ts";
import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import { rampingVUsSteps, type VUStep } from "../segments/segment_schedule.ts";
import {
  type BaseConfig,
  baseInfo,
  ConfigReader,
  type Stage,
  stagesDuration,
  validateBase,
  validateStages,
} from "./_config.ts";
import type { Executor } from "./executor.ts";
import { forEachConcurrently, loopUntil, type ScenarioRuntime } from "./_runtime.ts";
import { gracefulSteps, hardStops } from "./_graceful_steps.ts";

/** `ramping-vus` config (durations in ms). */
export interface RampingVusConfig extends BaseConfig {
  executor: "ramping-vus";
  /** VUs at the start (default 1). */
  startVUs: number;
  /** The stages (required). */
  stages: Stage[];
  /** Time a ramped-down VU gets to finish its iteration (default 30 s). */
  gracefulRampDown: number;
}

/**
 * Reads a raw scenario object.
 *
 * @param name The scenario's name.
 * @param raw The object from `options.scenarios`.
 * @returns The config with defaults, and every decoding error.
 */
function parseRampingVus(
  name: string,
  raw: Record<string, unknown>,
): { config: RampingVusConfig; errors: string[] } {
  const r = new ConfigReader(raw, ["startVUs", "stages", "gracefulRampDown"]);
  const config: RampingVusConfig = {
    ...r.base(name, "ramping-vus"),
    executor: "ramping-vus",
    startVUs: r.int("startVUs", 1)!,
    stages: r.stages("stages"),
    gracefulRampDown: r.duration("gracefulRampDown", 30_000)!,
  };
  return { config, errors: r.errors };
}

/**
 * k6's `RampingVUsConfig.Validate`.
 *
 * @param c The config.
 * @returns Every problem found.
 */
function validateRampingVus(c: RampingVusConfig): string[] {
  const errors = validateBase(c);
  if (c.startVUs < 0) errors.push("the number of start VUs can't be negative");
  if (Math.max(c.startVUs, ...c.stages.map((s) => s.target)) <= 0) {
    errors.push("either startVUs or one of the stages' target values must be greater than 0");
  }
  errors.push(...validateStages(c.stages));
  if (c.gracefulRampDown < 0) errors.push("the gracefulRampDown timeout can't be negative");
  return errors;
}

/** The stages as the schedule reads them. */
const rampStages = (c: RampingVusConfig) =>
  c.stages.map((s) => ({ durationMs: s.duration, target: s.target }));

/** This segment's VU count over time (k6's raw execution steps, ending with 0). */
export function rampingVusSteps(c: RampingVusConfig, tuple: ExecutionTuple): VUStep[] {
  return rampingVUsSteps(tuple, c.startVUs, rampStages(c), true);
}

/** k6's graceful steps of the segment: the most VUs allowed over time (see _graceful_steps). */
function segmentGracefulSteps(c: RampingVusConfig, tuple: ExecutionTuple): VUStep[] {
  const raw = rampingVUsSteps(tuple, c.startVUs, rampStages(c), false);
  return gracefulSteps(raw, c.gracefulRampDown, stagesDuration(c.stages) + c.gracefulStop);
}

/** k6's max duration: the offset of the last graceful step, when no VU may run any more. */
function maxDurationMs(c: RampingVusConfig, tuple: ExecutionTuple): number {
  const steps = segmentGracefulSteps(c, tuple);
  return steps[steps.length - 1]?.timeMs ?? stagesDuration(c.stages) + c.gracefulStop;
}

/** The most VUs this segment runs at once. */
export function rampingVusMax(c: RampingVusConfig, tuple: ExecutionTuple): number {
  return Math.max(0, ...rampingVusSteps(c, tuple).map((s) => s.vus));
}

/** k6's description, for the banner. */
function describeRampingVus(c: RampingVusConfig, tuple: ExecutionTuple): string {
  return `Up to ${rampingVusMax(c, tuple)} looping VUs for ${
    formatDuration(stagesDuration(c.stages))
  } over ${c.stages.length} stages` +
    baseInfo(c, `gracefulRampDown: ${formatDuration(c.gracefulRampDown)}`);
}

/** The `[from, to)` offsets during which this segment's VU number `index` (0-based) is active. */
export function activeIntervals(steps: readonly VUStep[], index: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from: number | undefined;
  for (const step of steps) {
    if (step.vus > index && from === undefined) from = step.timeMs;
    else if (step.vus <= index && from !== undefined) {
      if (step.timeMs > from) out.push([from, step.timeMs]);
      from = undefined;
    }
  }
  return out;
}

/**
 * Starts and stops this Worker's VUs along the stages.
 *
 * @param rt The Worker's runtime for the scenario.
 */
async function runRampingVus(rt: ScenarioRuntime<RampingVusConfig>) {
  const c = rt.config;
  const total = stagesDuration(c.stages);
  const end = rt.startAt + total;
  const hardEnd = end + c.gracefulStop;
  const steps = rampingVusSteps(c, rt.segment);
  // A VU stops starting iterations when ramped down, and is interrupted at its next hard stop:
  // k6's graceful steps, which skip a ramp-down the schedule climbs back from in time.
  const graceful = segmentGracefulSteps(c, rt.segment);
  // Slot k of this Worker is the process's VU number positions[k] (0-based).
  const slots = rt.slots.slice(0, rt.planned);
  const owned = rt.local.indices();
  const position = slots.map(() => owned.next().value);
  await forEachConcurrently(slots, async (slot, k) => {
    const stops = hardStops(graceful, position[k]);
    for (const [from, to] of activeIntervals(steps, position[k])) {
      if (!await rt.waitUntil(rt.startAt + from)) return;
      const vu = await slot.acquire();
      const hardStop = stops.find((at) => at >= to);
      const hardAt = Math.min(hardStop === undefined ? hardEnd : rt.startAt + hardStop, hardEnd);
      await loopUntil(rt, vu, rt.startAt + to, hardAt);
    }
  });
}

/** k6's `ramping-vus` executor. */
export const rampingVus: Executor<RampingVusConfig> = {
  parse: parseRampingVus,
  validate: validateRampingVus,
  describe: describeRampingVus,
  vus: (c, t) => {
    const n = rampingVusMax(c, t);
    return { planned: n, max: n };
  },
  durationMs: (c) => stagesDuration(c.stages),
  maxDurationMs,
  run: runRampingVus,
};
