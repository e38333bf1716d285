// Client lifecycle driven through an in-memory transport and a fake clock: timeouts,
// reconnection, failover, credentials, persistent sessions, end(), errors and validation.

import assert from "node:assert/strict";
import { FakeClock, ScriptedBroker, settle } from "../tests/fixtures/memory_broker.ts";
import { Client } from "./client.ts";
import {
  MqttClosedError,
  MqttConnectError,
  type MqttError,
  MqttProtocolError,
  MqttTimeoutError,
} from "./errors.ts";
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

async function connected(options: ClientOptions = {}, version: 3 | 4 | 5 = 4) {
  const t = setup(options, version);
  const connecting = t.client.connect(URL);
  await t.broker.accept();
  await connecting;
  return t;
}

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

for (
  const [name, replace, waitFirst] of [
    ["connect() after a turn", (c: Client) => c.connectAsync(URL), true],
    ["reconnect() after a turn", (c: Client) => c.reconnectAsync(), true],
    ["connect() in the same turn", (c: Client) => c.connectAsync(URL), false],
  ] as const
) {
  Deno.test(`Client: ${name} replaces an attempt in flight, which alone fails`, async () => {
    const { client, broker, clock } = setup();
    const first = client.connectAsync(URL);
    if (waitFirst) await broker.expect("connect");
    const second = replace(client);
    await assert.rejects(first, MqttClosedError);
    await broker.accept();
    const info = await second;
    assert.equal(info.url, "mqtt://broker.test:1883");
    assert.equal(client.connected, true);
    await client.end();
    await client.idle();
    assert.equal(clock.pending, 0);
  });
}

Deno.test("Client: a replaced connect() over several servers tries no further server", async () => {
  const { client, broker } = setup();
  const first = client.connectAsync({ servers: [URL, "mqtt://other.test:1883"] });
  await broker.expect("connect"); // The first server, left without CONNACK.
  const second = client.connectAsync(URL);
  await assert.rejects(first, MqttClosedError);
  await broker.accept();
  await second;
  await client.end();
  assert.deepEqual(broker.transports.map((t) => t.options.url.hostname), [
    "broker.test",
    "broker.test",
  ]);
});

Deno.test("Client.reconnect() replaces a scheduled reconnection's attempt, which then stops retrying", async () => {
  const { client, broker, clock } = await connected({
    keepalive: 0,
    reconnect: { initial_delay: 1000, jitter: false },
  });
  const reconnects: number[] = [];
  client.on("reconnect", (info) => reconnects.push(info.attempt));
  await broker.drop();
  await clock.tick(1000);
  await broker.expect("connect"); // The scheduled attempt, left without CONNACK.
  const replacing = client.reconnectAsync();
  await broker.accept();
  await replacing;
  assert.equal(client.connected, true);
  assert.deepEqual(reconnects, [1, 1]); // The scheduled one, then ours; no retry after it.
  assert.equal(clock.pending, 0);
  await client.end();
});

