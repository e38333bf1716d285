// `mqtt_message_latency` over MQTT 3.1.1, which has no user properties: with
// `latency_stamp: "payload"` the publish time travels as a payload trailer through a real broker
// (aedes), and a receiver with the same option gets the payload back exactly as published.

import assert from "node:assert/strict";
import { Client, type MessageInfo, type MetricsSink, QoS } from "../mod.ts";
import { startBroker } from "../runner/cli/broker.ts";

/** A message as the `on("message")` handler receives it, collected. */
type Message = MessageInfo & { topic: string; payload: ArrayBuffer };

function recorder(): MetricsSink & { of(metric: string): number[] } {
  const samples: { metric: string; value: number }[] = [];
  return {
    add(metric, value) {
      samples.push({ metric, value });
    },
    of(metric) {
      return samples.filter((s) => s.metric === metric).map((s) => s.value);
    },
  };
}

function collect(client: Client, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  const { promise, resolve } = Promise.withResolvers<Message[]>();
  client.on("message", (topic, payload, info) => {
    messages.push({ topic, payload, ...info });
    if (messages.length === count) resolve(messages);
  });
  return promise;
}

const bytes = (payload: ArrayBuffer) => [...new Uint8Array(payload)];

Deno.test("latency stamp in the payload: MQTT 3.1.1 latency, payloads delivered as published", async () => {
  const broker = await startBroker();
  const sink = recorder();
  const stamped = { protocol_version: 4, latency_stamp: "payload", reconnect: false } as const;
  const publisher = new Client({ ...stamped, metrics: sink });
  const receiver = new Client({ ...stamped, metrics: sink });
  const plain = new Client({ protocol_version: 4, reconnect: false });
  try {
    for (const client of [publisher, receiver, plain]) await client.connectAsync(broker.url);
    await receiver.subscribeAsync("stamp/#", { qos: QoS.AtLeastOnce });
    await plain.subscribeAsync("stamp/#", { qos: QoS.AtLeastOnce });
    const received = collect(receiver, 3);
    const seenByPlain = collect(plain, 3);
    const payloads = [new Uint8Array(0), new TextEncoder().encode("hello"), new Uint8Array(300)];
    payloads[2].fill(7);
    for (const [i, payload] of payloads.entries()) {
      await publisher.publishAsync(`stamp/${i}`, payload, { qos: i === 0 ? 0 : 1 });
    }
    const messages = await received;
    assert.deepEqual(messages.map((m) => bytes(m.payload)), payloads.map((p) => [...p]));
    // A receiver without the option sees the 12-byte trailer ("mqlt" + float64).
    const raw = await seenByPlain;
    assert.deepEqual(raw.map((m) => m.payload.byteLength), payloads.map((p) => p.length + 12));
    assert.deepEqual(bytes(raw[1].payload).slice(5, 9), [0x6d, 0x71, 0x6c, 0x74]);
    const latencies = sink.of("mqtt_message_latency");
    assert.equal(latencies.length, 3);
    for (const ms of latencies) assert.ok(ms >= 0 && ms < 60_000, `latency ${ms} ms`);
    // data_sent and data_received count the same bytes: the payloads as they travelled.
    const total = (metric: string) => sink.of(metric).reduce((a, b) => a + b, 0);
    assert.equal(total("data_sent"), 305 + 3 * 12);
    assert.equal(total("data_received"), total("data_sent"));
  } finally {
    for (const client of [publisher, receiver, plain]) await client.endAsync().catch(() => {});
    await broker.close();
  }
});

Deno.test("latency stamp: MQTT 3.1.1 carries none by default, and a bad value is named", async () => {
  const broker = await startBroker();
  const sink = recorder();
  const client = new Client({ protocol_version: 4, metrics: sink, reconnect: false });
  try {
    await client.connectAsync(broker.url);
    await client.subscribeAsync("plain/1", { qos: QoS.AtLeastOnce });
    const received = collect(client, 1);
    await client.publishAsync("plain/1", "abc", { qos: QoS.AtLeastOnce });
    assert.equal((await received)[0].payload.byteLength, 3);
    assert.deepEqual(sink.of("mqtt_message_latency"), []);
  } finally {
    await client.endAsync();
    await broker.close();
  }
  assert.throws(
    () => new Client({ latency_stamp: "trailer" as never }),
    /Invalid option latency_stamp: expected "property", "payload" or "none", got "trailer"/,
  );
});
