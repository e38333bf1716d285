// The flags `mqload bench` shares with `mqload run` (outputs, summary export, report, thresholds,
// execution segments, Workers), checked as `run` checks them.

import { checkOutFlags, checkPathFlags, checkSegmentFlag } from "../cli/run_flag_checks.ts";
import { UsageError } from "../cli/usage_error.ts";
import { parseMetricKey, parseThresholdEntry } from "../metrics/threshold_parser.ts";

/** The run settings a bench command line gives besides the benchmark itself. */
export interface BenchRunFlags {
  /** `--out`. */
  out: string[];
  /** `--summary-export`. */
  summaryExport?: string;
  /** `--report`. */
  report?: string;
  /** `--workers`. */
  workers?: number;
  /** `--execution-segment`. */
  executionSegment?: string;
  /** `--execution-segment-sequence`. */
  executionSegmentSequence?: string;
  /** `--no-color`. */
  noColor: boolean;
  /** `--quiet`: no per-second lines. */
  quiet: boolean;
}

/**
 * `--threshold 'metric:expr'` values as k6's thresholds option: the expression follows the
 * last colon, so a metric may carry tags (`mqtt_errors{method:publish}:count==0`).
 *
 * @param values The flag's values.
 * @returns Metric to expressions.
 * @throws {UsageError} On a value without a metric or an expression, or a bad expression.
 *
 * @example Usage
 * ```ts
 * import { parseThresholdFlags } from "./flags.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseThresholdFlags(["bench_lost:count==0", "bench_latency:p(99)<50"]), {
 *   bench_lost: ["count==0"],
 *   bench_latency: ["p(99)<50"],
 * });
 * ```
 */
export function parseThresholdFlags(values: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const value of values) {
    const at = value.lastIndexOf(":");
    const metric = value.slice(0, at).trim();
    const expr = value.slice(at + 1).trim();
    if (at <= 0 || metric === "" || expr === "") {
      throw new UsageError(
        `Invalid value "${value}" for --threshold: expected METRIC:EXPRESSION such as ` +
          `bench_lost:count==0`,
      );
    }
    try {
      // Checked here, so that a bad one is a bad flag (exit 2), named as such.
      parseThresholdEntry(parseMetricKey(metric), expr);
    } catch (error) {
      throw new UsageError(`Invalid value "${value}" for --threshold: ${(error as Error).message}`);
    }
    (out[metric] ??= []).push(expr);
  }
  return out;
}

export function parseRunFlags(v: Record<string, unknown>): BenchRunFlags {
  const out = (v.out as string[] | undefined) ?? [];
  checkOutFlags(out);
  checkPathFlags(v, ["summary-export", "report"]);
  const run: BenchRunFlags = {
    out,
    summaryExport: v["summary-export"] as string | undefined,
    report: v.report as string | undefined,
    noColor: v["no-color"] === true,
    quiet: v.quiet === true,
  };
  const workers = v.workers as string | undefined;
  if (workers !== undefined) {
    if (!/^\d+$/.test(workers) || Number(workers) < 1) {
      throw new UsageError(`Invalid value "${workers}" for --workers: expected an integer ≥ 1`);
    }
    run.workers = Number(workers);
  }
  const segment = checkSegmentFlag(
    "execution-segment",
    v["execution-segment"] as string | undefined,
  );
  const sequence = checkSegmentFlag(
    "execution-segment-sequence",
    v["execution-segment-sequence"] as string | undefined,
  );
  run.executionSegment = segment;
  run.executionSegmentSequence = sequence;
  return run;
}
