import assert from "node:assert/strict";
import { syntheticRun } from "../../tests/fixtures/synthetic_run.ts";
import type { SummaryData } from "../summary/data.ts";
import { Timeline } from "./timeline.ts";
import { formatElapsed, lineChart, niceTicks } from "./_report_chart.ts";
import { compactJson, formatMs, REDACTED, redactSecrets } from "./_report_text.ts";
import { renderHtmlReport } from "./html_report.ts";

const CHARTS = [
  "chart-vus",
  "chart-messages",
  "chart-errors",
  "chart-connect",
  "chart-publish",
  "chart-latency",
];

function emptySummary(): SummaryData {
  return {
    root_group: { name: "", path: "", id: "", groups: [], checks: [] },
    options: { summaryTrendStats: ["avg", "p(95)"], summaryTimeUnit: "", noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 0 },
    metrics: {},
  };
}

function figure(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, id);
  return html.slice(start, html.indexOf("</figure>", start));
}

Deno.test("renderHtmlReport() draws every chart, thresholds, checks and metrics of a run", () => {
  const run = syntheticRun();
  const html = renderHtmlReport({ ...run, title: "sensors.ts" });
  for (const id of CHARTS) {
    const f = figure(html, id);
    assert.match(f, /<path class="line"[^>]* d="M[^"]+"/, id);
    assert.ok(!f.includes("no data"), id);
    assert.match(f, /data-points="60"/, id);
  }
  assert.equal((html.match(/<tr class="threshold /g) ?? []).length, 6);
  assert.equal((html.match(/<tr class="threshold bad">/g) ?? []).length, 1);
  assert.match(html, /✗ 1 of 6 thresholds failed/);
  assert.match(html, /<td><code>mqtt_message_latency<\/code><\/td><td><code>p\(99\)&lt;30<\/code>/);
  assert.match(html, /<table id="checks">.*published/s);
  assert.match(html, /<table id="trend-metrics">.*mqtt_publish_duration/s);
  assert.match(html, /<td class="sub"><code>\{method:publish\}<\/code>/);
  assert.match(html, /Started 2025-06-01 09:30:00 UTC · ran for 1m0s/);
  assert.match(html, /<title>sensors\.ts · mqload<\/title>/);
});

Deno.test("renderHtmlReport() is self-contained and redacts secrets", () => {
  const run = syntheticRun(5);
  const html = renderHtmlReport({
    ...run,
    options: { ...run.options, nested: [{ token: "tok-123", apiKey: 42, password: "" }] },
  });
  assert.ok(!/<script|<link|@import|url\(|src=|https?:\/\//i.test(html));
  for (const secret of ["s3cr3t-pa55", "BEGIN PRIVATE KEY", "tok-123"]) {
    assert.ok(!html.includes(secret), secret);
  }
  assert.match(html, /mqtt:\/\/loadtest:\[redacted\]@broker\.example:1883/);
  assert.match(html, /BEGIN CERTIFICATE/);
});

Deno.test("renderHtmlReport() without data says so instead of drawing", () => {
  const html = renderHtmlReport({ summary: emptySummary() });
  for (const id of CHARTS) {
    const f = figure(html, id);
    assert.match(f, /no data/, id);
    assert.ok(!f.includes('class="line"'), id);
  }
  assert.match(html, /No thresholds/);
  assert.match(html, /No metric received samples/);
  assert.ok(!html.includes('id="checks"'));
  // A timeline with VUs only: the latency charts still say "no data".
  const timeline = new Timeline({ startMs: 0 });
  timeline.gauge("vus", 3, 10);
  const partial = renderHtmlReport({ summary: emptySummary(), timeline: timeline.toJSON() });
  assert.match(figure(partial, "chart-vus"), /<path class="line"[^>]* d="M[^"]+H[^"]+"/);
  assert.match(figure(partial, "chart-latency"), /no data/);
  assert.match(figure(partial, "chart-messages"), /<path class="line"/);
});

Deno.test("renderHtmlReport() escapes names and falls back to the summary's verdicts", () => {
  const summary = emptySummary();
  summary.metrics['x{tag:"<b>"}'] = {
    type: "counter",
    contains: "default",
    values: { count: 1, rate: 1 },
    thresholds: { "count>5": { ok: false } },
  };
  const html = renderHtmlReport({ summary, title: "<script>alert(1)</script>" });
  assert.ok(!html.includes("<script>") && !html.includes("<b>"));
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /✗ 1 of 1 thresholds failed/);
  assert.match(html, /<td class="num">–<\/td>/);
});

Deno.test("redactSecrets() hides secrets by key and in URLs, and survives odd values", () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const out = redactSecrets({
    password: "p",
    MQTT_PASSWORD: "p",
    client: { username: "u", passwd: "p", credentials_provider: () => "x" },
    session_expiry_interval: 60,
    keepalive: 30,
    tls: { key: "k", cert: "c" },
    url: "wss://u:p@host/mqtt",
    list: ["mqtt://a:b@c", 5n],
    cyclic,
    bytes: new Uint8Array(3),
    empty: "",
  });
  assert.deepEqual(out, {
    password: REDACTED,
    MQTT_PASSWORD: REDACTED,
    client: { username: "u", passwd: REDACTED, credentials_provider: REDACTED },
    session_expiry_interval: 60,
    keepalive: 30,
    tls: { key: REDACTED, cert: "c" },
    url: "wss://u:[redacted]@host/mqtt",
    list: ["mqtt://a:[redacted]@c", "5"],
    cyclic: { a: 1, self: "[circular]" },
    bytes: "[3 bytes]",
    empty: "",
  });
});

Deno.test("chart helpers: nice ticks, elapsed time, ms, compact JSON", () => {
  assert.deepEqual(niceTicks(50), [0, 10, 20, 30, 40, 50]);
  assert.deepEqual(niceTicks(21.8), [0, 5, 10, 15, 20, 25]);
  assert.deepEqual(niceTicks(1000), [0, 200, 400, 600, 800, 1000]);
  assert.deepEqual(niceTicks(0.3), [0, 0.1, 0.2, 0.3]);
  assert.deepEqual(niceTicks(0), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual([0, 45, 60, 90, 3900].map(formatElapsed), ["0s", "45s", "1m", "1m30s", "1h5m"]);
  assert.deepEqual([0, 0.5, 12.345, 1500].map(formatMs), ["0", "500 µs", "12.3 ms", "1.5 s"]);
  assert.equal(compactJson({ a: [1, 2], b: {} }), '{ "a": [1, 2], "b": {} }');
  assert.equal(compactJson({ long: "x".repeat(90) }), `{\n  "long": "${"x".repeat(90)}"\n}`);
});

Deno.test("lineChart() breaks lines at gaps and marks lone points", () => {
  const svg = lineChart({
    id: "c",
    title: "t",
    stepMs: 1000,
    format: String,
    series: [{ name: "s", color: "#000", values: [1, 2, null, 4, null, null], area: true }],
  });
  const d = /<path class="line"[^>]* d="([^"]+)"/.exec(svg)![1];
  assert.equal((d.match(/M/g) ?? []).length, 2, d);
  assert.match(d, /H/);
  assert.equal((/<path class="area" d="([^"]+)"/.exec(svg)![1].match(/Z/g) ?? []).length, 2);
  assert.equal((svg.match(/<rect class="hover"/g) ?? []).length, 6);
  assert.match(svg, /<title>2s: s –<\/title>/);
});
