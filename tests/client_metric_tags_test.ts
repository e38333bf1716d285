// Every metric a client reports carries its tags, including those reported before a connection
// exists: the CONNECT/CONNACK wire bytes, a refused connect, a call made while never connected.
import assert from "node:assert/strict";
import { Client, type MetricsSink } from "../mod.ts";
import { startFakeBroker } from "./fixtures/fake_broker.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";

interface Sample {
  metric: string;
  value: number;
  tags: Record<string, string>;
}

function recorder(): MetricsSink & { samples: Sample[]; of(metric: string): Sample[] } {
  const samples: Sample[] = [];
  return {
    samples,
    add(metric, value, tags) {
      samples.push({ metric, value, tags: { ...tags } });
    },
    of(metric) {
      return samples.filter((s) => s.metric === metric);
    },
  };
}

function assertTagged(samples: Sample[], expected: Record<string, string>, what: string): void {
  assert.ok(samples.length > 0, `no ${what} samples`);
  for (const sample of samples) {
    for (const [key, value] of Object.entries(expected)) {
      assert.equal(sample.tags[key], value, `${what}: tag ${key} of ${JSON.stringify(sample)}`);
    }
  }
}

Deno.test("metric tags: CONNECT and CONNACK wire bytes carry proto, client_id, url and tags", async () => {
  await using broker = startFakeBroker();
  const sink = recorder();
  const client = new Client({
    client_id: "tagged-1",
    tags: { fleet: "a" },
    metrics: sink,
    reconnect: false,
  });
  await client.connect(broker.url, { tags: { run: "r1" } });
  const connection = await broker.nextConnection();
  await connection.next("connect");
  await client.end();
  const expected = {
    proto: "MQTT/3.1.1",
    client_id: "tagged-1",
    url: `${broker.url}`,
    fleet: "a",
    run: "r1",
  };
  // The first samples are the handshake: CONNECT out, CONNACK in.
  assertTagged(sink.of("mqtt_bytes_sent"), expected, "mqtt_bytes_sent");
  assertTagged(sink.of("mqtt_bytes_received"), expected, "mqtt_bytes_received");
  assertTagged(sink.of("mqtt_connect_duration"), expected, "mqtt_connect_duration");
  assertTagged(sink.of("mqtt_calls"), expected, "mqtt_calls");
});

Deno.test("metric tags: a refused connect counts an error with the client's tags and url", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "connect"
        ? [{ type: "connack", sessionPresent: false, reasonCode: 5 }, "close"]
        : undefined,
  });
  const sink = recorder();
  const client = new Client({ client_id: "refused-1", tags: { fleet: "b" }, metrics: sink });
  await assert.rejects(client.connectAsync(broker.url), { name: "MQTTError", reasonCode: 5 });
  const errors = sink.of("mqtt_errors");
  assertTagged(errors, {
    method: "connect",
    proto: "MQTT/3.1.1",
    client_id: "refused-1",
    url: broker.url,
    fleet: "b",
  }, "mqtt_errors");
  assertTagged(sink.of("mqtt_bytes_sent"), { fleet: "b", url: broker.url }, "mqtt_bytes_sent");
  await client.end();
});

Deno.test("metric tags: a call on a never-connected client counts an error with the client's tags", async () => {
  const sink = recorder();
  const client = new Client({
    client_id: "idle-1",
    protocol_version: 5,
    tags: { fleet: "c" },
    metrics: sink,
  });
  await assert.rejects(client.publishAsync("t", "x"), { name: "MQTTError", code: "closed" });
  await assert.rejects(client.subscribeAsync("t"), { name: "MQTTError", code: "closed" });
  const errors = sink.of("mqtt_errors");
  assert.equal(errors.length, 2);
  assertTagged(errors, { proto: "MQTT/5.0", client_id: "idle-1", fleet: "c" }, "mqtt_errors");
  assert.deepEqual(errors.map((s) => s.tags.method), ["publish", "subscribe"]);
});

Deno.test("metric tags: without a client_id, tags omit it until the broker assigns one (v5)", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "connect"
        ? [{
          type: "connack",
          sessionPresent: false,
          reasonCode: 0,
          properties: { assignedClientIdentifier: "assigned-7" },
        }]
        : undefined,
  });
  const sink = recorder();
  const client = new Client({ protocol_version: 5, tags: { fleet: "d" }, metrics: sink });
  await client.connect(broker.url);
  await client.publish("t", "x", { qos: 1 });
  await client.end();
  assert.equal(sink.samples[0].metric, "mqtt_bytes_sent");
  assert.equal(sink.samples[0].tags.client_id, undefined, "CONNECT goes out before the assignment");
  // data_sent and data_received carry none of the client's tags: xk6-mqtt's carry the VU's.
  const connection = sink.samples.filter((s) => !s.metric.startsWith("data_"));
  assertTagged(connection, { fleet: "d", proto: "MQTT/5.0", url: broker.url }, "every other one");
  assert.deepEqual(sink.of("data_sent").map((s) => s.tags), [{}]);
  assertTagged(sink.of("mqtt_messages_sent"), { client_id: "assigned-7" }, "mqtt_messages_sent");
});

Deno.test({
  name: "metric tags: topic_tags false leaves the topic off every sample, one series per metric",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using broker = await startMosquitto();
    const seen = new Map<boolean, Sample[]>();
    for (const topicTags of [true, false]) {
      const sink = recorder();
      const client = new Client({ metrics: sink, topic_tags: topicTags });
      await client.connectAsync(broker.url);
      await client.subscribeAsync(`tt/${topicTags}/#`, { qos: 1 });
      const received = new Promise<void>((resolve) => {
        let n = 0;
        client.on("message", () => ++n === 3 && resolve());
      });
      for (const device of ["a", "b", "c"]) {
        await client.publishAsync(`tt/${topicTags}/${device}`, "x", { qos: 1 });
      }
      await received;
      await client.endAsync();
      seen.set(topicTags, sink.samples);
    }
    const topicsOf = (samples: Sample[], metric: string) =>
      new Set(samples.filter((s) => s.metric === metric).map((s) => s.tags.topic));
    for (
      const metric of ["mqtt_messages_sent", "mqtt_messages_received", "mqtt_publish_duration"]
    ) {
      assert.deepEqual(
        topicsOf(seen.get(true)!, metric),
        new Set(["tt/true/a", "tt/true/b", "tt/true/c"]),
      );
      assert.deepEqual(topicsOf(seen.get(false)!, metric), new Set([undefined]), metric);
    }
    assert.ok(seen.get(false)!.every((s) => !("topic" in s.tags)), "a sample with a topic tag");
    // The rest of the tags stay: the calls keep their method.
    const methods = new Set(
      seen.get(false)!.filter((s) => s.metric === "mqtt_calls").map((s) => s.tags.method),
    );
    assert.deepEqual(methods, new Set(["connect", "subscribe", "publish", "message", "end"]));
    assert.throws(() => new Client({ topic_tags: "no" as unknown as boolean }), TypeError);
  },
});
