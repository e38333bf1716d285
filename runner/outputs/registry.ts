/**
 * The output registry: `--out` names (k6's where k6 has them) to their {@linkcode OutputType}.
 * Adding an output is one file exporting an {@linkcode OutputType} and one line here.
 *
 * @module
 */

import type { OutputType } from "./output.ts";
import { jsonOutput } from "./json.ts";
import { htmlReportOutput } from "./html_report_output.ts";
import { webDashboardOutput } from "./web_dashboard.ts";
import { csvOutput } from "./csv.ts";
import { influxdbOutput } from "./influxdb.ts";
import { prometheusRwOutput } from "./prometheus_rw.ts";

/** Every output, by its `--out` name. */
export const OUTPUTS: Readonly<Record<string, OutputType>> = Object.freeze({
  json: jsonOutput,
  "html-report": htmlReportOutput,
  "web-dashboard": webDashboardOutput,
  csv: csvOutput,
  influxdb: influxdbOutput,
  "experimental-prometheus-rw": prometheusRwOutput,
});

/** The output `--report FILE` stands for. */
export const REPORT_OUTPUT = "html-report";

/**
 * The outputs' usage lines, for `mqload run --help`.
 *
 * @param indent What starts each line.
 * @returns One line per output.
 *
 * @example Usage
 * ```ts
 * import { outputsHelp } from "./registry.ts";
 * import assert from "node:assert/strict";
 * assert.match(outputsHelp("  "), /^  json=FILE/);
 * ```
 */
export function outputsHelp(indent: string): string {
  return Object.values(OUTPUTS).map((o) => indent + o.usage).join("\n");
}

/**
 * Whether any of the outputs wants every sample as a point, so that the Workers keep them: known
 * from the names alone, before the outputs are made (the Workers are configured first).
 *
 * @param specs The `--out` values taken apart.
 * @returns True when one of them does.
 *
 * @example Usage
 * ```ts
 * import { wantsPoints } from "./registry.ts";
 * import assert from "node:assert/strict";
 * assert.equal(wantsPoints([{ name: "json", arg: "-" }]), true);
 * assert.equal(wantsPoints([{ name: "html-report", arg: "r.html" }]), false);
 * ```
 */
export function wantsPoints(specs: readonly OutputSpec[]): boolean {
  return specs.some((spec) => outputType(spec.name)?.points === true);
}

/**
 * The message for an `--out` name no output has.
 *
 * @param value The `--out` value as given.
 * @returns The message, naming the outputs there are.
 */
export function unknownOutput(value: string): string {
  return `unsupported output "${value}": the outputs are ${Object.keys(OUTPUTS).join(", ")}`;
}

/** One `--out` value taken apart: `json=points.ndjson` → name `json`, arg `points.ndjson`. */
export interface OutputSpec {
  /** The output's name. */
  name: string;
  /** What follows the first `=` (empty when there is none). */
  arg: string;
}

/**
 * Takes a `--out` value apart.
 *
 * @param value Such as `json=points.ndjson` or `json`.
 * @returns The name and argument.
 *
 * @example Usage
 * ```ts
 * import { parseOutputSpec } from "./registry.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseOutputSpec("json=a=b.ndjson"), { name: "json", arg: "a=b.ndjson" });
 * ```
 */
export function parseOutputSpec(value: string): OutputSpec {
  const at = value.indexOf("=");
  return at < 0 ? { name: value, arg: "" } : { name: value.slice(0, at), arg: value.slice(at + 1) };
}

/**
 * The registry entry of an output name.
 *
 * @param name An `--out` name.
 * @returns Its entry, or undefined when no output has that name.
 */
export function outputType(name: string): OutputType | undefined {
  return Object.hasOwn(OUTPUTS, name) ? OUTPUTS[name] : undefined;
}
