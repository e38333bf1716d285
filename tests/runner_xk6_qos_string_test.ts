// `{ qos: __ENV.QOS }`: a QoS from the environment is a string, which xk6-mqtt takes as its number
// (sobek's export of the options into a Go byte converts with ToNumber). The k6 shim does the same;
// a string that is no number is still refused, naming the option.
import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { Client } from "k6/x/mqtt";

export const options = {
  iterations: 1,
  thresholds: { mqtt_messages_received: ["count==1"] },
};

export default function () {
  const client = new Client();
  client.on("message", () => client.end());
  client.connect(__ENV.BROKER);
  const options = { qos: __ENV.QOS };
  client.subscribe("qos/string", options);
  // Options without a qos of their own drop it (with a warning), as xk6-mqtt ignores it.
  client.unsubscribe("qos/other", options);
  client.publish("qos/string", "x", options);
}
`;

Deno.test({
  ...needsMosquitto,
  name: "runner xk6: a QoS given as a numeric string is its number, another string is refused",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const ok = await runScript(dir, SCRIPT, ["-e", `BROKER=${broker.url}`, "-e", "QOS=1"]);
      assert.equal(ok.code, 0, explain(ok));
      // Only a publication at QoS 1 or 2 has an acknowledgement to time.
      const duration = ok.summary.metrics.mqtt_publish_duration as { max: number } | undefined;
      assert.ok((duration?.max ?? 0) > 0, explain(ok));
      assert.equal(count(ok.summary, "mqtt_messages_received"), 1, explain(ok));
      const bad = await runScript(dir, SCRIPT, ["-e", `BROKER=${broker.url}`, "-e", "QOS=one"]);
      assert.match(bad.stderr, /Invalid option qos: expected QoS 0, 1 or 2, got string/);
    } finally {
      await dir.remove();
    }
  },
});
