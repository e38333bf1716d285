/**
 * Orchestrates a test run in the main thread: loads the script (in the control Worker, which
 * also runs `setup`, `teardown` and `handleSummary` as VU 0), consolidates options, opens the
 * outputs, starts the Workers and initializes every VU before the test clock starts, runs the
 * scenarios, and ends the run (`finish.ts`). Returns k6's exit code.
 *
 * @module
 */

import {
  applyOptions,
  buildPlan,
  checkExecFunctions,
  consolidateOptions,
  envOptions,
  exposedOptions,
  InvalidConfigError,
  type TestOptions,
  type TestPlan,
} from "../config/options.ts";
import { OutputSet } from "../outputs/output_set.ts";
import type { Output } from "../outputs/output.ts";
import { parseOutputSpec, REPORT_OUTPUT, wantsPoints } from "../outputs/registry.ts";
import { type PreparedScript, prepareScript } from "../script/loader.ts";
import { epochNow, type ProbeResult, SharedCounter } from "../worker/messages.ts";
import { readConfigFile } from "../config/config_file.ts";
import { printBanner } from "./banner.ts";
import { createLogSink, type LogSettings } from "./log_sink.ts";
import { EXIT_CODES } from "./exit_codes.ts";
import { finishRun, type SyncWriter } from "./finish.ts";
import { type Placement, placeVus } from "./placement.ts";
import { saturationAdvice, watchSaturation } from "./saturation.ts";
import { Progress } from "./progress.ts";
import { RunState } from "./run_state.ts";
import { describeError } from "./script_errors.ts";
import { type WorkerHandle, WorkerRequestError } from "./worker_pool.ts";

export { EXIT_CODES };

/** How to run a test. */
export interface RunSettings {
  /** The script's path or URL. */
  script: string;
  /** Options from flags. */
  cliOptions?: TestOptions;
  /** `-e KEY=VALUE` values. */
  env?: Record<string, string>;
  /** Include the process environment in `__ENV` (default true). */
  includeSystemEnv?: boolean;
  /** `--out` values (`json=points.ndjson`). */
  out?: string[];
  /** `--summary-export` path. */
  summaryExport?: string;
  /** `--report` path: the self-contained HTML report, written at the end of every run. */
  report?: string;
  /** No progress, no banner. */
  quiet?: boolean;
  /** No end-of-test summary (nor `handleSummary`). */
  noSummary?: boolean;
  /** `--summary-mode`: compact (default, as k6 1.x), full or legacy. */
  summaryMode?: "compact" | "full" | "legacy";
  /** No ANSI colours. */
  noColor?: boolean;
  /** Workers (default: one per 2,000 VUs, up to one per core; see `defaultWorkers`). */
  workers?: number;
  /** Stop gracefully when aborted (the CLI ties SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  /** Where the summary goes (default `Deno.stdout`). */
  stdout?: SyncWriter & { isTerminal?(): boolean };
  /** `--log-output`, `--log-format`, `--verbose`, `--console-output`. */
  logging?: LogSettings;
  /** k6's `-c`/`--config` JSON options file: above defaults, below the script's options. */
  configFile?: string;
  /** k6's `--linger`: the CLI waits for Ctrl+C after the summary (the engine ignores it). */
  linger?: boolean;
  /** Where progress and logs go (default `Deno.stderr`). */
  stderr?: SyncWriter & { isTerminal?(): boolean };
  /** Outputs made by the caller, beside the `--out` ones (`mqload bench`'s per-second lines). */
  outputs?: Output[];
}

/**
 * Runs a test and returns k6's exit code.
 *
 * @param settings What to run and how.
 * @returns 0, or k6's exit code (99 thresholds, 104 config, 105 aborted, 107 script error…).
 */
export async function runTest(settings: RunSettings): Promise<number> {
  const stderr = settings.stderr ?? Deno.stderr;
  const progress = new Progress({
    writer: stderr,
    quiet: settings.quiet,
    tty: stderr.isTerminal?.(),
  });
  const startedAt = performance.now();
  let sink;
  try {
    sink = createLogSink(
      settings.logging ?? {},
      (line) => progress.log(line),
      () => performance.now() - startedAt,
    );
  } catch (e) {
    // A log or console file that cannot be opened: said on stderr, as a bad option.
    progress.log(`ERRO[0000] cannot open a log file: ${(e as Error).message}`);
    return EXIT_CODES.invalidConfig;
  }
  const log = sink.log;
  const run = new RunState(settings, progress, log);
  try {
    return await execute(run);
  } catch (e) {
    const message = run.script?.mapPaths(describeError(e)) ?? describeError(e);
    // A lost Worker was reported when it was lost; what waited for it says nothing more.
    if (run.workers.some((w) => run.isDead(w))) return EXIT_CODES.scriptException;
    if (e instanceof InvalidConfigError) {
      log("ERRO", `invalid config: ${e.message}`);
      return EXIT_CODES.invalidConfig;
    }
    if (e instanceof WorkerRequestError && e.code === "config") {
      log("ERRO", message);
      return EXIT_CODES.invalidConfig;
    }
    log("ERRO", message);
    return EXIT_CODES.scriptException;
  } finally {
    run.close();
    sink.close();
    // A run that ended before finishRun (setup() timed out or threw, the Workers could not
    // start) stops its outputs here, without a summary; after finishRun this does nothing.
    await run.outputs?.close();
    await run.script?.cleanup();
  }
}

