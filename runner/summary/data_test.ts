import assert from "node:assert/strict";
import { md5Hex } from "./_md5.ts";
import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
import {
  exportExtras,
  formatSummaryExport,
  rootGroupFromChecks,
  summaryData,
  summaryExport,
} from "./data.ts";
import { parseThresholds } from "../metrics/thresholds.ts";
import { LogHistogram } from "../metrics/histogram.ts";

function scenario() {
  const r = new MetricRegistry();
  defineBuiltins(r);
  r.define("handler_called", "counter");
  for (let i = 1; i <= 10; i++) {
    r.add("iterations", 1);
    r.add("iteration_duration", 100 * i);
    r.add("mqtt_calls", 1, { method: i <= 4 ? "publish" : "subscribe" });
    r.add("checks", 1, { check: "is connected", group: "" });
    r.add("checks", i % 5 ? 1 : 0, { check: "acked", group: "::publish" });
    r.add("data_sent", 12);
  }
  r.add("vus", 3, {}, 1);
  r.add("vus", 1, {}, 2);
  const thresholds = parseThresholds({
    checks: ["rate>0.95"],
    "mqtt_calls{method:publish}": ["count==4"],
    "mqtt_publish_duration{qos:1}": ["p(95)<100"],
    handler_called: ["count==0"],
  });
  thresholds.validate(r);
  const results = thresholds.evaluate(r, 5000);
  return { r, thresholds, results };
}

Deno.test("summaryData() builds k6's handleSummary data", () => {
  const { r, results } = scenario();
  const data = summaryData(r, results, {
    testRunDurationMs: 5000,
    options: { summaryTimeUnit: "ms", scenarios: {} },
    isStdOutTTY: true,
    setupData: { token: "x" },
  });
  assert.deepEqual(Object.keys(data), ["root_group", "options", "state", "metrics", "setup_data"]);
  assert.deepEqual(data.options, {
    summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)"],
    summaryTimeUnit: "ms",
    noColor: false,
  });
  assert.deepEqual(data.state, { isStdOutTTY: true, isStdErrTTY: false, testRunDurationMs: 5000 });
  assert.deepEqual(data.setup_data, { token: "x" });
  // Observed metrics, plus every metric and submetric with thresholds, sorted.
  assert.deepEqual(Object.keys(data.metrics), [
    "checks",
    "data_sent",
    "handler_called",
    "iteration_duration",
    "iterations",
    "mqtt_calls",
    "mqtt_calls{method:publish}",
    "mqtt_publish_duration",
    "mqtt_publish_duration{qos:1}",
    "vus",
  ]);
  assert.deepEqual(data.metrics.checks, {
    type: "rate",
    contains: "default",
    values: { rate: 18 / 20, passes: 18, fails: 2 },
    thresholds: { "rate>0.95": { ok: false } },
  });
  assert.deepEqual(data.metrics.iterations, {
    type: "counter",
    contains: "default",
    values: { count: 10, rate: 2 },
  });
  assert.deepEqual(data.metrics.data_sent.contains, "data");
  assert.deepEqual(data.metrics.vus.values, { value: 1, min: 1, max: 3 });
  assert.deepEqual(data.metrics["mqtt_calls{method:publish}"], {
    type: "counter",
    contains: "default",
    values: { count: 4, rate: 0.8 },
    thresholds: { "count==4": { ok: true } },
  });
  assert.deepEqual(data.metrics.handler_called.values, { count: 0, rate: 0 });
  const trend = data.metrics.iteration_duration;
  assert.deepEqual([trend.type, trend.contains], ["trend", "time"]);
  assert.deepEqual(Object.keys(trend.values), ["avg", "min", "med", "max", "p(90)", "p(95)"]);
  assert.equal(trend.values.avg, 550);
  assert.equal(trend.values.min, 100);
  assert.equal(trend.values.max, 1000);
  assert.ok(Math.abs(trend.values["p(90)"] - 910) <= 9.1);
  // An empty trend with a threshold: k6's zeros, threshold evaluated on them.
  assert.deepEqual(data.metrics["mqtt_publish_duration{qos:1}"], {
    type: "trend",
    contains: "time",
    values: { avg: 0, min: 0, med: 0, max: 0, "p(90)": 0, "p(95)": 0 },
    thresholds: { "p(95)<100": { ok: true } },
  });
  assert.deepEqual(structuredClone(data), data);
});

Deno.test("summaryData() builds root_group from the checks metric with k6 ids", () => {
  const { r, results } = scenario();
  const data = summaryData(r, results, { testRunDurationMs: 5000 });
  assert.deepEqual(data.root_group, {
    name: "",
    path: "",
    id: "d41d8cd98f00b204e9800998ecf8427e",
    groups: [{
      name: "publish",
      path: "::publish",
      id: md5Hex("::publish"),
      groups: [],
      checks: [{
        name: "acked",
        path: "::publish::acked",
        id: md5Hex("::publish::acked"),
        passes: 8,
        fails: 2,
      }],
    }],
    checks: [{
      name: "is connected",
      path: "::is connected",
      id: md5Hex("::is connected"),
      passes: 10,
      fails: 0,
    }],
  });
  assert.equal(md5Hex("::is status 200"), "548d37ca5f33793206f7832e7cea54fb");
});

