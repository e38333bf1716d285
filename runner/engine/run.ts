/**
 * Orchestrates a test run in the main thread: loads the script (in the control Worker, which
 * also runs `setup`, `teardown` and `handleSummary` as VU 0), consolidates options, starts the
 * Workers and initializes every VU before the test clock starts, runs the scenarios, merges the
 * Workers' metric snapshots, shows progress, evaluates thresholds, and writes the summary and
 * outputs. Returns k6's exit code.
 *
 * @module
 */

import { ExecutionSegment, ExecutionSegmentSequence } from "../segments/execution_segment.ts";
import { ExecutionTuple } from "../segments/execution_tuple.ts";
import { describeScenario, scenarioMaxEndMs, scenarioVus } from "../executors/mod.ts";
import { formatDuration } from "../config/duration.ts";
import { NdjsonOutput } from "../outputs/ndjson.ts";
import { renderHtmlReport } from "../outputs/html_report.ts";
import {
  buildPlan,
  checkExecFunctions,
  consolidateOptions,
  envOptions,
  InvalidConfigError,
  type TestOptions,
  type TestPlan,
} from "../config/options.ts";
import { Progress } from "./progress.ts";
import { type PreparedScript, prepareScript, ScriptError } from "../script/loader.ts";
import { WorkerRequestError } from "./worker_pool.ts";
import type { ProbeResult, ScenarioSlots } from "../worker/messages.ts";
import { epochNow } from "../worker/scenario_run.ts";
import { RunState } from "./run_state.ts";
import {
  buildSummary,
  type FinishInput,
  printTextSummary,
  type SyncWriter,
  writeAll,
  writeSummaryExport,
  writeSummaryOutputs,
} from "./finish.ts";

/** k6's exit codes (`errext/exitcodes`). */
export const EXIT_CODES: Readonly<Record<string, number>> = Object.freeze({
  ok: 0,
  thresholdsFailed: 99,
  setupTimeout: 100,
  teardownTimeout: 101,
  invalidConfig: 104,
  externalAbort: 105,
  scriptException: 107,
  scriptAborted: 108,
});

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
  /** No ANSI colours. */
  noColor?: boolean;
  /** Workers (default: one per core). */
  workers?: number;
  /** Stop gracefully when aborted (the CLI ties SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  /** Where the summary goes (default `Deno.stdout`). */
  stdout?: SyncWriter & { isTerminal?(): boolean };
  /** Where progress and logs go (default `Deno.stderr`). */
  stderr?: SyncWriter & { isTerminal?(): boolean };
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
  const log = (level: string, text: string, source = "") => {
    const secs = String(Math.floor((performance.now() - startedAt) / 1000)).padStart(4, "0");
    progress.log(`${level}[${secs}] ${text}${source ? "  " + source : ""}`);
  };
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
    await run.script?.cleanup();
  }
}

function describeError(e: unknown): string {
  if (e instanceof WorkerRequestError) {
    return scriptFrames(e.remoteStack ?? `${e.name}: ${e.message}`);
  }
  if (e instanceof ScriptError) return e.message;
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}

const RUNNER = new URL("../", import.meta.url).href;

/**
 * Keeps the script's frames of an error from a Worker: mqload's own frames say nothing to the
 * script's author, and the `?vu=N` query that gives each VU its module scope is internal.
 */
function scriptFrames(stack: string): string {
  return stack.split("\n").filter((line) =>
    !/^\s+at /.test(line) || !(line.includes(RUNNER) || line.includes("ext:"))
  ).join("\n").replace(/\?vu=\d+/g, "").replace(/^TypeError: (SyntaxError: )/, "$1");
}

