/**
 * k6's `externally-controlled` executor, without k6's REST API: `vus` VUs loop iterations for
 * `duration`, `maxVUs` of them initialized before the test, and iterations still running at the
 * end are interrupted (k6 takes no `gracefulStop` here). Nothing can scale or pause it while it
 * runs, so it runs as configured, and says so; an infinite duration (`0`), which only the API
 * could end, is refused.
 *
 * @module
 */

import { formatDuration } from "../config/duration.ts";
import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import { type BaseConfig, ConfigReader, validateBase } from "./_config.ts";
import type { Executor } from "./executor.ts";
import { forEachConcurrently, loopUntil, type ScenarioRuntime } from "./_runtime.ts";

/** `externally-controlled` config (durations in ms). */
export interface ExternallyControlledConfig extends BaseConfig {
  executor: "externally-controlled";
  /** VUs looping (default 0). */
  vus: number;
  /** VUs initialized before the test (default `vus`). */
  maxVUs: number;
  /** How long the VUs loop (required; 0, k6's infinite, is refused); `undefined` when missing. */
  duration: number | undefined;
}

function parseExternallyControlled(
  name: string,
  raw: Record<string, unknown>,
): { config: ExternallyControlledConfig; errors: string[] } {
  const r = new ConfigReader(raw, ["vus", "maxVUs", "duration"]);
  const vus = r.int("vus", 0)!;
  const config: ExternallyControlledConfig = {
    ...r.base(name, "externally-controlled"),
    executor: "externally-controlled",
    vus,
    maxVUs: r.int("maxVUs", vus)!,
    duration: r.duration("duration"),
  };
  // Interrupted at the end: no grace period, and k6 refuses one given.
  if (r.has("gracefulStop")) {
    r.errors.push("gracefulStop is not supported by the externally controlled executor");
  }
  config.gracefulStop = 0;
  return { config, errors: r.errors };
}

/** k6's `ExternallyControlledConfig.Validate`, and mqload's refusal of an infinite duration. */
function validateExternallyControlled(c: ExternallyControlledConfig): string[] {
  const errors = validateBase(c);
  if (c.vus < 0) errors.push("the number of VUs can't be negative");
  if (c.maxVUs < c.vus) {
    errors.push(
      `the number of active VUs (${c.vus}) must be less than or equal to the number of maxVUs (${c.maxVUs})`,
    );
  }
  // k6's messages advise 0 for an infinite duration, which mqload cannot run.
  if (c.duration === undefined) errors.push("the duration must be specified");
  else if (c.duration < 0) errors.push("the duration can't be negative");
  else if (c.duration === 0) {
    errors.push(
      "an infinite duration needs k6's REST API to end it, which mqload does not have: give a duration",
    );
  }
  return errors;
}

/** k6's description, for the banner. */
function describeExternallyControlled(c: ExternallyControlledConfig): string {
  return `Externally controlled execution with ${c.vus} VUs, ${c.maxVUs} max VUs, ${
    formatDuration(c.duration ?? 0)
  } duration`;
}

/**
 * Loops this Worker's share of `vus` until `duration`, interrupting what runs at the end.
 *
 * @param rt The Worker's runtime for the scenario.
 */
async function runExternallyControlled(rt: ScenarioRuntime<ExternallyControlledConfig>) {
  const c = rt.config;
  const end = rt.startAt + (c.duration ?? 0);
  if (!await rt.waitUntil(rt.startAt)) return;
  rt.warn?.(
    `scenario "${c.name}": externally-controlled runs its ${c.vus} VUs for its duration: ` +
      "mqload has no REST API to scale, pause or resume it",
  );
  const active = Math.min(rt.planned, rt.local.scaleInt(rt.segment.scaleInt(c.vus)));
  await forEachConcurrently(
    rt.slots.slice(0, active),
    async (slot) => loopUntil(rt, await slot.acquire(), end, end),
  );
}

/** k6's `externally-controlled` executor, run as configured. */
export const externallyControlled: Executor<ExternallyControlledConfig> = {
  parse: parseExternallyControlled,
  validate: validateExternallyControlled,
  describe: describeExternallyControlled,
  vus: (c: ExternallyControlledConfig, t: ExecutionTuple) => {
    const n = t.scaleInt(c.maxVUs);
    return { planned: n, max: n };
  },
  durationMs: (c) => c.duration ?? 0,
  run: runExternallyControlled,
};
