// The Client against a real mosquitto over TCP, MQTT 3.1, 3.1.1 and 5: QoS 0/1/2 round trips with
// exact counts, retained messages, and the will of a client whose connection drops.
import assert from "node:assert/strict";
import { Client, type MessageInfo, QoS } from "../mod.ts";
import { openTransport, type Transport } from "../client/mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { deadline, signal } from "./fixtures/wait.ts";

/** A message as the `on("message")` handler receives it, collected. */
type Message = MessageInfo & { topic: string; payload: ArrayBuffer };

const COUNT = 1000;
const text = new TextDecoder();

for (const version of [3, 4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `mosquitto v${version}: QoS 0, 1 and 2 round trips deliver each message exactly once`,
    async fn() {
      await using broker = await startMosquitto();
      const subscriber = new Client({ client_id: `rt-sub-v${version}`, protocol_version: version });
      const publisher = new Client({ client_id: `rt-pub-v${version}`, protocol_version: version });
      try {
        await subscriber.connect(broker.url);
        await publisher.connect(broker.url);
        for (const qos of [QoS.AtMostOnce, QoS.AtLeastOnce, QoS.ExactlyOnce]) {
          const topic = `rt/v${version}/q${qos}`;
          const seen = new Map<number, number>();
          const qosSeen = new Set<number>();
          const done = signal();
          subscriber.on("message", (t, payload, info) => {
            assert.equal(t, topic);
            const body = text.decode(payload);
            qosSeen.add(info.qos);
            if (body === "end") return done.resolve();
            seen.set(Number(body), (seen.get(Number(body)) ?? 0) + 1);
          });
          assert.deepEqual(await subscriber.subscribe(topic, { qos }), [qos]);
          const acks: Promise<void>[] = [];
          for (let i = 0; i < COUNT; i++) acks.push(publisher.publish(topic, String(i), { qos }));
          await deadline(Promise.all(acks), 20_000, `acks of ${COUNT} QoS ${qos} messages`);
          // Same publisher, topic and QoS: the broker delivers in order, so "end" comes last.
          await publisher.publish(topic, "end", { qos });
          await done.wait(20_000, `"end" at QoS ${qos} (${seen.size} of ${COUNT} seen)`);
          assert.equal(seen.size, COUNT, `distinct messages at QoS ${qos}`);
          for (const [seq, times] of seen) assert.equal(times, 1, `message ${seq} at QoS ${qos}`);
          assert.deepEqual([...qosSeen], [qos]);
          await subscriber.unsubscribe(topic);
        }
      } finally {
        await publisher.end();
        await subscriber.end();
      }
    },
  });

  Deno.test({
    ...needsMosquitto,
    name: `mosquitto v${version}: a retained message reaches later subscribers with retain set`,
    async fn() {
      await using broker = await startMosquitto();
      const publisher = new Client({ protocol_version: version });
      const subscriber = new Client({ protocol_version: version });
      try {
        await publisher.connect(broker.url);
        await publisher.publish("status/door", "open", { qos: QoS.AtLeastOnce, retain: true });
        await subscriber.connect(broker.url);
        const got = signal<Message>();
        subscriber.on(
          "message",
          (topic, payload, info) => got.resolve({ topic, payload, ...info }),
        );
        await subscriber.subscribe("status/#", { qos: QoS.AtLeastOnce });
        const message = await got.wait(5000, "retained message");
        assert.equal(message.topic, "status/door");
        assert.equal(text.decode(message.payload), "open");
        assert.equal(message.retain, true);
        assert.equal(message.qos, QoS.AtLeastOnce);

        // A live publication is not flagged retained, even with retain set (MQTT §3.3.1.3).
        const live = signal<Message>();
        subscriber.on(
          "message",
          (topic, payload, info) => live.resolve({ topic, payload, ...info }),
        );
        await publisher.publish("status/door", "closed", { qos: QoS.AtLeastOnce, retain: true });
        const second = await live.wait(5000, "live message");
        assert.equal(text.decode(second.payload), "closed");
        assert.equal(second.retain, false);

        // An empty retained payload clears it: a new subscriber gets nothing retained.
        await publisher.publish("status/door", "", { qos: QoS.AtLeastOnce, retain: true });
        const late = new Client({ protocol_version: version });
        try {
          await late.connect(broker.url);
          let retained = 0;
          const marker = signal();
          late.on("message", (topic) => topic === "marker" ? marker.resolve() : retained++);
          await late.subscribe("status/#", { qos: QoS.AtLeastOnce });
          await late.subscribe("marker");
          await publisher.publish("marker", "x");
          await marker.wait(5000, "marker");
          assert.equal(retained, 0);
        } finally {
          await late.end();
        }
      } finally {
        await subscriber.end();
        await publisher.end();
      }
    },
  });

  Deno.test({
    ...needsMosquitto,
    name:
      `mosquitto v${version}: the will is published when the connection drops without DISCONNECT`,
    async fn() {
      await using broker = await startMosquitto();
      let transport: Transport | undefined;
      const dying = new Client({
        client_id: `dying-v${version}`,
        protocol_version: version,
        reconnect: false,
        will: { topic: "wills/dying", payload: "gone", qos: QoS.AtLeastOnce },
        transport: async (options) => (transport = await openTransport(options)),
      });
      const watcher = new Client({ protocol_version: version });
      try {
        await watcher.connect(broker.url);
        const will = signal<Message>();
        watcher.on("message", (topic, payload, info) => will.resolve({ topic, payload, ...info }));
        await watcher.subscribe("wills/#", { qos: QoS.AtLeastOnce });
        await dying.connect(broker.url);
        const closed = signal();
        dying.on("close", () => closed.resolve());
        await transport!.close();
        await closed.wait(5000, "client noticing the dropped connection");
        const message = await will.wait(5000, "will message");
        assert.equal(message.topic, "wills/dying");
        assert.equal(text.decode(message.payload), "gone");
        assert.equal(message.qos, QoS.AtLeastOnce);
        assert.equal(dying.connected, false);
      } finally {
        await dying.end();
        await watcher.end();
      }
    },
  });

  Deno.test({
    ...needsMosquitto,
    name: `mosquitto v${version}: a normal end() sends DISCONNECT and no will`,
    async fn() {
      await using broker = await startMosquitto();
      const leaving = new Client({
        protocol_version: version,
        will: { topic: "wills/leaving", payload: "gone" },
      });
      const watcher = new Client({ protocol_version: version });
      try {
        await watcher.connect(broker.url);
        const topics: string[] = [];
        const marker = signal();
        watcher.on(
          "message",
          (topic) => topic === "marker" ? marker.resolve() : topics.push(topic),
        );
        await watcher.subscribe(["wills/#", "marker"]);
        await leaving.connect(broker.url);
        await leaving.end();
        await watcher.publish("marker", "x");
        await marker.wait(5000, "marker");
        assert.deepEqual(topics, []);
      } finally {
        await leaving.end();
        await watcher.end();
      }
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "mosquitto v5: DISCONNECT with reason 0x04 publishes the will",
  async fn() {
    await using broker = await startMosquitto();
    const leaving = new Client({
      protocol_version: 5,
      will: { topic: "wills/0x04", payload: "asked" },
    });
    const watcher = new Client({ protocol_version: 5 });
    try {
      await watcher.connect(broker.url);
      const will = signal<string>();
      watcher.on("message", (_topic, payload) => will.resolve(text.decode(payload)));
      await watcher.subscribe("wills/#");
      await leaving.connect(broker.url);
      await leaving.end({ reason_code: 0x04 });
      assert.equal(await will.wait(5000, "will after DISCONNECT 0x04"), "asked");
    } finally {
      await watcher.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto v5: the broker assigns a client identifier when none is given",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ protocol_version: 5 });
    try {
      const info = await client.connect(broker.url);
      assert.match(info.clientId, /^auto-/);
      assert.equal(client.clientId, info.clientId);
      assert.equal(info.sessionPresent, false);
    } finally {
      await client.end();
    }
  },
});
