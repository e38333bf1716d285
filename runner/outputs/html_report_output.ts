/**
 * `--report FILE` (also `--out html-report=FILE`): the self-contained HTML report
 * ({@linkcode renderHtmlReport}) as an {@linkcode Output}. It keeps a {@linkcode Timeline} of
 * the samples in bounded memory and writes the file when the run ends.
 *
 * @module
 */

import { renderHtmlReport } from "./html_report.ts";
import type { Output, OutputParams, OutputType, RunStatus, TestEnd } from "./output.ts";
import { Timeline, TIMELINE_CONNECTIONS } from "./timeline.ts";
import type { MetricsSnapshot } from "../metrics/registry.ts";
import { InvalidConfigError } from "../config/options.ts";
import { VUS, VUS_MAX } from "../metrics/builtin.ts";

class HtmlReportOutput implements Output {
  readonly #params: OutputParams;
  #timeline: Timeline | undefined;

  constructor(params: OutputParams) {
    this.#params = params;
  }

  description(): string {
    return `html-report (${this.#params.arg})`;
  }

  start(startMs: number): void {
    this.#timeline = new Timeline({ startMs });
  }

  addSamples(snapshot: MetricsSnapshot, atMs: number): void {
    this.#timeline?.record(snapshot, atMs);
  }

  addStatus(status: RunStatus): void {
    // Workers' figures arrive every second: the VUs chart follows them, not the runner's ticks.
    this.#timeline?.gauge(VUS, status.vus, status.atMs);
    this.#timeline?.gauge(VUS_MAX, status.vusMax, status.atMs);
    if (status.connections !== undefined) {
      this.#timeline?.gauge(TIMELINE_CONNECTIONS, status.connections, status.atMs);
    }
  }

  async stop(end?: TestEnd): Promise<void> {
    // A run that ended without a summary has no report to render: nothing is written.
    if (end === undefined) return;
    const html = renderHtmlReport({
      timeline: this.#timeline,
      summary: end.summary,
      thresholds: end.thresholds,
      options: this.#params.options,
      title: reportTitle(this.#params.script),
    });
    await Deno.writeTextFile(this.#params.arg, html).catch((e) =>
      this.#params.log(`Cannot write the report ${this.#params.arg}: ${e.message}`)
    );
  }
}

/** The report's heading: the script's file name. */
function reportTitle(script: string): string {
  const path = script.replace(/[?#].*$/, "");
  return path.slice(path.lastIndexOf("/") + 1) || script;
}

/**
 * The `html-report` output's registry entry.
 *
 * @example Usage
 * ```ts
 * import { htmlReportOutput } from "./html_report_output.ts";
 * import { MetricRegistry } from "../metrics/registry.ts";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".html" });
 * const out = await htmlReportOutput.create({
 *   arg: path, metrics: new MetricRegistry(), script: "/x/smoke.js", options: {},
 *   log: (text) => { throw new Error(text); },
 * });
 * out.start(Date.now());
 * await out.stop({
 *   summary: {
 *     root_group: { name: "", path: "", id: "", groups: [], checks: [] },
 *     options: { summaryTrendStats: ["avg"], summaryTimeUnit: "", noColor: true },
 *     state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
 *     metrics: {},
 *   },
 *   thresholds: [],
 * });
 * assert.match(await Deno.readTextFile(path), /<title>smoke\.js · mqload<\/title>/);
 * await Deno.remove(path);
 * ```
 */
export const htmlReportOutput: OutputType = {
  usage: "html-report=FILE  the self-contained HTML report (as --report)",
  points: false,
  create(params: OutputParams): Promise<Output> {
    if (params.arg === "") {
      return Promise.reject(new InvalidConfigError(["the html-report output needs a file name"]));
    }
    return Promise.resolve(new HtmlReportOutput(params));
  },
};
