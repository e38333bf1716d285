/**
 * The HTML report's renderer (the `html-report` output in
 * `html_report_output.ts` and `mqload merge --report` call it): one
 * self-contained HTML file that people can open, share and print — no script, no CDN, no web font. Charts are SVG drawn here:
 * VUs, connections, messages per second, errors, and latency percentiles over time for
 * connect, publish round trip and end-to-end message latency; then the
 * thresholds with their verdicts, checks, key metrics, and the options used
 * (with secrets redacted).
 *
 * @module
 */

import type { SummaryData } from "../summary/data.ts";
import { humanizeDuration, humanizeValue } from "../summary/text.ts";
import type { ThresholdResult } from "../metrics/thresholds.ts";
import {
  type Timeline,
  TIMELINE_CONNECT_FAILURES,
  TIMELINE_CONNECTIONS,
  type TimelineJSON,
} from "./timeline.ts";
import { lineChart } from "./_report_chart.ts";
import {
  checksSection,
  metricTables,
  thresholdsFromSummary,
  thresholdTable,
} from "./_report_tables.ts";
import { REPORT_CSS } from "./_report_style.ts";
import {
  compactJson,
  escapeHtml,
  formatCompact,
  formatMs,
  formatNumber,
  redactSecrets,
} from "./_report_text.ts";
import {
  DROPPED_ITERATIONS,
  ITERATIONS,
  MQTT_CONNECT_DURATION,
  MQTT_ERRORS,
  MQTT_MESSAGE_LATENCY,
  MQTT_MESSAGES_RECEIVED,
  MQTT_MESSAGES_SENT,
  MQTT_PUBLISH_DURATION,
} from "../metrics/builtin.ts";

/**
 * What {@linkcode renderHtmlReport} shows.
 *
 * @example Usage
 * ```ts
 * import { type HtmlReportInput, renderHtmlReport } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const input: HtmlReportInput = {
 *   title: "smoke test",
 *   summary: {
 *     root_group: { name: "", path: "", id: "", groups: [], checks: [] },
 *     options: { summaryTrendStats: ["avg"], summaryTimeUnit: "", noColor: true },
 *     state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
 *     metrics: {},
 *   },
 * };
 * assert.match(renderHtmlReport(input), /<title>smoke test · mqload<\/title>/);
 * ```
 */
export interface HtmlReportInput {
  /** The run's time series (omit, for instance for merged summaries: charts then say "no data"). */
  timeline?: Timeline | TimelineJSON;
  /** The end-of-test summary. */
  summary: SummaryData;
  /** Threshold verdicts with observed values (default: the verdicts in `summary`). */
  thresholds?: readonly ThresholdResult[];
  /** The options the run used; shown as JSON with passwords, tokens and keys redacted. */
  options?: unknown;
  /** Heading, such as the script's name (default "Load test report"). */
  title?: string;
  /** When the report was made (default now), shown in the footer. */
  generatedAt?: Date;
}

const C = {
  vus: "#7c3aed",
  connected: "#0d9488",
  sent: "#2563eb",
  received: "#059669",
  errors: "#dc2626",
  dropped: "#d97706",
  p50: "#0891b2",
  p95: "#d97706",
  p99: "#dc2626",
};

