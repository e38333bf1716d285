/**
 * k6's `shared-iterations` executor: a fixed number of iterations shared by a fixed number of
 * VUs; fast VUs do more of them. The main thread hands the budget out to Workers in chunks.
 *
 * @module
 */

import { formatDuration } from "../config/duration.ts";
import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import {
  type BaseConfig,
  baseInfo,
  ConfigReader,
  fixedVus,
  MIN_DURATION_MS,
  validateBase,
} from "./_config.ts";
import type { Executor } from "./executor.ts";
import { forEachConcurrently, type ScenarioRuntime } from "./_runtime.ts";

/** `shared-iterations` config (durations in ms). */
export interface SharedIterationsConfig extends BaseConfig {
  executor: "shared-iterations";
  /** VUs (default 1). */
  vus: number;
  /** Iterations shared by all VUs (default 1). */
  iterations: number;
  /** Hard limit of the scenario (default 10 min). */
  maxDuration: number;
}

/**
 * Reads a raw scenario object.
 *
 * @param name The scenario's name.
 * @param raw The object from `options.scenarios`.
 * @returns The config with defaults, and every decoding error.
 */
function parseSharedIterations(
  name: string,
  raw: Record<string, unknown>,
): { config: SharedIterationsConfig; errors: string[] } {
  const r = new ConfigReader(raw, ["vus", "iterations", "maxDuration"]);
  const config: SharedIterationsConfig = {
    ...r.base(name, "shared-iterations"),
    executor: "shared-iterations",
    vus: r.int("vus", 1)!,
    iterations: r.int("iterations", 1)!,
    maxDuration: r.duration("maxDuration", 600_000)!,
  };
  return { config, errors: r.errors };
}

/**
 * k6's `SharedIterationsConfig.Validate`.
 *
 * @param c The config.
 * @returns Every problem found.
 */
function validateSharedIterations(c: SharedIterationsConfig): string[] {
  const errors = validateBase(c);
  if (c.vus <= 0) errors.push("the number of VUs must be more than 0");
  if (c.iterations < c.vus) {
    errors.push(
      `the number of iterations (${c.iterations}) can't be less than the number of VUs (${c.vus})`,
    );
  }
  if (c.maxDuration < MIN_DURATION_MS) {
    errors.push(
      `the maxDuration should be at least ${formatDuration(MIN_DURATION_MS)}, but is ${
        formatDuration(c.maxDuration)
      }`,
    );
  }
  return errors;
}

/** The whole test's VUs and this segment's share of the iterations. */
export function sharedIterationsShare(
  c: SharedIterationsConfig,
  tuple: ExecutionTuple,
): { vus: number; iterations: number } {
  return {
    vus: tuple.scaleInt(c.vus),
    iterations: tuple.forValue(c.vus)?.scaleInt(c.iterations) ?? 0,
  };
}

/** k6's description, for the banner. */
function describeSharedIterations(c: SharedIterationsConfig, tuple: ExecutionTuple): string {
  const share = sharedIterationsShare(c, tuple);
  return `${share.iterations} iterations shared among ${share.vus} VUs` +
    baseInfo(c, `maxDuration: ${formatDuration(c.maxDuration)}`);
}

/**
 * Runs this Worker's VUs: each takes the next iteration number from the shared budget until it
 * is spent or `maxDuration` passes; running iterations get `gracefulStop`.
 *
 * @param rt The Worker's runtime for the scenario.
 */
async function runSharedIterations(rt: ScenarioRuntime<SharedIterationsConfig>) {
  const c = rt.config;
  const end = rt.startAt + c.maxDuration;
  const hard = end + c.gracefulStop;
  if (!await rt.waitUntil(rt.startAt)) return;
  await forEachConcurrently(rt.slots.slice(0, rt.planned), async (slot) => {
    const vu = await slot.acquire();
    rt.active(1);
    try {
      while (rt.running && rt.now() < end) {
        const index = await rt.take();
        if (index === undefined || !rt.running || rt.now() >= end) break;
        await rt.iterate(vu, hard);
      }
    } finally {
      rt.active(-1);
    }
  });
}

/** k6's `shared-iterations` executor. */
export const sharedIterations: Executor<SharedIterationsConfig> = {
  parse: parseSharedIterations,
  validate: validateSharedIterations,
  describe: describeSharedIterations,
  vus: fixedVus,
  durationMs: (c) => c.maxDuration,
  iterations: (c, segment) => sharedIterationsShare(c, segment).iterations,
  sharedBudget: true,
  // k6 numbers the iterations in the segments' shares of the VUs, as it splits them.
  iterationTuple: (c, segment) => segment.forValue(c.vus),
  run: runSharedIterations,
};
