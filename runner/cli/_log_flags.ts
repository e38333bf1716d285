/**
 * k6's log flags of `mqload run`: `--log-output`, `--log-format`, `-v/--verbose` and
 * `--console-output`, read into the engine's {@linkcode LogSettings}.
 *
 * @module
 */

import type { LogSettings } from "../engine/log_sink.ts";
import { UsageError } from "./usage_error.ts";

/** The flags' values as `parseArgs` gives them. */
export interface LogFlagValues {
  /** `--log-output`. */
  "log-output"?: string;
  /** `--log-format`. */
  "log-format"?: string;
  /** `-v`, `--verbose`. */
  verbose?: boolean;
  /** `--console-output`. */
  "console-output"?: string;
}

/**
 * Reads the log flags (and `K6_LOG_OUTPUT`, `K6_LOG_FORMAT`, `K6_CONSOLE_OUTPUT`, as k6 does).
 *
 * @example
 * ```ts
 * import { parseLogFlags } from "./_log_flags.ts";
 * const s = parseLogFlags({ "log-output": "file=run.log", "log-format": "json" }, {});
 * console.assert(typeof s.output === "object" && s.output.file === "run.log");
 * ```
 *
 * @param v The flags.
 * @param env The process environment (flags win).
 * @returns The settings.
 * @throws {UsageError} For an output k6 does not know, loki (not supported), an empty file
 * path or an unknown format, naming the flag.
 */
export function parseLogFlags(v: LogFlagValues, env: Record<string, string>): LogSettings {
  const out: LogSettings = { verbose: v.verbose ?? false };
  const output = v["log-output"] ?? (env.K6_LOG_OUTPUT || undefined);
  if (output !== undefined) out.output = parseOutput(output);
  const format = v["log-format"] ?? (env.K6_LOG_FORMAT || undefined);
  if (format !== undefined) {
    if (!["text", "json", "raw"].includes(format)) {
      throw new UsageError(
        `Invalid value "${format}" for --log-format: expected text, json or raw`,
      );
    }
    out.format = format as LogSettings["format"];
  }
  const consoleOutput = v["console-output"] ?? (env.K6_CONSOLE_OUTPUT || undefined);
  if (consoleOutput !== undefined) {
    if (consoleOutput === "") {
      throw new UsageError(`Invalid value "" for --console-output: expected a file path`);
    }
    out.consoleOutput = consoleOutput;
  }
  return out;
}

/** k6's forms: `stderr`, `stdout`, `none`, `file=PATH[,level=…]`; `loki` is refused. */
function parseOutput(line: string): NonNullable<LogSettings["output"]> {
  if (line === "stderr" || line === "stdout" || line === "none") return line;
  if (line.startsWith("loki")) {
    throw new UsageError(
      `Invalid value "${line}" for --log-output: mqload cannot send logs to Loki ` +
        "(use stderr, stdout, none or file=PATH)",
    );
  }
  if (line.startsWith("file")) {
    // k6: file=./path.log, optionally ,level=… after it (mqload logs every level it shows).
    const m = /^file=([^,]+)(,level=\w+)?$/.exec(line);
    if (m === null) {
      throw new UsageError(
        `Invalid value "${line}" for --log-output: expected file=PATH (a path is required)`,
      );
    }
    return { file: m[1] };
  }
  throw new UsageError(
    `Invalid value "${line}" for --log-output: unsupported log output (expected stderr, ` +
      "stdout, none or file=PATH)",
  );
}
