// More of the Client against mosquitto: unsubscribe, async iteration with back-pressure, large
// payloads, many clients at once, keepalive over an idle connection, and metrics.
import assert from "node:assert/strict";
import { Client, type MetricsSink, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { deadline, sha256, signal, sleep, until } from "./fixtures/wait.ts";

const text = new TextDecoder();

for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `mosquitto v${version}: unsubscribe stops delivery of that filter only`,
    async fn() {
      await using broker = await startMosquitto();
      const client = new Client({ protocol_version: version });
      try {
        await client.connect(broker.url);
        const topics: string[] = [];
        const marker = signal();
        client.on(
          "message",
          (topic) => topic === "b/marker" ? marker.resolve() : topics.push(topic),
        );
        await client.subscribe(["a/#", "b/#"], { qos: QoS.AtLeastOnce });
        await client.unsubscribe("a/#");
        await client.publish("a/1", "x", { qos: QoS.AtLeastOnce });
        await client.publish("b/1", "x", { qos: QoS.AtLeastOnce });
        await client.publish("b/marker", "x", { qos: QoS.AtLeastOnce });
        await marker.wait(5000, "marker");
        assert.deepEqual(topics, ["b/1"]);
      } finally {
        await client.end();
      }
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "mosquitto: messages() yields every QoS 1 message in order to a slow consumer",
  async fn() {
    await using broker = await startMosquitto();
    const subscriber = new Client({ protocol_version: 5 });
    const publisher = new Client({ protocol_version: 5 });
    const count = 2000;
    try {
      await subscriber.connect(broker.url);
      await publisher.connect(broker.url);
      const stream = subscriber.messages({ capacity: 8 });
      await subscriber.subscribe("stream", { qos: QoS.AtLeastOnce });
      const published = Promise.all(
        Array.from({ length: count }, (_, i) => publisher.publish("stream", String(i), { qos: 1 })),
      );
      const received: number[] = [];
      await deadline(
        (async () => {
          for await (const message of stream) {
            received.push(Number(text.decode(message.payload)));
            // A slow consumer: the client must hold back, not drop.
            if (received.length % 100 === 0) await sleep(1);
            if (received.length === count) break;
          }
        })(),
        30_000,
        `${count} messages through messages()`,
      );
      await published;
      assert.deepEqual(received, Array.from({ length: count }, (_, i) => i));
    } finally {
      await publisher.end();
      await subscriber.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto: a 4 MiB payload round-trips intact at QoS 2",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ protocol_version: 5 });
    try {
      await client.connect(broker.url);
      const payload = new Uint8Array(4 * 1024 * 1024);
      for (let i = 0; i < payload.length; i += 65536) {
        crypto.getRandomValues(payload.subarray(i, i + 65536));
      }
      const got = signal<ArrayBuffer>();
      client.on("message", (_t, body) => got.resolve(body));
      await client.subscribe("big", { qos: QoS.ExactlyOnce });
      await client.publish("big", payload, { qos: QoS.ExactlyOnce });
      const body = await got.wait(20_000, "4 MiB message");
      assert.equal(body.byteLength, payload.length);
      assert.equal(await sha256(body), await sha256(payload));
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto: 200 clients publish 20 QoS 1 messages each to one subscriber (fan-in)",
  async fn() {
    await using broker = await startMosquitto();
    const sink = new Client({ client_id: "fan-in-sink" });
    const clients = Array.from({ length: 200 }, (_, i) => new Client({ client_id: `fan-${i}` }));
    const seen = new Set<string>();
    let deliveries = 0;
    try {
      await sink.connect(broker.url);
      sink.on("message", (topic, payload) => {
        deliveries++;
        seen.add(`${topic}:${text.decode(payload)}`);
      });
      await sink.subscribe("fan/+", { qos: QoS.AtLeastOnce });
      await Promise.all(clients.map((c) => c.connect(broker.url)));
      await Promise.all(
        clients.flatMap((c, i) =>
          Array.from({ length: 20 }, (_, j) => c.publish(`fan/${i}`, String(j), { qos: 1 }))
        ),
      );
      await until(() => seen.size === 4000, 20_000, () => `${seen.size}/4000 messages`);
      assert.equal(deliveries, 4000, "no redelivery without a reconnect");
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await sink.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto: keepalive PINGREQs hold an idle connection past 1.5 × keepalive",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ keepalive: 1, reconnect: false });
    let closes = 0;
    client.on("close", () => closes++);
    try {
      await client.connect(broker.url);
      // mosquitto drops a client silent for 1.5 × keepalive; 2.6 s of idling needs pings.
      await sleep(2600);
      assert.equal(closes, 0);
      assert.equal(client.connected, true);
      await client.publish("alive", "yes", { qos: QoS.AtLeastOnce });
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto v5: the metrics sink counts messages, bytes and end-to-end latency",
  async fn() {
    await using broker = await startMosquitto();
    const points: Array<[string, number, Record<string, string>]> = [];
    const sink: MetricsSink = { add: (metric, value, tags) => points.push([metric, value, tags]) };
    const client = new Client({
      client_id: "metered",
      protocol_version: 5,
      metrics: sink,
      tags: { scenario: "metrics" },
    });
    try {
      await client.connect(broker.url);
      const got = signal();
      let received = 0;
      client.on("message", () => ++received === 10 && got.resolve());
      await client.subscribe("metered", { qos: QoS.AtLeastOnce });
      for (let i = 0; i < 10; i++) await client.publish("metered", "12345", { qos: 1 });
      await got.wait(5000, "10 messages");
    } finally {
      await client.end();
    }
    const sum = (name: string) =>
      points.filter(([m]) => m === name).reduce((total, [, value]) => total + value, 0);
    const count = (name: string) => points.filter(([m]) => m === name).length;
    assert.equal(sum("mqtt_messages_sent"), 10);
    assert.equal(sum("mqtt_messages_received"), 10);
    assert.equal(sum("data_sent"), 50, "payload bytes");
    assert.equal(sum("data_received"), 50);
    assert.equal(count("mqtt_message_latency"), 10);
    assert.equal(count("mqtt_publish_duration"), 10);
    assert.equal(count("mqtt_connect_duration"), 1);
    assert.ok(sum("mqtt_bytes_sent") > 50, "wire bytes include headers");
    for (const [metric, value, tags] of points) {
      assert.ok(Number.isFinite(value) && value >= 0, `${metric} = ${value}`);
      // data_sent and data_received carry none of the client's tags, as in xk6-mqtt.
      assert.equal(
        tags.scenario,
        metric.startsWith("data_") ? undefined : "metrics",
        `${metric} ${value} ${JSON.stringify(tags)}`,
      );
    }
    const sent = points.find(([m]) => m === "mqtt_messages_sent")!;
    assert.equal(sent[2].topic, "metered");
    assert.equal(sent[2].client_id, "metered");
  },
});
