// Client packet flows driven through an in-memory transport and a fake clock: CONNECT, QoS
// handshakes, packet identifiers, flow control, write coalescing and keepalive.

import assert from "node:assert/strict";
import { FakeClock, ScriptedBroker, settle } from "../tests/fixtures/memory_broker.ts";
import { Client } from "./client.ts";
import { MqttConnectError, type MqttError, MqttTimeoutError } from "./errors.ts";
import type { CloseInfo, MessageInfo } from "./events.ts";
import type { ClientOptions } from "./options.ts";

/** A message as the `on("message")` handler receives it, collected. */
type Message = MessageInfo & { topic: string; payload: ArrayBuffer };

const URL = "mqtt://broker.test:1883";
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: ArrayBuffer | Uint8Array) => new TextDecoder().decode(b);
/** Type and packet id: enough to identify an acknowledgement, whatever optional fields decode. */
const id = (packet: { type: string; packetId?: number }) => [packet.type, packet.packetId];

function setup(options: ClientOptions = {}, version: 3 | 4 | 5 = 4) {
  const clock = new FakeClock();
  const broker = new ScriptedBroker(version);
  const client = new Client({
    reconnect: false,
    protocol_version: version,
    ...options,
    transport: broker.factory,
    clock,
  });
  const messages: Message[] = [];
  client.on("message", (topic, payload, info) => messages.push({ topic, payload, ...info }));
  return { client, broker, clock, messages };
}

/** Counts the client's writes on the broker's current connection. */
function countWrites(broker: ScriptedBroker): () => number {
  let writes = 0;
  const transport = broker.transport;
  const write = transport.write.bind(transport);
  transport.write = (bytes) => {
    writes++;
    return write(bytes);
  };
  return () => writes;
}

async function connected(options: ClientOptions = {}, version: 3 | 4 | 5 = 4) {
  const t = setup(options, version);
  const connecting = t.client.connect(URL);
  await t.broker.accept();
  await connecting;
  return t;
}

Deno.test("Client.connect() sends CONNECT with the defaults and resolves on CONNACK", async () => {
  const { client, broker } = setup();
  const connecting = client.connect(URL);
  assert.equal(client.connected, false);
  const connect = await broker.expect("connect");
  assert.equal(connect.clientId, "");
  assert.equal(connect.cleanStart, true);
  assert.equal(connect.keepalive, 60);
  assert.equal(connect.protocolVersion, 4);
  assert.equal(broker.transport.options.url.port, 1883);
  await broker.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  assert.deepEqual(await connecting, {
    url: "mqtt://broker.test:1883",
    clientId: "",
    sessionPresent: false,
  });
  assert.equal(client.connected, true);
  await client.end();
  assert.equal((await broker.next()).type, "disconnect");
  assert.equal(broker.transport.closed, true);
});

Deno.test("Client handles input that arrives one byte at a time", async () => {
  const { client, broker, messages } = setup();
  const connecting = client.connect(URL);
  await broker.expect("connect");
  await broker.send([
    { type: "connack", sessionPresent: false, reasonCode: 0 },
    {
      type: "publish",
      topic: "a/b",
      payload: bytes("hi"),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 9,
    },
  ], true);
  await connecting;
  assert.deepEqual(messages.map((m) => [m.topic, text(m.payload), m.qos, m.packetId]), [
    ["a/b", "hi", 1, 9],
  ]);
  assert.deepEqual(id(await broker.next()), ["puback", 9]);
  await client.end();
});

