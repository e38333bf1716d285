/**
 * k6's test options, from the layers of a run to the engine's plan: `K6_*` variables and
 * `--stage` values read (`cli/flags.ts` reads the other flags), layers consolidated with k6's
 * precedence (a higher layer's execution option replaces all of them from lower ones), shortcut
 * options turned into scenarios as k6's `DeriveScenariosFromShortcuts`, and {@linkcode buildPlan},
 * which checks the options it reads itself, has the executors, segment and threshold parsers
 * check theirs, and throws their problems together in one {@linkcode InvalidConfigError}.
 *
 * @module
 */

import { parseDuration } from "./duration.ts";
import { InvalidConfigError } from "./invalid_config.ts";
import { deriveScenarios } from "./shortcuts.ts";
import { checkHttpOptions, readHttpEnv } from "./k6_http_options.ts";

export { InvalidConfigError };
export { deriveScenarios, exposedOptions } from "./shortcuts.ts";
import {
  parseExecutionSegment,
  parseExecutionSegmentSequence,
} from "../segments/execution_segment.ts";
import { ExecutionTuple } from "../segments/execution_tuple.ts";
import { parsePercentile } from "../metrics/types.ts";
import { parseScenario, type ScenarioConfig } from "../executors/mod.ts";
import { parseThresholds, type Thresholds, type ThresholdsConfig } from "../metrics/thresholds.ts";

/** A `{duration, target}` stage as written in options (`duration` a string or ms). */
export interface StageOption {
  /** Stage length: `"30s"` or ms. */
  duration: string | number;
  /** Target VUs. */
  target?: number;
}

/** The k6 options mqload reads (others are kept and passed to `exec.test.options`). */
export interface TestOptions {
  /** VUs of the shortcut scenario. */
  vus?: number;
  /** Duration shortcut (constant-vus). */
  duration?: string | number;
  /** Iterations shortcut (shared-iterations). */
  iterations?: number;
  /** Stages shortcut (ramping-vus). */
  stages?: StageOption[];
  /** Scenarios by name. */
  scenarios?: Record<string, unknown>;
  /** Thresholds by metric key. */
  thresholds?: ThresholdsConfig;
  /** Limit for `setup()` (default 60 s). */
  setupTimeout?: string | number;
  /** Limit for `teardown()` (default 60 s). */
  teardownTimeout?: string | number;
  /** Tags added to every sample. */
  tags?: Record<string, string>;
  /** Trend statistics of the summary. */
  summaryTrendStats?: string[];
  /** Time unit of the summary (`s`, `ms`, `us`). */
  summaryTimeUnit?: string;
  /** Skip threshold evaluation. */
  noThresholds?: boolean;
  /** This instance's execution segment (`"1/4:2/4"`). */
  executionSegment?: string;
  /** All the segments of the test (`"0,1/4,2/4,3/4,1"`). */
  executionSegmentSequence?: string;
  /** k6's noSetup (`--no-setup`, `K6_NO_SETUP`): `setup()` is not run. */ noSetup?: boolean;
  /** k6's noTeardown (`--no-teardown`): `teardown()` is not run. */ noTeardown?: boolean;
  /** Any other k6 option, carried as is. */
  [key: string]: unknown;
}

const EXECUTION_KEYS = ["duration", "iterations", "stages", "scenarios"] as const;

/**
 * Applies a higher layer over a lower one, as k6's `Options.Apply`.
 *
 * @param lower The lower layer (script).
 * @param higher The higher layer (environment, flags).
 * @returns The merged options.
 */
