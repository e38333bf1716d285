/**
 * The `csv` output's settings, consolidated as k6's (grafana/k6 `internal/output/csv/config.go`):
 * k6's defaults, then `K6_CSV_FILENAME`, `K6_CSV_TIME_FORMAT` and `K6_CSV_SAVE_INTERVAL`, then
 * the `--out csv=…` argument.
 *
 * @module
 */

import { InvalidConfigError } from "../config/options.ts";
import { parseDuration } from "../config/duration.ts";

/** k6's `K6_CSV_TIME_FORMAT` values. */
export const CSV_TIME_FORMATS = [
  "unix",
  "unix_milli",
  "unix_micro",
  "unix_nano",
  "rfc3339",
  "rfc3339_nano",
] as const;

/** How the `timestamp` column is written. */
export type CsvTimeFormat = typeof CSV_TIME_FORMATS[number];

/** The CSV output's settings, consolidated as k6's `GetConsolidatedConfig` does. */
export interface CsvConfig {
  /** The file (`-` or empty for stdout). */
  fileName: string;
  /** How often rows are written, in ms. */
  saveIntervalMs: number;
  /** How timestamps are written. */
  timeFormat: CsvTimeFormat;
}

/**
 * Consolidates the CSV output's settings: k6's defaults (`file.csv`, 1 s, `unix`), then the
 * environment, then the `--out` argument.
 *
 * @param arg What follows `csv=`: a file name, or `fileName=…,timeFormat=…,saveInterval=…`.
 * @param env The environment (`K6_CSV_FILENAME`, `K6_CSV_TIME_FORMAT`, `K6_CSV_SAVE_INTERVAL`).
 * @returns The settings.
 * @throws {InvalidConfigError} With k6's message for a malformed argument or value.
 *
 * @example Usage
 * ```ts
 * import { csvConfig } from "./_csv_config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(csvConfig("out.csv", { K6_CSV_TIME_FORMAT: "unix_milli" }), {
 *   fileName: "out.csv", saveIntervalMs: 1000, timeFormat: "unix_milli",
 * });
 * assert.equal(csvConfig("fileName=a.csv,saveInterval=2s", {}).saveIntervalMs, 2000);
 * ```
 */
export function csvConfig(
  arg: string,
  env: Readonly<Record<string, string | undefined>>,
): CsvConfig {
  let fileName = env.K6_CSV_FILENAME ?? "file.csv";
  let saveInterval = env.K6_CSV_SAVE_INTERVAL ?? "1s";
  let timeFormat = env.K6_CSV_TIME_FORMAT ?? "unix";
  if (arg !== "" && !arg.includes("=")) {
    fileName = arg;
  } else if (arg !== "") {
    for (const pair of arg.split(",")) {
      const at = pair.indexOf("=");
      const [key, value] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
      if (value === "") {
        throw new InvalidConfigError([`couldn't parse "${arg}" as argument for csv output`]);
      }
      if (key === "fileName") fileName = value;
      else if (key === "saveInterval") saveInterval = value;
      else if (key === "timeFormat") timeFormat = value;
      else throw new InvalidConfigError([`unknown key "${key}" as argument for csv output`]);
    }
  }
  const saveIntervalMs = parseDuration(saveInterval);
  if (saveIntervalMs === undefined || saveIntervalMs <= 0) {
    throw new InvalidConfigError([`invalid csv save interval "${saveInterval}"`]);
  }
  // k6's generated enum parser accepts the names in any case.
  const format = CSV_TIME_FORMATS.find((f) => f === timeFormat.toLowerCase());
  if (format === undefined) {
    throw new InvalidConfigError([`${timeFormat} does not belong to TimeFormat values`]);
  }
  return { fileName, saveIntervalMs, timeFormat: format };
}
