// Acknowledgements out of their QoS flow, through an in-memory broker: a PUBCOMP before any
// PUBREC, a PUBREC for a QoS 1 publication (protocol errors that close the connection, the
// publication left to be sent again), and the flows that stay accepted.

import assert from "node:assert/strict";
import { FakeClock, ScriptedBroker } from "../tests/fixtures/memory_broker.ts";
import { Client } from "./client.ts";
import type { CloseInfo } from "./events.ts";
import { publicationAck } from "./_publication_acks.ts";
import type { PublishOp } from "./_ops.ts";

const URL = "mqtt://broker.test:1883";

async function connected() {
  const broker = new ScriptedBroker(4);
  const client = new Client({
    reconnect: false,
    transport: broker.factory,
    clock: new FakeClock(),
  });
  const connecting = client.connect(URL);
  await broker.accept();
  await connecting;
  const closes: CloseInfo[] = [];
  client.on("close", (info) => closes.push(info));
  return { client, broker, closes };
}

for (
  const [qos, ack, expected] of [
    [2, "pubcomp", /^PUBCOMP before PUBREC for packet 1/],
    [1, "pubrec", /^PUBREC for the QoS 1 publication 1/],
  ] as const
) {
  Deno.test(`publish at QoS ${qos}: a ${ack.toUpperCase()} out of its flow closes the connection`, async () => {
    const { client, broker, closes } = await connected();
    const publishing = client.publish("t", "x", { qos }).then(() => "done", (e) => e);
    const publish = await broker.expect("publish");
    await broker.send({ type: ack, packetId: publish.packetId! });
    assert.equal(closes.length, 1);
    assert.match(String(closes[0].error?.message), expected);
    // Never reported as delivered: it fails with the connection (no reconnect here).
    const outcome = await publishing;
    assert.notEqual(outcome, "done");
    // No PUBREL went out for a flow the broker broke.
    assert.ok(!broker.unread.some((p) => p.type === "pubrel"));
    await client.end();
  });
}

Deno.test("publicationAck: the flows that stay accepted", () => {
  const op = (qos: 1 | 2, released = false) =>
    ({ method: "publish", packet: { qos, packetId: 1 }, released }) as unknown as PublishOp;
  assert.equal(publicationAck("puback", op(1), 0), "done");
  assert.equal(publicationAck("puback", op(2), 0), "done"); // RabbitMQ's downgrade to QoS 1
  assert.equal(publicationAck("pubrec", op(2), 0), "release");
  assert.equal(publicationAck("pubrec", op(2, true), 0), "release"); // a duplicate: PUBREL again
  assert.equal(publicationAck("pubrec", op(2), 0x87), "done"); // refused (MQTT 5)
  assert.equal(publicationAck("pubcomp", op(2, true), 0), "done");
  assert.equal(publicationAck("pubcomp", op(1), 0), "stale");
  assert.equal(publicationAck("puback", undefined, 0), "stale");
});
