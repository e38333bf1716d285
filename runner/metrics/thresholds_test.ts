import assert from "node:assert/strict";
import { failedThresholds, mergeSummaries } from "../summary/merge.ts";
import { defineBuiltins, MetricRegistry } from "./registry.ts";
import { exportExtras, summaryData, summaryExport } from "../summary/data.ts";
import {
  InvalidThresholdError,
  parseMetricKey,
  parseThresholdExpression,
  parseThresholds,
} from "./thresholds.ts";

Deno.test("parseThresholdExpression() accepts k6's grammar", () => {
  const cases: Array<[string, unknown]> = [
    ["count==5", { aggregation: "count", operator: "==", value: 5 }],
    ["count===5", { aggregation: "count", operator: "===", value: 5 }],
    ["rate<0.01", { aggregation: "rate", operator: "<", value: 0.01 }],
    ["  rate  >=  0.95 ", { aggregation: "rate", operator: ">=", value: 0.95 }],
    ["value!=0", { aggregation: "value", operator: "!=", value: 0 }],
    ["avg<200", { aggregation: "avg", operator: "<", value: 200 }],
    ["min>-5", { aggregation: "min", operator: ">", value: -5 }],
    ["max<=1e3", { aggregation: "max", operator: "<=", value: 1000 }],
    ["med>10", { aggregation: "med", operator: ">", value: 10 }],
    ["p(95)<200", { aggregation: "p", percentile: 95, operator: "<", value: 200 }],
    ["p(99.9) <= 250.5", { aggregation: "p", percentile: 99.9, operator: "<=", value: 250.5 }],
    ["p(0)>0", { aggregation: "p", percentile: 0, operator: ">", value: 0 }],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(parseThresholdExpression(input), expected, input);
  }
});

Deno.test("parseThresholdExpression() names the bad expression", () => {
  const bad: Array<[string, RegExp]> = [
    ["p(95)=200", /"p\(95\)=200": malformed/],
    ["rate", /malformed/],
    ["", /malformed/],
    ["mean<5", /unknown aggregation "mean"/],
    ["p95<5", /unknown aggregation "p95"/],
    ["p(101)<5", /malformed percentile "p\(101\)"/],
    ["p(x)<5", /malformed percentile/],
    ["p()<5", /malformed percentile/],
    ["avg<fast", /"fast" is not a number/],
    ["avg<", /"" is not a number/],
    ["avg<1<2", /"1<2" is not a number/],
  ];
  for (const [input, re] of bad) {
    assert.throws(() => parseThresholdExpression(input), re, input);
    assert.throws(() => parseThresholdExpression(input), InvalidThresholdError, input);
  }
  try {
    parseThresholdExpression("x");
  } catch (e) {
    assert.ok(e instanceof TypeError);
    assert.equal((e as InvalidThresholdError).exitCode, 104);
    assert.equal((e as Error).name, "InvalidThresholdError");
  }
});

Deno.test("parseMetricKey() parses k6 submetric keys", () => {
  assert.deepEqual(parseMetricKey("checks"), { key: "checks", name: "checks", filter: {} });
  assert.deepEqual(parseMetricKey("mqtt_calls{method:publish,proto:mqtt}"), {
    key: "mqtt_calls{method:publish,proto:mqtt}",
    name: "mqtt_calls",
    filter: { method: "publish", proto: "mqtt" },
  });
  assert.deepEqual(parseMetricKey(`checks{ "check" : 'is ok' }`), {
    key: `checks{"check" : 'is ok'}`,
    name: "checks",
    filter: { check: "is ok" },
  });
  assert.deepEqual(parseMetricKey("lat{url:mqtt://h:1883}").filter, { url: "mqtt://h:1883" });
  for (
    const [bad, re] of [
      ["checks{", /unmatched/],
      ["checks}", /unmatched/],
      ["checks}{", /before opening/],
      ["checks{a:b}x", /must be last/],
      ["checks{}", /cannot be empty/],
      ["checks{a}", /"a" is malformed/],
      ["checks{a:}", /malformed/],
      ["checks{a:b,}", /malformed/],
    ] as const
  ) {
    assert.throws(() => parseMetricKey(bad), re, bad);
  }
});

Deno.test("parseThresholds() reads strings and objects, and rejects bad config", () => {
  const t = parseThresholds({
    checks: ["rate==1"],
    mqtt_errors: [{ threshold: "count<10", abortOnFail: true, delayAbortEval: "10s" }],
    "mqtt_calls{method:publish}": [],
  });
  assert.equal(t.entries.length, 2);
  assert.deepEqual(
    t.entries.map((e) => [e.key, e.source, e.abortOnFail, e.delayAbortEvalMs]),
    [["checks", "rate==1", false, undefined], ["mqtt_errors", "count<10", true, 10_000]],
  );
  assert.throws(() => parseThresholds(null as never), InvalidThresholdError);
  assert.throws(() => parseThresholds({ checks: "rate==1" as never }), /expected an array/);
  assert.throws(() => parseThresholds({ checks: [42 as never] }), /expected a string or/);
  assert.throws(
    () => parseThresholds({ checks: [{ threshold: "rate>1", abortOnFail: "yes" as never }] }),
    /Invalid abortOnFail "yes"/,
  );
  assert.throws(
    () => parseThresholds({ checks: [{ threshold: "rate>1", delayAbortEval: "later" }] }),
    /Invalid delayAbortEval "later" for threshold "rate>1" on metric "checks"/,
  );
  assert.throws(() => parseThresholds({ "checks{x}": ["rate>1"] }), /Invalid metric "checks\{x\}"/);
  assert.throws(() => parseThresholds({ checks: ["rate>=x"] }), /"rate>=x"/);
});