/** A loaded script and its plan, with the control Worker that loaded it. */
interface Loaded {
  plan: TestPlan;
  control: WorkerHandle;
  env: Record<string, string>;
  script: PreparedScript;
}

async function execute(run: RunState): Promise<number> {
  const { plan, control, env, script } = await load(run);
  const placement = placeVus(plan, run.settings.workers);
  run.maxVus = placement.maxVus;
  run.outputs = await OutputSet.open(outputSpecs(run), {
    metrics: run.registry,
    thresholds: plan.thresholds,
    script: run.settings.script,
    options: plan.options,
    log: (text) => run.log("ERRO", text),
  }, run.settings.outputs);
  if (!run.settings.quiet) {
    printBanner(run.settings.stderr ?? Deno.stderr, {
      script: run.settings.script,
      outputs: run.outputs.descriptions(),
      maxVus: run.maxVus,
      plan,
    });
  }
  await startWorkers(run, plan, placement, { control, env, script });
  run.budgets.plan(plan, placement.slots);

  // setup() in VU 0, then the clock starts.
  let setupData: string | undefined;
  try {
    // k6's noSetup (--no-setup): setup() is not called, the VUs get no data.
    if (plan.options.noSetup !== true) {
      setupData = await control.request<string | undefined>({
        type: "setup",
        timeoutMs: plan.setupTimeout,
      });
    }
  } catch (e) {
    if (e instanceof WorkerRequestError && e.code === "timeout") {
      run.log("ERRO", timedOut("setup", plan.setupTimeout));
      return EXIT_CODES.setupTimeout;
    }
    // exec.test.abort() in setup(): already logged when the Worker said so; k6 exits 108.
    if (run.exitCode() === EXIT_CODES.scriptAborted) {
      run.stopTicking();
      return await finishRun(run, plan, {
        setupData: undefined,
        testRunDurationMs: 0,
        code: EXIT_CODES.scriptAborted,
      });
    }
    throw e;
  }
  const t0 = epochNow();
  run.started(t0, plan);
  for (const h of run.workers) h.send({ type: "start", t0, setupData });
  const stopWatch = watchDefaultWorkers(run, placement.tuples.length, placement.maxVus);
  try {
    await run.finished;
  } finally {
    stopWatch();
  }
  const testRunDurationMs = epochNow() - t0;
  await Promise.all(run.workers.map((h) => h.request({ type: "finish" }).catch(() => {})));
  run.stopTicking();
  run.render(plan, true);
  // k6 checks a test marked failed once the run ended without an error of its own.
  const code = (await teardown(run, plan, control, setupData)) ||
    (run.markedFailed ? EXIT_CODES.markedAsFailed : 0);
  return await finishRun(run, plan, { setupData, testRunDurationMs, code });
}

/** Loads the script in the control Worker (VU 0) and builds the plan from its options. */
async function load(run: RunState): Promise<Loaded> {
  const s = run.settings;
  const script: PreparedScript = run.script = await prepareScript(s.script);
  for (const warning of script.warnings) run.log("WARN", warning);
  const env = { ...(s.includeSystemEnv === false ? {} : Deno.env.toObject()), ...s.env };
  const control = run.addWorker(0);
  await control.request({
    type: "configure",
    scriptUrl: script.url,
    originalUrl: script.originalUrl,
    env,
    recordPoints: wantPoints(run),
    workerIndex: 0,
  });
  const probe = await control.request<ProbeResult>({ type: "probe" });
  // k6's order: defaults < config file < script options < K6_* variables < flags.
  const file = s.configFile === undefined
    ? { options: {}, ignored: [] }
    : await readConfigFile(s.configFile);
  for (const key of file.ignored) {
    run.log("WARN", `the config file's "${key}" is not applied by mqload (give it as a flag)`);
  }
  const options = consolidateOptions(
    applyOptions(file.options, probe.options),
    envOptions(Deno.env.toObject()),
    s.cliOptions ?? {},
  );
  const plan = buildPlan(options);
  checkExecFunctions(plan, probe.functions);
  for (const m of probe.metrics) run.registry.define(m.name, m.type, m.contains);
  try {
    plan.thresholds?.validate(run.registry);
  } catch (e) {
    throw new InvalidConfigError([(e as Error).message]);
  }
  for (const w of plan.warnings) run.log("WARN", w);
  return { plan, control, env, script };
}

