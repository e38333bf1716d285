// Legacy xk6-mqtt metric names (METRIC_ALIASES) through the registry, thresholds, summary,
// summary export, merge and NDJSON output.
import assert from "node:assert/strict";
import { mergeSummaries } from "../summary/merge.ts";
import { defineBuiltins, METRIC_ALIASES } from "./builtin.ts";
import { MetricRegistry, type Point } from "./registry.ts";
import { NdjsonOutput } from "../outputs/ndjson.ts";
import { exportExtras, summaryData, summaryExport } from "../summary/data.ts";
import { parseThresholds } from "./thresholds.ts";

/** What one xk6-mqtt test script leaves in the registry: one 12-byte message each way. */
function oneMessage(registry = new MetricRegistry()): MetricRegistry {
  defineBuiltins(registry);
  const client = { proto: "MQTT/3.1.1", client_id: "c1", url: "mqtt://127.0.0.1:1883" };
  registry.add("mqtt_messages_sent", 1, { ...client, topic: "test/topic" });
  registry.add("mqtt_messages_received", 1, { ...client, topic: "test/topic" });
  registry.add("data_sent", 12, { ...client, topic: "test/topic" });
  registry.add("data_received", 12, { ...client, topic: "test/topic" });
  registry.add("data_sent", 5, { ...client, topic: "other" });
  return registry;
}

const LEGACY = {
  mqtt_message_sent: ["count==1"],
  mqtt_message_received: ["count==1"],
  mqtt_data_sent: ["count==17"],
  mqtt_data_received: ["count==12"],
  "mqtt_data_sent{topic:test/topic}": ["count==12"],
};

Deno.test("METRIC_ALIASES maps older xk6-mqtt names to today's metrics", () => {
  assert.deepEqual({ ...METRIC_ALIASES }, {
    mqtt_message_sent: "mqtt_messages_sent",
    mqtt_message_received: "mqtt_messages_received",
    mqtt_data_sent: "data_sent",
    mqtt_data_received: "data_received",
  });
  assert.ok(Object.isFrozen(METRIC_ALIASES));
});

Deno.test("MetricRegistry reads an alias's target, with tag filters", () => {
  const r = oneMessage();
  assert.deepEqual(r.info("mqtt_data_sent"), {
    name: "mqtt_data_sent",
    type: "counter",
    contains: "data",
  });
  assert.equal(r.info("mqtt_message_sent")?.contains, "default");
  assert.equal(r.select("mqtt_data_sent")?.sum, 17);
  assert.equal(r.select("mqtt_data_sent")?.name, "mqtt_data_sent");
  assert.equal(r.select("mqtt_data_sent", { topic: "other" })?.sum, 5);
  assert.equal(r.get("mqtt_message_received")?.sum, 1);
  // Aliases are not metrics of their own: nothing lists or drains them.
  const names = r.metrics().map((m) => m.name);
  assert.ok(!names.some((n) => n in METRIC_ALIASES));
  assert.deepEqual(r.series("mqtt_data_sent"), []);
  assert.ok(!r.drain().metrics.some((m) => m.name in METRIC_ALIASES));
  // No target, no alias.
  const bare = new MetricRegistry();
  assert.equal(bare.info("mqtt_data_sent"), undefined);
  assert.equal(bare.select("mqtt_data_sent"), undefined);
  assert.equal(bare.canonicalName("mqtt_data_sent"), undefined);
});

Deno.test("MetricRegistry: a script's own metric named like an alias wins", () => {
  const r = oneMessage();
  r.define("mqtt_data_sent", "trend");
  r.add("mqtt_data_sent", 3);
  assert.equal(r.canonicalName("mqtt_data_sent"), "mqtt_data_sent");
  assert.equal(r.info("mqtt_data_sent")?.type, "trend");
  assert.equal(r.select("mqtt_data_sent")?.samples, 1);
  assert.equal(r.select("data_sent")?.sum, 17);
});

