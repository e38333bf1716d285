// publishEvery(): fixed-rate publications paced by the Worker's scheduler, with exactly the
// metrics a publishAsync() loop gives, the group tag of the call, and an end by count or time.
import assert from "node:assert/strict";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { check, group } from "k6";
import { Client } from "k6/x/mqtt";
import { publishEvery } from "@mqload/mqload";

export const options = {
  vus: 3,
  iterations: 3,
  thresholds: {
    "mqtt_messages_sent{topic:paced/count}": ["count==60"],
    "mqtt_calls{method:publish,group:::paced}": ["count==60"],
    "mqtt_messages_sent{topic:paced/until}": ["count>0"],
    mqtt_errors: ["count==0"],
    checks: ["rate==1"],
  },
};

export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  const byCount = await group("paced", () =>
    publishEvery(client, "paced/count", "x", { every: 5, count: 20, qos: 1 })
  );
  const start = Date.now();
  const byTime = await publishEvery(client, "paced/until", "y", {
    every: 20,
    start,
    until: start + 200,
  });
  check(null, {
    "count: all published": () => byCount.published === 20 && byCount.failed === 0,
    "until: one per period": () => byTime.published === 10 && byTime.failed === 0,
  });
  await client.endAsync();
}
`;

Deno.test("runner publishEvery: paced publications counted as publishAsync's, by count and by time", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, SCRIPT, ["-e", `BROKER=${broker.url}`]);
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "mqtt_messages_sent{topic:paced/count}"), 60);
    assert.equal(count(r.summary, "mqtt_calls{method:publish,group:::paced}"), 60);
    assert.equal(count(r.summary, "mqtt_messages_sent"), 90);
    assert.equal(count(r.summary, "data_sent"), 90);
    const checks = r.summary.metrics.checks as Record<string, number>;
    assert.deepEqual([checks.passes, checks.fails], [6, 0]);
  } finally {
    await dir.remove();
  }
});

Deno.test("runner publishEvery: a pace without an end or with a bad period is refused", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const r = await runScript(
      dir,
      `
import { Client } from "k6/x/mqtt";
import { publishEvery } from "@mqload/mqload";
export const options = { iterations: 1 };
export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  try {
    for (const bad of [{ every: 10 }, { every: 0, count: 1 }, { every: 10, count: 1, tick: -1 }]) {
      let said = "";
      try { await publishEvery(client, "t", "x", bad); } catch (e) { said = e.message; }
      if (!/publishEvery/.test(said)) throw new Error("not refused: " + JSON.stringify(bad));
    }
  } finally {
    await client.endAsync();
  }
}
`,
      ["-e", `BROKER=${broker.url}`],
    );
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "iterations"), 1);
    assert.equal(count(r.summary, "mqtt_messages_sent"), 0);
  } finally {
    await dir.remove();
  }
});

Deno.test("runner publishEvery: steady, mixed-tick and sparse paces of one Worker each publish their count", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    // Paces due at every tick share the Worker's interval; a pace with another tick, and one
    // due only now and then, take it over and give it back as they come first.
    const r = await runScript(
      dir,
      `
import { check } from "k6";
import { Client } from "k6/x/mqtt";
import { publishEvery } from "@mqload/mqload";
export const options = { vus: 2, iterations: 2 };
export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  const start = Date.now() + 20;
  const [steady, mixed, sparse] = await Promise.all([
    publishEvery(client, "iv/steady", "x", { every: 10, start, until: start + 1500, qos: 1 }),
    publishEvery(client, "iv/mixed", "x", { every: 15, start, count: 40, tick: 5 }),
    publishEvery(client, "iv/sparse", "x", { every: 300, start, until: start + 1500 }),
  ]);
  check(null, {
    steady: () => steady.published === 150 && steady.failed === 0,
    mixed: () => mixed.published === 40,
    sparse: () => sparse.published === 5,
  });
  await client.endAsync();
}
`,
      ["-e", `BROKER=${broker.url}`],
    );
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "mqtt_messages_sent"), 2 * (150 + 40 + 5));
    const checks = r.summary.metrics.checks as Record<string, number>;
    assert.deepEqual([checks.passes, checks.fails], [6, 0]);
  } finally {
    await dir.remove();
  }
});
