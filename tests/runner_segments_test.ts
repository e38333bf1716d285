/**
 * Execution segments (issue 8): the same test run whole and as four segment processes, then
 * `mqload merge`d, does exactly the same work: identical iteration, message and call counts,
 * every iteration number run once, and the percentiles of a trend fed with values derived
 * from the iteration number within 1 % (the mergeable histograms make them equal here).
 */

import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import type { SummaryExport } from "../runner/summary/data.ts";
import { count, explain, mqload, runScript, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { Client } from "k6/x/mqtt";
import exec from "k6/execution";
import { Counter, Trend } from "k6/metrics";

const value = new Trend("segment_value");
const iterationSum = new Counter("segment_iteration_sum");

export const options = {
  scenarios: {
    publish: { executor: "shared-iterations", vus: 8, iterations: 400, maxDuration: "60s" },
    arrivals: {
      executor: "constant-arrival-rate",
      rate: 50,
      timeUnit: "1s",
      duration: "2s",
      preAllocatedVUs: 100,
      exec: "arrival",
    },
  },
  thresholds: {
    "mqtt_calls{method:publish}": ["count==400"],
    "iterations{scenario:arrivals}": ["count==100"],
    segment_value: ["p(99)<2000"],
  },
};

export default async function () {
  const i = exec.scenario.iterationInTest;
  value.add(1 + (i * 7919) % 1000, { scenario: "publish" });
  iterationSum.add(i);
  const client = new Client();
  await client.connect(__ENV.MQTT_BROKER_ADDRESS);
  await client.publish("segments/" + (i % 10), String(i), { qos: 1 });
  await client.end();
}

export function arrival() {
  const i = exec.scenario.iterationInTest;
  value.add(1000 + (i * 37) % 100);
  iterationSum.add(1_000_000 + i);
}
`;

const SEQUENCE = "0,1/4,2/4,3/4,1";
const SEGMENTS = ["0:1/4", "1/4:2/4", "2/4:3/4", "3/4:1"];
const STATS = ["--summary-trend-stats", "avg,min,med,max,p(95),p(99)"];

function stat(summary: SummaryExport, key: string, name: string): number {
  const v = (summary.metrics[key] as Record<string, unknown> | undefined)?.[name];
  assert.equal(typeof v, "number", `no ${key} ${name} in the summary`);
  return v as number;
}

Deno.test("runner execution segments: 4 segments merged equal the whole run", async () => {
  const broker = await startBroker({ port: 0 });
  const dir = await TempDir.create();
  try {
    const env = ["-e", `MQTT_BROKER_ADDRESS=${broker.url}`, ...STATS];
    const [whole, ...parts] = await Promise.all([
      runScript(dir, SCRIPT, env, "whole.js"),
      ...SEGMENTS.map((segment, i) =>
        runScript(dir, SCRIPT, [
          ...env,
          "--execution-segment",
          segment,
          "--execution-segment-sequence",
          SEQUENCE,
        ], `segment${i}.js`)
      ),
    ]);
    assert.equal(whole.code, 0, explain(whole));
    for (const p of parts) {
      // Each segment runs a quarter of the work, so its thresholds on totals fail: exit 99.
      assert.equal(p.code, 99, explain(p));
      assert.equal(count(p.summary, "dropped_iterations"), 0, explain(p));
      assert.ok(count(p.summary, "iterations") > 0, "every segment does some of the work");
    }
    assert.equal(count(whole.summary, "dropped_iterations"), 0, explain(whole));

    const merged = await mqload([
      "merge",
      ...SEGMENTS.map((_, i) => `${dir.path}/segment${i}.js.summary.json`),
    ]);
    assert.equal(merged.code, 0, explain(merged));
    const total: SummaryExport = JSON.parse(merged.stdout);
    // With --summary-export, the same JSON goes to the file and the text summary to stdout.
    const exported = `${dir.path}/total.json`;
    const text = await mqload([
      "merge",
      "--summary-export",
      exported,
      ...SEGMENTS.map((_, i) => `${dir.path}/segment${i}.js.summary.json`),
    ]);
    assert.equal(text.code, 0, explain(text));
    assert.deepEqual(JSON.parse(await Deno.readTextFile(exported)), total);
    // The compact summary's THRESHOLDS: a submetric alone, or under its parent.
    assert.match(text.stdout, /mqtt_calls\{method:publish\}\n +✓ '|\n +\{method:publish\}\n +✓ '/);
    assert.match(text.stdout, /iterations\.+: 500 /);

    for (
      const key of [
        "iterations",
        "iterations{scenario:arrivals}",
        "mqtt_messages_sent",
        "mqtt_calls",
        "mqtt_calls{method:publish}",
        "segment_iteration_sum",
      ]
    ) {
      assert.equal(count(total, key), count(whole.summary, key), key);
    }
    assert.equal(count(whole.summary, "iterations"), 500);
    assert.equal(count(whole.summary, "mqtt_messages_sent"), 400);
    // Every iteration number of each scenario ran exactly once, whole or in segments.
    assert.equal(count(total, "segment_iteration_sum"), 399 * 200 + 100 * 1_000_000 + 99 * 50);
    assert.equal(
      count(total, "mqtt_calls"),
      parts.reduce((n, p) => n + count(p.summary, "mqtt_calls"), 0),
    );

    for (const name of ["med", "p(95)", "p(99)", "min", "max"]) {
      const a = stat(whole.summary, "segment_value", name);
      const b = stat(total, "segment_value", name);
      assert.ok(Math.abs(a - b) <= 0.01 * a, `segment_value ${name}: whole ${a}, merged ${b}`);
    }
    assert.equal(
      (total.metrics["segment_value"] as Record<string, unknown>).thresholds !== undefined,
      true,
    );
  } finally {
    await dir.remove();
    await broker.close();
  }
});
