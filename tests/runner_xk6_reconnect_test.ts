// A broker restart under a k6 + xk6-mqtt script: Paho reconnects on its own and xk6-mqtt counts
// none of it (only its calls reach handleError and addCallMetrics), so mqtt_errors stays 0 and
// mqtt_calls{method:connect} counts the script's one connect(), while `reconnect` and `connect`
// fire. A threshold such as xk6-mqtt's own `mqtt_errors: ["count==0"]` then holds, as in k6.
import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { sleep } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const reconnects = new Counter("reconnect_events");
const connects = new Counter("connect_events");
export const options = {
  iterations: 1,
  thresholds: { "mqtt_calls{method:connect}": ["count==1"], mqtt_errors: ["count==0"] },
};

export default function () {
  const client = new Client();
  client.on("reconnect", () => reconnects.add(1));
  client.on("connect", () => connects.add(1));
  client.connect(__ENV.BROKER);
  sleep(4); // the broker restarts meanwhile
  client.end();
}
`;

Deno.test({
  ...needsMosquitto,
  name: "runner xk6: a broker restart adds no mqtt_errors and no mqtt_calls, as Paho's reconnect",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const running = runScript(dir, SCRIPT, ["-e", `BROKER=${broker.url}`]);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await broker.restart();
      const r = await running;
      assert.equal(r.code, 0, explain(r));
      assert.ok(count(r.summary, "reconnect_events") >= 1, explain(r));
      assert.equal(count(r.summary, "connect_events"), 2, explain(r));
      assert.equal(count(r.summary, "mqtt_errors"), 0, explain(r));
      assert.equal(count(r.summary, "mqtt_calls{method:connect}"), 1, explain(r));
    } finally {
      await dir.remove();
    }
  },
});
