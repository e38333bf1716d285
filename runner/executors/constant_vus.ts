/**
 * k6's `constant-vus` executor: a fixed number of VUs loop iterations for a duration.
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
import { forEachConcurrently, loopUntil, type ScenarioRuntime } from "./_runtime.ts";

/** `constant-vus` config (durations in ms). */
export interface ConstantVusConfig extends BaseConfig {
  executor: "constant-vus";
  /** VUs (default 1). */
  vus: number;
  /** How long the VUs loop (required); `undefined` when missing. */
  duration: number | undefined;
}

/**
 * Reads a raw scenario object.
 *
 * @param name The scenario's name.
 * @param raw The object from `options.scenarios`.
 * @returns The config with defaults, and every decoding error.
 */
function parseConstantVus(
  name: string,
  raw: Record<string, unknown>,
): { config: ConstantVusConfig; errors: string[] } {
  const r = new ConfigReader(raw, ["vus", "duration"]);
  const config: ConstantVusConfig = {
    ...r.base(name, "constant-vus"),
    executor: "constant-vus",
    vus: r.int("vus", 1)!,
    duration: r.duration("duration"),
  };
  return { config, errors: r.errors };
}

/**
 * k6's `ConstantVUsConfig.Validate`.
 *
 * @param c The config.
 * @returns Every problem found.
 */
function validateConstantVus(c: ConstantVusConfig): string[] {
  const errors = validateBase(c);
  if (c.vus <= 0) errors.push("the number of VUs must be more than 0");
  if (c.duration === undefined) errors.push("the duration is unspecified");
  else if (c.duration < MIN_DURATION_MS) {
    errors.push(
      `the duration should be at least ${formatDuration(MIN_DURATION_MS)}, but is ${
        formatDuration(c.duration)
      }`,
    );
  }
  return errors;
}

/** k6's description, for the banner. */
function describeConstantVus(c: ConstantVusConfig, tuple: ExecutionTuple): string {
  return `${tuple.scaleInt(c.vus)} looping VUs for ${formatDuration(c.duration ?? 0)}` +
    baseInfo(c);
}

/**
 * Loops this Worker's VUs until `duration`; running iterations get `gracefulStop`.
 *
 * @param rt The Worker's runtime for the scenario.
 */
async function runConstantVus(rt: ScenarioRuntime<ConstantVusConfig>) {
  const c = rt.config;
  const end = rt.startAt + (c.duration ?? 0);
  const hard = end + c.gracefulStop;
  if (!await rt.waitUntil(rt.startAt)) return;
  await forEachConcurrently(
    rt.slots.slice(0, rt.planned),
    async (slot) => loopUntil(rt, await slot.acquire(), end, hard),
  );
}

/** k6's `constant-vus` executor. */
export const constantVus: Executor<ConstantVusConfig> = {
  parse: parseConstantVus,
  validate: validateConstantVus,
  describe: describeConstantVus,
  vus: fixedVus,
  durationMs: (c) => c.duration ?? 0,
  run: runConstantVus,
};