Deno.test("Thresholds on aliases validate and evaluate against their targets", () => {
  const r = oneMessage();
  const thresholds = parseThresholds({ ...LEGACY, "mqtt_message_sent{topic:nope}": ["count==0"] });
  thresholds.validate(r);
  const results = thresholds.evaluate(r, 1000);
  assert.deepEqual(results.map((x) => [x.metric, x.ok, x.value]), [
    ["mqtt_message_sent", true, 1],
    ["mqtt_message_received", true, 1],
    ["mqtt_data_sent", true, 17],
    ["mqtt_data_received", true, 12],
    ["mqtt_data_sent{topic:test/topic}", true, 12],
    ["mqtt_message_sent{topic:nope}", true, 0],
  ]);
  assert.throws(
    () => parseThresholds({ mqtt_data_sent: ["avg<1"] }).validate(r),
    /unsupported aggregation method avg on metric of type counter/,
  );
  assert.throws(
    () => parseThresholds({ mqtt_data_sent: ["count<1"] }).validate(new MetricRegistry()),
    /no metric name "mqtt_data_sent" found/,
  );
});

Deno.test("summary and export show an alias only when a threshold names it", () => {
  const r = oneMessage();
  const plain = summaryData(r, [], { testRunDurationMs: 1000 });
  assert.ok(!Object.keys(plain.metrics).some((k) => k.startsWith("mqtt_data_")));
  assert.ok(!("mqtt_message_sent" in plain.metrics));

  const thresholds = parseThresholds({ mqtt_data_sent: ["count==17"] });
  thresholds.validate(r);
  const data = summaryData(r, thresholds.evaluate(r, 1000), { testRunDurationMs: 1000 });
  assert.deepEqual(data.metrics.mqtt_data_sent, {
    type: "counter",
    contains: "data",
    values: { count: 17, rate: 17 },
    thresholds: { "count==17": { ok: true } },
  });
  assert.deepEqual(data.metrics.data_sent.values, { count: 17, rate: 17 });
  assert.ok(!("mqtt_data_received" in data.metrics));
  const doc = summaryExport(data, exportExtras(r, data, thresholds));
  assert.deepEqual(doc.metrics.mqtt_data_sent, {
    count: 17,
    rate: 17,
    thresholds: { "count==17": false },
  });
  assert.deepEqual(doc.mqload.metrics.mqtt_data_sent, { type: "counter", contains: "data" });
});

Deno.test("mergeSummaries() adds alias keys and re-evaluates their thresholds", () => {
  const thresholds = parseThresholds({ mqtt_message_sent: ["count==2"] });
  const segment = () => {
    const r = oneMessage();
    thresholds.validate(r);
    const data = summaryData(r, thresholds.evaluate(r, 1000), { testRunDurationMs: 1000 });
    return summaryExport(data, exportExtras(r, data, thresholds));
  };
  const one = segment();
  assert.deepEqual(one.metrics.mqtt_message_sent.thresholds, { "count==2": true });
  const merged = mergeSummaries([one, segment()]);
  assert.deepEqual(merged.metrics.mqtt_message_sent, {
    count: 2,
    rate: 2,
    thresholds: { "count==2": false },
  });
  assert.equal(merged.metrics.mqtt_messages_sent.count, 2);
});

Deno.test("NdjsonOutput streams a referenced alias's points under both names", async () => {
  const r = oneMessage(new MetricRegistry({ recordPoints: true }));
  const thresholds = parseThresholds({
    mqtt_data_sent: ["count==17"],
    "mqtt_data_sent{topic:other}": ["count==5"],
  });
  thresholds.validate(r);
  const chunks: Uint8Array[] = [];
  const out = new NdjsonOutput({
    write: (p) => (chunks.push(p.slice()), Promise.resolve(p.length)),
  }, { metrics: r, thresholds });
  const points: Point[] = r.drain().points;
  await out.write(points);
  await out.close();
  const lines = chunks.map((c) => new TextDecoder().decode(c)).join("").trimEnd().split("\n")
    .map((l) => JSON.parse(l));
  const of = (type: string, metric: string) =>
    lines.filter((l) => l.type === type && l.metric === metric);
  assert.deepEqual(of("Metric", "mqtt_data_sent").map((l) => l.data), [{
    name: "mqtt_data_sent",
    type: "counter",
    contains: "data",
    thresholds: ["count==17"],
    submetrics: [{
      name: "mqtt_data_sent{topic:other}",
      suffix: "topic:other",
      tags: { topic: "other" },
    }],
  }]);
  assert.deepEqual(
    of("Point", "mqtt_data_sent").map((l) => l.data),
    of("Point", "data_sent").map((l) => l.data),
  );
  assert.equal(of("Point", "data_sent").length, 2);
  // Aliases no threshold names stay out of the stream.
  assert.equal(of("Point", "mqtt_message_sent").length, 0);
  assert.equal(of("Point", "mqtt_messages_sent").length, 1);
});
