// MQTT 5 features of the Client against mosquitto: properties, topic aliases, subscription
// options and identifiers, shared subscriptions, session expiry.
import assert from "node:assert/strict";
import { Client, type MessageInfo, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { signal, until } from "./fixtures/wait.ts";

/** A message as the `on("message")` handler receives it, collected. */
type Message = MessageInfo & { topic: string; payload: ArrayBuffer };

const text = new TextDecoder();

function collect(client: Client, into: Message[], marker = "marker"): () => Promise<void> {
  const done = signal();
  client.on("message", (topic, payload, info) => {
    if (topic === marker) done.resolve();
    else into.push({ topic, payload, ...info });
  });
  return () => done.wait(5000, `${marker} message`);
}

Deno.test({
  ...needsMosquitto,
  name: "mosquitto v5: publish properties reach the subscriber unchanged",
  async fn() {
    await using broker = await startMosquitto();
    const publisher = new Client({ protocol_version: 5 });
    const subscriber = new Client({ protocol_version: 5 });
    try {
      await publisher.connect(broker.url);
      await subscriber.connect(broker.url);
      const got = signal<Message>();
      subscriber.on("message", (topic, payload, info) => got.resolve({ topic, payload, ...info }));
      await subscriber.subscribe("props", { qos: QoS.AtLeastOnce });
      await publisher.publish("props", '{"t":21.5}', {
        qos: QoS.AtLeastOnce,
        properties: {
          contentType: "application/json",
          payloadFormatIndicator: true,
          responseTopic: "replies/1",
          correlationData: new Uint8Array([1, 2, 3]),
          messageExpiryInterval: 3600,
          userProperties: [["region", "eu"], ["region", "us"], ["unit", "°C"]],
        },
      });
      const message = await got.wait(5000, "message with properties");
      const p = message.properties!;
      assert.equal(p.contentType, "application/json");
      assert.equal(p.payloadFormatIndicator, true);
      assert.equal(p.responseTopic, "replies/1");
      assert.deepEqual([...p.correlationData!], [1, 2, 3]);
      assert.ok(p.messageExpiryInterval! > 3500 && p.messageExpiryInterval! <= 3600);
      assert.deepEqual(p.userProperties, [["region", "eu"], ["region", "us"], ["unit", "°C"]]);
      assert.equal(text.decode(message.payload), '{"t":21.5}');
    } finally {
      await publisher.end();
      await subscriber.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto v5: outgoing topic aliases keep every message on its own topic",
  async fn() {
    await using broker = await startMosquitto();
    const publisher = new Client({ protocol_version: 5, topic_aliases: true });
    const subscriber = new Client({ protocol_version: 5 });
    try {
      const info = await publisher.connect(broker.url);
      assert.ok((info.properties?.topicAliasMaximum ?? 0) > 0, "mosquitto offers topic aliases");
      await subscriber.connect(broker.url);
      const messages: Message[] = [];
      const marker = collect(subscriber, messages);
      await subscriber.subscribe(["alias/#", "marker"], { qos: QoS.AtLeastOnce });
      const topics = ["alias/a", "alias/b/long/topic/name", "alias/c"];
      for (let i = 0; i < 60; i++) {
        await publisher.publish(topics[i % 3], String(i), { qos: i % 2 ? QoS.AtLeastOnce : 0 });
      }
      await publisher.publish("marker", "");
      await marker();
      assert.equal(messages.length, 60);
      messages.forEach((m, i) => {
        assert.equal(m.topic, topics[i % 3], `message ${i}`);
        assert.equal(text.decode(m.payload), String(i));
      });
    } finally {
      await publisher.end();
      await subscriber.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto v5: no_local, retain_as_published and retain_handling",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ protocol_version: 5 });
    const other = new Client({ protocol_version: 5 });
    try {
      await client.connect(broker.url);
      await other.connect(broker.url);
      await other.publish("opts/retained", "kept", { qos: QoS.AtLeastOnce, retain: true });

      const messages: Message[] = [];
      const marker = collect(client, messages);
      await client.subscribe({
        "opts/local": { qos: QoS.AtLeastOnce, no_local: true },
        "opts/rap": { qos: QoS.AtLeastOnce, retain_as_published: true },
        "opts/retained": { qos: QoS.AtLeastOnce, retain_handling: 2 },
        "marker": { qos: QoS.AtLeastOnce },
      });
      await client.publish("opts/local", "mine", { qos: QoS.AtLeastOnce });
      await other.publish("opts/local", "theirs", { qos: QoS.AtLeastOnce });
      await other.publish("opts/rap", "flagged", { qos: QoS.AtLeastOnce, retain: true });
      await other.publish("marker", "");
      await marker();
      assert.deepEqual(
        messages.map((m) => [m.topic, text.decode(m.payload), m.retain]),
        [["opts/local", "theirs", false], ["opts/rap", "flagged", true]],
        "own message not echoed; retain kept as published; no retained message sent",
      );
      await other.publish("opts/rap", "", { qos: QoS.AtLeastOnce, retain: true });
      await other.publish("opts/retained", "", { qos: QoS.AtLeastOnce, retain: true });
    } finally {
      await client.end();
      await other.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto v5: subscription identifiers come back on matching messages",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ protocol_version: 5 });
    try {
      await client.connect(broker.url);
      const messages: Message[] = [];
      const marker = collect(client, messages);
      await client.subscribe("ids/+", { qos: 1, properties: { subscriptionIdentifiers: [7] } });
      await client.subscribe("ids/#", { qos: 1, properties: { subscriptionIdentifiers: [300] } });
      await client.subscribe("marker");
      await client.publish("ids/x", "1", { qos: 1 });
      await client.publish("ids/x/y", "2", { qos: 1 });
      await client.publish("marker", "");
      await marker();
      // mosquitto 2 sends one copy per matching subscription, each with its identifier.
      const ids = (body: string) =>
        messages.filter((m) => text.decode(m.payload) === body)
          .flatMap((m) => m.properties?.subscriptionIdentifiers ?? [])
          .sort((a, b) => a - b);
      assert.deepEqual(ids("1"), [7, 300]);
      assert.deepEqual(ids("2"), [300]);
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto v5: a shared subscription splits messages between its members exactly",
  async fn() {
    await using broker = await startMosquitto();
    const members = [new Client({ protocol_version: 5 }), new Client({ protocol_version: 5 })];
    const publisher = new Client({ protocol_version: 5 });
    const counts = [0, 0];
    const seen = new Set<string>();
    try {
      for (const [i, member] of members.entries()) {
        await member.connect(broker.url);
        member.on("message", (_topic, payload) => {
          counts[i]++;
          seen.add(text.decode(payload));
        });
        await member.subscribe("$share/workers/jobs", { qos: QoS.AtLeastOnce });
      }
      await publisher.connect(broker.url);
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => publisher.publish("jobs", String(i), { qos: 1 })),
      );
      await until(() => seen.size === 200, 5000, () => `${seen.size}/200 jobs`);
      assert.equal(counts[0] + counts[1], 200, "each job once");
      assert.ok(counts[0] > 0 && counts[1] > 0, `both members worked: ${counts}`);
    } finally {
      await publisher.end();
      for (const member of members) await member.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto v5: session_expiry_interval decides whether the session survives",
  async fn() {
    await using broker = await startMosquitto();
    for (const [expiry, present] of [[0, false], [300, true]] as const) {
      const options = {
        client_id: `expiry-${expiry}`,
        protocol_version: 5,
        clean_start: false,
        session_expiry_interval: expiry,
      } as const;
      const first = new Client(options);
      await first.connect(broker.url);
      await first.subscribe("expiry/#", { qos: 1 });
      await first.end();
      const second = new Client(options);
      try {
        const info = await second.connect(broker.url);
        assert.equal(info.sessionPresent, present, `expiry ${expiry}`);
      } finally {
        await second.end();
      }
    }
  },
});