Deno.test("Clients on one clock share one timer for their connect timeouts and keepalives", async () => {
  const clock = new FakeClock();
  const brokers = [0, 1, 2].map(() => new ScriptedBroker());
  const clients = brokers.map((broker, i) =>
    new Client({
      reconnect: false,
      connect_timeout: 1000 * (i + 1),
      keepalive: 5,
      transport: broker.factory,
      clock,
    })
  );
  const connecting = clients.map((client) => client.connectAsync(URL));
  await Promise.all(brokers.map((broker) => broker.expect("connect")));
  assert.equal(clock.pending, 1);
  await brokers[0].send({ type: "connack", sessionPresent: false, reasonCode: 0 });
  await connecting[0]; // Its keepalive now sits beside the two connect timeouts.
  assert.equal(clock.pending, 1);
  await clock.tick(1999);
  assert.equal(clients[1].connected, false);
  await clock.tick(1);
  await assert.rejects(connecting[1], MqttTimeoutError);
  await clock.tick(1000);
  await assert.rejects(connecting[2], MqttTimeoutError);
  assert.equal(clock.pending, 1); // The connected client's keepalive.
  await clients[0].end();
  await Promise.all(clients.map((client) => client.idle()));
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

Deno.test("Client takes a user name alone from credentials_provider, as xk6-mqtt does", async () => {
  const { client, broker } = setup({
    credentials_provider: () => Promise.resolve({ username: "only-user" }),
  });
  const connecting = client.connect("mqtt://broker.test");
  const connect = await broker.accept();
  await connecting;
  assert.deepEqual([connect.username, connect.password], ["only-user", undefined]);
  await client.end();
  const bad = setup({
    credentials_provider: () => Promise.resolve({ username: "u", password: 42 } as never),
  });
  await assert.rejects(
    bad.client.connectAsync("mqtt://broker.test"),
    /credentials provider must return \{ username: string, password\?: string \}/,
  );
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
  // A persistent session: after a clean one, Session Present is not believed (MQTT 3.1.1).
  const { client, broker, clock } = await connected({
    client_id: "keep",
    clean_session: false,
    reconnect: { initial_delay: 0 },
  });
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
  assert.throws(() => client.on("nope" as never, (() => {}) as never), TypeError);
});

Deno.test("Client.messages() acknowledges a QoS 1 message as buffered, past capacity when taken", async () => {
  const { client, broker, clock } = await connected();
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
  await broker.send(publish(1)); // Buffered with room: acknowledged at once.
  assert.deepEqual(id(await broker.next()), ["puback", 1]);
  await broker.send(publish(2)); // Beyond the capacity: still read, its PUBACK held back.
  const subscribing = client.subscribe("more");
  const subscribe = await broker.expect("subscribe");
  await broker.send({ type: "suback", packetId: subscribe.packetId, reasonCodes: [0] });
  await clock.tick(0); // The loop is behind: the next read waits one turn, no longer.
  assert.deepEqual(await subscribing, [0], "the SUBACK is not stuck behind the messages");
  await settle();
  assert.equal(broker.unread.length, 0, "no PUBACK for the one past capacity before it is taken");
  assert.equal(text((await stream.next()).value!.payload), "1");
  assert.equal(text((await stream.next()).value!.payload), "2");
  assert.deepEqual(id(await broker.next()), ["puback", 2]);
  await client.end();
  assert.equal((await stream.next()).done, true);
});

Deno.test("Client refuses a topic the codec cannot encode when called, not when it is sent", async () => {
  // Calls made while connecting wait in the queue; a topic with U+0000 used to throw when the
  // queue was pumped on CONNACK, killing the new connection.
  const { client, broker } = setup();
  const connecting = client.connect(URL);
  const valid = client.publish("ok", "x", { qos: 1 });
  for (const topic of ["nul\u0000", "lone\ud800", "x".repeat(70_000)]) {
    assert.throws(() => client.publish(topic, "x", { qos: 1 }), /Invalid topic/);
    assert.throws(() => client.subscribe([topic]), /Invalid topic filter/);
  }
  const bad = { messageExpiryInterval: -5 } as never;
  assert.throws(() => client.publish("ok", "x", { qos: 1, properties: bad }), {
    name: "RangeError",
    message: /Invalid option properties: messageExpiryInterval/,
  });
  assert.throws(() => client.subscribe("ok", { properties: { subscriptionIdentifiers: [0] } }), {
    name: "RangeError",
    message: /Invalid option properties: .*[Ss]ubscription ?[Ii]dentifier/,
  });
  assert.throws(() => client.unsubscribe("ok", { properties: "x" as never }), {
    name: "TypeError",
    message: /Invalid option properties: expected an object/,
  });
  assert.throws(
    () => new Client({ protocol_version: 5, properties: { receiveMaximum: 0 } }),
    /Invalid option properties: receiveMaximum/,
  );
  assert.throws(
    () => new Client({ will: { topic: "w", payload: "", properties: bad } }),
    /Invalid option will\.properties: messageExpiryInterval/,
  );
  assert.throws(() => new Client({ client_id: "a\u0000" }), /Invalid option client_id/);
  assert.throws(
    () => new Client({ will: { topic: "\udc00", payload: "" } }),
    /Invalid option will\.topic/,
  );
  await broker.accept();
  await connecting;
  const publish = await broker.expect("publish");
  await broker.send({ type: "puback", packetId: publish.packetId! });
  await valid;
  assert.equal(client.connected, true);
  await client.end();
});

Deno.test("Client.idle() waits for a connection started by an end handler", async () => {
  const { client, broker } = await connected();
  let again = true;
  client.on("end", () => {
    if (again) client.connect(URL);
    again = false;
  });
  let idle = false;
  const ending = client.end();
  const idling = client.idle().then(() => idle = true);
  await broker.expect("disconnect");
  await ending;
  await broker.accept();
  await settle();
  assert.equal(client.connected, true);
  assert.equal(idle, false, "connected again: not idle");
  await client.end();
  await idling;
  assert.equal(client.connected, false);
});

Deno.test("Client.end() checks its reason code and properties before ending anything", async () => {
  const { client, broker } = await connected({}, 5);
  assert.throws(() => client.end({ reason_code: 300 }), {
    name: "RangeError",
    message: /Invalid option reason_code: expected an integer in 0\.\.255, got 300/,
  });
  assert.throws(() => client.end({ reason_code: 0x01 }), {
    name: "RangeError",
    message: /Invalid option reason_code: Reason code 1 is not valid in DISCONNECT/,
  });
  assert.throws(() => client.end({ properties: { sessionExpiryInterval: -1 } }), {
    name: "RangeError",
    message: /Invalid option properties: sessionExpiryInterval/,
  });
  assert.equal(client.connected, true, "a refused end() leaves the client as it was");
  await client.end({ reason_code: 0x04 });
  const disconnect = await broker.expect("disconnect");
  assert.equal(disconnect.reasonCode, 0x04);
});

Deno.test("Client.messages() made before connect() gets the messages that come with the CONNACK", async () => {
  const { client, broker } = setup({ client_id: "resumed", clean_session: false });
  const stream = client.messages();
  const connecting = client.connect(URL);
  await broker.expect("connect");
  // A resumed session's queue, in the same read as the CONNACK.
  await broker.send([
    { type: "connack", sessionPresent: true, reasonCode: 0 },
    {
      type: "publish",
      topic: "q",
      payload: bytes("queued"),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 7,
    },
  ]);
  await connecting;
  const first = await stream.next();
  assert.equal(first.done, false);
  assert.equal(first.value?.topic, "q");
  await client.end();
  assert.equal((await stream.next()).done, true);
});

Deno.test("Client.messages() made before connect() outlives a failed connect(), ends with end()", async () => {
  const { client, broker } = setup();
  const never = client.messages();
  await client.end(); // Never connected: end() closes the waiting iterator.
  assert.equal((await never.next()).done, true);
  const waiting = client.messages();
  const connecting = client.connect(URL);
  await broker.expect("connect");
  await broker.send({ type: "connack", sessionPresent: false, reasonCode: 5 });
  await assert.rejects(connecting);
  assert.equal(waiting.closed, false, "a service may call connect() again");
  await client.end();
  assert.equal((await waiting.next()).done, true);
});
