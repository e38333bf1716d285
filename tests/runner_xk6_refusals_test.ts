// Calls that fail before reaching the broker, as xk6-mqtt reports them: Paho refuses a topic
// filter with a misplaced wildcard (`a/#/b`) through the call's token, which xk6-mqtt's
// handleError counts in mqtt_errors{method:subscribe} with the topic, hands to an `error` handler
// or else throws as an MQTTError; and its reconnect() runs connect again, so a failed one is
// counted as mqtt_errors{method:connect}.
import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

const FILTER_SCRIPT = `
import { check } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const heard = new Counter("error_events");
export const options = {
  iterations: 1,
  thresholds: {
    "mqtt_errors{method:subscribe}": ["count==2"],
    "mqtt_errors{topic:a/#/b}": ["count==1"],
    "mqtt_errors{topic:c/d#}": ["count==1"],
    "mqtt_calls{method:subscribe}": ["count==1"],
  },
};

export default function () {
  // With an error handler: the call returns, the handler hears it.
  const handled = new Client();
  handled.on("error", (e) => {
    heard.add(1);
    check(e, { "handler: MQTTError of subscribe": (e) => e.name === "MQTTError" && e.method === "subscribe" });
  });
  handled.connect(__ENV.BROKER);
  handled.subscribe("a/#/b");
  handled.subscribe("ok/+");
  check(handled, { "handled: still connected": (c) => c.connected });
  handled.end();

  // Without one: thrown, and the client goes on.
  const plain = new Client();
  plain.connect(__ENV.BROKER);
  let thrown;
  try {
    plain.subscribe("c/d#");
  } catch (e) {
    thrown = e;
  }
  check(thrown, { "plain: thrown MQTTError of subscribe": (e) => e?.name === "MQTTError" && e.method === "subscribe" });
  check(plain, { "plain: still connected": (c) => c.connected });
  plain.end();
}
`;

Deno.test({
  ...needsMosquitto,
  name: "runner xk6: an invalid topic filter fails the subscribe call as Paho's refusal does",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const r = await runScript(dir, FILTER_SCRIPT, ["-e", `BROKER=${broker.url}`]);
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "error_events"), 1, explain(r));
      const checks = r.summary.metrics.checks as { passes: number; fails: number };
      assert.deepEqual([checks.passes, checks.fails], [4, 0], explain(r));
      assert.equal(count(r.summary, "mqtt_errors"), 2, explain(r));
    } finally {
      await dir.remove();
    }
  },
});

const RECONNECT_SCRIPT = `
import { Client } from "k6/x/mqtt";

export const options = {
  iterations: 1,
  thresholds: {
    "mqtt_errors{method:connect}": ["count==2"],
    "mqtt_errors{method:reconnect}": ["count==0"],
  },
};

export default function () {
  const client = new Client({ connect_timeout: 1000 });
  client.on("error", () => {});
  client.connect(__ENV.NOWHERE);
  client.reconnect();
}
`;

Deno.test({
  name: "runner xk6: a failed reconnect() is counted as a failed connect, as xk6-mqtt's is",
  async fn() {
    // A port nobody listens on: taken from the system and let go.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const nowhere = `mqtt://127.0.0.1:${listener.addr.port}`;
    listener.close();
    const dir = await TempDir.create();
    try {
      const r = await runScript(dir, RECONNECT_SCRIPT, ["-e", `NOWHERE=${nowhere}`]);
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "mqtt_errors"), 2, explain(r));
    } finally {
      await dir.remove();
    }
  },
});
