import assert from "node:assert/strict";
import { MAX_SERIES, PromSeriesStore } from "./_prometheus_series.ts";
import { LogHistogram } from "../metrics/histogram.ts";
import type { MetricSnapshot, MetricsSnapshot, SeriesSnapshot } from "../metrics/types.ts";
import type { PromSeries } from "./_remote_write.ts";

const STATS = ["p(99)", "p(99.9)", "avg", "min", "max", "med", "count", "sum"].map((stat) => ({
  stat,
  suffix: stat.startsWith("p(") ? "p" + stat.slice(2, -1).replace(".", "") : stat,
}));

function snap(...metrics: MetricSnapshot[]): MetricsSnapshot {
  return { metrics, points: [] };
}

function histogram(...values: number[]): SeriesSnapshot["histogram"] {
  const h = new LogHistogram();
  values.forEach((v) => h.add(v));
  return h.toJSON();
}

/** `name{tags}` → value, for readable assertions. */
function flat(series: PromSeries[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of series) {
    const name = s.labels.find((l) => l.name === "__name__")!.value;
    const tags = s.labels.filter((l) => l.name !== "__name__").map((l) => `${l.name}=${l.value}`);
    out[tags.length ? `${name}{${tags.join(",")}}` : name] = s.samples[0].value;
  }
  return out;
}

Deno.test("PromSeriesStore names series as k6: _total, _rate, gauges bare, _<stat> per trend", () => {
  const store = new PromSeriesStore(STATS);
  store.add(
    snap(
      {
        name: "mqtt_messages_received",
        type: "counter",
        contains: "default",
        series: [{ tags: {}, n: 2, sum: 2 }],
      },
      {
        name: "data_sent",
        type: "counter",
        contains: "data",
        series: [{ tags: {}, n: 1, sum: 512 }],
      },
      {
        name: "vus",
        type: "gauge",
        contains: "default",
        series: [{ tags: {}, n: 1, sum: 0, last: 7 }],
      },
      {
        name: "checks",
        type: "rate",
        contains: "default",
        series: [{ tags: { check: "ok" }, n: 4, sum: 3 }],
      },
      {
        name: "mqtt_message_latency",
        type: "trend",
        contains: "time",
        series: [{ tags: {}, n: 2, sum: 0, histogram: histogram(10, 30) }],
      },
      {
        name: "payload_size",
        type: "trend",
        contains: "data",
        series: [{ tags: {}, n: 1, sum: 0, histogram: histogram(2048) }],
      },
    ),
    1_000,
  );
  const got = flat(store.batch().series);
  assert.equal(got.k6_mqtt_messages_received_total, 2);
  assert.equal(got.k6_data_sent_total, 512); // counters are not converted, as k6
  assert.equal(got.k6_vus, 7);
  assert.equal(got["k6_checks_rate{check=ok}"], 0.75);
  // Time trends in seconds (k6's adaptUnit); count stays a count.
  assert.equal(got.k6_mqtt_message_latency_min, 0.01);
  assert.equal(got.k6_mqtt_message_latency_max, 0.03);
  assert.equal(got.k6_mqtt_message_latency_avg, 0.02);
  assert.equal(got.k6_mqtt_message_latency_sum, 0.04);
  assert.equal(got.k6_mqtt_message_latency_count, 2);
  assert.ok(Math.abs(got.k6_mqtt_message_latency_p99 - 0.0298) < 0.0003);
  assert.ok(Math.abs(got.k6_mqtt_message_latency_p999 - 0.02998) < 0.0003);
  assert.ok(Math.abs(got.k6_mqtt_message_latency_med - 0.02) < 0.0003);
  assert.equal(got.k6_payload_size_max, 2048); // data stays in bytes
  assert.equal(Object.keys(got).length, 4 + 8 + 8);
});

Deno.test("PromSeriesStore keeps values cumulative across snapshots, as k6's sinks", () => {
  const store = new PromSeriesStore([{ stat: "max", suffix: "max" }, {
    stat: "count",
    suffix: "count",
  }]);
  const second = (n: number, last: number, latency: number) =>
    snap(
      {
        name: "iterations",
        type: "counter",
        contains: "default",
        series: [{ tags: {}, n, sum: n }],
      },
      {
        name: "vus",
        type: "gauge",
        contains: "default",
        series: [{ tags: {}, n: 1, sum: 0, last }],
      },
      { name: "checks", type: "rate", contains: "default", series: [{ tags: {}, n, sum: n - 1 }] },
      {
        name: "iteration_duration",
        type: "trend",
        contains: "time",
        series: [{ tags: {}, n: 1, sum: 0, histogram: histogram(latency) }],
      },
    );
  store.add(second(4, 3, 500), 1_000);
  store.add(second(6, 1, 100), 2_000);
  const got = flat(store.batch().series);
  assert.deepEqual(got, {
    k6_iterations_total: 10,
    k6_vus: 1,
    k6_checks_rate: 8 / 10,
    k6_iteration_duration_max: 0.5,
    k6_iteration_duration_count: 2,
  });
});

