// Client flows driven through an in-memory transport and a fake clock.

import assert from "node:assert/strict";
import { FakeClock, ScriptedBroker, settle } from "../tests/memory_broker.ts";
import { Client } from "./client.ts";
import {
  MqttClosedError,
  MqttConnectError,
  type MqttError,
  MqttProtocolError,
  MqttTimeoutError,
} from "./errors.ts";
import type { CloseInfo, Message } from "./events.ts";
import type { ClientOptions } from "./options.ts";

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
  let writes = 0;
  const transport = broker.transport;
  const write = transport.write.bind(transport);
  transport.write = (b) => {
    writes++;
    return write(b);
  };
  const all = [];
  for (let i = 0; i < 100; i++) all.push(client.publish("c", String(i)));
  await Promise.all(all);
  assert.equal(writes, 1);
  assert.equal(new Set(all).size, 1); // One shared promise for the batch.
  for (let i = 0; i < 100; i++) {
    assert.equal(text((await broker.expect("publish")).payload), String(i));
  }
  await client.end();
});

Deno.test("Client sends PINGREQ when idle for the keepalive, re-armed lazily by writes", async () => {
  const { client, broker, clock } = await connected({ keepalive: 10 });
  await clock.tick(5000);
  await client.publish("k", "x"); // A write at t=5s pushes the ping to t=15s.
  await broker.expect("publish");
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

Deno.test("Client.connect() times out without CONNACK", async () => {
  const { client, broker, clock } = setup({ connect_timeout: 3000 });
  const connecting = client.connectAsync(URL);
  await broker.expect("connect");
  await clock.tick(3000);
  await assert.rejects(connecting, MqttTimeoutError);
  assert.equal(broker.transport.closed, true);
  await client.idle();
  assert.equal(clock.pending, 0);
});

Deno.test("Client reconnects with exponential backoff, then gives up", async () => {
  const { client, broker, clock } = await connected({
    reconnect: { initial_delay: 1000, multiplier: 2, jitter: false, max_attempts: 3 },
  });
  const events: string[] = [];
  client.on(
    "reconnect",
    (info) => events.push(`reconnect ${info.attempt} @${clock.now() % 100000}`),
  );
  client.on("close", (info) => events.push(`close ${info.reconnecting}`));
  client.on("end", () => events.push("end"));
  const errors: MqttError[] = [];
  client.on("error", (e) => errors.push(e));
  broker.refuse.set(1, new Error("refused 1")).set(2, new Error("refused 2")).set(
    3,
    new Error("refused 3"),
  );
  await broker.drop();
  await clock.tick(1000 + 2000 + 4000);
  await client.idle();
  assert.deepEqual(events, [
    "close true",
    "reconnect 1 @1000",
    "reconnect 2 @3000",
    "reconnect 3 @7000",
    "close false",
    "end",
  ]);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /gave up after 3 attempts/);
  assert.equal(clock.pending, 0);
});

Deno.test("Client tries the servers in order (failover)", async () => {
  const { client, broker } = setup({ servers: ["mqtt://second.test:1884"] });
  broker.refuse.set(0, new Error("first is down"));
  const connecting = client.connect(URL);
  await broker.accept();
  assert.equal((await connecting).url, "mqtt://second.test:1884");
  await client.end();
});

Deno.test("Client calls credentials_provider on every connect and keeps secrets out of errors", async () => {
  let calls = 0;
  const { client, broker, clock } = setup({
    credentials_provider: () => Promise.resolve({ username: "u", password: `token-${++calls}` }),
    reconnect: { initial_delay: 10, jitter: false },
  });
  const connecting = client.connect("mqtt://url-user:url-secret@broker.test");
  const first = await broker.accept();
  await connecting;
  assert.deepEqual([first.username, text(first.password!)], ["u", "token-1"]);
  await broker.drop();
  await clock.tick(10);
  const second = await broker.accept();
  assert.equal(text(second.password!), "token-2");
  await client.end();

  const plain = setup();
  const refused = plain.client.connectAsync("mqtt://url-user:url-secret@broker.test");
  const connect = await plain.broker.expect("connect");
  assert.deepEqual([connect.username, text(connect.password!)], ["url-user", "url-secret"]);
  await plain.broker.send({ type: "connack", sessionPresent: false, reasonCode: 4 });
  const error = await refused.catch((e) => e);
  assert.ok(error instanceof MqttConnectError);
  assert.equal(error.reasonCode, 4);
  assert.doesNotMatch(`${error.message} ${error.stack}`, /url-secret|url-user/);
});

Deno.test("Client resends in-flight QoS 1/2 with DUP after reconnecting a persistent session", async () => {
  const { client, broker, clock } = await connected({
    client_id: "p",
    clean_session: false,
    reconnect: { initial_delay: 0, jitter: false },
  });
  const one = client.publish("p", "one", { qos: 1 });
  const two = client.publish("p", "two", { qos: 2 });
  const p1 = await broker.expect("publish");
  const p2 = await broker.expect("publish");
  await broker.send({ type: "pubrec", packetId: p2.packetId! });
  await broker.expect("pubrel");
  await broker.drop();
  await clock.tick(0);
  const connect = await broker.expect("connect");
  assert.equal(connect.cleanStart, false);
  await broker.send({ type: "connack", sessionPresent: true, reasonCode: 0 });
  const resent = await broker.expect("publish");
  assert.deepEqual([resent.packetId, resent.dup, text(resent.payload)], [p1.packetId, true, "one"]);
  assert.deepEqual(id(await broker.next()), ["pubrel", p2.packetId]);
  await broker.send([
    { type: "puback", packetId: p1.packetId! },
    { type: "pubcomp", packetId: p2.packetId! },
  ]);
  await Promise.all([one, two]);
  await client.end();
});

Deno.test("Client restores subscriptions only when the broker lost the session", async () => {
  const { client, broker, clock } = await connected({ reconnect: { initial_delay: 0 } });
  const subscribing = client.subscribe("keep/#", { qos: 1 });
  const subscribe = await broker.expect("subscribe");
  await broker.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [1] });
  await subscribing;
  await broker.drop();
  await clock.tick(0);
  await broker.accept({ sessionPresent: false });
  const restored = await broker.expect("subscribe");
  assert.deepEqual(restored.subscriptions.map((s) => [s.topicFilter, s.qos]), [["keep/#", 1]]);
  await broker.send({ type: "suback", packetId: restored.packetId, reasonCodes: [1] });
  await broker.drop();
  await clock.tick(1000);
  await broker.accept({ sessionPresent: true });
  await settle();
  assert.equal(broker.unread.length, 0);
  await client.end();
});

