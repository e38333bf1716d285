import assert from "node:assert/strict";
import { LiveWindow } from "./live_window.ts";
import { defineBuiltins, MetricRegistry, type MetricsSnapshot } from "./registry.ts";
import {
  MQTT_CONNECT_DURATION,
  MQTT_ERRORS,
  MQTT_MESSAGE_LATENCY,
  MQTT_MESSAGES_RECEIVED,
  MQTT_MESSAGES_SENT,
  MQTT_PUBLISH_DURATION,
} from "./builtin.ts";

const T0 = Date.UTC(2025, 0, 1);

function worker(): MetricRegistry {
  const r = new MetricRegistry();
  defineBuiltins(r);
  return r;
}

/** A drained snapshot stamped with the period [from, to) in seconds of the test. */
function period(r: MetricRegistry, from: number, to: number): MetricsSnapshot {
  return { ...r.drain(), periodStartMs: T0 + from * 1000, periodEndMs: T0 + to * 1000 };
}

Deno.test("LiveWindow puts each snapshot in the seconds its period covers", () => {
  const live = new LiveWindow({ startMs: T0 });
  const a = worker(), b = worker();
  for (let s = 0; s < 4; s++) {
    for (let i = 0; i < 500; i++) a.add(MQTT_MESSAGES_SENT, 1);
    for (let i = 0; i < 500; i++) b.add(MQTT_MESSAGES_SENT, 1);
    for (let i = 0; i < 1000; i++) b.add(MQTT_MESSAGES_RECEIVED, 1);
    // Each Worker's drains fire a little late (4 and 10 ms), and b's arrive after a's of the
    // next second: whatever the order of arrival, each second gets its own samples.
    live.add(period(a, s === 0 ? 0 : s + 0.004, s + 1.004));
    live.add(period(b, s === 0 ? 0 : s + 0.01, s + 1.01));
  }
  for (let s = 1; s < 4; s++) {
    const second = live.at(s)!;
    assert.equal(second.index, s);
    assert.equal(second.startMs, T0 + s * 1000);
    assert.ok(Math.abs(second.sent - 1000) < 0.5, `${second.sent}`);
    assert.ok(Math.abs(second.received - 1000) < 0.5, `${second.received}`);
  }
  assert.equal(live.totals().sent, 4000);
});

Deno.test("LiveWindow shares a late drain's counts between the seconds it covers", () => {
  const live = new LiveWindow({ startMs: T0 });
  const r = worker();
  for (let i = 0; i < 1250; i++) r.add(MQTT_MESSAGES_SENT, 1);
  r.add(MQTT_MESSAGE_LATENCY, 3);
  live.add(period(r, 1, 2.25)); // fired 250 ms late
  assert.equal(live.at(1)?.sent, 1000);
  assert.equal(live.at(2)?.sent, 250);
  // Percentiles cannot be split: they go to the second of the period's middle.
  assert.equal(live.at(1)?.latency?.count, 1);
  assert.equal(live.at(2)?.latency, undefined);
});

Deno.test("LiveWindow.last() answers the last second complete after settling", () => {
  const live = new LiveWindow({ startMs: T0, settleMs: 300 });
  assert.equal(live.last(T0 + 1299), undefined);
  assert.equal(live.last(T0 + 1300)?.index, 0);
  assert.equal(live.last(T0 + 5350)?.index, 4);
  // A second without samples is all zeros, not missing.
  assert.equal(live.last(T0 + 5350)?.sent, 0);
});

Deno.test("LiveWindow classifies mqtt_errors by method", () => {
  const live = new LiveWindow({ startMs: T0 });
  const r = worker();
  r.add(MQTT_ERRORS, 1, { method: "connect" });
  r.add(MQTT_ERRORS, 2, { method: "reconnect" });
  r.add(MQTT_ERRORS, 3, { method: "publish" });
  r.add(MQTT_ERRORS, 4, { method: "connection" });
  r.add(MQTT_ERRORS, 5, { method: "subscribe" });
  live.add(period(r, 0, 1));
  const s = live.at(0)!;
  assert.equal(s.connectFailures, 3);
  assert.equal(s.publishFailures, 3);
  assert.equal(s.errors, 15);
  assert.equal(live.totals().connectFailures, 3);
});