Deno.test("Client delivers an incoming QoS 2 message exactly once", async () => {
  const { client, broker, messages } = await connected();
  const publish = {
    type: "publish" as const,
    topic: "q2",
    payload: bytes("once"),
    qos: 2 as const,
    retain: false,
    dup: false,
    packetId: 5,
  };
  await broker.send(publish);
  await broker.send({ ...publish, dup: true }); // The broker did not see our PUBREC.
  assert.equal(messages.length, 1);
  assert.equal((await broker.next()).type, "pubrec");
  assert.equal((await broker.next()).type, "pubrec");
  await broker.send({ type: "pubrel", packetId: 5 });
  assert.deepEqual(id(await broker.next()), ["pubcomp", 5]);
  await broker.send({ ...publish, payload: bytes("next") }); // Id 5 is free again: a new message.
  assert.deepEqual(messages.map((m) => text(m.payload)), ["once", "next"]);
  assert.deepEqual(id(await broker.next()), ["pubrec", 5]);
  await broker.send({ type: "pubrel", packetId: 5 });
  assert.deepEqual(id(await broker.next()), ["pubcomp", 5]);
  // After PUBCOMP even a DUP PUBLISH is new: the broker reused the id and resends that message.
  await broker.send({ ...publish, payload: bytes("third"), dup: true });
  assert.deepEqual(messages.map((m) => text(m.payload)), ["once", "next", "third"]);
  assert.deepEqual(id(await broker.next()), ["pubrec", 5]);
  await broker.send({ type: "pubrel", packetId: 5 });
  assert.deepEqual(id(await broker.next()), ["pubcomp", 5]);
  // The same message again, with DUP: a broker restored from its store resends a completed flow.
  await broker.send({ ...publish, payload: bytes("third"), dup: true });
  assert.deepEqual(id(await broker.next()), ["pubrec", 5]);
  assert.deepEqual(messages.map((m) => text(m.payload)), ["once", "next", "third"]);
  await broker.send({ type: "pubrel", packetId: 5 });
  await client.end();
});

Deno.test("Client.publish() at QoS 2 resolves on PUBCOMP, after PUBREC and PUBREL", async () => {
  const { client, broker } = await connected();
  let done = false;
  const publishing = client.publish("t", "x", { qos: 2 }).then(() => done = true);
  const publish = await broker.expect("publish");
  assert.equal(publish.qos, 2);
  await broker.send({ type: "pubrec", packetId: publish.packetId! });
  assert.deepEqual(id(await broker.next()), ["pubrel", publish.packetId]);
  assert.equal(done, false);
  await broker.send({ type: "pubcomp", packetId: publish.packetId! });
  await publishing;
  assert.equal(done, true);
  await client.end();
});

Deno.test("Client.subscribe() resolves with granted QoS and rejects on a failure code", async () => {
  const { client, broker } = await connected();
  const ok = client.subscribeAsync({ "a/#": { qos: 1 }, "b": { qos: 2 } });
  const subscribe = await broker.expect("subscribe");
  assert.deepEqual(subscribe.subscriptions.map((s) => [s.topicFilter, s.qos]), [["a/#", 1], [
    "b",
    2,
  ]]);
  await broker.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [1, 1] });
  assert.deepEqual(await ok, [1, 1]);
  const refused = client.subscribeAsync("secret");
  const second = await broker.expect("subscribe");
  await broker.send({ type: "suback", packetId: second.packetId, reasonCodes: [0x80] });
  await assert.rejects(refused, {
    name: "MQTTError",
    code: "refused",
    reasonCode: 0x80,
    method: "subscribe",
  });
  await client.end();
});

Deno.test("Client (v5) surfaces reason codes and reason strings", async () => {
  const { client, broker } = setup({}, 5);
  const connecting = client.connectAsync(URL);
  await broker.expect("connect");
  await broker.send({
    type: "connack",
    sessionPresent: false,
    reasonCode: 0x87,
    properties: { reasonString: "no entry" },
  });
  const error = await connecting.catch((e) => e);
  assert.ok(error instanceof MqttConnectError);
  assert.equal(error.reasonCode, 0x87);
  assert.match(error.message, /0x87.*no entry/);
  await client.idle();

  const second = client.connectAsync(URL);
  await broker.accept();
  await second;
  const publishing = client.publishAsync("t", "x", { qos: 1 });
  const publish = await broker.expect("publish");
  await broker.send({
    type: "puback",
    packetId: publish.packetId!,
    reasonCode: 0x97,
    properties: { reasonString: "quota" },
  });
  await assert.rejects(
    publishing,
    (e: MqttError) => e.reasonCode === 0x97 && /quota/.test(e.message),
  );
  await client.end();
});