/**
 * Renders the report.
 *
 * @param input Timeline, summary, thresholds, options, title.
 * @returns A complete HTML document.
 *
 * @example Usage
 * ```ts
 * import { renderHtmlReport, Timeline } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const timeline = new Timeline({ startMs: 0 });
 * timeline.gauge("vus", 10, 500);
 * const html = renderHtmlReport({
 *   timeline,
 *   summary: {
 *     root_group: { name: "", path: "", id: "", groups: [], checks: [] },
 *     options: { summaryTrendStats: ["avg", "p(95)"], summaryTimeUnit: "", noColor: true },
 *     state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
 *     metrics: {
 *       iterations: { type: "counter", contains: "default", values: { count: 5, rate: 5 } },
 *     },
 *   },
 *   options: { vus: 10, password: "hunter2" },
 * });
 * assert.ok(html.startsWith("<!doctype html>"));
 * assert.ok(!html.includes("hunter2"));
 * assert.ok(!/<script|https?:\/\//.test(html));
 * ```
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { summary } = input;
  const timeline = input.timeline === undefined
    ? undefined
    : "toJSON" in input.timeline
    ? input.timeline.toJSON()
    : input.timeline;
  const thresholds = input.thresholds ?? thresholdsFromSummary(summary);
  const title = input.title ?? "Load test report";
  const generated = input.generatedAt ?? new Date();
  const failed = thresholds.filter((t) => !t.ok).length;
  const status = thresholds.length === 0
    ? `<span class="status none">No thresholds</span>`
    : failed === 0
    ? `<span class="status ok">✓ All ${thresholds.length} thresholds passed</span>`
    : `<span class="status bad">✗ ${failed} of ${thresholds.length} thresholds failed</span>`;
  const started = timeline && timeline.length > 0
    ? `Started ${formatDate(new Date(timeline.startMs))} · `
    : "";
  const meta = `${started}ran for ${humanizeDuration(summary.state.testRunDurationMs)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · mqload</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header class="top"><h1><span class="brand">mqload</span> ${
    escapeHtml(title)
  }</h1>${status}</header>
<p class="meta">${escapeHtml(meta)}</p>
${cards(summary)}
<h2>Over time</h2>
<section class="charts">${reportCharts(timeline)}</section>
<h2>Thresholds</h2>
${thresholdTable(thresholds, summary)}
${checksSection(summary.root_group)}
<h2>Metrics</h2>
${metricTables(summary)}
<h2>Options</h2>
<details open><summary>Options used (secrets redacted)</summary><pre id="options">${
    escapeHtml(compactJson(redactSecrets(input.options ?? {})))
  }</pre></details>
<footer>Generated by mqload on ${escapeHtml(formatDate(generated))}.</footer>
</main>
</body>
</html>
`;
}

function cards(summary: SummaryData): string {
  const m = summary.metrics;
  const unit = summary.options.summaryTimeUnit;
  const out: string[] = [];
  const card = (label: string, value: string, sub = "", bad = false) =>
    out.push(
      `<div class="card${bad ? " bad" : ""}"><div class="label">${escapeHtml(label)}</div>` +
        `<div class="value">${escapeHtml(value)}</div><div class="sub">${
          escapeHtml(sub)
        }</div></div>`,
    );
  const peak = m.vus?.values.max ?? m.vus_max?.values.value;
  const max = m.vus_max?.values.value;
  if (peak !== undefined) {
    card("Peak VUs", formatNumber(peak), max !== undefined ? `of ${formatNumber(max)} max` : "");
  }
  const counter = (key: string, label: string) => {
    const v = m[key]?.values;
    if (v !== undefined) card(label, formatNumber(v.count), `${formatCompact(v.rate)}/s`);
  };
  counter(ITERATIONS, "Iterations");
  counter(MQTT_MESSAGES_SENT, "Messages sent");
  counter(MQTT_MESSAGES_RECEIVED, "Messages received");
  const errors = m.mqtt_errors?.values.count ?? 0;
  card(
    "MQTT errors",
    formatNumber(errors),
    m.mqtt_errors ? `${formatCompact(m.mqtt_errors.values.rate)}/s` : "",
    errors > 0,
  );
  const checks = m.checks?.values;
  if (checks !== undefined) {
    card(
      "Checks",
      humanizeValue(checks.rate, m.checks, unit),
      `${formatNumber(checks.passes)} ✓ · ${formatNumber(checks.fails)} ✗`,
      checks.fails > 0,
    );
  }
  const latencies = [
    [MQTT_PUBLISH_DURATION, "Publish RTT", "PUBLISH to ack"],
    [MQTT_MESSAGE_LATENCY, "Msg latency", "end to end"],
  ];
  for (const [key, label, sub] of latencies) {
    const t = m[key];
    if (t === undefined) continue;
    const stat = ["p(95)", "p(90)", "med", "avg"].find((s) => t.values[s] !== undefined);
    if (stat !== undefined) {
      card(
        `${label} ${stat.replace(/^p\((.*)\)$/, "p$1")}`,
        humanizeValue(t.values[stat], t, unit),
        sub,
      );
    }
  }
  return `<section class="cards">${out.join("")}</section>`;
}

/**
 * The report's charts over time (VUs, messages, errors, latency percentiles), also drawn live by
 * the web dashboard.
 *
 * @param t The run's time series (undefined: every chart says "no data").
 * @returns One `<figure>` per chart.
 *
 * @example Usage
 * ```ts
 * import { reportCharts } from "./html_report.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(reportCharts(undefined), /id="chart-vus"/);
 * ```
 */