/** `--out` values and `--report`, as output specs. */
function outputSpecs(run: RunState) {
  const specs = (run.settings.out ?? []).map(parseOutputSpec);
  if (run.settings.report !== undefined) {
    specs.push({ name: REPORT_OUTPUT, arg: run.settings.report });
  }
  return specs;
}

/**
 * Whether the Workers keep every sample as a point: decided before the outputs are opened
 * (the control Worker loads the script first), from the outputs' registry entries.
 */
function wantPoints(run: RunState): boolean {
  return wantsPoints(outputSpecs(run));
}

/** Starts the other Workers and initializes every VU, before the test clock starts. */
async function startWorkers(
  run: RunState,
  plan: TestPlan,
  placement: Placement,
  loaded: Omit<Loaded, "plan">,
): Promise<void> {
  const { control, env, script } = loaded;
  const { tuples, slots, localSequence, vus } = placement;
  const vuIds = SharedCounter.buffer();
  const iterations = Object.fromEntries(
    plan.scenarios.map((c) => [c.name, SharedCounter.buffer()]),
  );
  const handles = tuples.map((_tuple, w) => {
    if (w > 0 && slots[w].length === 0) return undefined;
    return w === 0 ? control : run.addWorker(w);
  });
  await Promise.all(handles.map(async (h, w) => {
    if (h === undefined) return;
    if (w > 0) {
      await h.request({
        type: "configure",
        scriptUrl: script.url,
        originalUrl: script.originalUrl,
        env,
        recordPoints: run.outputs?.wantPoints ?? false,
        workerIndex: w,
      });
    }
    await h.request({
      type: "init",
      // What exec.test.options shows: the scenarios the shortcuts made too.
      options: exposedOptions(plan.options),
      runTags: plan.tags,
      segment: plan.tuple.segment.toString(),
      sequence: plan.tuple.sequence.toString(),
      local: tuples[w].segment.toString(),
      localSequence: localSequence.toString(),
      scenarios: slots[w],
      vus: vus[w],
      vuIds,
      iterations,
    });
  }));
}

/** teardown() in VU 0; returns the exit code so far. */
async function teardown(
  run: RunState,
  plan: TestPlan,
  control: WorkerHandle,
  setupData: string | undefined,
): Promise<number> {
  let code = run.exitCode();
  // k6's noTeardown (--no-teardown): teardown() is not called.
  if (plan.options.noTeardown === true) return code;
  try {
    if (run.isDead(control)) {
      run.log("WARN", "teardown() not run: Worker 0, which runs it, is gone");
    } else {
      await control.request({ type: "teardown", data: setupData, timeoutMs: plan.teardownTimeout });
    }
  } catch (e) {
    if (run.isDead(control)) {
      code ||= EXIT_CODES.scriptException;
    } else if (e instanceof WorkerRequestError && e.code === "timeout") {
      run.log("ERRO", timedOut("teardown", plan.teardownTimeout));
      code ||= EXIT_CODES.teardownTimeout;
    } else {
      run.log("ERRO", run.script!.mapPaths(describeError(e)));
      code ||= EXIT_CODES.scriptException;
    }
  }
  return code;
}

/** k6's words for a setup()/teardown() past its time limit. */
function timedOut(phase: "setup" | "teardown", ms: number): string {
  return `${phase}() execution timed out after ${ms / 1000} seconds: you can increase the time ` +
    `limit via the ${phase}Timeout option`;
}

/**
 * With the default Worker count and cores to spare, says once when a Worker keeps a core busy:
 * the VUs may be waiting for it. Not when each VU has a Worker already (a VU runs on one).
 */
function watchDefaultWorkers(run: RunState, workers: number, maxVus: number): () => void {
  const cores = navigator.hardwareConcurrency ?? 1;
  const most = Math.min(cores, maxVus);
  if (run.settings.workers !== undefined || workers >= most) return () => {};
  return watchSaturation({
    onSaturated: () => run.log("WARN", saturationAdvice(workers, most, cores)),
  });
}