Deno.test("Client packet identifiers are reused only when free", async () => {
  const { client, broker } = await connected({ max_inflight: 65535 });
  const first = client.publish("t", "held", { qos: 1 }); // Id 1 stays in flight.
  const rest = [];
  for (let i = 0; i < 65534; i++) rest.push(client.publish("t", "", { qos: 1 }));
  await settle();
  const ids = broker.unread.map((p) => (p as { packetId: number }).packetId);
  broker.unread.length = 0;
  assert.equal(ids.length, 65535);
  assert.equal(new Set(ids).size, 65535);
  // All identifiers are taken: the next publication waits in the queue.
  const waiting = client.publish("t", "waits", { qos: 1 });
  await settle();
  assert.equal(broker.unread.length, 0);
  // Acknowledge all but id 1: the waiting one gets a free id, never 1.
  await broker.send(ids.slice(1).map((packetId) => ({ type: "puback" as const, packetId })));
  await Promise.all(rest);
  const next = await broker.expect("publish");
  assert.notEqual(next.packetId, 1);
  assert.equal(text(next.payload), "waits");
  await broker.send([{ type: "puback", packetId: 1 }, {
    type: "puback",
    packetId: next.packetId!,
  }]);
  await Promise.all([first, waiting]);
  await client.end();
});

Deno.test("Client keeps QoS 1/2 publications within the in-flight window", async () => {
  const { client, broker } = setup({ max_inflight: 10 }, 5);
  const connecting = client.connect(URL);
  await broker.accept({ properties: { receiveMaximum: 2 } }); // The broker's limit wins.
  await connecting;
  const all = [1, 2, 3, 4, 5].map((i) => client.publish("w", String(i), { qos: 1 }));
  await settle();
  const sent = broker.unread.splice(0) as { packetId: number; payload: Uint8Array }[];
  assert.deepEqual(sent.map((p) => text(p.payload)), ["1", "2"]);
  await broker.send({ type: "puback", packetId: sent[0].packetId });
  const third = await broker.expect("publish");
  assert.equal(text(third.payload), "3");
  assert.equal(broker.unread.length, 0);
  await broker.send([
    { type: "puback", packetId: sent[1].packetId },
    { type: "puback", packetId: third.packetId! },
  ]);
  for (const p of [await broker.expect("publish"), await broker.expect("publish")]) {
    await broker.send({ type: "puback", packetId: p.packetId! });
  }
  await Promise.all(all);
  await client.end();
});

Deno.test("Client rejects publications beyond max_queued", async () => {
  const { client, broker } = await connected({ max_inflight: 1, max_queued: 1 });
  const a = client.publish("q", "a", { qos: 1 });
  const b = client.publish("q", "b", { qos: 1 });
  await assert.rejects(client.publishAsync("q", "c", { qos: 1 }), { code: "queue_full" });
  const first = await broker.expect("publish");
  await broker.send({ type: "puback", packetId: first.packetId! });
  const second = await broker.expect("publish");
  await broker.send({ type: "puback", packetId: second.packetId! });
  await Promise.all([a, b]);
  await client.end();
});

Deno.test("Client coalesces the packets of one tick into one write", async () => {
  const { client, broker } = await connected();
  const writes = countWrites(broker);
  const all = [];
  for (let i = 0; i < 100; i++) all.push(client.publish("c", String(i)));
  await Promise.all(all);
  assert.equal(writes(), 1);
  assert.equal(new Set(all).size, 1); // One shared promise for the batch.
  for (let i = 0; i < 100; i++) {
    assert.equal(text((await broker.expect("publish")).payload), String(i));
  }
  await client.end();
});

Deno.test("Client writes a burst published one await at a time as one write", async () => {
  // A loop awaiting between publications (as one keeping a window of pending publishes does)
  // queues one packet per microtask: the write waits while the burst grows.
  const { client, broker } = await connected();
  const writes = countWrites(broker);
  const all = [];
  for (let i = 0; i < 100; i++) {
    all.push(client.publish("c", String(i)));
    await undefined;
  }
  await Promise.all(all);
  assert.equal(writes(), 1);
  for (let i = 0; i < 100; i++) {
    assert.equal(text((await broker.expect("publish")).payload), String(i));
  }
  await client.end();
});