async function execute(run: RunState): Promise<number> {
  const s = run.settings;
  const script: PreparedScript = run.script = await prepareScript(s.script);
  const env = { ...(s.includeSystemEnv === false ? {} : Deno.env.toObject()), ...s.env };

  // The control Worker loads the script once (VU 0) to read its options and exports.
  const control = run.addWorker(0);
  await control.request({
    type: "configure",
    scriptUrl: script.url,
    originalUrl: script.originalUrl,
    env,
    recordPoints: (s.out ?? []).length > 0,
    workerIndex: 0,
  });
  const probe = await control.request<ProbeResult>({ type: "probe" });
  const options = consolidateOptions(
    probe.options,
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

  // Split this process's share between Workers, as execution segments, so k6's striping makes
  // every count exact; then place the VUs.
  const maxVus = plan.scenarios.reduce((n, c) => n + scenarioVus(c, plan.tuple).max, 0);
  const requested = s.workers ?? navigator.hardwareConcurrency ?? 1;
  const count = Math.max(1, Math.min(requested, maxVus));
  // The process's values are split between Workers as if they were the whole test (splitting
  // the k6 segment itself would change how k6's striping shares work between processes).
  const parts = new ExecutionSegment().split(count);
  const localSequence = new ExecutionSegmentSequence(parts);
  const tuples = parts.map((p) => new ExecutionTuple(p, localSequence));
  let nextId = 1;
  const slots: ScenarioSlots[][] = tuples.map(() => []);
  for (const config of plan.scenarios) {
    tuples.forEach((tuple, w) => {
      const { planned, max } = scenarioVus(config, plan.tuple, tuple);
      if (max === 0) return;
      const ids = Array.from({ length: max }, () => nextId++);
      slots[w].push({ config, ids, planned });
    });
  }
  run.maxVus = nextId - 1;
  printBanner(run, plan);

  const outputs = (s.out ?? []).map((o) => {
    const [kind, ...rest] = o.split("=");
    if (kind !== "json") {
      throw new InvalidConfigError([`unsupported output "${kind}": use json=FILE`]);
    }
    return rest.join("=");
  });
  for (const path of outputs) {
    run.ndjson.push(
      await NdjsonOutput.open(path, { metrics: run.registry, thresholds: plan.thresholds }),
    );
  }

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
        recordPoints: outputs.length > 0,
        workerIndex: w,
      });
    }
    await h.request({
      type: "init",
      options: plan.options,
      runTags: plan.tags,
      segment: plan.tuple.segment.toString(),
      sequence: plan.tuple.sequence.toString(),
      local: tuples[w].segment.toString(),
      localSequence: localSequence.toString(),
      scenarios: slots[w],
    });
  }));
  run.planShared(plan, slots);

  // setup() in VU 0, then the clock starts.
  let setupData: string | undefined;
  try {
    setupData = await control.request<string | undefined>({
      type: "setup",
      timeoutMs: plan.setupTimeout,
    });
  } catch (e) {
    if (e instanceof WorkerRequestError && e.code === "timeout") {
      run.log("ERRO", `setup() execution timed out after ${formatDuration(plan.setupTimeout)}`);
      return EXIT_CODES.setupTimeout;
    }
    // exec.test.abort() in setup(): already logged when the Worker said so; k6 exits 108.
    if (run.exitCode() === EXIT_CODES.scriptAborted) {
      run.stopTicking();
      return await finish(run, plan, {
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
  await run.finished;
  const testRunDurationMs = epochNow() - t0;
  await Promise.all(run.workers.map((h) => h.request({ type: "finish" }).catch(() => {})));
  run.stopTicking();
  run.render(plan, true);

  let code = run.exitCode();
  try {
    if (run.isDead(control)) {
      run.log("WARN", "teardown() not run: Worker 0, which runs it, is gone");
    } else {
      await control.request({
        type: "teardown",
        data: setupData,
        timeoutMs: plan.teardownTimeout,
      });
    }
  } catch (e) {
    if (run.isDead(control)) {
      code ||= EXIT_CODES.scriptException;
    } else if (e instanceof WorkerRequestError && e.code === "timeout") {
      run.log(
        "ERRO",
        `teardown() execution timed out after ${formatDuration(plan.teardownTimeout)}`,
      );
      code ||= EXIT_CODES.teardownTimeout;
    } else {
      run.log("ERRO", run.script!.mapPaths(describeError(e)));
      code ||= EXIT_CODES.scriptException;
    }
  }
  return await finish(run, plan, { setupData, testRunDurationMs, code });
}

async function finish(
  run: RunState,
  plan: TestPlan,
  r: { setupData: string | undefined; testRunDurationMs: number; code: number },
): Promise<number> {
  const s = run.settings;
  const results = plan.thresholds?.evaluate(run.registry, r.testRunDurationMs) ?? [];
  const input: FinishInput = {
    registry: run.registry,
    thresholds: plan.thresholds,
    results,
    options: plan.options,
    testRunDurationMs: r.testRunDurationMs,
    setupData: r.setupData,
    noColor: s.noColor ?? false,
    stdout: s.stdout ?? Deno.stdout,
    stderr: s.stderr ?? Deno.stderr,
  };
  await run.closeOutputs();
  const data = buildSummary(input);
  const failedIterations = run.totals().failed;
  if (failedIterations > 0) {
    run.log(
      "WARN",
      `${failedIterations} of ${run.totals().completed} iterations failed with an exception ` +
        "(logged above once per distinct message; k6 counts them in iterations too)",
    );
  }
  if (s.report !== undefined) {
    const html = renderHtmlReport({
      timeline: run.timeline,
      summary: data,
      thresholds: results,
      options: plan.options,
      title: reportTitle(s.script),
    });
    await Deno.writeTextFile(s.report, html).catch((e) =>
      run.log("ERRO", `Cannot write the report ${s.report}: ${e.message}`)
    );
  }
  if (s.summaryExport !== undefined) {
    await writeSummaryExport(input, data, s.summaryExport).catch((e) =>
      run.log("ERRO", `Cannot write the summary export ${s.summaryExport}: ${e.message}`)
    );
  }
  if (!s.noSummary) {
    let outputs: Record<string, string | Uint8Array> | null = null;
    try {
      if (!run.isDead(run.workers[0])) {
        outputs = await run.workers[0].request({ type: "summary", data });
      }
    } catch (e) {
      run.log("ERRO", `handleSummary() failed: ${run.script!.mapPaths(describeError(e))}`);
    }
    if (outputs) {
      for (const failure of await writeSummaryOutputs(input, outputs)) {
        run.log("ERRO", `Cannot write handleSummary() output ${failure}`);
      }
    } else printTextSummary(input, data);
  }
  const failed = results.filter((t) => !t.ok);
  if (failed.length > 0) {
    const names = [...new Set(failed.map((t) => t.metric))].join(", ");
    run.log("ERRO", `thresholds on metrics '${names}' have been crossed`);
    return r.code || EXIT_CODES.thresholdsFailed;
  }
  return r.code;
}

/** The report's heading: the script's file name. */
function reportTitle(script: string): string {
  const path = script.replace(/[?#].*$/, "");
  return path.slice(path.lastIndexOf("/") + 1) || script;
}

function printBanner(run: RunState, plan: TestPlan): void {
  if (run.settings.quiet) return;
  const s = run.settings;
  const outs = (s.out ?? []).map((o) => o.replace(/^json=(.*)$/, "json ($1)")).join(", ") || "-";
  const maxEnd = Math.max(0, ...plan.scenarios.map(scenarioMaxEndMs));
  const n = plan.scenarios.length;
  const lines = [
    "",
    "  execution: local",
    `     script: ${s.script}`,
    `     output: ${outs}`,
    "",
    `  scenarios: (${(plan.tuple.segment.floatLength * 100).toFixed(2)}%) ${n} scenario${
      n === 1 ? "" : "s"
    }, ${run.maxVus} max VUs, ${formatDuration(maxEnd)} max duration (incl. graceful stop):`,
    ...plan.scenarios.map((c) => `           * ${c.name}: ${describeScenario(c, plan.tuple)}`),
    "",
  ];
  writeAll(s.stderr ?? Deno.stderr, lines.join("\n") + "\n");
}
