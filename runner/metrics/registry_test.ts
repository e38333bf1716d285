import assert from "node:assert/strict";
import { BUILTIN_METRICS, defineBuiltins } from "./builtin.ts";
import { MetricRegistry } from "./registry.ts";
import { type MetricsSnapshot, parsePercentile, statOf } from "./types.ts";

Deno.test("MetricRegistry.define() is idempotent and enforces k6's rules", () => {
  const r = new MetricRegistry();
  const a = r.define("my_counter", "counter");
  assert.deepEqual(r.define("my_counter", "counter"), a);
  assert.equal(r.define("my_counter", "counter", "default").contains, "default");
  assert.throws(() => r.define("my_counter", "gauge"), /already exists as counter/);
  assert.throws(() => r.define("my_counter", "counter", "time"), TypeError);
  for (const bad of ["a", "1abc", "with-dash", "with.dot", "", "x".repeat(130)]) {
    assert.throws(() => r.define(bad, "counter"), TypeError, bad);
  }
  assert.equal(r.define("_x", "trend", "time").contains, "time");
  assert.throws(() => r.define("oops", "histogram" as "trend"), TypeError);
  assert.throws(() => r.define("oops", "trend", "bytes" as "data"), TypeError);
});

Deno.test("defineBuiltins() defines k6's and xk6-mqtt's metrics", () => {
  const r = new MetricRegistry();
  defineBuiltins(r);
  defineBuiltins(r);
  const byName = new Map(r.metrics().map((m) => [m.name, m]));
  assert.equal(byName.size, BUILTIN_METRICS.length);
  assert.deepEqual(byName.get("checks"), { name: "checks", type: "rate", contains: "default" });
  assert.deepEqual(byName.get("vus")?.type, "gauge");
  assert.deepEqual(byName.get("data_received")?.contains, "data");
  assert.deepEqual(byName.get("mqtt_message_latency")?.contains, "time");
  assert.deepEqual(byName.get("mqtt_bytes_sent")?.contains, "data");
  assert.deepEqual(byName.get("group_duration")?.type, "trend");
});

Deno.test("MetricRegistry.add() rejects undefined metrics and non-finite values", () => {
  const r = new MetricRegistry();
  r.define("calls", "counter");
  assert.throws(() => r.add("nope", 1), /not defined/);
  assert.throws(() => r.add("calls", NaN), TypeError);
  assert.throws(() => r.add("calls", Infinity), TypeError);
  assert.throws(() => r.add("calls", "1" as unknown as number), TypeError);
  assert.equal(r.get("calls")?.samples, 0);
});

Deno.test("MetricRegistry aggregates the four metric types like k6's sinks", () => {
  const r = new MetricRegistry();
  r.define("cnt", "counter");
  r.define("gau", "gauge");
  r.define("rat", "rate");
  r.define("tre", "trend", "time");
  for (const v of [1, 2, 3.5]) r.add("cnt", v);
  r.add("gau", 5, {}, 1);
  r.add("gau", -2, {}, 2);
  r.add("gau", 3, {}, 3);
  for (const v of [1, 0, 7, 0, 1]) r.add("rat", v);
  for (const v of [10, 20, 30, 40]) r.add("tre", v);
  const cnt = r.get("cnt")!;
  assert.deepEqual([cnt.samples, cnt.sum], [3, 6.5]);
  assert.equal(statOf(cnt, "count", 0), 6.5);
  assert.equal(statOf(cnt, "rate", 13_000), 0.5);
  assert.equal(statOf(cnt, "rate", 0), 0);
  const gau = r.get("gau")!;
  assert.deepEqual([gau.last, gau.min, gau.max], [3, -2, 5]);
  assert.deepEqual(["value", "min", "max"].map((s) => statOf(gau, s, 1)), [3, -2, 5]);
  const rat = r.get("rat")!;
  assert.deepEqual(["rate", "passes", "fails"].map((s) => statOf(rat, s, 1)), [0.6, 3, 2]);
  const tre = r.get("tre")!;
  assert.deepEqual(["avg", "min", "max", "count"].map((s) => statOf(tre, s, 1)), [25, 10, 40, 4]);
  assert.ok(Math.abs(statOf(tre, "med", 1) - 25) <= 0.25);
  assert.ok(Math.abs(statOf(tre, "p(90)", 1) - 37) <= 0.37);
  assert.throws(() => statOf(tre, "value", 1), RangeError);
  assert.throws(() => statOf(cnt, "avg", 1), RangeError);
});