Deno.test("Client sends nothing after DISCONNECT, not even the PUBACK of a message read meanwhile", async () => {
  // MQTT-3.14.4-1: DISCONNECT is the client's last packet on the connection. end() lets queued
  // writes drain while the connection still reads.
  const { client, broker, messages } = await connected();
  const subscribing = client.subscribeAsync("t", { qos: 1 });
  const subscribe = await broker.expect("subscribe");
  await broker.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [1] });
  await subscribing;
  const transport = broker.transport;
  const write = transport.write.bind(transport);
  let release!: () => void;
  const held = new Promise<void>((resolve) => release = resolve);
  let disconnecting = false;
  transport.write = (b) => {
    const written = write(b);
    if (b[0] !== 0xe0) return written;
    disconnecting = true;
    return held.then(() => written);
  };
  const ending = client.end();
  for (let i = 0; i < 50 && !disconnecting; i++) await settle();
  assert.ok(disconnecting);
  await broker.send({
    type: "publish",
    topic: "t",
    qos: 1,
    packetId: 7,
    payload: bytes("late"),
    retain: false,
    dup: false,
  });
  release();
  await ending;
  assert.equal(messages.length, 1); // Delivered: the broker sends it again to a persistent session.
  assert.deepEqual(broker.unread.map((p) => p.type), ["disconnect"]);
});

Deno.test("Client sends PINGREQ when idle for the keepalive, re-armed lazily by writes and reads", async () => {
  const { client, broker, clock } = await connected({ keepalive: 10 });
  await clock.tick(5000);
  // A write and a read at t=5s push the ping to t=15s.
  const publishing = client.publish("k", "x", { qos: 1 });
  const publish = await broker.expect("publish");
  await broker.send({ type: "puback", packetId: publish.packetId! });
  await publishing;
  await clock.tick(9000);
  assert.equal(broker.unread.length, 0);
  await clock.tick(1000);
  await broker.expect("pingreq");
  await broker.send({ type: "pingresp" });
  await clock.tick(10000);
  await broker.expect("pingreq");
  assert.equal(clock.pending, 1); // One timer per client.
  await broker.send({ type: "pingresp" });
  await client.end();
  assert.equal(clock.pending, 0);
});

Deno.test("Client closes the connection when PINGRESP does not come", async () => {
  const { client, broker, clock } = await connected({ keepalive: 5 });
  const closes: CloseInfo[] = [];
  client.on("close", (info) => closes.push(info));
  await clock.tick(5000);
  await broker.expect("pingreq");
  await clock.tick(5000);
  assert.equal(closes.length, 1);
  assert.ok(closes[0].error instanceof MqttTimeoutError);
  assert.equal(closes[0].reconnecting, false);
  assert.equal(client.connected, false);
  assert.equal(broker.transport.closed, true);
  await client.idle();
});

Deno.test("Client pings a broker it has not heard from while it writes, and fails at 1.5x keepalive", async () => {
  const { client, broker, clock } = await connected({ keepalive: 10 });
  const closes: CloseInfo[] = [];
  client.on("close", (info) => closes.push(info));
  // QoS 0 every second: the client never stops writing, and the broker answers nothing.
  for (let t = 1; t < 10; t++) {
    await clock.tick(1000);
    await client.publish("k", String(t));
    await broker.expect("publish");
  }
  // Nothing read for the keepalive since the CONNACK: a PINGREQ at t=10s, though the last
  // write was at t=9s.
  await clock.tick(1000);
  await broker.expect("pingreq");
  await clock.tick(4999);
  assert.equal(closes.length, 0);
  await clock.tick(1);
  assert.equal(closes.length, 1);
  assert.ok(closes[0].error instanceof MqttTimeoutError);
  assert.match(closes[0].error.message, /No PINGRESP within 5000 ms/);
  await client.idle();
});

Deno.test("Client takes any packet after its PINGREQ for the broker's answer", async () => {
  const { client, broker, clock } = await connected({ keepalive: 10 });
  const closes: CloseInfo[] = [];
  client.on("close", (info) => closes.push(info));
  const subscribing = client.subscribe("s");
  const subscribe = await broker.expect("subscribe");
  await broker.send({ type: "suback", packetId: subscribe.packetId!, reasonCodes: [0] });
  await subscribing;
  await clock.tick(10_000);
  await broker.expect("pingreq");
  // A message comes, its PINGRESP lost behind it: the broker is alive.
  await broker.send({
    type: "publish",
    topic: "s",
    payload: bytes("m"),
    qos: 0,
    retain: false,
    dup: false,
  });
  await clock.tick(9000);
  assert.deepEqual(closes, []);
  await clock.tick(1000);
  await broker.expect("pingreq");
  await broker.send({ type: "pingresp" });
  await client.end();
});