Deno.test("PromSeriesStore sends each series once per update; an undelivered batch stays due", () => {
  const store = new PromSeriesStore(STATS);
  const counter = (tags: Record<string, string>, n: number) =>
    snap({ name: "c", type: "counter", contains: "default", series: [{ tags, n, sum: n }] });
  store.add(counter({ topic: "a" }, 1), 1_000.7);
  store.add(counter({ topic: "b" }, 1), 1_000);
  const first = store.batch();
  assert.equal(first.samples, 2);
  assert.deepEqual(first.series.map((s) => s.samples[0].timestampMs), [1_000, 1_000]);
  // Not delivered: due again, now with the newer total and timestamp.
  store.add(counter({ topic: "a" }, 2), 2_000);
  const second = store.batch();
  assert.deepEqual(flat(second.series), { "k6_c_total{topic=a}": 3, "k6_c_total{topic=b}": 1 });
  assert.deepEqual(second.series.map((s) => s.samples[0].timestampMs), [2_000, 1_000]);
  second.delivered();
  assert.equal(store.batch().samples, 0);
  // A clock that steps back never makes a sample older than the series' newest.
  store.add(counter({ topic: "a" }, 1), 1_500);
  assert.deepEqual(store.batch().series[0].samples, [{ value: 4, timestampMs: 2_001 }]);
});

Deno.test("PromSeriesStore sorts labels, skips empty tags, makes names valid", () => {
  const store = new PromSeriesStore(STATS);
  store.add(
    snap({
      name: "my.metric-1",
      type: "counter",
      contains: "default",
      series: [{ tags: { url: "mqtt://h:1", "a-b": "x", empty: "", "9lives": "y" }, n: 1, sum: 1 }],
    }),
    1,
  );
  assert.deepEqual(store.batch().series[0].labels, [
    { name: "_9lives", value: "y" },
    { name: "__name__", value: "k6_my_metric_1_total" },
    { name: "a_b", value: "x" },
    { name: "url", value: "mqtt://h:1" },
  ]);
});

Deno.test("PromSeriesStore leaves out a tag whose label name is taken or reserved", () => {
  const store = new PromSeriesStore(STATS);
  store.add(
    snap({
      name: "c",
      type: "counter",
      contains: "default",
      series: [{ tags: { "a-b": "x", a_b: "y", __name__: "z", __meta: "m" }, n: 1, sum: 1 }],
    }),
    1,
  );
  // Prometheus would refuse every push carrying a repeated or reserved label name.
  assert.deepEqual(store.batch().series[0].labels, [
    { name: "__name__", value: "k6_c_total" },
    { name: "a_b", value: "x" },
  ]);
});

Deno.test("PromSeriesStore holds at most MAX_SERIES series and counts what it refuses", () => {
  const store = new PromSeriesStore(STATS);
  const series = Array.from(
    { length: MAX_SERIES + 5 },
    (_, i) => ({ tags: { i: String(i) }, n: 2, sum: 2 }),
  );
  store.add(snap({ name: "c", type: "counter", contains: "default", series }), 1);
  assert.equal(store.batch().samples, MAX_SERIES);
  assert.equal(store.refused, 10);
});

Deno.test("PromSeriesStore.staleMarkers() marks every series after its newest sample", () => {
  const store = new PromSeriesStore([{ stat: "p(99)", suffix: "p99" }, {
    stat: "avg",
    suffix: "avg",
  }]);
  store.add(
    snap(
      { name: "c", type: "counter", contains: "default", series: [{ tags: {}, n: 1, sum: 1 }] },
      {
        name: "t",
        type: "trend",
        contains: "time",
        series: [{ tags: {}, n: 1, sum: 0, histogram: histogram(1) }],
      },
    ),
    5_000,
  );
  const stale = store.staleMarkers(4_000);
  assert.equal(stale.length, 3);
  for (const s of stale) {
    assert.equal(s.samples[0].stale, true);
    assert.equal(s.samples[0].timestampMs, 5_001);
  }
});

Deno.test("PromSeriesStore stamps a Worker's totals at the end of their period, never ahead", () => {
  const store = new PromSeriesStore(STATS);
  const counter = (sum: number): MetricSnapshot => ({
    name: "iterations",
    type: "counter",
    contains: "default",
    series: [{ tags: {}, n: sum, sum }],
  });
  // The iterations of [1000, 2000): their total is known at 2000, not at the middle, 1500.
  store.add({ ...snap(counter(10)), periodStartMs: 1000, periodEndMs: 2000 }, 1500);
  assert.deepEqual(store.batch().series[0].samples, [{ value: 10, timestampMs: 2000 }]);
  // A snapshot without a period (the runner's own gauges) is stamped when it was merged.
  store.add(snap(counter(5)), 2600);
  assert.deepEqual(store.batch().series[0].samples, [{ value: 15, timestampMs: 2600 }]);
});