Deno.test("statOf() on empty metrics gives k6's zeros", () => {
  const r = new MetricRegistry();
  defineBuiltins(r);
  assert.equal(statOf(r.get("checks")!, "rate", 1000), 0);
  assert.equal(statOf(r.get("vus")!, "value", 1000), 0);
  assert.equal(statOf(r.get("vus")!, "max", 1000), 0);
  assert.equal(statOf(r.get("iteration_duration")!, "p(95)", 1000), 0);
  assert.equal(statOf(r.get("iterations")!, "count", 1000), 0);
});

Deno.test("MetricRegistry splits series by tag set whatever the key order or object", () => {
  const r = new MetricRegistry();
  r.define("calls", "counter");
  const shared = { method: "publish", proto: "mqtt" };
  for (let i = 0; i < 5; i++) r.add("calls", 1, shared);
  r.add("calls", 1, { proto: "mqtt", method: "publish" });
  r.add("calls", 1, { method: "subscribe", proto: "mqtt" });
  r.add("calls", 1);
  const series = r.series("calls");
  assert.equal(series.length, 3);
  assert.deepEqual(series.map((s) => [s.tags, s.sum]), [
    [{ method: "publish", proto: "mqtt" }, 6],
    [{ method: "subscribe", proto: "mqtt" }, 1],
    [{}, 1],
  ]);
  assert.equal(r.select("calls", { method: "publish" })?.sum, 6);
  assert.equal(r.select("calls", { proto: "mqtt" })?.sum, 7);
  assert.equal(r.select("calls", { proto: "ws" })?.samples, 0);
  assert.equal(r.select("missing"), undefined);
});

Deno.test("MetricRegistry notices a tags object mutated between samples", () => {
  const r = new MetricRegistry();
  r.define("calls", "counter");
  const tags: Record<string, string> = { method: "publish" };
  r.add("calls", 1, tags);
  tags.method = "subscribe";
  r.add("calls", 1, tags);
  tags.extra = "x";
  r.add("calls", 1, tags);
  delete tags.extra;
  delete tags.method;
  r.add("calls", 1, tags);
  assert.deepEqual(r.series("calls").map((s) => s.tags), [
    { method: "publish" },
    { method: "subscribe" },
    { extra: "x", method: "subscribe" },
    {},
  ]);
});

Deno.test("MetricRegistry keeps non-indexed tags on points only", () => {
  const r = new MetricRegistry({ recordPoints: true });
  r.define("calls", "counter");
  r.add("calls", 1, { vu: "1", method: "publish" }, 10);
  r.add("calls", 1, { vu: "2", method: "publish" }, 20);
  assert.deepEqual(r.series("calls").map((s) => s.tags), [{ method: "publish" }]);
  const { points } = r.drain();
  assert.deepEqual(points, [
    { metric: "calls", time: 10, value: 1, tags: { method: "publish", vu: "1" } },
    { metric: "calls", time: 20, value: 1, tags: { method: "publish", vu: "2" } },
  ]);
});

