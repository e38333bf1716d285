import assert from "node:assert/strict";
import { LogHistogram } from "../metrics/histogram.ts";
import { BenchTally } from "./tally.ts";
import { benchSummary, publicationsFailed } from "./summary.ts";
import type { MetricsSnapshot } from "../metrics/types.ts";

const T0 = 1_000_000;

function counters(metrics: Array<[string, Record<string, string>, number]>): MetricsSnapshot {
  return {
    metrics: metrics.map(([name, tags, sum]) => ({
      name,
      type: "counter",
      contains: "default",
      series: [{ tags, n: sum, sum, min: sum, max: sum }],
    })) as MetricsSnapshot["metrics"],
    points: [],
    periodStartMs: T0,
    periodEndMs: T0 + 1000,
  };
}

function eventTimes(counter: string, first: number, last: number): MetricsSnapshot {
  const gauge = (edge: string, at: number) => ({
    name: "bench_event_time",
    type: "gauge",
    contains: "default",
    series: [{ tags: { counter, edge }, n: 1, sum: at, min: at, max: at }],
  });
  return {
    metrics: [gauge("first", first), gauge("last", last)] as MetricsSnapshot["metrics"],
    points: [],
    periodStartMs: T0,
    periodEndMs: T0 + 1000,
  };
}

Deno.test("bench summary gives no rate for counts a few ms apart, and one over a real span", () => {
  const burst = new BenchTally();
  burst.start(T0);
  burst.add(counters([["mqtt_messages_sent", {}, 2]]), T0 + 500);
  burst.add(eventTimes("pub", T0 + 100, T0 + 102), T0 + 500);
  assert.match(
    benchSummary("pub", burst, undefined, 1000),
    /^ {2}pub +2 {2}rate n\/a \(all within 2ms\)$/m,
  );
  const spread = new BenchTally();
  spread.start(T0);
  spread.add(counters([["mqtt_messages_sent", {}, 11]]), T0 + 500);
  spread.add(eventTimes("pub", T0 + 100, T0 + 600), T0 + 500);
  assert.match(benchSummary("pub", spread, undefined, 1000), /pub +11 {2}20\.00\/sec over 0\.50s/);
  // 5 publishers × 10 messages at 10/s: 5 streams of 9 intervals over 0.9 s, 50/s (not 54.4).
  const five = new BenchTally();
  five.start(T0);
  five.add(counters([["mqtt_messages_sent", {}, 50]]), T0 + 500);
  const connects = new LogHistogram();
  for (let i = 0; i < 5; i++) connects.add(1);
  five.add({
    metrics: [{
      name: "mqtt_connect_duration",
      type: "trend",
      contains: "time",
      series: [{ tags: {}, n: 5, sum: 5, histogram: connects.toJSON() }],
    }] as MetricsSnapshot["metrics"],
    points: [],
    periodStartMs: T0,
    periodEndMs: T0 + 1000,
  }, T0 + 500);
  five.add(eventTimes("pub", T0 + 100, T0 + 1000), T0 + 500);
  const target = {
    clients: 5,
    topics: 1,
    perClientPerSecond: 10,
    asked: "every 100 ms",
    connectIntervalMs: 0,
    limit: 10,
    qos: 0 as const,
    inflight: 1,
  };
  assert.match(
    benchSummary("pub", five, undefined, 1000, target),
    /pub +50 {2}50\.00\/sec over 0\.90s/,
  );
});

Deno.test("bench summary counts reconnects apart from first connects, lost ones by reason", () => {
  const tally = new BenchTally();
  tally.start(T0);
  tally.add(
    counters([
      ["bench_reconnected", {}, 3],
      ["bench_conn_lost", { reason: "Connection reset", client: "4" }, 3],
      ["bench_reconnect_error", { reason: "Connection refused" }, 5],
      ["mqtt_errors", { method: "reconnect" }, 5],
      ["mqtt_errors", { method: "publish" }, 7],
    ]),
    T0 + 500,
  );
  assert.equal(tally.totals.reconnect_succ, 3);
  assert.equal(tally.totals.connect_succ, -3); // no connect durations in this snapshot
  assert.equal(tally.totals.reconnect_fail, 5);
  assert.equal(tally.totals.connect_fail, 0);
  assert.equal(tally.totals.disconnected, 3);
  const text = benchSummary("pub", tally, undefined, 1000);
  assert.match(text, /connections lost by reason:\n {4}Connection reset: 3 \(first client\(4\)\)/);
  assert.match(text, /reconnect errors by reason:\n {4}Connection refused: 5\n/);
  assert.equal(publicationsFailed(tally), true);
  assert.match(text, /publications failed: pub_fail is not 0/);
  assert.deepEqual(tally.takeNewReasons().map((r) => r.kind), ["lost", "reconnect"]);
});

Deno.test("bench summary rates a 1.1 s burst over its window, not by its partial middle second", () => {
  const tally = new BenchTally();
  tally.start(T0);
  // 100,000 messages from 0.9 s to 2.0 s: most in the first second, a few in the third.
  const second = (n: number, count: number) => ({
    ...counters([["mqtt_messages_sent", {}, count]]),
    periodStartMs: T0 + n * 1000,
    periodEndMs: T0 + (n + 1) * 1000,
  });
  tally.add(second(0, 89_408), T0 + 1000);
  tally.add(second(1, 10_588), T0 + 2000);
  tally.add(second(2, 4), T0 + 3000);
  tally.add(eventTimes("pub", T0 + 900, T0 + 2000), T0 + 3000);
  const text = benchSummary("pub", tally, undefined, 3000);
  assert.doesNotMatch(text, /median second/);
  assert.match(text, /pub +100000 {2}90908\.\d\d\/sec over 1\.10s \(first to last\)/);
});

Deno.test("bench sub summary lists lost, duplicated, out of order only when cnt64 counted them", () => {
  const plain = new BenchTally();
  plain.start(T0);
  plain.add(counters([["mqtt_messages_received", {}, 10]]), T0 + 500);
  const unchecked = benchSummary("sub", plain, undefined, 1000, undefined);
  assert.match(unchecked, /recv +10/);
  assert.doesNotMatch(unchecked, /lost|duplicated|out_of_order/);
  // The script of a cnt64 run reports them, 0 on a clean run.
  const counted = new BenchTally();
  counted.start(T0);
  counted.add(
    counters([
      ["mqtt_messages_received", {}, 10],
      ["bench_lost", {}, 0],
      ["bench_duplicated", {}, 0],
      ["bench_out_of_order", {}, 0],
    ]),
    T0 + 500,
  );
  const checked = benchSummary("sub", counted, undefined, 1000, undefined);
  assert.match(checked, /^ {2}lost +0$/m);
  assert.match(checked, /^ {2}out_of_order +0$/m);
});
