// Brokers that do not do QoS 2 take a QoS 2 PUBLISH as QoS 1: RabbitMQ's MQTT plugin answers it
// with a PUBACK and never sends PUBREC. The broker has the message, so the publication completes
// (as in MQTT.js and Paho) instead of waiting forever, and end() does not wait out its timeout.
import assert from "node:assert/strict";
import { Client, MqttError, QoS } from "../mod.ts";
import { startFakeBroker } from "./fixtures/fake_broker.ts";
import { deadline } from "./fixtures/wait.ts";

for (const version of [4, 5] as const) {
  Deno.test(`QoS 2 downgraded v${version}: a PUBACK instead of PUBREC completes the publication`, async () => {
    await using broker = startFakeBroker({
      script: (p) =>
        p.type === "publish" && p.qos === 2
          ? [{ type: "puback", packetId: p.packetId! }]
          : undefined,
    });
    const client = new Client({ protocol_version: version, reconnect: false });
    await client.connectAsync(broker.url);
    await deadline(
      Promise.all([
        client.publishAsync("t/2", "a", { qos: QoS.ExactlyOnce }),
        client.publishAsync("t/2", "b", { qos: QoS.ExactlyOnce }),
      ]),
      5000,
      "QoS 2 publications answered with PUBACK",
    );
    await deadline(client.endAsync(), 5000, "end() after them");
    const conn = broker.connections[0];
    assert.equal(conn.packets.filter((p) => p.type === "pubrel").length, 0);
  });
}

Deno.test("QoS 2 downgraded v5: a failure PUBACK fails the publication with its reason code", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "publish" && p.qos === 2
        ? [{ type: "puback", packetId: p.packetId!, reasonCode: 0x87 }]
        : undefined,
  });
  const client = new Client({ protocol_version: 5, reconnect: false });
  await client.connectAsync(broker.url);
  const error = await deadline(
    client.publishAsync("t/2", "a", { qos: QoS.ExactlyOnce }).catch((e) => e),
    5000,
    "a refused QoS 2 publication",
  );
  assert.ok(error instanceof MqttError, String(error));
  assert.equal(error.reasonCode, 0x87);
  await client.endAsync();
});

Deno.test("QoS 2: a PUBACK after PUBREC does not complete the flow twice", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "publish" && p.qos === 2
        ? [{ type: "pubrec", packetId: p.packetId! }, { type: "puback", packetId: p.packetId! }]
        : undefined,
  });
  const client = new Client({ protocol_version: 4, reconnect: false });
  await client.connectAsync(broker.url);
  await deadline(client.publishAsync("t/2", "a", { qos: QoS.ExactlyOnce }), 5000, "PUBCOMP");
  assert.equal(broker.connections[0].packets.filter((p) => p.type === "pubrel").length, 1);
  await client.endAsync();
});
