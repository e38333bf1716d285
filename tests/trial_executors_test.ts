// An arrival-rate scenario whose maxVUs are all busy drops iterations; k6 then warns once
// "Insufficient VUs, reached N active VUs and cannot initialize more", the hint that the load
// generator, not the broker, limited the rate.
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
  await client.publishAsync("trial/busy", "x", { qos: 1 });
  await sleep(0.6);
  await client.endAsync();
}
`;

Deno.test("trial: dropped arrivals with every maxVU busy warn once, as k6 does", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, SCRIPT, ["-e", `BROKER=${broker.url}`]);
    assert.equal(r.code, 0, explain(r));
    assert.ok(count(r.summary, "dropped_iterations") > 0, explain(r));
    const warnings = r.stderr.match(/Insufficient VUs, reached 2 active VUs/g) ?? [];
    assert.equal(warnings.length, 1, explain(r));
    assert.match(r.stderr, /executor=constant-arrival-rate scenario=busy/);
  } finally {
    await dir.remove();
  }
});
