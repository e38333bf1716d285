import assert from "node:assert/strict";
import { LogHistogram } from "../metrics/histogram.ts";
import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
import { Timeline } from "./timeline.ts";

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

function worker(): MetricRegistry {
  const r = new MetricRegistry();
  defineBuiltins(r);
  return r;
}

Deno.test("Timeline.record() buckets counters per second and sums workers", () => {
  const a = worker(), b = worker();
  const timeline = new Timeline({ startMs: T0 });
  for (let s = 0; s < 5; s++) {
    for (let i = 0; i < 100; i++) a.add("mqtt_messages_sent", 1, { topic: `t/${i % 3}` });
    for (let i = 0; i < 50; i++) b.add("mqtt_messages_sent", 1);
    b.add("mqtt_messages_received", 40);
    if (s === 3) a.add("mqtt_errors", 2);
    a.add("iterations", 10);
    timeline.record(a.drain(), T0 + s * 1000 + 10);
    timeline.record(b.drain(), T0 + s * 1000 + 900);
  }
  const json = timeline.toJSON();
  assert.equal(json.length, 5);
  assert.equal(json.stepMs, 1000);
  assert.equal(json.startMs, T0);
  assert.deepEqual(json.counters.mqtt_messages_sent.rate, [150, 150, 150, 150, 150]);
  assert.deepEqual(json.counters.mqtt_messages_received.total, [40, 40, 40, 40, 40]);
  assert.deepEqual(json.counters.mqtt_errors.rate, [0, 0, 0, 2, 0]);
  assert.deepEqual(json.counters.iterations.rate, [10, 10, 10, 10, 10]);
  assert.deepEqual(json.counters.dropped_iterations.total, [0, 0, 0, 0, 0]);
});

Deno.test("Timeline.record() keeps per-second latency percentiles from merged histograms", () => {
  const a = worker(), b = worker();
  const timeline = new Timeline({ startMs: T0 });
  const whole = new LogHistogram();
  for (let i = 1; i <= 100; i++) {
    (i % 2 ? a : b).add("mqtt_message_latency", i);
    whole.add(i);
  }
  a.add("mqtt_connect_duration", 12);
  timeline.record(a.drain(), T0 + 100);
  timeline.record(b.drain(), T0 + 200);
  b.add("mqtt_message_latency", 1000);
  timeline.record(b.drain(), T0 + 2500);
  const { trends } = timeline.toJSON();
  const lat = trends.mqtt_message_latency;
  assert.deepEqual(lat.count, [100, 0, 1]);
  assert.equal(lat.p50[0], whole.quantile(0.5));
  assert.equal(lat.p95[0], whole.quantile(0.95));
  assert.equal(lat.p99[0], whole.quantile(0.99));
  assert.equal(lat.max[0], 100);
  assert.deepEqual([lat.p50[1], lat.max[1]], [null, null]);
  assert.deepEqual([lat.p99[2], lat.max[2]], [1000, 1000]);
  assert.deepEqual(trends.mqtt_connect_duration.p95, [12, null, null]);
  assert.deepEqual(trends.mqtt_publish_duration.count, [0, 0, 0]);
});

Deno.test("Timeline gauges: sampled from the registry, latest wins, carried forward", () => {
  const main = worker();
  const timeline = new Timeline({ startMs: T0 });
  assert.deepEqual(timeline.toJSON().gauges.vus, []);
  main.add("vus", 3, {}, T0 + 1200);
  timeline.sample(main, T0 + 1200);
  main.add("vus", 7, {}, T0 + 1800);
  timeline.sample(main, T0 + 1800);
  timeline.gauge("vus", 9, T0 + 3100);
  timeline.gauge("not_followed", 1, T0 + 3100);
  const w = worker();
  w.add("vus_max", 10, {}, T0 + 50);
  timeline.record(w.drain(), T0 + 60);
  const { gauges } = timeline.toJSON();
  assert.deepEqual(gauges.vus, [null, 7, 7, 9]);
  assert.deepEqual(gauges.vus_max, [10, 10, 10, 10]);
  assert.equal(Object.hasOwn(gauges, "not_followed"), false);
});

Deno.test("Timeline stays bounded: buckets merge two by two and the step doubles", () => {
  const w = worker();
  const timeline = new Timeline({ startMs: T0, maxPoints: 8 });
  for (let s = 0; s < 20; s++) {
    w.add("mqtt_messages_sent", s + 1);
    w.add("mqtt_publish_duration", s + 1);
    timeline.gauge("vus", s, T0 + s * 1000 + 500);
    timeline.record(w.drain(), T0 + s * 1000 + 500);
  }
  const json = timeline.toJSON();
  // 20 s at 1 s would need 20 buckets: the step grew to 4 s, 5 buckets.
  assert.equal(json.stepMs, 4000);
  assert.equal(json.length, 5);
  assert.deepEqual(json.counters.mqtt_messages_sent.total, [10, 26, 42, 58, 74]);
  assert.deepEqual(json.counters.mqtt_messages_sent.rate, [2.5, 6.5, 10.5, 14.5, 18.5]);
  assert.equal(json.counters.mqtt_messages_sent.total.reduce((a, b) => a + b), 210);
  assert.deepEqual(json.gauges.vus, [3, 7, 11, 15, 19]);
  assert.deepEqual(json.trends.mqtt_publish_duration.count, [4, 4, 4, 4, 4]);
  assert.deepEqual(json.trends.mqtt_publish_duration.max, [4, 8, 12, 16, 20]);
  // Very long runs: still bounded.
  for (let s = 20; s < 5000; s += 7) timeline.gauge("vus", s, T0 + s * 1000);
  assert.ok(timeline.length <= 8 && timeline.length >= 4, String(timeline.length));
});

Deno.test("Timeline starts at the first time when no start is given; early times clamp to 0", () => {
  const timeline = new Timeline({ counters: ["iterations"], gauges: [], trends: [] });
  const w = worker();
  w.add("iterations", 1);
  timeline.record(w.drain(), T0 + 5000);
  w.add("iterations", 2);
  timeline.record(w.drain(), T0 + 4000);
  const json = timeline.toJSON();
  assert.equal(json.startMs, T0 + 5000);
  assert.deepEqual(json.counters.iterations.total, [3]);
  assert.deepEqual(Object.keys(json.trends), []);
  assert.deepEqual(JSON.parse(JSON.stringify(timeline)), json);
});

Deno.test("Timeline rejects bad options and times", () => {
  assert.throws(() => new Timeline({ stepMs: 0 }), RangeError);
  assert.throws(() => new Timeline({ maxPoints: 1 }), RangeError);
  assert.throws(() => new Timeline().gauge("vus", 1, NaN), RangeError);
});
