import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import { count, explain, mqload, runScript, TempDir } from "./_runner_helpers.ts";

// Each executor with counts that its schedule makes exact, read from --summary-export; every
// run uses two Workers so that counts must add up across them.

const iteration = `
import { Client } from "k6/x/mqtt";
export default async function () {
  const client = new Client();
  await client.connect(__ENV.MQTT_BROKER_ADDRESS);
  await client.publish("executors/" + __VU, "x", { qos: 1 });
  await client.end();
}
`;

Deno.test("runner executors: iteration counts are exact", async (t) => {
  const broker = await startBroker();
  const dir = await TempDir.create();
  const env = ["-e", `MQTT_BROKER_ADDRESS=${broker.url}`, "--workers", "2"];
  try {
    await t.step("shared-iterations: 10 iterations shared by 3 VUs", async () => {
      const r = await runScript(
        dir,
        `export const options = { vus: 3, iterations: 10 };` + iteration,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "iterations"), 10);
      assert.equal(count(r.summary, "mqtt_messages_sent"), 10);
      assert.equal(r.summary.metrics.vus_max.value, 3);
    });

    await t.step("per-vu-iterations: 4 iterations for each of 3 VUs", async () => {
      const r = await runScript(
        dir,
        `export const options = { scenarios: { s: { executor: "per-vu-iterations", vus: 3, iterations: 4 } } };` +
          iteration,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "iterations"), 12);
    });

    await t.step("constant-vus: 2 VUs loop for 1s", async () => {
      const r = await runScript(
        dir,
        `import { sleep } from "k6";
export const options = { vus: 2, duration: "1s" };
export default async function () { await sleep(0.2); }`,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      const n = count(r.summary, "iterations");
      // Each iteration lasts at least 200 ms: at most 6 per VU fit in 1 s (+ the last started).
      assert.ok(n >= 2 && n <= 12, `iterations ${n}`);
      assert.equal(r.summary.metrics.vus_max.value, 2);
    });

    await t.step("ramping-vus: up to 3 VUs and down", async () => {
      const r = await runScript(
        dir,
        `import { sleep } from "k6";
export const options = { scenarios: { ramp: { executor: "ramping-vus", startVUs: 0,
  stages: [{ duration: "600ms", target: 3 }, { duration: "600ms", target: 0 }], gracefulRampDown: "0s" } } };
export default async function () { await sleep(0.05); }`,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      assert.ok(count(r.summary, "iterations") > 0);
      assert.equal(r.summary.metrics.vus_max.value, 3);
    });

    // Enough VUs for every iteration to run at once: none can be dropped on a slow machine.
    await t.step("constant-arrival-rate: 20 iterations/s for 1s start exactly 20", async () => {
      const r = await runScript(
        dir,
        `export const options = { scenarios: { rate: { executor: "constant-arrival-rate", rate: 20,
  timeUnit: "1s", duration: "1s", preAllocatedVUs: 20 } } };` + iteration,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "iterations"), 20);
      assert.equal(count(r.summary, "mqtt_messages_sent"), 20);
    });

    await t.step("ramping-arrival-rate: 0 to 15/s over 1s starts 7 iterations", async () => {
      // The area under the rate curve is 7.5: iterations 1 to 7 start before the end.
      const r = await runScript(
        dir,
        `export const options = { scenarios: { ramp: { executor: "ramping-arrival-rate", startRate: 0,
  stages: [{ duration: "1s", target: 15 }], preAllocatedVUs: 7 } } };` + iteration,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "iterations"), 7);
    });

    await t.step("arrival rate without free VUs counts dropped_iterations", async () => {
      const r = await runScript(
        dir,
        `import { sleep } from "k6";
export const options = { scenarios: { slow: { executor: "constant-arrival-rate", rate: 10,
  duration: "1s", preAllocatedVUs: 1, maxVUs: 1, gracefulStop: "0s" } } };
export default async function () { await sleep(5); }`,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      // One VU, busy for 5 s: it takes the first iteration, the 9 others are dropped.
      assert.equal(count(r.summary, "dropped_iterations"), 9);
      assert.equal(count(r.summary, "iterations"), 0);
    });

    await t.step("externally-controlled: vus VUs of maxVUs loop for the duration", async () => {
      const r = await runScript(
        dir,
        `import { sleep } from "k6";
export const options = { scenarios: { ctl: { executor: "externally-controlled", vus: 2, maxVUs: 3,
  duration: "1100ms" } } };
export default async function () { await sleep(0.3); }`,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      // 2 VUs, 300 ms per iteration, stopped at 1.1 s with no grace: 3 each complete.
      assert.equal(count(r.summary, "iterations"), 6, explain(r));
      assert.equal(r.summary.metrics.vus_max.value, 3);
      assert.equal(r.summary.metrics.vus.max, 2);
      assert.match(r.stderr, /mqload has no REST API to scale, pause or resume it/);
    });

    await t.step("scenarios run concurrently, with startTime and exec", async () => {
      const r = await runScript(
        dir,
        `export const options = {
  scenarios: {
    a: { executor: "per-vu-iterations", vus: 2, iterations: 3, exec: "first" },
    b: { executor: "shared-iterations", vus: 2, iterations: 5, exec: "second", startTime: "300ms" },
  },
  thresholds: { "iterations{scenario:a}": ["count==6"], "iterations{scenario:b}": ["count==5"] },
};
export function first() {}
export function second() {}`,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "iterations{scenario:a}"), 6);
      assert.equal(count(r.summary, "iterations{scenario:b}"), 5);
      assert.equal(count(r.summary, "iterations"), 11);
    });

    await t.step("execution segments split the work exactly; mqload merge adds it up", async () => {
      const source = `export const options = { scenarios: {
  vus: { executor: "per-vu-iterations", vus: 5, iterations: 2 },
  rate: { executor: "constant-arrival-rate", rate: 20, duration: "1s", preAllocatedVUs: 21 },
} };` + iteration;
      const sequence = "0,1/3,2/3,1";
      const parts = ["0:1/3", "1/3:2/3", "2/3:1"];
      const files: string[] = [];
      let total = 0;
      for (const [i, segment] of parts.entries()) {
        const r = await runScript(dir, source, [
          ...env,
          "--execution-segment",
          segment,
          "--execution-segment-sequence",
          sequence,
        ], `segment${i}.js`);
        assert.equal(r.code, 0, explain(r));
        total += count(r.summary, "iterations");
        files.push(`${dir.path}/segment${i}.js.summary.json`);
      }
      assert.equal(total, 5 * 2 + 20);
      const merged = await mqload(["merge", ...files]);
      assert.equal(merged.code, 0, explain(merged));
      assert.equal(count(JSON.parse(merged.stdout), "iterations"), 30);
    });

    await t.step("invalid scenarios report every error with exit code 104", async () => {
      const r = await runScript(
        dir,
        `export const options = { scenarios: {
  a: { executor: "constant-vus", vus: 0 },
  b: { executor: "constant-arrival-rate", rate: 5, duration: "1s", bogus: 1 },
  c: { executor: "no-such-executor" },
  d: { executor: "externally-controlled", vus: 1, duration: "0", gracefulStop: "1s" },
} };
export default function () {}`,
      );
      assert.equal(r.code, 104, explain(r));
      for (
        const text of [
          'scenario "a": the number of VUs must be more than 0',
          'scenario "a": the duration is unspecified',
          'scenario "b": unknown option "bogus"',
          `scenario "b": the number of preAllocatedVUs isn't specified`,
          'scenario "c": unknown executor "no-such-executor"',
          'scenario "d": an infinite duration needs k6\'s REST API to end it',
          'scenario "d": gracefulStop is not supported by the externally controlled executor',
        ]
      ) assert.ok(r.stderr.includes(text), `missing "${text}" in:\n${r.stderr}`);
    });
  } finally {
    await dir.remove();
    await broker.close();
  }
});