Deno.test("rootGroupFromChecks() nests groups and sums series of the same check", () => {
  const r = new MetricRegistry();
  defineBuiltins(r);
  r.add("checks", 1, { group: "::a::b", check: "deep", scenario: "s1" });
  r.add("checks", 0, { group: "::a::b", check: "deep", scenario: "s2" });
  r.add("checks", 1, { group: "::c", check: "other" });
  r.add("checks", 1, { scenario: "no check tag" });
  const root = rootGroupFromChecks(r);
  assert.deepEqual(root.groups.map((g) => g.name), ["a", "c"]);
  assert.equal(root.groups[0].groups[0].path, "::a::b");
  assert.deepEqual(root.groups[0].groups[0].checks.map((c) => [c.passes, c.fails]), [[1, 1]]);
  assert.equal(root.checks.length, 0);
});

Deno.test("summaryData() honours summaryTrendStats and rejects bad ones", () => {
  const { r, results } = scenario();
  const data = summaryData(r, results, {
    testRunDurationMs: 5000,
    options: { summaryTrendStats: ["count", "p(99.9)", "med"] },
  });
  assert.deepEqual(Object.keys(data.metrics.iteration_duration.values), [
    "count",
    "p(99.9)",
    "med",
  ]);
  assert.equal(data.metrics.iteration_duration.values.count, 10);
  assert.throws(
    () =>
      summaryData(r, results, { testRunDurationMs: 1, options: { summaryTrendStats: ["p90"] } }),
    /Invalid trend stat "p90"/,
  );
});

Deno.test("summaryExport() writes k6's legacy format plus the mqload block", () => {
  const { r, thresholds, results } = scenario();
  const data = summaryData(r, results, { testRunDurationMs: 5000 });
  const doc = summaryExport(data, exportExtras(r, data, thresholds));
  assert.deepEqual(Object.keys(doc), ["root_group", "metrics", "mqload"]);
  // Rates: `rate` becomes `value`, after the thresholds; thresholds mean "failed".
  assert.deepEqual(doc.metrics.checks, {
    passes: 18,
    fails: 2,
    thresholds: { "rate>0.95": true },
    value: 0.9,
  });
  assert.deepEqual(Object.keys(doc.metrics.checks), ["passes", "fails", "thresholds", "value"]);
  assert.deepEqual(doc.metrics.iterations, { count: 10, rate: 2 });
  assert.deepEqual(doc.metrics["mqtt_calls{method:publish}"], {
    count: 4,
    rate: 0.8,
    thresholds: { "count==4": false },
  });
  assert.deepEqual(doc.metrics.vus, { value: 1, min: 1, max: 3 });
  assert.deepEqual(doc.root_group.checks["is connected"], data.root_group.checks[0]);
  assert.deepEqual(doc.root_group.groups.publish.checks.acked.passes, 8);
  assert.deepEqual(doc.root_group.groups.publish.groups, {});
  const block = doc.mqload;
  assert.equal(block.version, 1);
  assert.equal(block.testRunDurationMs, 5000);
  assert.deepEqual(block.thresholds, thresholds.toConfig());
  assert.deepEqual(block.metrics.data_sent, { type: "counter", contains: "data" });
  assert.deepEqual(block.metrics.vus, { type: "gauge", contains: "default", time: 2 });
  const h = LogHistogram.fromJSON(block.metrics.iteration_duration.histogram!);
  assert.equal(h.count, 10);
  assert.equal(block.metrics["mqtt_publish_duration{qos:1}"].histogram?.count, 0);
  // The file round-trips through JSON unchanged.
  const text = formatSummaryExport(doc);
  assert.ok(text.includes('\n    "metrics": {\n        "checks": {'));
  assert.deepEqual(JSON.parse(text), doc);
});

Deno.test("summaryExport() accepts a plain map of histograms", () => {
  const { r, results } = scenario();
  const data = summaryData(r, results, { testRunDurationMs: 5000 });
  const h = r.get("iteration_duration")!.histogram!.toJSON();
  const doc = summaryExport(data, { iteration_duration: h });
  assert.deepEqual(doc.mqload.metrics.iteration_duration.histogram, h);
  assert.equal(doc.mqload.thresholds, undefined);
  assert.equal(summaryExport(data).mqload.metrics.iteration_duration.histogram, undefined);
});

Deno.test("rootGroupFromChecks() lists the groups without checks that group_duration timed", () => {
  const r = new MetricRegistry();
  defineBuiltins(r);
  r.add("checks", 1, { group: "::a", check: "ok" });
  r.add("group_duration", 12, { group: "::a" });
  r.add("group_duration", 3, { group: "::work::inner" });
  r.add("group_duration", 5, { group: "::work" });
  const root = rootGroupFromChecks(r);
  assert.deepEqual(root.groups.map((g) => g.name), ["a", "work"]);
  assert.deepEqual(root.groups[1].groups.map((g) => [g.path, g.checks.length]), [
    ["::work::inner", 0],
  ]);
  assert.equal(root.groups[0].checks.length, 1);
});