Deno.test("LiveWindow counts connects from mqtt_connect_duration and merges percentiles", () => {
  const live = new LiveWindow({ startMs: T0 });
  const a = worker(), b = worker();
  for (let i = 1; i <= 50; i++) a.add(MQTT_CONNECT_DURATION, i);
  for (let i = 1; i <= 120; i++) a.add(MQTT_MESSAGE_LATENCY, 1, { topic: "a" });
  for (let i = 1; i <= 80; i++) b.add(MQTT_MESSAGE_LATENCY, 100, { topic: "b" });
  b.add(MQTT_PUBLISH_DURATION, 2);
  live.add(period(a, 0, 1));
  live.add(period(b, 0, 1));
  const s = live.at(0)!;
  assert.equal(s.connects, 50);
  assert.equal(s.latency?.count, 200);
  // 120 values of 1 ms in one Worker, 80 of 100 ms in the other: merged, p50 1 ms, p99 100 ms.
  assert.ok(Math.abs(s.latency!.p50 - 1) < 0.02, `p50 ${s.latency!.p50}`);
  assert.ok(Math.abs(s.latency!.p99 - 100) < 2, `p99 ${s.latency!.p99}`);
  assert.equal(s.publishRtt?.count, 1);
  assert.equal(live.at(1)?.latency, undefined);
  const totals = live.totals();
  assert.equal(totals.latencyCount, 200);
  assert.equal(totals.publishRttCount, 1);
});

Deno.test("LiveWindow carries the connected count forward and keeps the latest", () => {
  const live = new LiveWindow({ startMs: T0 });
  assert.equal(live.totals().connected, undefined);
  live.connected(100, T0 + 500);
  live.connected(150, T0 + 501);
  live.connected(120, T0 + 499); // an older figure arriving late
  live.connected(200, T0 + 1500);
  assert.equal(live.at(0)?.connected, 150);
  assert.equal(live.at(1)?.connected, 200);
  assert.equal(live.at(3)?.connected, 200);
  assert.equal(live.totals().connected, 200);
});

Deno.test("LiveWindow keeps samples before the start or without a period in the totals only", () => {
  const live = new LiveWindow({ startMs: T0 });
  const r = worker();
  r.add(MQTT_MESSAGES_SENT, 7);
  live.add(r.drain()); // no period, no time
  r.add(MQTT_MESSAGES_SENT, 3);
  live.add(r.drain(), T0 - 10); // setup, before the start
  r.add(MQTT_MESSAGES_SENT, 5);
  live.add(r.drain(), T0 + 2500); // no period: the time given
  assert.equal(live.totals().sent, 15);
  assert.equal(live.at(0)?.sent, 0);
  assert.equal(live.at(2)?.sent, 5);
});

Deno.test("LiveWindow keeps keepSeconds seconds", () => {
  const live = new LiveWindow({ startMs: T0, keepSeconds: 3 });
  const r = worker();
  for (let s = 0; s < 10; s++) {
    r.add(MQTT_MESSAGES_SENT, s);
    live.add(period(r, s, s + 1));
  }
  assert.equal(live.at(6), undefined);
  assert.equal(live.at(7)?.sent, 7);
  assert.equal(live.at(9)?.sent, 9);
  // A late snapshot for a second no longer kept still counts in the totals.
  r.add(MQTT_MESSAGES_SENT, 100);
  live.add(period(r, 1, 2));
  assert.equal(live.at(1), undefined);
  assert.equal(live.totals().sent, 145);
  assert.throws(() => new LiveWindow({ startMs: 0, keepSeconds: 0 }), RangeError);
});
