import assert from "node:assert/strict";
import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
import { failedThresholds, mergeSummaries, summaryDataFromExport } from "./merge.ts";
import {
  exportExtras,
  formatSummaryExport,
  summaryData,
  type SummaryExport,
  summaryExport,
} from "./data.ts";
import { textSummary } from "./text.ts";
import { parseThresholds, type ThresholdsConfig } from "../metrics/thresholds.ts";

const CONFIG: ThresholdsConfig = {
  checks: ["rate>0.8"],
  "mqtt_calls{method:publish}": ["count==600"],
  mqtt_publish_duration: ["p(95)<90", "med>40"],
  "mqtt_publish_duration{qos:1}": ["max<=99.5"],
  mqtt_errors: ["count<1"],
  vus: ["value>0"],
};
const OPTIONS = { summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(99.9)", "count"] };

function exportOf(registry: MetricRegistry, durationMs: number): SummaryExport {
  const thresholds = parseThresholds(CONFIG);
  thresholds.validate(registry);
  const results = thresholds.evaluate(registry, durationMs);
  const data = summaryData(registry, results, { testRunDurationMs: durationMs, options: OPTIONS });
  // Through the file format, as `mqload merge` reads them.
  return JSON.parse(
    formatSummaryExport(summaryExport(data, exportExtras(registry, data, thresholds))),
  );
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Feeds the same samples to `whole` and, split by segment, to `segments`. */
function run(whole: MetricRegistry, segments: MetricRegistry[]): void {
  const r = rng(1);
  for (let i = 0; i < 900; i++) {
    const seg = segments[i % segments.length];
    const group = i % 2 ? "::pub" : "";
    const sample: Array<[string, number, Record<string, string>, number?]> = [
      ["iterations", 1, {}],
      ["mqtt_calls", 1, { method: i % 3 ? "publish" : "subscribe" }],
      ["mqtt_publish_duration", Math.round(r() * 1000) / 10, { qos: String(i % 3) }],
      ["checks", r() < 0.9 ? 1 : 0, { check: "acked", group }],
      ["data_sent", 100 + (i % 7), {}],
      ["vus", 1 + (i % 5), {}, 1000 + i],
    ];
    for (const [name, value, tags, time] of sample) {
      whole.add(name, value, tags, time);
      seg.add(name, value, tags, time);
    }
  }
}

function registries(n: number): MetricRegistry[] {
  return Array.from({ length: n }, () => {
    const r = new MetricRegistry();
    defineBuiltins(r);
    return r;
  });
}

/** Rounds every number to 9 significant digits (float sums depend on order). */
function rounded(x: unknown): unknown {
  if (typeof x === "number") return Number(x.toPrecision(9));
  if (Array.isArray(x)) return x.map(rounded);
  if (x !== null && typeof x === "object") {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rounded(v)]));
  }
  return x;
}

Deno.test("mergeSummaries() of split segments equals the summary of the whole run", () => {
  const [whole, ...segments] = registries(4);
  run(whole, segments);
  const expected = exportOf(whole, 30_000);
  const merged = mergeSummaries(segments.map((s, i) => exportOf(s, 30_000 - i * 10)));
  assert.deepEqual(rounded(merged), rounded(expected));
  // Spot checks on what must be exact.
  assert.deepEqual(merged.metrics.iterations, { count: 900, rate: 30 });
  assert.equal(merged.metrics["mqtt_calls{method:publish}"].count, 600);
  assert.equal(merged.metrics.mqtt_publish_duration.count, 900);
  assert.equal(
    merged.metrics.mqtt_publish_duration["p(99.9)"],
    expected.metrics.mqtt_publish_duration["p(99.9)"],
  );
  assert.equal(merged.metrics.checks.passes, expected.metrics.checks.passes);
  assert.equal(merged.metrics.vus.value, 5);
  assert.deepEqual(merged.root_group, expected.root_group);
});

Deno.test("mergeSummaries() re-evaluates thresholds on the merged metrics", () => {
  const segments = registries(3);
  run(registries(1)[0], segments);
  const parts = segments.map((s) => exportOf(s, 10_000));
  // Each segment alone fails the count threshold; the merge passes it.
  for (const p of parts) {
    assert.equal((p.metrics["mqtt_calls{method:publish}"].thresholds ?? {})["count==600"], true);
  }
  const merged = mergeSummaries(parts);
  assert.deepEqual(merged.metrics["mqtt_calls{method:publish}"].thresholds, {
    "count==600": false,
  });
  assert.deepEqual(merged.metrics.mqtt_errors, {
    count: 0,
    rate: 0,
    thresholds: { "count<1": false },
  });
  assert.deepEqual(failedThresholds(merged), failedThresholds(exportOf(mergedRegistry(), 10_000)));
  assert.deepEqual(merged.mqload.thresholds, CONFIG);

  function mergedRegistry(): MetricRegistry {
    const r = registries(1)[0];
    for (const s of segments) r.merge(s.drain());
    return r;
  }
});

