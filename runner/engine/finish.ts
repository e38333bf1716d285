/**
 * The end of a run: the summary data, `handleSummary` outputs or k6's text summary on stdout,
 * and the `--summary-export` file.
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
import type { ThresholdResult, Thresholds } from "../metrics/thresholds.ts";
import type { TestOptions } from "../config/options.ts";

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
export interface FinishInput {
  registry: MetricRegistry;
  thresholds?: Thresholds;
  results: ThresholdResult[];
  options: TestOptions;
  testRunDurationMs: number;
  setupData: string | undefined;
  noColor: boolean;
  stdout: SyncWriter & { isTerminal?(): boolean };
  stderr: SyncWriter & { isTerminal?(): boolean };
}

/**
 * Builds k6's `handleSummary` data.
 *
 * @param input The run's results.
 * @returns The data.
 */
export function buildSummary(input: FinishInput): SummaryData {
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
 * Writes k6's default text summary on stdout.
 *
 * @param input The run's results.
 * @param data The summary data.
 */
export function printTextSummary(input: FinishInput, data: SummaryData): void {
  const colors = !input.noColor && (input.stdout.isTerminal?.() ?? false);
  writeAll(input.stdout, "\n" + textSummary(data, { indent: " ", enableColors: colors }) + "\n\n");
}

/**
 * Writes what `handleSummary` returned: `stdout`, `stderr`, or files. Each output is written
 * even when another fails, as k6 does.
 *
 * @param input The run's results.
 * @param outputs Keys to contents.
 * @returns One message per output that could not be written.
 */
export async function writeSummaryOutputs(
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
export async function writeSummaryExport(
  input: FinishInput,
  data: SummaryData,
  path: string,
): Promise<void> {
  const doc = summaryExport(data, exportExtras(input.registry, data, input.thresholds));
  await Deno.writeTextFile(path, formatSummaryExport(doc) + "\n");
}