Deno.test("Thresholds.validate() checks metric names and aggregation methods like k6", () => {
  const r = new MetricRegistry({ maxSeriesPerMetric: 1, onWarning: () => {} });
  defineBuiltins(r);
  r.define("custom_gauge", "gauge");
  const ok = parseThresholds({
    mqtt_calls: ["count>0", "rate>0"],
    custom_gauge: ["value<5"],
    checks: ["rate>0.9"],
    "mqtt_publish_duration{qos:1}": ["avg<1", "min<1", "max<1", "med<1", "p(99)<1"],
  });
  ok.validate(r);
  const bad: Array<[Record<string, string[]>, RegExp]> = [
    [{ mqtt_calls: ["value>0"] }, /unsupported aggregation method value on metric of type counter/],
    [{ custom_gauge: ["count>0"] }, /supported aggregation methods for this metric are: value/i],
    [{ checks: ["count>0"] }, /type rate/],
    [{ mqtt_publish_duration: ["rate>0"] }, /avg, min, max, med, p/],
    [{ missing: ["count>0"] }, /no metric name "missing" found/],
    [{ "missing{a:b}": ["count>0"] }, /missing\{a:b\}: no metric name "missing"/],
  ];
  for (const [config, re] of bad) {
    assert.throws(() => parseThresholds(config).validate(r), re);
    assert.throws(() => parseThresholds(config).validate(r), InvalidThresholdError);
  }
  // validate() registered "qos" as a preserved tag: folded series keep it.
  r.add("mqtt_publish_duration", 1, { qos: "0", client_id: "a" });
  r.add("mqtt_publish_duration", 2, { qos: "1", client_id: "b" });
  r.add("mqtt_publish_duration", 3, { qos: "1", client_id: "c" });
  assert.equal(r.select("mqtt_publish_duration", { qos: "1" })?.histogram?.count, 2);
});

Deno.test("Thresholds.evaluate() computes k6's sink values", () => {
  const r = new MetricRegistry();
  defineBuiltins(r);
  for (let i = 1; i <= 100; i++) r.add("mqtt_publish_duration", i, { qos: i % 2 ? "1" : "0" });
  for (let i = 0; i < 5; i++) r.add("mqtt_calls", 1, { method: i < 3 ? "publish" : "connect" });
  r.add("vus", 7);
  r.add("vus", 3);
  for (let i = 0; i < 10; i++) r.add("checks", i < 9 ? 1 : 0, { check: i < 9 ? "a" : "b" });
  const t = parseThresholds({
    mqtt_calls: ["count==5", "count===5", "count!=5", "rate==2.5", "rate<2"],
    "mqtt_calls{method:publish}": ["count==3"],
    vus: ["value==3", "value>3"],
    checks: ["rate==0.9", "rate>0.9"],
    "checks{check:b}": ["rate==0"],
    mqtt_publish_duration: ["min==1", "max==100", "avg==50.5", "med<51", "med>50", "p(90)<91"],
    "mqtt_publish_duration{qos:0}": ["min==2", "max==100"],
  });
  t.validate(r);
  const results = t.evaluate(r, 2000);
  const byExpr = results.map((x) => `${x.metric} ${x.expression} ${x.ok}`);
  assert.deepEqual(byExpr, [
    "mqtt_calls count==5 true",
    "mqtt_calls count===5 true",
    "mqtt_calls count!=5 false",
    "mqtt_calls rate==2.5 true",
    "mqtt_calls rate<2 false",
    "mqtt_calls{method:publish} count==3 true",
    "vus value==3 true",
    "vus value>3 false",
    "checks rate==0.9 true",
    "checks rate>0.9 false",
    "checks{check:b} rate==0 true",
    "mqtt_publish_duration min==1 true",
    "mqtt_publish_duration max==100 true",
    "mqtt_publish_duration avg==50.5 true",
    "mqtt_publish_duration med<51 true",
    "mqtt_publish_duration med>50 true",
    "mqtt_publish_duration p(90)<91 true",
    "mqtt_publish_duration{qos:0} min==2 true",
    "mqtt_publish_duration{qos:0} max==100 true",
  ]);
  assert.equal(results[0].value, 5);
  assert.ok(results.every((x) => !x.shouldAbort && !x.skipped && !x.abortOnFail));
});