Deno.test("MetricRegistry folds tag sets past the cap, keeping preserved tags, warning once", () => {
  const warnings: string[] = [];
  const r = new MetricRegistry({
    maxSeriesPerMetric: 3,
    onWarning: (m) => warnings.push(m),
    recordPoints: true,
  });
  r.preserveTags(["method"]);
  r.define("calls", "counter");
  for (let i = 0; i < 50; i++) {
    r.add("calls", 1, { device: `d${i}`, method: i % 2 ? "publish" : "subscribe" });
  }
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    /"calls" \(and any other past the cap\) has more than 3 tag sets.*\(check, group, method\)/,
  );
  // A second metric past the cap says nothing more.
  r.define("bytes", "counter");
  for (let i = 0; i < 50; i++) r.add("bytes", 1, { device: `d${i}` });
  assert.equal(warnings.length, 1);
  assert.equal(r.get("bytes")?.sum, 50);
  assert.equal(r.get("calls")?.sum, 50);
  assert.equal(r.select("calls", { method: "publish" })?.sum, 25);
  assert.equal(r.select("calls", { method: "subscribe" })?.sum, 25);
  assert.ok(r.series("calls").length <= 6);
  // Points keep every tag.
  assert.deepEqual(r.drain().points[49].tags, { device: "d49", method: "publish" });
});

Deno.test("MetricRegistry folds into the untagged series when nothing is preserved", () => {
  const r = new MetricRegistry({ maxSeriesPerMetric: 2, onWarning: () => {} });
  r.define("lat", "trend", "time");
  for (let i = 1; i <= 100; i++) r.add("lat", i, { topic: `t/${i}` });
  const series = r.series("lat");
  assert.equal(series.length, 3);
  assert.deepEqual(series[2].tags, {});
  assert.equal(series[2].histogram?.count, 98);
  assert.equal(r.get("lat")?.histogram?.count, 100);
  assert.equal(r.get("lat")?.max, 100);
});

Deno.test("MetricRegistry.drain() resets, and merging drains equals one registry", () => {
  const whole = new MetricRegistry();
  const workers = [new MetricRegistry(), new MetricRegistry()];
  const main = new MetricRegistry();
  for (const r of [whole, ...workers]) defineBuiltins(r);
  let t = 0;
  for (let i = 0; i < 1000; i++) {
    const w = workers[i % 2];
    const tags = { method: i % 3 ? "publish" : "subscribe" };
    t++;
    for (const r of [whole, w]) {
      r.add("mqtt_calls", 1, tags);
      r.add("checks", i % 7 ? 1 : 0, { check: "ok" });
      r.add("mqtt_publish_duration", (i % 97) + 0.5, tags);
      r.add("vus", i % 13, {}, t);
    }
    if (i % 250 === 249) {
      for (const wr of workers) main.merge(structuredClone(wr.drain()) as MetricsSnapshot);
    }
  }
  for (const wr of workers) {
    const empty = wr.drain();
    assert.ok(empty.metrics.every((m) => m.series.length === 0));
  }
  for (const name of ["mqtt_calls", "checks", "mqtt_publish_duration", "vus"]) {
    const a = main.get(name)!;
    const b = whole.get(name)!;
    assert.deepEqual(
      { ...a, histogram: a.histogram?.toJSON() },
      { ...b, histogram: b.histogram?.toJSON() },
      name,
    );
  }
  assert.deepEqual(
    main.select("mqtt_calls", { method: "subscribe" }),
    whole.select("mqtt_calls", { method: "subscribe" }),
  );
});

Deno.test("MetricRegistry.merge() defines unknown metrics and refuses type conflicts", () => {
  const worker = new MetricRegistry();
  worker.define("handler_called", "counter");
  worker.add("handler_called", 1);
  const main = new MetricRegistry();
  main.merge(worker.drain());
  assert.deepEqual(main.info("handler_called"), {
    name: "handler_called",
    type: "counter",
    contains: "default",
  });
  const other = new MetricRegistry();
  other.define("handler_called", "trend");
  assert.throws(() => main.merge(other.drain()), TypeError);
});

Deno.test("MetricRegistry gauges keep the latest value across series and merges", () => {
  const r = new MetricRegistry();
  r.define("level", "gauge");
  r.add("level", 1, { a: "x" }, 100);
  r.add("level", 9, { a: "y" }, 50);
  assert.equal(r.get("level")?.last, 1);
  assert.equal(r.get("level")?.max, 9);
  const main = new MetricRegistry();
  main.merge(r.drain());
  const late = new MetricRegistry();
  late.define("level", "gauge");
  late.add("level", 4, {}, 200);
  main.merge(late.drain());
  assert.equal(main.get("level")?.last, 4);
});

