/**
 * The checks of the flags `mqload run` and `mqload bench` share (`--out`, the file paths,
 * the execution segment), so that a bad value is named the same way by both (exit 2).
 *
 * @module
 */

import {
  parseExecutionSegment,
  parseExecutionSegmentSequence,
} from "../segments/execution_segment.ts";
import { outputType, parseOutputSpec, unknownOutput } from "../outputs/registry.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Checks `--out` values: each names a known output.
 *
 * @param outs The flag's values.
 * @throws {UsageError} On an unknown output, naming the flag and the outputs there are.
 *
 * @example Usage
 * ```ts
 * import { checkOutFlags } from "./run_flag_checks.ts";
 * checkOutFlags(["json=points.ndjson", "csv"]);
 * ```
 */
export function checkOutFlags(outs: readonly string[]): void {
  for (const out of outs) {
    const name = parseOutputSpec(out).name;
    if (outputType(name) === undefined) {
      throw new UsageError(`Invalid value "${out}" for --out: ${unknownOutput(name)}`);
    }
  }
}

/**
 * Checks that the file path flags given are not empty.
 *
 * @param values The parsed flags.
 * @param flags The names of the path flags among them.
 * @throws {UsageError} On an empty path, naming the flag.
 *
 * @example Usage
 * ```ts
 * import { checkPathFlags } from "./run_flag_checks.ts";
 * checkPathFlags({ report: "report.html" }, ["summary-export", "report"]);
 * ```
 */
export function checkPathFlags(values: Record<string, unknown>, flags: readonly string[]): void {
  for (const flag of flags) {
    if (values[flag] === "") {
      throw new UsageError(`Invalid value "" for --${flag}: expected a file path`);
    }
  }
}

/**
 * Checks `--execution-segment` or `--execution-segment-sequence`.
 *
 * @param flag Which of the two.
 * @param value Its value, if given.
 * @returns The value.
 * @throws {UsageError} When it does not parse, naming the flag.
 *
 * @example Usage
 * ```ts
 * import { checkSegmentFlag } from "./run_flag_checks.ts";
 * checkSegmentFlag("execution-segment", "0:1/2");
 * ```
 */
export function checkSegmentFlag(
  flag: "execution-segment" | "execution-segment-sequence",
  value: string | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  try {
    if (flag === "execution-segment") parseExecutionSegment(value);
    else parseExecutionSegmentSequence(value);
  } catch (e) {
    throw new UsageError(`Invalid value "${value}" for --${flag}: ${(e as Error).message}`);
  }
  return value;
}
