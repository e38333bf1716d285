import assert from "node:assert/strict";
import type { SummaryData } from "./data.ts";
import { humanizeBytes, humanizeDuration, humanizeValue, textSummary } from "./text.ts";

/** A summary shaped like k6's classic example output. */
function k6Example(): SummaryData {
  return {
    root_group: {
      name: "",
      path: "",
      id: "d41d8cd98f00b204e9800998ecf8427e",
      groups: [{
        name: "publish",
        path: "::publish",
        id: "x",
        groups: [],
        checks: [{ name: "acked", path: "::publish::acked", id: "y", passes: 2, fails: 1 }],
      }],
      checks: [{ name: "is connected", path: "::is connected", id: "z", passes: 10, fails: 0 }],
    },
    options: {
      summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)"],
      summaryTimeUnit: "",
      noColor: false,
    },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 10185 },
    metrics: {
      vus: { type: "gauge", contains: "default", values: { value: 1, min: 1, max: 1 } },
      iterations: { type: "counter", contains: "default", values: { count: 10, rate: 0.981824 } },
      checks: {
        type: "rate",
        contains: "default",
        values: { rate: 12 / 13, passes: 12, fails: 1 },
        thresholds: { "rate>0.9": { ok: true } },
      },
      data_received: { type: "counter", contains: "data", values: { count: 11000, rate: 1100 } },
      data_sent: { type: "counter", contains: "data", values: { count: 1100, rate: 107 } },
      iteration_duration: {
        type: "trend",
        contains: "time",
        values: { avg: 1100.5, min: 1100, med: 1100.25, max: 1120, "p(90)": 1110, "p(95)": 1115 },
      },
      "mqtt_calls{method:publish}": {
        type: "counter",
        contains: "default",
        values: { count: 3, rate: 0.3 },
        thresholds: { "count>5": { ok: false } },
      },
      mqtt_calls: { type: "counter", contains: "default", values: { count: 13, rate: 1.3 } },
    },
  };
}

Deno.test("textSummary() lays out checks and metrics like k6's classic summary", () => {
  const text = textSummary(k6Example(), { enableColors: false });
  assert.equal(
    text,
    [
      "     ✓ is connected",
      "",
      "     █ publish",
      "",
      "       ✗ acked",
      "        ↳  66% — ✓ 2 / ✗ 1",
      "",
      // Names pad to the widest (the submetric, 2 + 18) + 3 dots; extras pad per column.
      "   ✓ checks.................: 92.30% ✓ 12       ✗ 1  ",
      "     data_received..........: 11 kB  1.1 kB/s",
      "     data_sent..............: 1.1 kB 107 B/s",
      "     iteration_duration.....: avg=1.1s min=1.1s med=1.1s max=1.12s p(90)=1.11s p(95)=1.11s",
      "     iterations.............: 10     0.981824/s",
      "     mqtt_calls.............: 13     1.3/s",
      "     ✗ { method:publish }...: 3      0.3/s",
      "     vus....................: 1      min=1      max=1",
    ].join("\n"),
  );
});

Deno.test("textSummary() with colours differs only by ANSI escapes", () => {
  const plain = textSummary(k6Example(), { enableColors: false });
  const colored = textSummary(k6Example());
  assert.notEqual(colored, plain);
  // deno-lint-ignore no-control-regex
  assert.equal(colored.replace(/\x1b\[[0-9;]*m/g, ""), plain);
  assert.ok(colored.includes("\x1b[32m✓\x1b[0m checks"));
  assert.ok(colored.includes("  \x1b[31m✗\x1b[0m { method:publish }\x1b[2m...:\x1b[0m"));
  assert.ok(colored.includes("\x1b[36;2m1.1 kB/s\x1b[0m"));
  assert.ok(colored.includes("avg=\x1b[36m1.1s\x1b[0m"));
});

Deno.test("textSummary() honours indent, time unit and trend stats overrides", () => {
  const text = textSummary(k6Example(), {
    enableColors: false,
    indent: "",
    summaryTimeUnit: "ms",
    summaryTrendStats: ["max", "avg"],
  });
  const line = text.split("\n").find((l) => l.includes("iteration_duration"));
  assert.equal(line, "    iteration_duration.....: max=1120.00ms avg=1100.50ms");
  assert.ok(text.startsWith("    ✓ is connected"));
});

Deno.test("humanizeDuration() matches k6", () => {
  const cases: Array<[number, string]> = [
    [0, "0s"],
    [0.0005, "500ns"],
    [0.0123, "12.3µs"],
    [0.999999, "999.99µs"],
    [1, "1ms"],
    [12.345678, "12.34ms"],
    [999.999, "999.99ms"],
    [1000, "1s"],
    [1234.5678, "1.23s"],
    [59_999, "59.99s"],
    [60_000, "1m0s"],
    [65_432, "1m5s"],
    [3_600_000, "1h0m0s"],
    [3_723_000, "1h2m3s"],
  ];
  for (const [ms, text] of cases) assert.equal(humanizeDuration(ms), text, String(ms));
  assert.equal(humanizeDuration(1234.5678, "s"), "1.23s");
  assert.equal(humanizeDuration(1.5, "us"), "1500.00µs");
  assert.equal(humanizeDuration(1.5, "ms"), "1.50ms");
});

Deno.test("humanizeBytes() and humanizeValue() match k6", () => {
  assert.equal(humanizeBytes(0), "0 B");
  assert.equal(humanizeBytes(9), "9 B");
  assert.equal(humanizeBytes(10), "10 B");
  assert.equal(humanizeBytes(999), "999 B");
  assert.equal(humanizeBytes(1000), "1.0 kB");
  assert.equal(humanizeBytes(1049), "1.0 kB");
  assert.equal(humanizeBytes(1050), "1.1 kB");
  assert.equal(humanizeBytes(2_500_000), "2.5 MB");
  assert.equal(humanizeBytes(25_000_000), "25 MB");
  const counter = { type: "counter", contains: "default" } as const;
  assert.equal(humanizeValue(1 / 3, counter, ""), "0.333333");
  assert.equal(humanizeValue(5, counter, ""), "5");
  const rate = { type: "rate", contains: "default" } as const;
  assert.equal(humanizeValue(1, rate, ""), "100.00%");
  assert.equal(humanizeValue(0.123456, rate, ""), "12.34%");
  assert.equal(humanizeValue(0, rate, ""), "0.00%");
});
