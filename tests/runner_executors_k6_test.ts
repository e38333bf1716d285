// An arrival-rate scenario whose maxVUs are all busy drops iterations; k6 then warns once
// "Insufficient VUs, reached N active VUs and cannot initialize more", the hint that the load
// generator, not the broker, limited the rate. A constant-arrival-rate scenario lasts its whole
// duration, as k6's.
import assert from "node:assert/strict";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { sleep } from "k6";
import { Client } from "k6/x/mqtt";

export const options = {
  scenarios: {
    busy: {
      executor: "constant-arrival-rate",
      rate: 20,
      timeUnit: "1s",
      duration: "1s",
      preAllocatedVUs: 1,
      maxVUs: 2,
    },
  },
};

export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  await client.publishAsync("executors/busy", "x", { qos: 1 });
  await sleep(0.6);
  await client.endAsync();
}
`;

Deno.test("runner executors: dropped arrivals with every maxVU busy warn once, as k6 does", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, SCRIPT, ["-e", `BROKER=${broker.url}`]);
    assert.equal(r.code, 0, explain(r));
    assert.ok(count(r.summary, "dropped_iterations") > 0, explain(r));
    const warnings = r.stderr.match(/Insufficient VUs, reached 2 active VUs/g) ?? [];
    assert.equal(warnings.length, 1, explain(r));
    assert.match(r.stderr, /executor=constant-arrival-rate scenario=busy/);
    // A runner warning, not console output.
    assert.doesNotMatch(r.stderr, /Insufficient VUs.*source=console/);
    assert.match(r.stderr, /WARN\[\d+\] Insufficient VUs/);
  } finally {
    await dir.remove();
  }
});

// k6's exec.scenario.progress of an iteration-based scenario is the share of its iterations
// done, not the time elapsed over maxDuration.
const PROGRESS = `
import { sleep } from "k6";
import exec from "k6/execution";

export const options = {
  scenarios: {
    shared: { executor: "shared-iterations", vus: 2, iterations: 6, maxDuration: "1m" },
  },
};

export default function () {
  console.log("PROGRESS " + exec.scenario.progress);
  sleep(0.6);
}
`;

Deno.test("runner executors: exec.scenario.progress counts iterations in shared-iterations", async () => {
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, PROGRESS, ["--workers", "2"]);
    assert.equal(r.code, 0, explain(r));
    const values = [...r.stderr.matchAll(/PROGRESS ([\d.e-]+)/g)].map((m) => Number(m[1]));
    assert.equal(values.length, 6, explain(r));
    for (const value of values) {
      // Done out of 6: a multiple of 1/6, never time over the 1 min maxDuration.
      assert.ok(Math.abs(value * 6 - Math.round(value * 6)) < 1e-9, `progress ${value}`);
    }
    assert.equal(Math.min(...values), 0);
    assert.ok(Math.max(...values) >= 2 / 6, `progress ${values}`);
  } finally {
    await dir.remove();
  }
});

// rate 4 per 1 s for 2 s: arrivals at 0, 250, …, 1750 ms. k6's executor runs the whole 2 s
// (its loop ends with the regular duration, not the last arrival), so the run's duration, and
// the rates in the summary, cover 2 s.
const CONSTANT_RATE = `
export const options = {
  scenarios: {
    rate: {
      executor: "constant-arrival-rate",
      rate: 4,
      timeUnit: "1s",
      duration: "2s",
      preAllocatedVUs: 2,
    },
  },
};
export default function () {}
`;

Deno.test("runner executors: constant-arrival-rate runs its 8 iterations over the whole 2 s duration", async () => {
  const dir = await TempDir.create();
  try {
    for (const workers of ["1", "2"]) {
      const r = await runScript(dir, CONSTANT_RATE, ["--workers", workers]);
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "iterations"), 8);
      assert.equal(count(r.summary, "dropped_iterations"), 0);
      const durationMs = r.summary.mqload.testRunDurationMs;
      assert.ok(durationMs >= 2000, `test run ${durationMs} ms, ${workers} Workers`);
      // The rate is over the run's duration: at most k6's 4/s.
      const rate = (r.summary.metrics.iterations as Record<string, number>).rate;
      assert.ok(rate <= 4, `iterations rate ${rate}/s`);
    }
  } finally {
    await dir.remove();
  }
});
