import assert from "node:assert/strict";
import { Timeline, TIMELINE_CONNECT_FAILURES } from "./timeline.ts";
import { defineBuiltins, MetricRegistry, type MetricsSnapshot } from "../metrics/registry.ts";
import { MQTT_ERRORS, MQTT_MESSAGES_SENT, MQTT_PUBLISH_DURATION } from "../metrics/builtin.ts";

const T0 = Date.UTC(2025, 0, 1);

function period(r: MetricRegistry, from: number, to: number): MetricsSnapshot {
  return { ...r.drain(), periodStartMs: T0 + from * 1000, periodEndMs: T0 + to * 1000 };
}

Deno.test("Timeline buckets a snapshot by its period, not by when it arrived", () => {
  const timeline = new Timeline({ startMs: T0 });
  const a = new MetricRegistry(), b = new MetricRegistry();
  defineBuiltins(a);
  defineBuiltins(b);
  for (let s = 0; s < 4; s++) {
    a.add(MQTT_MESSAGES_SENT, 500);
    b.add(MQTT_MESSAGES_SENT, 500);
    b.add(MQTT_PUBLISH_DURATION, s + 1);
    // Both arrive in the next second (the old arrival-time bucketing put them there, and one
    // Worker's late arrival in the one after: 500 / 1,500).
    timeline.record(period(a, s, s + 1), T0 + (s + 1) * 1000 + 5);
    timeline.record(period(b, s, s + 1), T0 + (s + 2) * 1000 + 5);
  }
  const json = timeline.toJSON();
  assert.deepEqual(json.counters[MQTT_MESSAGES_SENT].rate, [1000, 1000, 1000, 1000]);
  assert.deepEqual(json.trends[MQTT_PUBLISH_DURATION].count, [1, 1, 1, 1]);
});

Deno.test("Timeline shares a late drain's counters by overlap; tagged counters too", () => {
  const timeline = new Timeline({ startMs: T0 });
  const r = new MetricRegistry();
  defineBuiltins(r);
  r.add(MQTT_MESSAGES_SENT, 1000);
  timeline.record(period(r, 0, 1));
  r.add(MQTT_MESSAGES_SENT, 1250);
  r.add(MQTT_ERRORS, 5, { method: "connect" });
  r.add(MQTT_ERRORS, 3, { method: "reconnect" });
  r.add(MQTT_ERRORS, 100, { method: "publish" });
  timeline.record(period(r, 1, 2.25)); // the drain fired 250 ms late
  const json = timeline.toJSON();
  assert.deepEqual(json.counters[MQTT_MESSAGES_SENT].total, [1000, 1000, 250]);
  assert.deepEqual(json.counters[TIMELINE_CONNECT_FAILURES].total, [0, 6.4, 1.6]);
  assert.deepEqual(json.counters[MQTT_ERRORS].total, [0, 86.4, 21.6]);
});

Deno.test("Timeline: the connections gauge", () => {
  const timeline = new Timeline({ startMs: T0 });
  timeline.gauge("connections", 100, T0 + 500);
  timeline.gauge("connections", 200, T0 + 1500);
  assert.deepEqual(timeline.toJSON().gauges.connections, [100, 200]);
});