export function applyOptions(lower: TestOptions, higher: TestOptions): TestOptions {
  const out: TestOptions = { ...lower };
  if (EXECUTION_KEYS.some((k) => higher[k] !== undefined)) {
    for (const k of EXECUTION_KEYS) delete out[k];
  }
  for (const [k, v] of Object.entries(higher)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The options set by `K6_*` environment variables (k6's `envconfig` names).
 *
 * @param env The process environment.
 * @returns The options they set.
 * @throws {InvalidConfigError} When a value cannot be read.
 */
export function envOptions(env: Record<string, string>): TestOptions {
  const out: TestOptions = {};
  const problems: string[] = [];
  const int = (name: string, key: string) => {
    const v = env[name];
    if (v === undefined) return;
    if (!/^\d+$/.test(v)) problems.push(`${name} must be an integer, got "${v}"`);
    else out[key] = Number(v);
  };
  int("K6_VUS", "vus");
  int("K6_ITERATIONS", "iterations");
  if (env.K6_DURATION !== undefined) out.duration = env.K6_DURATION;
  if (env.K6_STAGES !== undefined) {
    try {
      out.stages = env.K6_STAGES.split(",").map(parseStageFlag);
    } catch (e) {
      problems.push(`K6_STAGES: ${(e as Error).message}`);
    }
  }
  if (env.K6_SETUP_TIMEOUT !== undefined) out.setupTimeout = env.K6_SETUP_TIMEOUT;
  if (env.K6_TEARDOWN_TIMEOUT !== undefined) out.teardownTimeout = env.K6_TEARDOWN_TIMEOUT;
  if (env.K6_SUMMARY_TREND_STATS !== undefined) {
    out.summaryTrendStats = env.K6_SUMMARY_TREND_STATS.split(",").map((s) => s.trim());
  }
  if (env.K6_SUMMARY_TIME_UNIT !== undefined) out.summaryTimeUnit = env.K6_SUMMARY_TIME_UNIT;
  if (env.K6_NO_THRESHOLDS !== undefined) {
    out.noThresholds = /^(1|true)$/i.test(env.K6_NO_THRESHOLDS);
  }
  if (env.K6_INSECURE_SKIP_TLS_VERIFY !== undefined) {
    out.insecureSkipTLSVerify = /^(1|true)$/i.test(env.K6_INSECURE_SKIP_TLS_VERIFY);
  }
  if (env.K6_NO_SETUP !== undefined) out.noSetup = /^(1|true)$/i.test(env.K6_NO_SETUP);
  if (env.K6_NO_TEARDOWN !== undefined) out.noTeardown = /^(1|true)$/i.test(env.K6_NO_TEARDOWN);
  if (env.K6_EXECUTION_SEGMENT !== undefined) out.executionSegment = env.K6_EXECUTION_SEGMENT;
  if (env.K6_EXECUTION_SEGMENT_SEQUENCE !== undefined) {
    out.executionSegmentSequence = env.K6_EXECUTION_SEGMENT_SEQUENCE;
  }
  if (env.K6_TAGS !== undefined) {
    // envconfig's map form: "name:value,name2:value2" (k6's K6_TAGS).
    const tags: Record<string, string> = {};
    for (const pair of env.K6_TAGS.split(",").filter((p) => p.trim() !== "")) {
      const at = pair.search(/[:=]/);
      if (at <= 0) problems.push(`K6_TAGS: expected name:value pairs, got "${pair}"`);
      else tags[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
    out.tags = tags;
  }
  readHttpEnv(env, out, (problem) => problems.push(problem));
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return out;
}

/**
 * Reads a `--stage` value, `"30s:10"` (duration, then target VUs).
 *
 * @param text The flag's value.
 * @returns The stage.
 * @throws {TypeError} When it is not `duration:target`.
 */
export function parseStageFlag(text: string): StageOption {
  const m = /^\s*([^:]+?)\s*(?::\s*(\d+)\s*)?$/.exec(text);
  if (m === null || parseDuration(m[1]) === undefined) {
    throw new TypeError(`Invalid stage "${text}": expected duration:target, such as "30s:10"`);
  }
  return { duration: m[1], target: m[2] === undefined ? 0 : Number(m[2]) };
}

/**
 * Consolidates the three layers (k6: defaults < script < environment < flags).
 *
 * @param script The script's `options` export.
 * @param env Options from `K6_*` variables.
 * @param cli Options from flags.
 * @returns The consolidated options.
 */
export function consolidateOptions(
  script: TestOptions,
  env: TestOptions,
  cli: TestOptions,
): TestOptions {
  return applyOptions(applyOptions(script ?? {}, env), cli);
}

/** Everything the engine needs to run, decoded from consolidated options. */
export interface TestPlan {
  /** The consolidated options (what `exec.test.options` shows). */
  options: TestOptions;
  /** Scenarios, in declaration order. */
  scenarios: ScenarioConfig[];
  /** Parsed thresholds (undefined when none or `noThresholds`). */
  thresholds?: Thresholds;
  /** `setup()` limit in ms. */
  setupTimeout: number;
  /** `teardown()` limit in ms. */
  teardownTimeout: number;
  /** Tags added to every sample. */
  tags: Record<string, string>;
  /** This process's share of the test. */
  tuple: ExecutionTuple;
  /** Warnings to print. */
  warnings: string[];
}

/**
 * Validates consolidated options and decodes them into a plan, reporting every problem.
 *
 * @param o Consolidated options.
 * @returns The plan.
 * @throws {InvalidConfigError} With every problem found.
 */
export function buildPlan(o: TestOptions): TestPlan {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => ok || problems.push(message);
  if (o.vus !== undefined) {
    check(isCount(o.vus), `vus must be a non-negative integer, got ${o.vus}`);
  }
  if (o.iterations !== undefined) {
    check(isCount(o.iterations), `iterations must be a non-negative integer, got ${o.iterations}`);
  }
  if (o.duration !== undefined) {
    check(
      parseDuration(o.duration) !== undefined,
      `invalid duration ${JSON.stringify(o.duration)}`,
    );
  }
  if (o.stages !== undefined && !Array.isArray(o.stages)) problems.push("stages must be an array");
  // Checked now, as k6 does: found only at the summary, they would cost the whole test's results.
  if (o.summaryTrendStats !== undefined && o.summaryTrendStats !== null) {
    if (!Array.isArray(o.summaryTrendStats)) problems.push("summaryTrendStats must be an array");
    else {
      for (const stat of o.summaryTrendStats) {
        check(
          TREND_STATS.includes(stat) || parsePercentile(String(stat)) !== undefined,
          `summaryTrendStats: stat '${stat}' is not a valid trend column (expected avg, min, ` +
            "med, max, count or p(N) with N from 0 to 100)",
        );
      }
    }
  }
  if (o.summaryTimeUnit !== undefined && o.summaryTimeUnit !== null && o.summaryTimeUnit !== "") {
    check(
      ["s", "ms", "us"].includes(o.summaryTimeUnit),
      `summaryTimeUnit must be one of s, ms or us, got ${JSON.stringify(o.summaryTimeUnit)}`,
    );
  }
  const timeout = (key: "setupTimeout" | "teardownTimeout") => {
    const ms = parseDuration(o[key] ?? 60_000);
    check(ms !== undefined, `invalid ${key} ${JSON.stringify(o[key])}`);
    return ms ?? 60_000;
  };
  const setupTimeout = timeout("setupTimeout");
  const teardownTimeout = timeout("teardownTimeout");
  const tags: Record<string, string> = {};
  if (o.tags !== undefined) {
    if (typeof o.tags !== "object" || o.tags === null) problems.push("tags must be an object");
    else for (const [k, v] of Object.entries(o.tags)) tags[k] = String(v);
  }
  let tuple = new ExecutionTuple();
  try {
    const segment = o.executionSegment ? parseExecutionSegment(o.executionSegment) : undefined;
    const sequence = o.executionSegmentSequence
      ? parseExecutionSegmentSequence(o.executionSegmentSequence)
      : undefined;
    tuple = new ExecutionTuple(segment, sequence);
  } catch (e) {
    problems.push((e as Error).message);
  }
  let thresholds: Thresholds | undefined;
  if (o.thresholds !== undefined && !o.noThresholds) {
    try {
      thresholds = parseThresholds(o.thresholds);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const unapplied = checkHttpOptions(o, problems);
  let derived: { scenarios: Record<string, unknown>; warnings: string[] } = {
    scenarios: {},
    warnings: [],
  };
  try {
    derived = deriveScenarios(o);
  } catch (e) {
    if (e instanceof InvalidConfigError) problems.push(...e.problems);
    else throw e;
  }
  const scenarios: ScenarioConfig[] = [];
  if (typeof derived.scenarios !== "object" || derived.scenarios === null) {
    problems.push("scenarios must be an object of scenario configurations");
  } else {
    for (const [name, raw] of Object.entries(derived.scenarios)) {
      const { config, errors } = parseScenario(name, raw);
      for (const e of errors) problems.push(`scenario "${name}": ${e}`);
      if (config) scenarios.push(config);
    }
  }
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return {
    options: o,
    scenarios,
    thresholds,
    setupTimeout,
    teardownTimeout,
    tags,
    tuple,
    warnings: [...derived.warnings, ...unapplied],
  };
}

const TREND_STATS: readonly unknown[] = ["avg", "min", "med", "max", "count"];

function isCount(n: unknown): boolean {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

/**
 * Checks that every scenario's `exec` names an exported function of the script.
 *
 * @param plan The plan.
 * @param functions The names of the script's exported functions.
 * @throws {InvalidConfigError} Naming every missing function.
 */
export function checkExecFunctions(plan: TestPlan, functions: readonly string[]): void {
  const problems = plan.scenarios
    .filter((s) => !functions.includes(s.exec))
    .map((s) =>
      s.exec === "default"
        ? `scenario "${s.name}": the script has no default export function (the iteration) ` +
          "and the scenario has no exec"
        : `scenario "${s.name}": function '${s.exec}' not found in exports`
    );
  if (problems.length > 0) throw new InvalidConfigError(problems);
}
