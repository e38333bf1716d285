/**
 * The rest of k6's `run` flags, so that a k6 command line runs: the ones that set options mqload
 * applies (`--max-redirects`, `--batch`, `--batch-per-host`, `--user-agent`, `--http-debug`,
 * `--discard-response-bodies`, `--min-iteration-duration`), the ones it accepts and names in a
 * warning (k6's Go HTTP client settings, tracing, the new machine-readable summary), and the
 * two it cannot honour, refused with the reason (`--paused`, which only k6's REST API resumes,
 * and `--type archive`). Also pflag's `--flag=false` form of boolean flags.
 *
 * @module
 */

import { parseDuration } from "../config/duration.ts";
import type { TestOptions } from "../config/options.ts";
import { parseGoBool } from "../config/k6_http_options.ts";
import { UsageError } from "./usage_error.ts";

/** The flags' `parseArgs` options, merged into `mqload run`'s. */
export const K6_RUN_FLAGS = {
  "max-redirects": { type: "string" },
  batch: { type: "string" },
  "batch-per-host": { type: "string" },
  rps: { type: "string" },
  "user-agent": { type: "string" },
  "http-debug": { type: "string" },
  "min-iteration-duration": { type: "string" },
  "discard-response-bodies": { type: "boolean" },
  "no-connection-reuse": { type: "boolean" },
  "no-vu-connection-reuse": { type: "boolean" },
  paused: { type: "boolean", short: "p" },
  "blacklist-ip": { type: "string", multiple: true },
  "block-hostnames": { type: "string", multiple: true },
  "local-ips": { type: "string" },
  dns: { type: "string" },
  type: { type: "string", short: "t" },
  "traces-output": { type: "string" },
  "new-machine-readable-summary": { type: "boolean" },
  features: { type: "string", multiple: true },
  // k6's global flags beside run's.
  "secret-source": { type: "string", multiple: true },
  "profiling-enabled": { type: "boolean" },
} as const;

/** The flags' values as `parseArgs` gives them. */
export type K6RunFlagValues = {
  [K in keyof typeof K6_RUN_FLAGS]?: (typeof K6_RUN_FLAGS)[K] extends { type: "boolean" } ? boolean
    : (typeof K6_RUN_FLAGS)[K] extends { multiple: true } ? string[]
    : string;
};

/**
 * Rewrites k6's flag forms `parseArgs` does not read: `--flag=true`/`--flag=false` of a boolean
 * flag (false leaves it out; `--include-system-env-vars=false` is its `--no-` flag), and a bare
 * `--http-debug`, which k6 reads as `--http-debug=headers` (a value only follows `=`).
 *
 * @example Usage
 * ```ts
 * import { k6FlagForms } from "./_k6_run_flags.ts";
 * import assert from "node:assert/strict";
 *
 * const booleans = new Set(["quiet", "include-system-env-vars"]);
 * assert.deepEqual(
 *   k6FlagForms(["--quiet=false", "--include-system-env-vars=false", "--http-debug", "s.js"], booleans),
 *   ["--no-include-system-env-vars", "--http-debug=headers", "s.js"],
 * );
 * ```
 *
 * @param args The command line after `run`.
 * @param booleans The names of the boolean flags.
 * @returns The command line as `parseArgs` reads it.
 * @throws {UsageError} On a boolean flag's value that is neither true nor false.
 */
export function k6FlagForms(args: readonly string[], booleans: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === "--") {
      out.push(...args.slice(args.indexOf(arg)));
      break;
    }
    if (arg === "--http-debug") {
      out.push("--http-debug=headers");
      continue;
    }
    const m = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (m === null || !booleans.has(m[1])) {
      out.push(arg);
      continue;
    }
    const [, name, value] = m;
    // pflag reads a boolean flag's value as Go's strconv.ParseBool.
    const bool = parseGoBool(value);
    if (bool === true) out.push(`--${name}`);
    else if (bool === undefined) {
      throw new UsageError(`Invalid value "${value}" for --${name}: expected true or false`);
    } else if (name === "include-system-env-vars") out.push("--no-include-system-env-vars");
  }
  return out;
}

