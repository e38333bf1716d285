// The client against a mosquitto that limits what it takes: a message over `message_size_limit`
// is refused with a reason code outside the PUBACK / PUBREC lists (0x95), which must fail that one
// publication, not the connection.
import assert from "node:assert/strict";
import { Client, type CloseInfo, MqttError, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { deadline } from "./fixtures/wait.ts";

for (const qos of [QoS.AtLeastOnce, QoS.ExactlyOnce]) {
  Deno.test({
    ...needsMosquitto,
    name:
      `mosquitto v5: a QoS ${qos} message over message_size_limit is refused, the connection stays`,
    async fn() {
      // mosquitto 2.0 also drops the connection after such a refusal when its queue is unbounded
      // (the fixture's max_queued_messages 0): a bounded queue shows the refusal alone.
      await using broker = await startMosquitto({
        extraConfig: "message_size_limit 1000\nmax_queued_messages 1000",
      });
      const client = new Client({ protocol_version: 5, reconnect: false });
      const closes: CloseInfo[] = [];
      client.on("close", (info) => closes.push(info));
      try {
        await client.connectAsync(broker.url);
        const error = await client.publishAsync("limits/big", new Uint8Array(2000), { qos })
          .then(() => assert.fail("the oversized publication must be refused"), (e) => e);
        assert.ok(error instanceof MqttError, String(error));
        assert.equal(error.code, "refused");
        assert.equal(error.reasonCode, 0x95);
        assert.match(error.message, /0x95 Packet too large/);
        // The same connection still carries a message under the limit.
        await client.publishAsync("limits/small", new Uint8Array(100), { qos });
        assert.equal(client.connected, true);
        assert.deepEqual(closes, []);
      } finally {
        await client.endAsync();
      }
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name:
    "mosquitto v3.1.1: a message over max_packet_size, which the broker hangs up on, fails after 3 tries, alone",
  async fn() {
    await using broker = await startMosquitto({ extraConfig: "max_packet_size 1000" });
    const client = new Client({
      protocol_version: 4,
      reconnect: { initial_delay: 20, max_delay: 50, jitter: false },
    });
    let closes = 0;
    client.on("close", () => closes++);
    try {
      await client.connectAsync(broker.url);
      const big = client.publishAsync("limits/big", new Uint8Array(2000), {
        qos: QoS.AtLeastOnce,
      }).then(() => assert.fail("the publication must fail"), (e) => e);
      // Sent right behind it, in the same write each time: the broker never read it.
      const behind = client.publishAsync("limits/behind", "x", { qos: QoS.AtLeastOnce });
      const error = await big;
      assert.ok(error instanceof MqttError, String(error));
      assert.equal(error.code, "dropped");
      assert.match(error.message, /closed the connection each of the 3 times/);
      assert.equal(closes, 3, "sent on 3 connections, each hung up on");
      await behind;
      // The client carries on with what the broker takes.
      await client.publishAsync("limits/small", new Uint8Array(100), { qos: QoS.AtLeastOnce });
    } finally {
      await client.endAsync();
    }
  },
});

/**
 * Publishes `count` messages at once (QoS by index) from one client to a subscriber at QoS 2,
 * through a mosquitto with its default in-flight quota: what the publishes settle as, what the
 * subscriber received (in arrival order) and how often the publisher's connection closed.
 */
async function burst(version: 4 | 5, count: number, qos: (i: number) => QoS) {
  await using broker = await startMosquitto({ extraConfig: "max_inflight_messages 20" });
  const subscriber = new Client({ protocol_version: version, reconnect: false });
  const publisher = new Client({ protocol_version: version, reconnect: false });
  const received: number[] = [];
  const all = Promise.withResolvers<void>();
  subscriber.on("message", (_topic, payload) => {
    received.push(Number(new TextDecoder().decode(payload)));
    if (received.length === count) all.resolve();
  });
  let closes = 0;
  publisher.on("close", () => closes++);
  try {
    await subscriber.connectAsync(broker.url);
    await subscriber.subscribeAsync("limits/burst", { qos: QoS.ExactlyOnce });
    await publisher.connectAsync(broker.url);
    const sends = Array.from(
      { length: count },
      (_, i) => publisher.publishAsync("limits/burst", String(i), { qos: qos(i) }),
    );
    const rejected = (await Promise.allSettled(sends)).filter((s) => s.status === "rejected");
    await deadline(all.promise, 10_000, `received ${received.length} of ${count}`);
    return { rejected, received, closes };
  } finally {
    await publisher.endAsync();
    await subscriber.endAsync();
  }
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

// mosquitto's default max_inflight_messages (20) also bounds the QoS 2 messages of a v3.1.1
// client awaiting PUBREL: the 21st gets a PUBREC with 0x97 and a hang-up. A v3.1.1 broker
// announces no such quota, so the client keeps 20 QoS 2 publications in flight unless told.
// The same quota refuses a QoS 1 message that arrives while 20 QoS 2 ones await PUBREL: a PUBACK
// with 0x97, which MQTT 3.1.1 cannot carry, so the message is dropped while publish() resolves.
// QoS 1 publications therefore wait while the QoS 2 window is full.
for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name:
      `mosquitto v${version} with its default in-flight quota: a burst of 300 QoS 2 publications all arrive, in order`,
    async fn() {
      const { rejected, received, closes } = await burst(version, 300, () => QoS.ExactlyOnce);
      assert.deepEqual(rejected, []);
      assert.deepEqual(received, upTo(300));
      assert.equal(closes, 0);
    },
  });
  Deno.test({
    ...needsMosquitto,
    name:
      `mosquitto v${version} with its default in-flight quota: a burst of QoS 1 and 2 publications mixed all arrive`,
    async fn() {
      const mixed = (i: number) => i % 2 === 1 ? QoS.AtLeastOnce : QoS.ExactlyOnce;
      const { rejected, received, closes } = await burst(version, 400, mixed);
      assert.deepEqual(rejected, []);
      // Each once (mosquitto's queue towards the subscriber may interleave the two QoS).
      assert.deepEqual(received.toSorted((a, b) => a - b), upTo(400));
      assert.equal(closes, 0);
    },
  });
}
