import assert from "node:assert/strict";
import { BenchTally } from "./tally.ts";
import { pubRateWarning, type PubTarget, pubTarget } from "./rate_warning.ts";
import { parseBenchArgs } from "./flags.ts";
import type { MetricsSnapshot } from "../metrics/types.ts";

const T0 = 1_000_000;

/** A tally of `sent` acknowledged publications from T0 to T0 + spanMs. */
function published(sent: number, spanMs: number, failed = 0): BenchTally {
  const tally = new BenchTally();
  tally.start(T0);
  const series = (tags: Record<string, string>, value: number) => ({
    tags,
    n: 1,
    sum: value,
    min: value,
    max: value,
  });
  tally.add({
    metrics: [
      {
        name: "mqtt_messages_sent",
        type: "counter",
        contains: "default",
        series: [series({}, sent)],
      },
      {
        name: "mqtt_errors",
        type: "counter",
        contains: "default",
        series: [series({ method: "publish" }, failed)],
      },
      {
        name: "bench_event_time",
        type: "gauge",
        contains: "default",
        series: [
          series({ counter: "pub", edge: "first" }, T0),
          series({ counter: "pub", edge: "last" }, T0 + spanMs),
        ],
      },
    ] as MetricsSnapshot["metrics"],
    points: [],
    periodStartMs: T0,
    periodEndMs: T0 + spanMs,
  }, T0 + spanMs);
  return tally;
}

const TEN_AT_100: PubTarget = {
  clients: 10,
  topics: 1,
  perClientPerSecond: 100,
  asked: "every 10 ms",
  connectIntervalMs: 0,
  limit: 0,
  qos: 1,
  inflight: 1,
};

Deno.test("pubRateWarning names the shortfall and -F, not a rate at target", () => {
  assert.equal(
    pubRateWarning(TEN_AT_100, published(613, 1000)),
    "pub rate 612/s is below the target 1,000/s (10 clients × every 10 ms): each client waits " +
      "for its acknowledgements, at most -F 1 in flight; raise -F or lower the rate",
  );
  assert.equal(pubRateWarning(TEN_AT_100, published(2000, 2000)), undefined);
  assert.match(pubRateWarning({ ...TEN_AT_100, qos: 0 }, published(500, 1000))!, /could not send/);
});

Deno.test("pubRateWarning takes clients connecting one after the other for a ramp, not a shortfall", () => {
  // 10 clients 200 ms apart over 2 s: 2 + 1.8 + … + 0.2 = 11 client-seconds, 1,100 messages due.
  const ramp = { ...TEN_AT_100, connectIntervalMs: 200 };
  assert.equal(pubRateWarning(ramp, published(1100, 2000)), undefined);
  assert.match(pubRateWarning(ramp, published(800, 2000))!, /below the target 550\/s/);
});

Deno.test("pubRateWarning says nothing when -L ended every publisher or the window is short", () => {
  assert.equal(pubRateWarning({ ...TEN_AT_100, limit: 50 }, published(490, 1000, 10)), undefined);
  assert.match(pubRateWarning({ ...TEN_AT_100, limit: 500 }, published(490, 1000))!, /below/);
  assert.equal(pubRateWarning(TEN_AT_100, published(100, 900)), undefined);
});

Deno.test("pubTarget: none with -I 0 or in a segment, else clients × 1000 / -I with QoS and -F", () => {
  const config = (args: string[]) => {
    const parsed = parseBenchArgs(["pub", "-t", "t", ...args]);
    assert.ok("config" in parsed);
    return parsed.config;
  };
  assert.equal(pubTarget(config(["-I", "0"]), false), undefined);
  assert.equal(pubTarget(config(["-I", "10"]), true), undefined);
  const t = pubTarget(config(["-c", "3", "-I", "20", "-q", "2", "-F", "4"]), false);
  assert.deepEqual(
    t && [t.clients, t.perClientPerSecond, t.asked, t.qos, t.inflight],
    [3, 50, "every 20 ms", 2, 4],
  );
});

Deno.test("pubRateWarning blames lost connections, not -F, when the run lost some", () => {
  const tally = published(613, 1000);
  tally.totals.disconnected = 20;
  assert.match(
    pubRateWarning(TEN_AT_100, tally)!,
    /below the target 1,000\/s .*: 20 connections were lost during the run, and what fell due/,
  );
});

Deno.test("pubRateWarning: publications due by the end and never sent fall short, whatever the window", () => {
  const target: PubTarget = {
    clients: 10,
    topics: 1,
    perClientPerSecond: 100,
    asked: "every 10 ms",
    connectIntervalMs: 10,
    limit: 0,
    qos: 1,
    inflight: 1,
  };
  // On target while acknowledged (2,500 in 2.5 s), then the broker stalled: 3,459 due unsent.
  const tally = published(2500, 2500);
  assert.equal(pubRateWarning(target, tally), undefined);
  tally.pubLate = 3459;
  tally.pubStarted = 2510;
  const line = pubRateWarning(target, tally);
  assert.match(line ?? "", /fell short of the target \(10 clients × every 10 ms\)/);
  assert.match(
    line ?? "",
    /of 5,969 due by the end, 2,500 were acknowledged, 10 unacknowledged and 3,459 never sent \(58 %\): the broker acknowledged too slowly or stopped/,
  );
});