export function reportCharts(t: TimelineJSON | undefined): string {
  const step = t?.stepMs ?? 1000;
  const rate = (name: string) => t?.counters[name]?.rate ?? [];
  const per = (v: number) => `${formatCompact(v)}/s`;
  const latency = (id: string, name: string, title: string, subtitle: string) => {
    const tr = t?.trends[name];
    return lineChart({
      id,
      title,
      subtitle,
      stepMs: step,
      format: formatMs,
      series: [
        { name: "p50", color: C.p50, values: tr?.p50 ?? [] },
        { name: "p95", color: C.p95, values: tr?.p95 ?? [] },
        { name: "p99", color: C.p99, values: tr?.p99 ?? [] },
      ],
    });
  };
  const errorSeries = [{
    name: "errors/s",
    color: C.errors,
    values: rate(MQTT_ERRORS),
    area: true,
  }];
  if (rate(DROPPED_ITERATIONS).some((v) => v > 0)) {
    errorSeries.push({
      name: "dropped iterations/s",
      color: C.dropped,
      values: rate(DROPPED_ITERATIONS),
      area: false,
    });
  }
  return [
    lineChart({
      id: "chart-vus",
      title: "Virtual users",
      subtitle: "VUs running",
      stepMs: step,
      format: formatCompact,
      series: [{ name: "VUs", color: C.vus, values: t?.gauges.vus ?? [], area: true }],
    }),
    lineChart({
      id: "chart-connections",
      title: "Connections",
      subtitle: "Clients connected, and connection attempts per second that succeeded and failed",
      stepMs: step,
      format: formatCompact,
      series: [
        {
          name: "connected",
          color: C.connected,
          values: t?.gauges[TIMELINE_CONNECTIONS] ?? [],
          area: true,
        },
        {
          name: "connects/s",
          color: C.sent,
          values: (t?.trends[MQTT_CONNECT_DURATION]?.count ?? []).map((n) => n * 1000 / step),
        },
        { name: "connect failures/s", color: C.errors, values: rate(TIMELINE_CONNECT_FAILURES) },
      ],
    }),
    lineChart({
      id: "chart-messages",
      title: "Messages per second",
      subtitle: "MQTT PUBLISH packets sent and received by the VUs",
      stepMs: step,
      format: per,
      series: [
        { name: "sent", color: C.sent, values: rate(MQTT_MESSAGES_SENT) },
        { name: "received", color: C.received, values: rate(MQTT_MESSAGES_RECEIVED) },
      ],
    }),
    lineChart({
      id: "chart-errors",
      title: "Errors per second",
      subtitle: "mqtt_errors: failed connects, publishes, subscriptions and dropped connections",
      stepMs: step,
      format: per,
      series: errorSeries,
    }),
    latency(
      "chart-connect",
      MQTT_CONNECT_DURATION,
      "Connect duration",
      "CONNECT to CONNACK, per second",
    ),
    latency(
      "chart-publish",
      MQTT_PUBLISH_DURATION,
      "Publish round trip",
      "PUBLISH to PUBACK / PUBCOMP at QoS 1 and 2, per second",
    ),
    latency(
      "chart-latency",
      MQTT_MESSAGE_LATENCY,
      "End-to-end message latency",
      "Publisher to subscriber (MQTT 5 timestamp), per second",
    ),
  ].join("\n");
}

function formatDate(d: Date): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
