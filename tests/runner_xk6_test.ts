import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { explain, mqload } from "./_runner_helpers.ts";

// The xk6-mqtt example scripts run unchanged (examples/xk6_*.js): connect without awaiting,
// subscribe/publish from the connect handler, end from the message handler. Their thresholds
// on mqtt_calls, messages, bytes and checks are the verdict: exit code 0. (Scripts shaped like
// xk6-mqtt's own tests, with its older metric names: runner_xk6_upstream_test.ts.)

const SCRIPTS = [
  "examples/xk6_subscribe.js",
  "examples/xk6_subscribe_async.js",
  "examples/xk6_publish_async.js",
  "examples/xk6_connect_async.js",
];

Deno.test("runner xk6-mqtt scripts: unchanged, against mosquitto", async (t) => {
  const mosquitto = await startMosquitto();
  try {
    for (const script of SCRIPTS) {
      await t.step(script, async () => {
        const r = await mqload(["run", "-q", "--no-summary", script], {
          MQTT_BROKER_ADDRESS: mosquitto.url,
        });
        assert.equal(r.code, 0, explain(r));
      });
    }
  } finally {
    await mosquitto.stop();
  }
});

Deno.test("runner xk6-mqtt scripts: unchanged, against the embedded broker", async (t) => {
  const broker = await startBroker();
  try {
    for (const script of SCRIPTS) {
      await t.step(script, async () => {
        const r = await mqload(["run", "-q", "--no-summary", script], {
          MQTT_BROKER_ADDRESS: broker.url,
        });
        assert.equal(r.code, 0, explain(r));
      });
    }
  } finally {
    await broker.close();
  }
});

Deno.test("runner demo: QoS 0/1/2 publishers and subscribers pass their thresholds", async () => {
  const r = await mqload(["demo", "-q"]);
  assert.equal(r.code, 0, explain(r));
  assert.match(r.stdout, /demo_messages_received/);
  // k6 1.x's compact summary lists each threshold's metric, then its verdicts.
  assert.match(r.stdout, /\n {4}checks\n {4}✓ '/);
});
