/**
 * Where the run's log lines go and how they look, as k6's `--log-output`, `--log-format`,
 * `--verbose` and `--console-output`: stderr (through the progress view, which redraws around
 * them), stdout, nowhere or a file; logrus's text, JSON or raw form; console lines to a file of
 * their own.
 *
 * @module
 */

import type { SyncWriter } from "./finish.ts";

/**
 * How to log, from the command line (`RunSettings.logging`).
 *
 * @example Usage
 * ```ts
 * import type { LogSettings } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * // `mqload run --log-format json --log-output file=run.log -v`
 * const log: LogSettings = { format: "json", output: { file: "run.log" }, verbose: true };
 * assert.equal(log.format, "json");
 * ```
 */
export interface LogSettings {
  /** k6's `--log-output`: `stderr` (default), `stdout`, `none` or a file. */
  output?: "stderr" | "stdout" | "none" | { file: string };
  /** k6's `--log-format`: `text` (default), `json` (logrus's JSON) or `raw` (the message only). */
  format?: "text" | "json" | "raw";
  /** k6's `--verbose`: debug lines are shown too. */
  verbose?: boolean;
  /** k6's `--console-output`: console lines go to this file instead of the log. */
  consoleOutput?: string;
}

/** A line to log: k6's four-letter level (`INFO`), the text, its fields (`source=console`). */
export type LogFn = (level: string, text: string, source?: string) => void;

/** logrus's level names, which its JSON and key=value forms print. */
const LOGRUS: Record<string, string> = {
  DEBU: "debug",
  INFO: "info",
  WARN: "warning",
  ERRO: "error",
};

/**
 * Makes the run's `log` function and the means to close its files.
 *
 * @example
 * ```ts
 * import { createLogSink } from "./log_sink.ts";
 * const lines: string[] = [];
 * const sink = createLogSink({ format: "json" }, (line) => lines.push(line), () => 0);
 * sink.log("INFO", "hello", "source=console");
 * console.assert(JSON.parse(lines[0]).msg === "hello");
 * sink.close();
 * ```
 *
 * @param settings The log flags.
 * @param toStderr Writes a line to stderr (the progress view's `log`, which redraws around it).
 * @param elapsedMs Milliseconds since the run started (the `[0001]` of the text form).
 * @returns `log`, and `close` for the files it opened.
 */
export function createLogSink(
  settings: LogSettings,
  toStderr: (line: string) => void,
  elapsedMs: () => number,
): { log: LogFn; close: () => void } {
  const files: Deno.FsFile[] = [];
  const encoder = new TextEncoder();
  const fileWriter = (path: string): (line: string) => void => {
    const file = Deno.openSync(path, { write: true, create: true, append: true });
    files.push(file);
    return (line) => writeAll(file, encoder.encode(line + "\n"));
  };
  const format = settings.format ?? "text";
  const output = settings.output ?? "stderr";
  const main: ((line: string) => void) | undefined = output === "stderr"
    ? toStderr
    : output === "stdout"
    ? (line) => writeAll(Deno.stdout, encoder.encode(line + "\n"))
    : output === "none"
    ? undefined
    : fileWriter(output.file);
  // A file gets logrus's key=value form, as k6 writes to anything that is not a terminal.
  const mainIsFile = typeof output === "object";
  const console = settings.consoleOutput === undefined
    ? undefined
    : fileWriter(settings.consoleOutput);
  const log: LogFn = (level, text, source = "") => {
    if (level === "DEBU" && !settings.verbose) return;
    const toConsoleFile = console !== undefined && /(^|\s)source=console(\s|$)/.test(source);
    const write = toConsoleFile ? console : main;
    if (write === undefined) return;
    write(formatLine(format, toConsoleFile || mainIsFile, level, text, source, elapsedMs()));
  };
  return {
    log,
    close: () => {
      for (const f of files.splice(0)) {
        try {
          f.close();
        } catch { /* already closed */ }
      }
    },
  };
}

function formatLine(
  format: "text" | "json" | "raw",
  keyValue: boolean,
  level: string,
  text: string,
  source: string,
  elapsed: number,
): string {
  if (format === "raw") return text;
  const fields = parseFields(source);
  const name = LOGRUS[level] ?? level.toLowerCase();
  if (format === "json") {
    // logrus's JSONFormatter: the fields, then level, msg and time; keys sorted, as Go's maps are.
    const record: Record<string, string> = { ...fields, level: name, msg: text, time: rfc3339() };
    return JSON.stringify(
      Object.fromEntries(Object.entries(record).sort(([a], [b]) => a < b ? -1 : 1)),
    );
  }
  if (keyValue) {
    const quoted = (v: string) => /^[\w./:@-]+$/.test(v) ? v : JSON.stringify(v);
    return [
      `time=${JSON.stringify(rfc3339())}`,
      `level=${name}`,
      `msg=${quoted(text)}`,
      ...Object.entries(fields).map(([k, v]) => `${k}=${quoted(v)}`),
    ].join(" ");
  }
  const secs = String(Math.floor(elapsed / 1000)).padStart(4, "0");
  return `${level}[${secs}] ${text}${source ? "  " + source : ""}`;
}

/** `source=console hint=x` as fields. */
function parseFields(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of source.split(/\s+/)) {
    const at = part.indexOf("=");
    if (at > 0) out[part.slice(0, at)] = part.slice(at + 1);
  }
  return out;
}

/** Now, as Go's RFC 3339 with the local offset (logrus's default time format). */
function rfc3339(): string {
  const d = new Date();
  const off = -d.getTimezoneOffset();
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  return local + (off === 0 ? "Z" : `${off > 0 ? "+" : "-"}${pad(off / 60)}:${pad(off % 60)}`);
}

function writeAll(w: SyncWriter, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += w.writeSync(bytes.subarray(at));
}
