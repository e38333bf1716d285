import assert from "node:assert/strict";
import { MetricRegistry, type Point } from "../metrics/registry.ts";
import { parseThresholds } from "../metrics/thresholds.ts";
import { formatTime, NdjsonOutput } from "./ndjson.ts";

/** A writer that keeps everything and accepts at most `max` bytes per call. */
function memoryWriter(max = Infinity) {
  const chunks: Uint8Array[] = [];
  let closed = 0;
  return {
    chunks,
    get closed() {
      return closed;
    },
    text: () => new TextDecoder().decode(concat(chunks)),
    write(p: Uint8Array): Promise<number> {
      const n = Math.min(p.length, max);
      chunks.push(p.slice(0, n));
      return Promise.resolve(n);
    },
    close() {
      closed++;
    },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const T1 = Date.UTC(2021, 1, 24, 13, 37, 10);

Deno.test("NdjsonOutput writes the lines k6's json output test expects", async () => {
  // Mirrors grafana/k6 output/json/json_test.go generateTestMetricSamples.
  const registry = new MetricRegistry();
  registry.define("my_metric1", "gauge");
  registry.define("my_metric2", "counter", "data");
  const thresholds = parseThresholds({
    my_metric1: ["rate<0.01", "p(99)<250"],
    "my_metric1{a:1,b:2}": ["value>0"],
  });
  const w = memoryWriter();
  const out = new NdjsonOutput(w, { metrics: registry, thresholds });
  const points: Point[] = [
    { metric: "my_metric1", time: T1, value: 1, tags: { tag1: "val1" } },
    { metric: "my_metric1", time: T1, value: 2, tags: { tag2: "val2" } },
    { metric: "my_metric2", time: T1 + 10_000, value: 3, tags: { key: "val" } },
    { metric: "my_metric1", time: T1 + 10_000, value: 4, tags: { key: "val" } },
    { metric: "my_metric2", time: T1 + 20_000, value: 5, tags: { tag3: "val3", tag4: "val4" } },
  ];
  await out.write(points.slice(0, 2));
  await out.write(points.slice(2));
  await out.close();
  assert.deepEqual(w.text().split("\n"), [
    `{"type":"Metric","data":{"name":"my_metric1","type":"gauge","contains":"default","thresholds":["rate<0.01","p(99)<250"],"submetrics":[{"name":"my_metric1{a:1,b:2}","suffix":"a:1,b:2","tags":{"a":"1","b":"2"}}]},"metric":"my_metric1"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":1,"tags":{"tag1":"val1"}},"metric":"my_metric1"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:10Z","value":2,"tags":{"tag2":"val2"}},"metric":"my_metric1"}`,
    `{"type":"Metric","data":{"name":"my_metric2","type":"counter","contains":"data","thresholds":[],"submetrics":null},"metric":"my_metric2"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:20Z","value":3,"tags":{"key":"val"}},"metric":"my_metric2"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:20Z","value":4,"tags":{"key":"val"}},"metric":"my_metric1"}`,
    `{"type":"Point","data":{"time":"2021-02-24T13:37:30Z","value":5,"tags":{"tag3":"val3","tag4":"val4"}},"metric":"my_metric2"}`,
    "",
  ]);
  assert.equal(w.closed, 1);
});

Deno.test("NdjsonOutput lists abortOnFail thresholds as objects, like k6", async () => {
  const registry = new MetricRegistry();
  registry.define("mqtt_errors", "counter");
  const thresholds = parseThresholds({
    mqtt_errors: [
      "count<10",
      { threshold: "count<1", abortOnFail: true, delayAbortEval: "1m30s" },
      { threshold: "count<2", abortOnFail: true },
    ],
  });
  const w = memoryWriter();
  const out = new NdjsonOutput(w, { metrics: registry, thresholds });
  await out.write([{ metric: "mqtt_errors", time: T1, value: 1, tags: {} }]);
  await out.close();
  const [metric, point] = w.text().trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(metric.data.thresholds, [
    "count<10",
    { threshold: "count<1", abortOnFail: true, delayAbortEval: "1m30s" },
    { threshold: "count<2", abortOnFail: true, delayAbortEval: null },
  ]);
  assert.deepEqual(point.data.tags, {});
});

Deno.test("NdjsonOutput keeps order across unawaited writes and partial writes", async () => {
  const registry = new MetricRegistry({ recordPoints: true });
  registry.define("hits", "counter");
  const w = memoryWriter(7);
  const out = new NdjsonOutput(w, { metrics: registry });
  const pending: Promise<void>[] = [];
  for (let batch = 0; batch < 5; batch++) {
    for (let i = 0; i < 2000; i++) registry.add("hits", batch * 2000 + i, { b: String(batch) }, T1);
    pending.push(out.write(registry.drain().points));
  }
  await Promise.all(pending);
  await out.close();
  await out.close();
  const lines = w.text().trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 10_001);
  assert.deepEqual(
    lines.slice(1).map((l) => l.data.value),
    Array.from({ length: 10_000 }, (_, i) => i),
  );
  assert.equal(w.closed, 1);
  await assert.rejects(() => out.write([]), TypeError);
});

Deno.test("NdjsonOutput.open() writes plain and gzipped files", async () => {
  const registry = new MetricRegistry({ recordPoints: true });
  registry.define("mqtt_message_latency", "trend", "time");
  for (let i = 0; i < 100; i++) registry.add("mqtt_message_latency", i / 4, { topic: "t" }, T1 + i);
  const { points } = registry.drain();
  const dir = await Deno.makeTempDir();
  try {
    const plain = `${dir}/points.json`;
    const gz = `${dir}/points.json.gz`;
    for (const path of [plain, gz]) {
      const out = await NdjsonOutput.open(path, { metrics: registry });
      await out.write(points);
      await out.close();
    }
    const text = await Deno.readTextFile(plain);
    const file = await Deno.open(gz);
    const unzipped = await new Response(file.readable.pipeThrough(new DecompressionStream("gzip")))
      .text();
    assert.equal(unzipped, text);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 101);
    assert.deepEqual(lines[0].data.type, "trend");
    assert.deepEqual(lines[0].data.contains, "time");
    assert.deepEqual(lines[100].data, {
      time: "2021-02-24T13:37:10.099Z",
      value: 24.75,
      tags: { topic: "t" },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("formatTime() follows Go's RFC 3339 nano form in UTC", () => {
  assert.equal(formatTime(T1), "2021-02-24T13:37:10Z");
  assert.equal(formatTime(T1 + 5), "2021-02-24T13:37:10.005Z");
  assert.equal(formatTime(T1 + 0.5), "2021-02-24T13:37:10.0005Z");
  assert.equal(formatTime(T1 + 123.456), "2021-02-24T13:37:10.123456Z");
  assert.equal(formatTime(T1 + 0.9999), "2021-02-24T13:37:10.001Z");
  assert.equal(formatTime(0), "1970-01-01T00:00:00Z");
});
