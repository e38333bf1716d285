import assert from "node:assert/strict";
import { BenchTally } from "./tally.ts";
import { LogHistogram } from "../metrics/histogram.ts";
import type { MetricsSnapshot } from "../metrics/types.ts";

const T0 = 1_000_000;

function snapshot(
  from: number,
  to: number,
  metrics: Array<[string, Record<string, string>, number, number[]?]>,
): MetricsSnapshot {
  return {
    metrics: metrics.map(([name, tags, sum, values]) => {
      const histogram = values === undefined ? undefined : new LogHistogram();
      for (const v of values ?? []) histogram!.add(v);
      return {
        name,
        type: values === undefined ? "counter" : "trend",
        contains: values === undefined ? "default" : "time",
        series: [{ tags, n: sum, sum, histogram: histogram?.toJSON() }],
      };
    }) as MetricsSnapshot["metrics"],
    points: [],
    periodStartMs: T0 + from,
    periodEndMs: T0 + to,
  };
}

Deno.test("BenchTally shares a late drain's counts between the seconds it covers", () => {
  const tally = new BenchTally();
  tally.start(T0);
  tally.add(snapshot(0, 1000, [["mqtt_messages_sent", {}, 1000]]), T0 + 500);
  // This drain fired 250 ms late: a fifth of its messages belong to the next second.
  tally.add(snapshot(1000, 2250, [["mqtt_messages_sent", {}, 1250]]), T0 + 1625);
  tally.add(snapshot(2250, 3000, [["mqtt_messages_sent", {}, 750]]), T0 + 2625);
  assert.equal(tally.totals.pub, 3000);
  assert.deepEqual([0, 1, 2].map((i) => tally.second(i).pub), [1000, 1000, 1000]);
});

Deno.test("BenchTally sorts errors by method and faults by publisher", () => {
  const tally = new BenchTally();
  tally.start(T0);
  tally.add(
    snapshot(0, 1000, [
      // Failed attempts: only the clients that gave up count in connect_fail (emqtt-bench's).
      ["mqtt_errors", { method: "connect" }, 4],
      ["bench_connect_failed", {}, 3],
      ["mqtt_errors", { method: "publish" }, 2],
      ["mqtt_errors", { method: "subscribe" }, 7],
      ["bench_connect_retried", {}, 1],
      ["bench_lost", { publisher: "bench/1" }, 5],
      ["bench_lost", { publisher: "bench/1" }, -1],
      ["bench_duplicated", { publisher: "bench/2" }, 2],
    ]),
    T0 + 500,
  );
  assert.equal(tally.totals.connect_fail, 3);
  assert.equal(tally.totals.pub_fail, 2);
  assert.equal(tally.totals.connect_retried, 1);
  assert.deepEqual(tally.faults.get("bench/1"), { lost: 4, duplicated: 0, outOfOrder: 0 });
  assert.deepEqual(tally.faultTotals(), { lost: 4, duplicated: 2, outOfOrder: 0 });
});

Deno.test("BenchTally's latency is the payload header's once it has one, else the client's", () => {
  const tally = new BenchTally();
  tally.start(T0);
  tally.add(snapshot(0, 1000, [["mqtt_message_latency", {}, 0, [100, 100]]]), T0 + 500);
  assert.equal(tally.latency.count, 2);
  tally.add(snapshot(1000, 2000, [["bench_latency", {}, 0, [3]]]), T0 + 1500);
  tally.add(snapshot(2000, 3000, [["mqtt_message_latency", {}, 0, [100]]]), T0 + 2500);
  assert.equal(tally.latency.count, 1);
  assert.equal(tally.second(0).latency, undefined);
  assert.equal(tally.second(1).latency?.count, 1);
});

Deno.test("BenchTally moves a late drain's counts for printed seconds to the first open one", () => {
  const tally = new BenchTally();
  tally.start(T0);
  tally.add(snapshot(0, 1000, [["mqtt_messages_received", {}, 100]]), T0 + 500);
  tally.close(3);
  // A Worker stalled for three seconds reports them at once.
  tally.add(snapshot(1000, 4000, [["mqtt_messages_received", {}, 300]]), T0 + 2500);
  assert.equal(tally.totals.recv, 400);
  assert.deepEqual([0, 1, 2, 3].map((i) => tally.second(i).recv), [100, 0, 0, 300]);
});

Deno.test("BenchTally: at a stop, in flight is started less published and failed, unsent failed", () => {
  const tally = new BenchTally();
  tally.start(T0);
  // Before the stop the client counts every failure, those never sent among them.
  tally.add(
    snapshot(0, 1000, [
      ["bench_pub_started", {}, 120],
      ["mqtt_messages_sent", {}, 100],
      ["mqtt_errors", { method: "publish" }, 2],
      ["bench_pub_unsent", {}, 2],
    ]),
    T0 + 500,
  );
  tally.stopping(T0 + 1500);
  // After it: 3 failed as they were sent, then 6 unsent the closing client did not report.
  tally.add(
    snapshot(1000, 2000, [
      ["bench_pub_started", {}, 30],
      ["mqtt_messages_sent", {}, 10],
      ["mqtt_errors", { method: "publish" }, 3],
      ["bench_pub_unsent", {}, 6],
    ]),
    T0 + 1500,
  );
  assert.equal(tally.totals.pub, 110);
  assert.equal(tally.totals.pub_fail, 2 + 6);
  assert.equal(tally.unacked(), 150 - 110 - 8);
});
