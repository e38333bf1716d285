import assert from "node:assert/strict";
import { Client } from "../../mod.ts";
import { findMosquitto, startDemoBroker } from "./demo_broker.ts";

async function roundTrip(url: string, protocolVersion: 4 | 5): Promise<string> {
  const client = new Client({ protocol_version: protocolVersion });
  await client.connect(url);
  const received = Promise.withResolvers<string>();
  client.on("message", (_topic: string, payload: ArrayBuffer) => {
    received.resolve(new TextDecoder().decode(payload));
  });
  await client.subscribe("demo/test", { qos: 1 });
  await client.publish("demo/test", "hello", { qos: 1 });
  const text = await received.promise;
  await client.end();
  return text;
}

Deno.test({
  name: "demo broker: a private mosquitto speaking MQTT 5 when asked for",
  ignore: findMosquitto() === undefined && Deno.env.get("CI") !== "true",
  fn: async () => {
    const broker = await startDemoBroker(findMosquitto());
    try {
      assert.equal(broker.protocolVersion, 5, broker.description);
      assert.match(broker.description, /^mosquitto/);
      assert.equal(await roundTrip(broker.url, 5), "hello");
    } finally {
      await broker.close();
    }
  },
});

Deno.test("demo broker: the embedded aedes broker (MQTT 3.1.1) by default", async () => {
  for (const mosquitto of [undefined, null, "/nonexistent/mosquitto"]) {
    const broker = await startDemoBroker(mosquitto);
    try {
      assert.equal(broker.protocolVersion, 4);
      assert.match(broker.description, /aedes/);
      assert.equal(await roundTrip(broker.url, 4), "hello");
    } finally {
      await broker.close();
    }
  }
});
