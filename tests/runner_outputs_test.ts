import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import { count, explain, runScript, spawnMqload, TempDir } from "./_runner_helpers.ts";

// Thresholds as the verdict (exit code 99), --out json with exact counts, and a run stopped by
// SIGINT that still writes its summary.

const pubsub = `
import { check } from "k6";
import { Client } from "k6/x/mqtt";
export default async function () {
  const client = new Client();
  await client.connect(__ENV.MQTT_BROKER_ADDRESS);
  await client.publish("outputs/" + __VU, "hello", { qos: 1 });
  check(client, { connected: (c) => c.connected });
  await client.end();
}
`;

Deno.test("runner outputs: thresholds, --out json, SIGINT", async (t) => {
  const broker = await startBroker();
  const dir = await TempDir.create();
  const env = ["-e", `MQTT_BROKER_ADDRESS=${broker.url}`];
  try {
    await t.step("passing thresholds exit with 0", async () => {
      const r = await runScript(
        dir,
        `export const options = { vus: 2, iterations: 6, thresholds: {
  checks: ["rate==1"], "mqtt_calls{method:publish}": ["count==6"], mqtt_errors: ["count==0"],
  iteration_duration: ["max<5000"] } };` + pubsub,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      assert.deepEqual(r.summary.metrics["mqtt_calls{method:publish}"].thresholds, {
        "count==6": false,
      });
    });

    await t.step("failing thresholds exit with 99 and name the metrics", async () => {
      const r = await runScript(
        dir,
        `export const options = { vus: 2, iterations: 6, thresholds: {
  "mqtt_calls{method:publish}": ["count==7"], checks: ["rate==1"] } };` + pubsub,
        env,
      );
      assert.equal(r.code, 99, explain(r));
      assert.match(
        r.stderr,
        /thresholds on metrics 'mqtt_calls\{method:publish\}' have been crossed/,
      );
      assert.deepEqual(r.summary.metrics["mqtt_calls{method:publish}"].thresholds, {
        "count==7": true,
      });
    });

    await t.step("abortOnFail stops the test early with 99", async () => {
      const r = await runScript(
        dir,
        `import { check, sleep } from "k6";
export const options = { vus: 1, duration: "20s", thresholds: {
  checks: [{ threshold: "rate==1", abortOnFail: true }] } };
export default async function () { check(0, { "always fails": (v) => v === 1 }); await sleep(0.1); }`,
      );
      assert.equal(r.code, 99, explain(r));
      assert.match(r.stderr, /abortOnFail/);
      // Evaluated every 2 s: stopped long before the 20 s duration.
      assert.ok(count(r.summary, "iterations") < 150, explain(r));
    });

    await t.step("--out json streams every sample as k6 NDJSON", async () => {
      const points = `${dir.path}/points.ndjson`;
      const r = await runScript(
        dir,
        `export const options = { vus: 3, iterations: 9 };` + pubsub,
        [...env, "--workers", "2", "--out", `json=${points}`],
      );
      assert.equal(r.code, 0, explain(r));
      const lines = (await Deno.readTextFile(points)).trim().split("\n").map((l) => JSON.parse(l));
      const pointsOf = (metric: string) =>
        lines.filter((l) => l.type === "Point" && l.metric === metric);
      assert.equal(pointsOf("iterations").length, 9);
      assert.equal(pointsOf("mqtt_messages_sent").length, 9);
      assert.equal(
        pointsOf("mqtt_calls").filter((p) => p.data.tags.method === "publish").length,
        9,
      );
      assert.equal(pointsOf("checks").reduce((n, p) => n + p.data.value, 0), 9);
      const iteration = pointsOf("iterations")[0];
      assert.equal(iteration.data.tags.scenario, "default");
      assert.match(iteration.data.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
      const defs = lines.filter((l) => l.type === "Metric").map((l) => l.metric);
      assert.ok(defs.includes("iterations") && defs.includes("mqtt_calls"), defs.join());
      assert.equal(count(r.summary, "iterations"), 9);
    });

    await t.step("SIGINT stops gracefully, and the summary is still written", async () => {
      const script = await dir.write(
        "long.js",
        `import { sleep } from "k6";
export const options = { vus: 2, duration: "60s" };` +
          pubsub.replace("await client.end();", "await client.end(); await sleep(0.1);"),
      );
      const summaryPath = `${dir.path}/sigint.json`;
      const run = spawnMqload(["run", "--summary-export", summaryPath, ...env, script]);
      const child = run.child;
      // Wait for the first progress line: the test clock is running.
      await run.until("running (");
      child.kill("SIGINT");
      const err = await run.rest();
      const status = await child.status;
      const stdout = new TextDecoder().decode(await new Response(child.stdout).arrayBuffer());
      assert.equal(status.code, 105, err);
      assert.match(err, /Stopping the test gracefully/);
      assert.match(stdout, /iterations/);
      const summary = JSON.parse(await Deno.readTextFile(summaryPath));
      assert.ok(count(summary, "iterations") > 0);
      assert.equal(count(summary, "iterations"), count(summary, "mqtt_messages_sent"));
    });
  } finally {
    await dir.remove();
    await broker.close();
  }
});