Deno.test("Thresholds.evaluate() on empty metrics: skipped while running, k6's values at the end", () => {
  const r = new MetricRegistry();
  defineBuiltins(r);
  const t = parseThresholds({
    checks: ["rate>0.5", "rate!=0.5"],
    mqtt_errors: ["count<1"],
    mqtt_message_latency: ["p(95)<100", "avg>0"],
  });
  const running = t.evaluate(r, 1000, { ignoreEmpty: true });
  assert.ok(running.every((x) => x.skipped && x.ok && !x.shouldAbort));
  const end = t.evaluate(r, 1000);
  assert.deepEqual(end.map((x) => x.ok), [false, true, true, true, false]);
  assert.equal(end[0].value, 0);
});

Deno.test("Thresholds.evaluate() gives an empty Rate a rate of 0, as k6 does", () => {
  const r = new MetricRegistry();
  defineBuiltins(r);
  r.define("custom_errors", "rate");
  r.add("checks", 1, { check: "a" });
  const t = parseThresholds({
    custom_errors: ["rate<0.1", "rate>0.9", "rate==0"],
    // A submetric no sample matched is empty too.
    "checks{check:b}": ["rate<0.1"],
  });
  t.validate(r);
  const results = t.evaluate(r, 1000);
  assert.deepEqual(results.map((x) => [x.expression, x.ok, x.value]), [
    ["rate<0.1", true, 0],
    ["rate>0.9", false, 0],
    ["rate==0", true, 0],
    ["rate<0.1", true, 0],
  ]);
});

Deno.test("Thresholds.evaluate() keeps empty Counter, Gauge and Trend values", () => {
  const r = new MetricRegistry();
  r.define("custom_count", "counter");
  r.define("custom_gauge", "gauge");
  r.define("custom_trend", "trend");
  const t = parseThresholds({
    custom_count: ["count==0", "rate==0"],
    custom_gauge: ["value==0", "value>0"],
    custom_trend: ["avg==0", "min==0", "max==0", "med==0", "p(95)==0", "avg>0"],
  });
  t.validate(r);
  const verdicts = (elapsedMs: number) => t.evaluate(r, elapsedMs).map((x) => x.ok);
  assert.deepEqual(verdicts(1000), [true, true, true, false, true, true, true, true, true, false]);
  // A counter's rate over no time is 0/0: NaN, which fails every comparison (Go's float too).
  const atZero = t.evaluate(r, 0);
  assert.ok(Number.isNaN(atZero[1].value));
  assert.equal(atZero[1].ok, false);
});

Deno.test("summaryExport() writes an empty Rate's passing threshold as not failed", () => {
  const r = new MetricRegistry();
  defineBuiltins(r);
  r.define("custom_errors", "rate");
  const t = parseThresholds({ custom_errors: ["rate<0.1", "rate>0.9"] });
  t.validate(r);
  const data = summaryData(r, t.evaluate(r, 1000), { testRunDurationMs: 1000 });
  const doc = summaryExport(data, exportExtras(r, data, t));
  // k6's legacy export: `true` means the threshold FAILED.
  assert.deepEqual(doc.metrics.custom_errors, {
    passes: 0,
    fails: 0,
    thresholds: { "rate<0.1": false, "rate>0.9": true },
    value: 0,
  });
  assert.deepEqual(failedThresholds(doc), ["custom_errors: rate>0.9"]);
  // `mqload merge` re-evaluates the thresholds on the merged values: same verdicts.
  assert.deepEqual(mergeSummaries([doc, doc]).metrics.custom_errors, doc.metrics.custom_errors);
});

Deno.test("Thresholds.evaluate() sets shouldAbort after delayAbortEval and remembers verdicts", () => {
  const r = new MetricRegistry();
  defineBuiltins(r);
  const t = parseThresholds({
    mqtt_errors: [
      { threshold: "count<1", abortOnFail: true, delayAbortEval: "10s" },
      { threshold: "count<2", abortOnFail: true },
      "count<1",
    ],
    checks: ["rate>0.5"],
  });
  r.add("mqtt_errors", 1);
  let res = t.evaluate(r, 5000, { ignoreEmpty: true });
  assert.deepEqual(res.map((x) => [x.ok, x.shouldAbort]), [
    [false, false],
    [true, false],
    [false, false],
    [true, false],
  ]);
  res = t.evaluate(r, 10_001, { ignoreEmpty: true });
  assert.deepEqual(res[0].shouldAbort, true);
  assert.deepEqual(res[2].shouldAbort, false);
  r.add("checks", 0);
  assert.equal(t.evaluate(r, 11_000)[3].ok, false);
});

Deno.test("Thresholds.toConfig() round-trips through parseThresholds()", () => {
  const config = {
    checks: ["rate>0.9"],
    "mqtt_calls{method:publish}": [{
      threshold: "count>0",
      abortOnFail: true,
      delayAbortEval: 500,
    }],
  };
  const t = parseThresholds(config);
  assert.deepEqual(t.toConfig(), config);
  assert.deepEqual(parseThresholds(JSON.parse(JSON.stringify(t.toConfig()))).entries, t.entries);
});
