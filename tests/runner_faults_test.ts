// The runner counts MQTT failures: a script whose clients meet a refusing broker, a closed port,
// a broker that never answers CONNECT and one that drops the connection ends with those failures
// in `mqtt_errors` of the summary export, and the run itself completes.
import assert from "node:assert/strict";
import { startFakeBroker } from "./fixtures/fake_broker.ts";
import { freePort } from "./fixtures/ports.ts";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { Client } from "k6/x/mqtt";
import { Counter } from "k6/metrics";

export const options = { vus: 1, iterations: 1 };
const failures = new Counter("caught_failures");

async function attempt(url, options) {
  const client = new Client({ reconnect: false, ...options });
  try {
    await client.connectAsync(url);
    // Connected: publish and wait for the broker to drop us.
    await client.publishAsync("t", "x", { qos: 1 });
  } catch (error) {
    failures.add(1, { code: String(error.code) });
  } finally {
    await client.endAsync();
  }
}

export default async function () {
  await attempt(__ENV.REFUSING);
  await attempt(__ENV.CLOSED_PORT);
  await attempt(__ENV.SILENT, { connect_timeout: 200 });
  await attempt(__ENV.DROPPING);
}
`;

Deno.test("runner faults: refused, unreachable, silent and dropping brokers are counted in mqtt_errors", async () => {
  await using refusing = startFakeBroker({
    script: (p) =>
      p.type === "connect"
        ? [{ type: "connack", sessionPresent: false, reasonCode: 5 }, "close"]
        : undefined,
  });
  await using silent = startFakeBroker({ script: (p) => p.type === "connect" ? [] : undefined });
  await using dropping = startFakeBroker({
    script: (p) => p.type === "publish" ? ["close"] : undefined,
  });
  const dir = await TempDir.create();
  try {
    const r = await runScriptWithEnv(dir, SCRIPT, {
      REFUSING: refusing.url,
      CLOSED_PORT: `mqtt://127.0.0.1:${freePort()}`,
      SILENT: silent.url,
      DROPPING: dropping.url,
    });
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "caught_failures"), 4, explain(r));
    assert.ok(
      count(r.summary, "mqtt_errors") >= 4,
      `mqtt_errors ${count(r.summary, "mqtt_errors")}`,
    );
    assert.equal(count(r.summary, "iterations"), 1);
  } finally {
    await dir.remove();
  }
});

function runScriptWithEnv(dir: TempDir, source: string, env: Record<string, string>) {
  const args = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  return runScript(dir, source, args);
}