Deno.test("mergeSummaries() is associative and its output merges again", () => {
  const segments = registries(4);
  run(registries(1)[0], segments);
  const parts = segments.map((s) => exportOf(s, 5000));
  const flat = mergeSummaries(parts);
  const nested = mergeSummaries([
    JSON.parse(JSON.stringify(mergeSummaries(parts.slice(0, 2)))),
    mergeSummaries(parts.slice(2)),
  ]);
  assert.deepEqual(rounded(nested), rounded(flat));
  assert.deepEqual(mergeSummaries([flat]).metrics, flat.metrics);
});

Deno.test("mergeSummaries() merges groups and checks by path and name", () => {
  const [a, b] = registries(2);
  a.add("checks", 1, { check: "only in a", group: "::g1" });
  a.add("checks", 1, { check: "both", group: "" });
  b.add("checks", 0, { check: "both", group: "" });
  b.add("checks", 1, { check: "deep", group: "::g2::inner" });
  const merged = mergeSummaries([exportOf(a, 1000), exportOf(b, 1000)]);
  const root = merged.root_group;
  assert.deepEqual(root.checks.both.passes + root.checks.both.fails, 2);
  assert.deepEqual(Object.keys(root.groups), ["g1", "g2"]);
  assert.equal(root.groups.g2.groups.inner.checks.deep.path, "::g2::inner::deep");
  assert.equal(root.groups.g1.checks["only in a"].passes, 1);
});

Deno.test("mergeSummaries() rejects what it cannot merge exactly", () => {
  assert.throws(() => mergeSummaries([]), /no summary/);
  const [a] = registries(1);
  a.add("mqtt_connect_duration", 5);
  const doc = exportOf(a, 1000);
  const k6Only = { root_group: doc.root_group, metrics: doc.metrics } as SummaryExport;
  assert.throws(() => mergeSummaries([doc, k6Only]), /summary #2: it has no mqload block/);
  const noHistogram = structuredClone(doc);
  delete noHistogram.mqload.metrics.mqtt_connect_duration.histogram;
  assert.throws(() => mergeSummaries([noHistogram]), /"mqtt_connect_duration" exactly: summary #1/);
  const retyped = structuredClone(doc);
  retyped.mqload.metrics.iterations = { type: "gauge", contains: "default" };
  retyped.metrics.iterations = { value: 1, min: 1, max: 1 };
  const other = structuredClone(doc);
  other.mqload.metrics.iterations = { type: "counter", contains: "default" };
  other.metrics.iterations = { count: 1, rate: 1 };
  assert.throws(() => mergeSummaries([other, retyped]), /"iterations": it is a gauge/);
});

Deno.test("summaryDataFromExport() feeds textSummary() for merged results", () => {
  const segments = registries(2);
  const [whole] = registries(1);
  run(whole, segments);
  const merged = mergeSummaries(segments.map((s) => exportOf(s, 30_000)));
  const data = summaryDataFromExport(merged);
  assert.deepEqual(data.metrics.checks.values, {
    rate: merged.metrics.checks.value,
    passes: merged.metrics.checks.passes,
    fails: merged.metrics.checks.fails,
  });
  const text = textSummary(data, { enableColors: false });
  const direct = textSummary(summaryDataFromExport(exportOf(whole, 30_000)), {
    enableColors: false,
  });
  assert.equal(text, direct);
  assert.match(text, /✗ acked\n.*↳ {2}\d+% — ✓ \d+ \/ ✗ \d+/);
  assert.match(text, /✓ mqtt_errors\.+: 0 +0\/s/);
});

Deno.test("mergeSummaries() adds up the VUs each segment allocated (vus_max)", () => {
  const [a, b] = registries(2);
  a.add("vus_max", 6, {}, 1000);
  b.add("vus_max", 5, {}, 1001);
  const merged = mergeSummaries([exportOf(a, 1000), exportOf(b, 1000)]);
  const vusMax = merged.metrics.vus_max as Record<string, number>;
  assert.deepEqual([vusMax.value, vusMax.min, vusMax.max], [11, 11, 11]);
  // Merging a merge keeps adding: three segments of 4 give 12.
  const [c, d, e] = registries(3);
  for (const r of [c, d, e]) r.add("vus_max", 4, {}, 1000);
  const twice = mergeSummaries([
    mergeSummaries([exportOf(c, 1000), exportOf(d, 1000)]),
    exportOf(e, 1000),
  ]);
  assert.equal((twice.metrics.vus_max as Record<string, number>).value, 12);
});
