/**
 * k6's `per-vu-iterations` executor: each VU runs exactly `iterations` iterations.
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

/** `per-vu-iterations` config (durations in ms). */
export interface PerVuIterationsConfig extends BaseConfig {
  executor: "per-vu-iterations";
  /** VUs (default 1). */
  vus: number;
  /** Iterations per VU (default 1). */
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
function parsePerVuIterations(
  name: string,
  raw: Record<string, unknown>,
): { config: PerVuIterationsConfig; errors: string[] } {
  const r = new ConfigReader(raw, ["vus", "iterations", "maxDuration"]);
  const config: PerVuIterationsConfig = {
    ...r.base(name, "per-vu-iterations"),
    executor: "per-vu-iterations",
    vus: r.int("vus", 1)!,
    iterations: r.int("iterations", 1)!,
    maxDuration: r.duration("maxDuration", 600_000)!,
  };
  return { config, errors: r.errors };
}

/**
 * k6's `PerVUIterationsConfig.Validate`.
 *
 * @param c The config.
 * @returns Every problem found.
 */
function validatePerVuIterations(c: PerVuIterationsConfig): string[] {
  const errors = validateBase(c);
  if (c.vus <= 0) errors.push("the number of VUs must be more than 0");
  if (c.iterations <= 0) errors.push("the number of iterations must be more than 0");
  if (c.maxDuration < MIN_DURATION_MS) {
    errors.push(
      `the maxDuration should be at least ${formatDuration(MIN_DURATION_MS)}, but is ${
        formatDuration(c.maxDuration)
      }`,
    );
  }
  return errors;
}

/** k6's description, for the banner. */
function describePerVuIterations(c: PerVuIterationsConfig, tuple: ExecutionTuple): string {
  return `${c.iterations} iterations for each of ${tuple.scaleInt(c.vus)} VUs` +
    baseInfo(c, `maxDuration: ${formatDuration(c.maxDuration)}`);
}

/**
 * Runs this Worker's VUs, `iterations` each, until `maxDuration`; running iterations get
 * `gracefulStop`.
 *
 * @param rt The Worker's runtime for the scenario.
 */
async function runPerVuIterations(rt: ScenarioRuntime<PerVuIterationsConfig>) {
  const c = rt.config;
  const end = rt.startAt + c.maxDuration;
  const hard = end + c.gracefulStop;
  if (!await rt.waitUntil(rt.startAt)) return;
  await forEachConcurrently(rt.slots.slice(0, rt.planned), async (slot) => {
    const vu = await slot.acquire();
    rt.active(1);
    try {
      for (let i = 0; i < c.iterations && rt.running && rt.now() < end; i++) {
        await rt.iterate(vu, hard);
      }
    } finally {
      rt.active(-1);
    }
  });
}

/** k6's `per-vu-iterations` executor. */
export const perVuIterations: Executor<PerVuIterationsConfig> = {
  parse: parsePerVuIterations,
  validate: validatePerVuIterations,
  describe: describePerVuIterations,
  vus: fixedVus,
  durationMs: (c) => c.maxDuration,
  iterations: (c, segment) => segment.scaleInt(c.vus) * c.iterations,
  run: runPerVuIterations,
};
