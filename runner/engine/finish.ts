/**
 * The end of a run: the thresholds' verdicts, the summary data, the outputs stopped with it,
 * the `--summary-export` file, `handleSummary` outputs or k6's text summary on stdout, and the
 * exit code.
 *
 * @module
 */

import type { MetricRegistry } from "../metrics/registry.ts";
import {
  exportExtras,
  formatSummaryExport,
  type SummaryData,
  summaryData,
  summaryExport,
} from "../summary/data.ts";
import { textSummary } from "../summary/text.ts";
import { buildReport, type SummaryMode } from "../summary/report.ts";
import { compactTextSummary } from "../summary/compact_text.ts";
import type { ThresholdResult, Thresholds } from "../metrics/thresholds.ts";
import type { TestOptions, TestPlan } from "../config/options.ts";
import type { RunState } from "./run_state.ts";
import { describeError } from "./script_errors.ts";
import { EXIT_CODES } from "./exit_codes.ts";

/** Something that takes bytes synchronously (`Deno.stdout`). */
export interface SyncWriter {
  /** Writes some of `p`, returning how many bytes. */
  writeSync(p: Uint8Array): number;
}

const encoder = new TextEncoder();

/**
 * Writes all of `data`.
 *
 * @param writer The target.
 * @param data Text or bytes.
 */
export function writeAll(writer: SyncWriter, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  let at = 0;
  while (at < bytes.length) at += writer.writeSync(bytes.subarray(at));
}

/** What the end of the run needs. */
interface FinishInput {
  registry: MetricRegistry;
  thresholds?: Thresholds;
  results: ThresholdResult[];
  options: TestOptions;
  testRunDurationMs: number;
  setupData: string | undefined;
  noColor: boolean;
  /** `--summary-mode` (default compact, as k6 1.x). */
  summaryMode?: SummaryMode;
  stdout: SyncWriter & { isTerminal?(): boolean };
  stderr: SyncWriter & { isTerminal?(): boolean };
}

/**
 * Builds k6's `handleSummary` data.
 *
 * @param input The run's results.
 * @returns The data.
 */
function buildSummary(input: FinishInput): SummaryData {
  return summaryData(input.registry, input.results, {
    options: {
      summaryTrendStats: input.options.summaryTrendStats,
      summaryTimeUnit: input.options.summaryTimeUnit,
      noColor: input.noColor,
    },
    testRunDurationMs: input.testRunDurationMs,
    isStdOutTTY: input.stdout.isTerminal?.() ?? false,
    isStdErrTTY: input.stderr.isTerminal?.() ?? false,
    setupData: input.setupData === undefined ? undefined : JSON.parse(input.setupData),
  });
}

/**
 * Writes k6's default text summary on stdout: k6 1.x's compact or full one, or the legacy one.
 *
 * @param input The run's results.
 * @param data The summary data.
 */
function printTextSummary(input: FinishInput, data: SummaryData): void {
  const colors = !input.noColor && (input.stdout.isTerminal?.() ?? false);
  const mode = input.summaryMode ?? "compact";
  const text = mode === "legacy"
    ? textSummary(data, { indent: " ", enableColors: colors })
    : compactTextSummary(buildReport(data, mode, input.registry), {
      enableColors: colors,
      summaryTrendStats: data.options.summaryTrendStats,
      summaryTimeUnit: data.options.summaryTimeUnit,
    });
  writeAll(input.stdout, "\n" + text + "\n\n");
}

/**
 * Writes what `handleSummary` returned: `stdout`, `stderr`, or files. Each output is written
 * even when another fails, as k6 does.
 *
 * @param input The run's results.
 * @param outputs Keys to contents.
 * @returns One message per output that could not be written.
 */
async function writeSummaryOutputs(
  input: FinishInput,
  outputs: Record<string, string | Uint8Array>,
): Promise<string[]> {
  const failures: string[] = [];
  for (const [key, value] of Object.entries(outputs)) {
    try {
      if (key === "stdout") writeAll(input.stdout, value);
      else if (key === "stderr") writeAll(input.stderr, value);
      else if (typeof value === "string") await Deno.writeTextFile(key, value);
      else await Deno.writeFile(key, value);
    } catch (e) {
      failures.push(`${key}: ${(e as Error).message}`);
    }
  }
  return failures;
}

/**
 * Writes the `--summary-export` file.
 *
 * @param input The run's results.
 * @param data The summary data.
 * @param path Where.
 */
async function writeSummaryExport(
  input: FinishInput,
  data: SummaryData,
  path: string,
): Promise<void> {
  const doc = summaryExport(data, exportExtras(input.registry, data, input.thresholds));
  await Deno.writeTextFile(path, formatSummaryExport(doc) + "\n");
}

/** How the run went, for its end. */
export interface RunOutcome {
  /** What `setup()` returned, as JSON. */
  setupData: string | undefined;
  /** From the test start to the last scenario's end. */
  testRunDurationMs: number;
  /** The exit code so far (0 when the run went to its end). */
  code: number;
}

/**
 * Ends a run: evaluates the thresholds, stops the outputs with the summary, writes the summary
 * export and the summary (or `handleSummary`'s outputs), and says which thresholds failed.
 *
 * @param run The run.
 * @param plan Its plan.
 * @param r How it went.
 * @returns The exit code: `r.code`, else 99 when a threshold failed.
 */
export async function finishRun(run: RunState, plan: TestPlan, r: RunOutcome): Promise<number> {
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
    summaryMode: s.summaryMode,
    stdout: s.stdout ?? Deno.stdout,
    stderr: s.stderr ?? Deno.stderr,
  };
  const data = buildSummary(input);
  const failedIterations = run.totals().failed;
  if (failedIterations > 0) {
    run.log(
      "WARN",
      `${failedIterations} of ${run.totals().completed} iterations failed with an exception ` +
        "(logged above once per distinct message; k6 counts them in iterations too)",
    );
  }
  await run.outputs?.stop({ summary: data, thresholds: results });
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
  }
  if (r.code === EXIT_CODES.markedAsFailed) run.log("ERRO", "test run was marked as failed");
  return r.code || (failed.length > 0 ? EXIT_CODES.thresholdsFailed : 0);
}