Deno.test("Client reads PINGRESPs past a slow messages() consumer, dropping QoS 0 beyond capacity", async () => {
  const { client, broker, clock } = await connected({ keepalive: 5 });
  const closes: CloseInfo[] = [];
  client.on("close", (info) => closes.push(info));
  const stream = client.messages({ capacity: 2 });
  const publish = { type: "publish", qos: 0, retain: false, dup: false } as const;
  for (const n of ["1", "2", "3"]) {
    const sent = broker.send({ ...publish, topic: "slow", payload: bytes(n) });
    await clock.tick(0); // Once the loop is behind, each read waits one turn of the event loop.
    await sent;
  }
  // The consumer reads nothing for 70 s: the client keeps reading, keepalive included.
  for (let waited = 0; waited < 70_000; waited += 5000) {
    await clock.tick(5000);
    const ping = broker.unread.find((p) => p.type === "pingreq");
    if (ping !== undefined) {
      await broker.expect("pingreq");
      await broker.send({ type: "pingresp" });
    }
  }
  assert.deepEqual(closes.map((c) => c.error?.message), []);
  assert.equal(client.connected, true);
  const seen = [];
  for (let i = 0; i < 2; i++) seen.push(text((await stream.next()).value!.payload));
  assert.deepEqual(seen, ["1", "2"]);
  assert.equal(stream.dropped, 1);
  await client.end();
  assert.equal((await stream.next()).done, true);
});

Deno.test("Client fails a subscribe whose SUBACK has the wrong number of return codes", async () => {
  for (const reasonCodes of [[1], [1, 1, 1]]) {
    const { client, broker } = await connected();
    const subscribing = client.subscribeAsync(["a", "b"], { qos: 1 });
    const subscribe = await broker.expect("subscribe");
    await broker.send({ type: "suback", packetId: subscribe.packetId, reasonCodes });
    await assert.rejects(subscribing, {
      name: "MQTTError",
      code: "protocol",
      method: "subscribe",
      message:
        `SUBACK with ${reasonCodes.length} return codes for 2 topic filters (one per filter: MQTT-3.8.4-5)`,
    });
    // The connection stays: closing it would repeat a restore the broker answers the same way.
    assert.equal(client.connected, true);
    await client.end();
  }
});

Deno.test("Client (v5) tells a redelivered QoS 2 message by its topic, alias or not", async () => {
  const { client, broker, messages } = await connected(
    { properties: { topicAliasMaximum: 10 } },
    5,
  );
  const publish = { type: "publish", qos: 2, retain: false, dup: false } as const;
  const complete = async (packetId: number) => {
    assert.deepEqual(id(await broker.next()), ["pubrec", packetId]);
    await broker.send({ type: "pubrel", packetId });
    assert.deepEqual(id(await broker.next()), ["pubcomp", packetId]);
  };
  const topics = () => messages.map((m) => `${m.topic}:${text(m.payload)}`);
  await broker.send({
    ...publish,
    topic: "t",
    payload: bytes("a"),
    packetId: 4,
    properties: { topicAlias: 1 },
  });
  await complete(4);
  await broker.send({
    ...publish,
    topic: "",
    payload: bytes("X"),
    packetId: 5,
    properties: { topicAlias: 1 },
  });
  await complete(5);
  // The completed flow again, by name this time: the same message.
  await broker.send({ ...publish, dup: true, topic: "t", payload: bytes("X"), packetId: 5 });
  await complete(5);
  assert.deepEqual(topics(), ["t:a", "t:X"]);
  // Alias 1 now names another topic: the same payload there is a new message.
  await broker.send({
    ...publish,
    topic: "u",
    payload: bytes("a"),
    packetId: 6,
    properties: { topicAlias: 1 },
  });
  await complete(6);
  await broker.send({
    ...publish,
    dup: true,
    topic: "",
    payload: bytes("X"),
    packetId: 5,
    properties: { topicAlias: 1 },
  });
  await complete(5);
  assert.deepEqual(topics(), ["t:a", "t:X", "u:a", "u:X"]);
  await client.end();
});