Deno.test("MetricRegistry snapshots survive structuredClone and JSON", () => {
  const r = new MetricRegistry({ recordPoints: true });
  defineBuiltins(r);
  r.add("mqtt_connect_duration", 3.25, { url: "mqtt://127.0.0.1:1883" });
  r.add("data_sent", 12);
  const snap = r.drain();
  assert.deepEqual(structuredClone(snap), snap);
  const viaJson = JSON.parse(JSON.stringify(snap));
  const main = new MetricRegistry();
  main.merge(viaJson);
  assert.equal(main.get("mqtt_connect_duration")?.histogram?.max, 3.25);
  assert.equal(main.get("data_sent")?.sum, 12);
});

Deno.test("MetricRegistry rejects a bad series cap", () => {
  assert.throws(() => new MetricRegistry({ maxSeriesPerMetric: 0 }), RangeError);
  assert.throws(() => new MetricRegistry({ maxSeriesPerMetric: 1.5 }), RangeError);
});

Deno.test("parsePercentile() accepts k6's p(N) forms only", () => {
  assert.equal(parsePercentile("p(95)"), 95);
  assert.equal(parsePercentile("p(0)"), 0);
  assert.equal(parsePercentile("p(100)"), 100);
  assert.equal(parsePercentile("p(99.99)"), 99.99);
  for (const bad of ["p95", "p()", "p(-1)", "p(100.1)", "p(1e2)", "q(5)"]) {
    assert.equal(parsePercentile(bad), undefined, bad);
  }
});

Deno.test("MetricRegistry: a client id per connection splits no series, unless a threshold names it", () => {
  const warnings: string[] = [];
  const r = new MetricRegistry({
    maxSeriesPerMetric: 3,
    onWarning: (m) => warnings.push(m),
    recordPoints: true,
  });
  r.define("calls", "counter");
  for (let i = 0; i < 50; i++) r.add("calls", 1, { client_id: `c${i}`, method: "publish" });
  assert.deepEqual(warnings, []);
  assert.deepEqual(r.series("calls").map((s) => [s.tags, s.sum]), [[{ method: "publish" }, 50]]);
  // Points keep it, for the outputs that stream them.
  assert.deepEqual(r.drain().points[49].tags, { client_id: "c49", method: "publish" });

  const named = new MetricRegistry();
  named.preserveTags(["client_id"]);
  named.define("calls", "counter");
  named.add("calls", 1, { client_id: "a", method: "publish" });
  named.add("calls", 2, { client_id: "b", method: "publish" });
  assert.equal(named.select("calls", { client_id: "b" })?.sum, 2);
  assert.equal(named.series("calls").length, 2);
});

Deno.test("bind/addBound land where add would, across drains, with points and checks", () => {
  const r = new MetricRegistry({ recordPoints: true });
  r.define("rtt", "trend", "time");
  r.define("mqtt_messages_sent", "counter");
  const tags = Object.freeze({ topic: "a", client_id: "c1" });
  const rtt = r.bind("rtt", tags);
  const sent = r.bind("mqtt_messages_sent", tags);
  r.addBound(rtt, 10);
  r.add("rtt", 30, { topic: "a", client_id: "c2" });
  r.addBound(sent, 1);
  assert.equal(r.select("rtt", { topic: "a" })?.histogram?.avg, 20);
  const first = r.drain();
  assert.deepEqual(first.points.map((p) => [p.metric, p.value, p.tags]), [
    ["rtt", 10, { client_id: "c1", topic: "a" }],
    ["rtt", 30, { client_id: "c2", topic: "a" }],
    ["mqtt_messages_sent", 1, { client_id: "c1", topic: "a" }],
  ]);
  assert.equal(first.metrics.find((m) => m.name === "mqtt_messages_sent")?.series[0].sum, 1);
  // A binding outlives the drain that emptied its series.
  r.addBound(rtt, 50);
  assert.equal(r.get("rtt")?.histogram?.max, 50);
  assert.equal(r.get("rtt")?.samples, 1);
  assert.throws(() => r.addBound(rtt, NaN), /Cannot add NaN to metric "rtt"/);
  assert.throws(() => r.bind("nope", tags), /metric "nope": it is not defined/);
});

