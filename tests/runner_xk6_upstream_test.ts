import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import type { SummaryExport } from "../runner/summary/data.ts";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { count, explain, mqload, type RunResult, TempDir } from "./_runner_helpers.ts";

// Scripts with the shape, calls and thresholds of grafana/xk6-mqtt's own examples and tests
// (tests/fixtures/xk6/, written for mqload), each run unchanged with its own options:
// `-e MQTT_BROKER_ADDRESS=…` is all they get. Their thresholds, including those on the metric
// names of older xk6-mqtt releases, are the verdict; the scripts without thresholds are checked
// through their summary export and console output. One is CommonJS, as k6 also runs them.

const FIXTURES = "tests/fixtures/xk6";
const SCRIPTS = [
  "legacy_subscribe.js",
  "legacy_subscribe_async.js",
  "legacy_publish_async.js",
  "hello.js",
  "ping.js",
  "api_surface.js",
  "commonjs.cjs",
  "blocking_style.js",
] as const;

type Script = typeof SCRIPTS[number];
type Run = RunResult & { summary: SummaryExport };

/** Runs every fixture at once (distinct topics and client ids: they do not interfere). */
async function runAll(broker: string, dir: TempDir): Promise<Map<Script, Run>> {
  const runs = await Promise.all(SCRIPTS.map(async (script) => {
    const summary = `${dir.path}/${script}.json`;
    // The text summary stays on: as in k6, without it there is no summary export either.
    const r = await mqload([
      "run",
      "-q",
      "--summary-export",
      summary,
      "-e",
      `MQTT_BROKER_ADDRESS=${broker}`,
      `${FIXTURES}/${script}`,
    ]);
    const text = await Deno.readTextFile(summary).catch(() => "{}");
    return [script, { ...r, summary: JSON.parse(text) }] as const;
  }));
  return new Map(runs);
}

function checkRuns(runs: Map<Script, Run>): void {
  for (const [script, r] of runs) assert.equal(r.code, 0, `${script}: ${explain(r)}`);

  // Legacy names: in the export because thresholds name them, with their targets' counts.
  const legacy = runs.get("legacy_publish_async.js")!.summary;
  assert.deepEqual(legacy.metrics.mqtt_message_sent, {
    count: 2,
    rate: legacy.metrics.mqtt_messages_sent.rate,
    thresholds: { "count==2": false },
  });
  assert.equal(count(legacy, "mqtt_data_received"), 34);
  assert.equal(count(legacy, "data_received"), 34);
  assert.equal(legacy.mqload.metrics.mqtt_data_sent.contains, "data");
  for (const script of ["legacy_subscribe.js", "legacy_subscribe_async.js"] as const) {
    const s = runs.get(script)!.summary;
    for (const name of ["mqtt_message_sent", "mqtt_message_received"]) {
      assert.equal(count(s, name), 1, `${script} ${name}`);
    }
    assert.equal(count(s, "mqtt_data_sent"), 12, script);
  }

  // No thresholds: no legacy names, and the console output as k6 logs it.
  const hello = runs.get("hello.js")!;
  assert.ok(!("mqtt_message_sent" in hello.summary.metrics));
  assert.equal(count(hello.summary, "mqtt_messages_received"), 1);
  assert.equal(count(hello.summary, "data_sent"), 8);
  assert.match(hello.stderr, /INFO\[\d{4}\] hello: connected\s+source=console/);
  assert.match(hello.stderr, /hello: got hi there on fixtures\/xk6\/hello/);
  assert.match(hello.stderr, /hello: disconnected/);

  const ping = runs.get("ping.js")!;
  assert.ok(count(ping.summary, "mqtt_messages_received") >= 3, explain(ping));
  assert.match(ping.stderr, /INFO\[\d{4}\] ping 3\s+source=console/);
  assert.equal(count(ping.summary, "iterations"), 1);

  const api = runs.get("api_surface.js")!.summary;
  assert.equal(count(api, "iterations"), 4);
  assert.equal(count(api, "mqtt_message_received{fixture:api}"), 4);
  assert.deepEqual(api.root_group.checks["binary payload intact"].fails, 0);

  const commonJs = runs.get("commonjs.cjs")!;
  assert.equal(count(commonJs.summary, "handled"), 2);
  assert.match(commonJs.stderr, /commonjs: teardown/);
}

Deno.test("runner xk6-mqtt upstream-style scripts: unchanged, against mosquitto", async () => {
  const mosquitto = await startMosquitto();
  const dir = await TempDir.create();
  try {
    checkRuns(await runAll(mosquitto.url, dir));
  } finally {
    await dir.remove();
    await mosquitto.stop();
  }
});

Deno.test("runner xk6-mqtt upstream-style scripts: unchanged, against the embedded broker", async () => {
  const broker = await startBroker();
  const dir = await TempDir.create();
  try {
    checkRuns(await runAll(broker.url, dir));
  } finally {
    await dir.remove();
    await broker.close();
  }
});

Deno.test("runner --out json: legacy names referenced by thresholds stream in k6's format", async () => {
  const broker = await startBroker();
  const dir = await TempDir.create();
  try {
    const out = `${dir.path}/points.ndjson`;
    const r = await mqload([
      "run",
      "-q",
      "--no-summary",
      "--out",
      `json=${out}`,
      "-e",
      `MQTT_BROKER_ADDRESS=${broker.url}`,
      `${FIXTURES}/legacy_publish_async.js`,
    ]);
    assert.equal(r.code, 0, explain(r));
    const lines = (await Deno.readTextFile(out)).trimEnd().split("\n").map((l) => JSON.parse(l));
    for (const line of lines) {
      assert.deepEqual(Object.keys(line), ["type", "data", "metric"]);
      assert.ok(line.type === "Metric" || line.type === "Point");
    }
    const metric = (name: string) =>
      lines.find((l) => l.type === "Metric" && l.metric === name)?.data;
    const points = (name: string) => lines.filter((l) => l.type === "Point" && l.metric === name);
    assert.deepEqual(metric("mqtt_data_sent"), {
      name: "mqtt_data_sent",
      type: "counter",
      contains: "data",
      thresholds: ["count==34"],
      submetrics: null,
    });
    assert.deepEqual(metric("data_sent")?.thresholds, ["count==34"]);
    for (
      const [alias, target, total] of [
        ["mqtt_data_sent", "data_sent", 34],
        ["mqtt_data_received", "data_received", 34],
        ["mqtt_message_sent", "mqtt_messages_sent", 2],
        ["mqtt_message_received", "mqtt_messages_received", 2],
      ] as const
    ) {
      const sum = (name: string) => points(name).reduce((n, p) => n + p.data.value, 0);
      assert.equal(sum(target), total, target);
      assert.deepEqual(points(alias).map((p) => p.data), points(target).map((p) => p.data), alias);
    }
    for (const p of points("mqtt_messages_sent")) {
      assert.match(p.data.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
      assert.equal(p.data.tags.topic, "fixtures/xk6/legacy-publish-async");
      assert.equal(p.data.tags.proto, "MQTT/3.1.1");
      // k6's system tags of samples taken in a VU.
      assert.equal(p.data.tags.scenario, "default");
      assert.equal(p.data.tags.group, "");
    }
  } finally {
    await dir.remove();
    await broker.close();
  }
});