Deno.test("Client.end() waits for in-flight acknowledgements before DISCONNECT", async () => {
  const { client, broker } = await connected();
  const publishing = client.publish("e", "x", { qos: 1 });
  const publish = await broker.expect("publish");
  let ended = false;
  const ending = client.end().then(() => ended = true);
  await settle();
  assert.equal(ended, false);
  assert.equal(broker.unread.length, 0);
  await broker.send({ type: "puback", packetId: publish.packetId! });
  await Promise.all([publishing, ending]);
  assert.equal((await broker.next()).type, "disconnect");
});

Deno.test("Client (v5) uses the assigned client id, aliases, limits and server DISCONNECT", async () => {
  const { client, broker, clock, messages } = setup({
    topic_aliases: true,
    properties: { topicAliasMaximum: 4 },
    reconnect: { initial_delay: 0 },
  }, 5);
  const connecting = client.connect(URL);
  const connect = await broker.accept({
    properties: {
      assignedClientIdentifier: "given-1",
      topicAliasMaximum: 2,
      maximumPacketSize: 64,
    },
  });
  assert.equal(connect.properties?.topicAliasMaximum, 4);
  assert.equal((await connecting).clientId, "given-1");
  assert.equal(client.clientId, "given-1");
  // Outgoing aliases: topic on first use, alias only afterwards.
  await client.publish("long/topic/name", "1");
  await client.publish("long/topic/name", "2");
  const a = await broker.expect("publish");
  const b = await broker.expect("publish");
  assert.deepEqual([a.topic, a.properties?.topicAlias], ["long/topic/name", 1]);
  assert.deepEqual([b.topic, b.properties?.topicAlias], ["", 1]);
  // The broker's maximum packet size.
  await assert.rejects(client.publishAsync("big", new Uint8Array(100)), {
    code: "packet_too_large",
    reasonCode: 0x95,
  });
  // Incoming aliases.
  const base = { type: "publish" as const, qos: 0 as const, retain: false, dup: false };
  await broker.send([
    { ...base, topic: "in/topic", payload: bytes("x"), properties: { topicAlias: 3 } },
    { ...base, topic: "", payload: bytes("y"), properties: { topicAlias: 3 } },
  ]);
  assert.deepEqual(messages.map((m) => m.topic), ["in/topic", "in/topic"]);
  // A server DISCONNECT is a close with its reason; the next CONNECT uses the assigned id.
  const closed = new Promise<CloseInfo>((resolve) => client.on("close", resolve));
  await broker.send({
    type: "disconnect",
    reasonCode: 0x9c,
    properties: { reasonString: "move", serverReference: "other:1883" },
  });
  const info = await closed;
  await clock.tick(0);
  assert.equal(info.reasonCode, 0x9c);
  assert.equal(info.serverReference, "other:1883");
  assert.ok(info.error instanceof MqttClosedError);
  assert.match(info.error.message, /move/);
  const again = await broker.expect("connect");
  assert.equal(again.clientId, "given-1");
  await broker.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  await client.end();
});