Deno.test("a bound counter's samples wait on the binding, and every read of the series sees them", () => {
  const r = new MetricRegistry();
  r.define("mqtt_calls", "counter");
  r.define("data_received", "counter", "data");
  const tags = Object.freeze({ method: "message", client_id: "c1" });
  const calls = r.bind("mqtt_calls", tags);
  const data = r.bind("data_received", Object.freeze({ client_id: "c1" }));
  for (let i = 0; i < 5; i++) {
    r.addBound(calls, 1);
    r.addBound(data, 44);
  }
  r.add("mqtt_calls", 1, { method: "message", client_id: "c2" });
  // Each kind of read, after samples: the series, an aggregate, a selection, a drain.
  assert.deepEqual(r.series("data_received").map((s) => [s.n, s.sum]), [[5, 220]]);
  r.addBound(calls, 1);
  assert.equal(r.get("mqtt_calls")?.sum, 7);
  assert.equal(r.get("mqtt_calls")?.samples, 7);
  r.addBound(calls, -1);
  assert.equal(r.select("mqtt_calls", { method: "message" })?.sum, 6);
  r.addBound(calls, 2);
  r.addBound(calls, 1);
  r.addBound(data, 10);
  const drained = r.drain().metrics;
  assert.deepEqual(
    drained.find((m) => m.name === "mqtt_calls")?.series.map((s) => [s.n, s.sum]),
    [[10, 9]],
  );
  assert.deepEqual(
    drained.find((m) => m.name === "data_received")?.series.map((s) => [s.n, s.sum]),
    [[6, 230]],
  );
  // Nothing is counted twice once settled, and the binding counts on after the drain.
  assert.equal(r.drain().metrics.find((m) => m.name === "mqtt_calls")?.series.length, 0);
  r.addBound(calls, 3);
  assert.equal(r.get("mqtt_calls")?.sum, 3);
  assert.throws(() => r.addBound(calls, Infinity), /Cannot add Infinity to metric "mqtt_calls"/);
  assert.equal(r.get("mqtt_calls")?.samples, 1);
});

Deno.test("frozen tags bound once each land in the series their content names", () => {
  const warnings: string[] = [];
  const r = new MetricRegistry({ maxSeriesPerMetric: 3, onWarning: (m) => warnings.push(m) });
  r.define("calls", "counter");
  // A VU's and a connection's own objects, each bound once, key order differing.
  for (let i = 0; i < 20; i++) {
    const tags = i % 2 === 0
      ? { vu: `${i}`, method: "publish", client_id: `c${i}`, scenario: "s" }
      : { scenario: "s", client_id: `c${i}`, method: "publish", vu: `${i}` };
    r.addBound(r.bind("calls", Object.freeze(tags), undefined, true), 1);
  }
  // A script's number, where tags are strings: its series' tags are.
  const port = { method: "publish", scenario: "s", port: 1883 } as unknown as Record<
    string,
    string
  >;
  r.add("calls", 1, Object.freeze(port));
  assert.deepEqual(r.series("calls").map((s) => [s.tags, s.sum]), [
    [{ method: "publish", scenario: "s" }, 20],
    [{ method: "publish", port: "1883", scenario: "s" }, 1],
  ]);
  // New tag sets past the cap fold as unfrozen ones do.
  for (let i = 0; i < 10; i++) r.add("calls", 1, Object.freeze({ device: `d${i}` }));
  assert.equal(warnings.length, 1);
  assert.equal(r.get("calls")?.sum, 31);
  assert.ok(r.series("calls").length <= 6);
});