/**
 * Sets the options k6 sets for these flags and returns the warnings to print once.
 *
 * @example Usage
 * ```ts
 * import { applyK6RunFlags } from "./_k6_run_flags.ts";
 * import assert from "node:assert/strict";
 *
 * const cli: Record<string, unknown> = {};
 * const warnings = applyK6RunFlags({ "min-iteration-duration": "1s", "traces-output": "otel" }, cli);
 * assert.equal(cli.minIterationDuration, "1s");
 * assert.equal(warnings.length, 1);
 * ```
 *
 * @param v The flags.
 * @param cli The flags' options layer, added to.
 * @returns Warnings, one per flag mqload accepts without k6's effect.
 * @throws {UsageError} On a bad value, `--paused`, or a `--type` other than js.
 */
export function applyK6RunFlags(v: K6RunFlagValues, cli: TestOptions): string[] {
  const int = (flag: keyof K6RunFlagValues, key: string) => {
    const value = v[flag] as string | undefined;
    if (value === undefined) return;
    if (!/^\d+$/.test(value)) {
      throw new UsageError(`Invalid value "${value}" for --${flag}: expected an integer ≥ 0`);
    }
    cli[key] = Number(value);
  };
  int("max-redirects", "maxRedirects");
  int("batch", "batch");
  int("batch-per-host", "batchPerHost");
  int("rps", "rps");
  if (v["user-agent"] !== undefined) cli.userAgent = v["user-agent"];
  if (v["http-debug"] !== undefined) cli.httpDebug = v["http-debug"];
  const min = v["min-iteration-duration"];
  if (min !== undefined) {
    if (parseDuration(min) === undefined) {
      throw new UsageError(
        `Invalid value "${min}" for --min-iteration-duration: expected a duration such as 1s`,
      );
    }
    cli.minIterationDuration = min;
  }
  if (v["discard-response-bodies"]) cli.discardResponseBodies = true;
  // Options the plan warns about as it does for a script's (see k6_http_options.ts).
  if (v["no-connection-reuse"]) cli.noConnectionReuse = true;
  if (v["no-vu-connection-reuse"]) cli.noVUConnectionReuse = true;
  if (v["blacklist-ip"] !== undefined) cli.blacklistIPs = splitList(v["blacklist-ip"]);
  if (v["block-hostnames"] !== undefined) cli.blockHostnames = splitList(v["block-hostnames"]);
  if (v["local-ips"] !== undefined) cli.localIPs = v["local-ips"];
  if (v.dns !== undefined) cli.dns = v.dns;
  if (v.paused) {
    throw new UsageError(
      "--paused is not supported: only k6's REST API resumes a paused test, and mqload has none",
    );
  }
  if (v.type !== undefined && v.type !== "js") {
    throw new UsageError(
      v.type === "archive"
        ? "--type archive is not supported: mqload runs scripts, not k6 archives"
        : `Invalid value "${v.type}" for --type: expected js`,
    );
  }
  const warnings: string[] = [];
  if (v["traces-output"] !== undefined && v["traces-output"] !== "none") {
    warnings.push(
      `--traces-output ${v["traces-output"]} is accepted, but mqload exports no traces`,
    );
  }
  if (v["new-machine-readable-summary"]) {
    warnings.push(
      "--new-machine-readable-summary is accepted, but the summary export and handleSummary() " +
        "get k6's legacy layout",
    );
  }
  if (v.features !== undefined) {
    warnings.push(`--features ${v.features.join(",")} is accepted, but changes nothing in mqload`);
  }
  if (v["secret-source"] !== undefined) {
    warnings.push(
      "--secret-source is accepted, but mqload has no k6/secrets module for scripts to read it",
    );
  }
  if (v["profiling-enabled"]) {
    warnings.push("--profiling-enabled is accepted, but mqload serves no pprof endpoint");
  }
  return warnings;
}

function splitList(values: string[]): string[] {
  return values.flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
}