Deno.test("Client fails the connection on a protocol violation", async () => {
  const { client, broker } = await connected();
  const closed = new Promise<CloseInfo>((resolve) => client.on("close", resolve));
  await broker.send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  const info = await closed;
  assert.ok(info.error instanceof MqttProtocolError);
  assert.equal(broker.transport.closed, true);
  await client.idle();
});

Deno.test("Client reports sync-call failures to error handlers, else leaves them unhandled", async () => {
  const { client } = setup();
  const errors: MqttError[] = [];
  const listener = (event: Event) => errors.push((event as Event & { error: MqttError }).error);
  client.addEventListener("error", listener);
  const handled = client.subscribe("t"); // Not connected.
  await settle();
  assert.deepEqual(errors.map((e) => e.method), ["subscribe"]);
  await assert.rejects(handled, MqttClosedError);
  client.removeEventListener("error", listener);
  // No handler now: the caller owns the rejection (here, awaited).
  await assert.rejects(client.publish("t", "x"), { code: "closed" });
  assert.equal(errors.length, 1);
});

Deno.test("Client validates its options and arguments", () => {
  assert.throws(() => new Client({ cleanSession: false } as never), {
    name: "TypeError",
    message: /Unknown client option "cleanSession" \(did you mean "clean_session"\?\)/,
  });
  assert.throws(() => new Client({ keepalive: -1 }), RangeError);
  assert.throws(() => new Client({ protocol_version: 6 as never }), RangeError);
  assert.throws(() => new Client({ session_expiry_interval: 10 }), /requires protocol_version 5/);
  assert.throws(() => new Client({ tls: { cert: "x" } }), /cert and key go together/);
  assert.throws(() => new Client({ will: { topic: "", payload: "x" } }), TypeError);
  assert.equal(new Client({ clientId: "alias" }).clientId, "alias");
  const client = new Client();
  assert.throws(() => client.connect(), /no broker URL/);
  assert.throws(() => client.connect("http://user:pw@h"), (e: Error) => {
    return e instanceof TypeError && /unsupported scheme/.test(e.message) && !/pw/.test(e.message);
  });
  assert.throws(() => client.publish("a/+", "x"), TypeError);
  assert.throws(() => client.publish("a", 5 as never), TypeError);
  assert.throws(() => client.publish("a", "x", { qos: 3 as never }), RangeError);
  assert.throws(() => client.subscribe(""), TypeError);
  assert.throws(() => client.on("nope" as never, () => {}), TypeError);
});

Deno.test("Client.messages() stops reading while the iterator is full", async () => {
  const { client, broker } = await connected();
  const stream = client.messages({ capacity: 1 });
  const publish = (packetId: number) => ({
    type: "publish" as const,
    topic: "bp",
    payload: bytes(String(packetId)),
    qos: 1 as const,
    retain: false,
    dup: false,
    packetId,
  });
  await broker.send(publish(1));
  assert.deepEqual(id(await broker.next()), ["puback", 1]);
  await broker.send(publish(2)); // The stream is full: this one is not read yet.
  await settle();
  assert.equal(broker.unread.length, 0);
  assert.equal(text((await stream.next()).value!.payload), "1");
  assert.deepEqual(id(await broker.next()), ["puback", 2]);
  assert.equal(text((await stream.next()).value!.payload), "2");
  await client.end();
  assert.equal((await stream.next()).done, true);
});
