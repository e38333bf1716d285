// Client-side conformance to the normative statements of MQTT 5.0 and 3.1.1, against the scripted
// fake broker, beyond fake_broker_test.ts, _faults_test.ts and _session_test.ts: the CONNACK
// capabilities a client must honour, what it must refuse from a broker (with the DISCONNECT
// reason v5 asks for), session state after Session Present, and enhanced authentication.
import assert from "node:assert/strict";
import { Client, type CloseInfo, MqttError, MqttProtocolError, QoS } from "../mod.ts";
import type { Packet, Properties, PublishPacket } from "../codec/packets.ts";
import { type FakeBroker, type FakeConnection, startFakeBroker } from "./fixtures/fake_broker.ts";
import { deadline, signal, until } from "./fixtures/wait.ts";
import {
  bytes,
  FAST_RECONNECT,
  interruptingBroker,
  NO_RECONNECT,
  persistentClient,
  publish,
} from "./fixtures/client_fixtures.ts";

/** A broker whose CONNACK carries `properties` (and the default answers otherwise). */
function brokerWith(properties: Properties) {
  return startFakeBroker({
    script: (p) =>
      p.type === "connect"
        ? [{ type: "connack", sessionPresent: false, reasonCode: 0, properties }]
        : undefined,
  });
}

/** The outcome of a promise: "ok" or what it rejected with. */
/** An MQTT 5 client connected to `broker`, which stays down if dropped, and its connection. */
async function connectV5(broker: FakeBroker) {
  const client = new Client({ protocol_version: 5, ...NO_RECONNECT });
  await client.connect(broker.url);
  return { client, connection: await broker.nextConnection() };
}

/** Drops the client's connection; the topic filters it subscribes to again on the next one. */
async function restoredFilters(broker: FakeBroker): Promise<string[]> {
  const first = await broker.nextConnection();
  await first.close();
  const restore = await (await broker.nextConnection()).next("subscribe");
  return restore.type === "subscribe" ? restore.subscriptions.map((s) => s.topicFilter) : [];
}

const outcome = (promise: Promise<unknown>) => promise.then(() => "ok", (e: unknown) => e);

/** Connects a v5 client (or `options`), sends `reply` and returns how the connection closed. */
async function closedBy(
  replies: Array<Uint8Array | Packet>,
  options: ConstructorParameters<typeof Client>[0] = {},
): Promise<{ info: CloseInfo; messages: string[]; connection: FakeConnection }> {
  await using broker = startFakeBroker();
  const client = new Client({ protocol_version: 5, ...NO_RECONNECT, ...options });
  const closed = signal<CloseInfo>();
  const messages: string[] = [];
  client.on("message", (topic) => messages.push(topic));
  client.on("close", (info) => closed.resolve(info));
  await client.connect(broker.url);
  await client.subscribe("#", { qos: QoS.ExactlyOnce });
  const connection = await broker.nextConnection();
  await connection.send(...replies);
  const info = await closed.wait(5000, "close after a bad packet");
  assert.equal(client.connected, false);
  await deadline(connection.done, 5000, "the client closing its socket");
  await client.end();
  return { info, messages, connection };
}

/** The reason code of the DISCONNECT the client sent before closing, if any. */
function disconnectReason(connection: FakeConnection): number | undefined {
  const disconnect = connection.packets.find((p) => p.type === "disconnect");
  return disconnect?.type === "disconnect" ? disconnect.reasonCode ?? 0 : undefined;
}

// --- CONNACK capabilities (MQTT 5 §3.2.2.3) ---

Deno.test("conformance v5: QoS 0 retained publish to a broker without retain fails unsent (MQTT-3.2.2-14)", async () => {
  await using broker = brokerWith({ retainAvailable: false });
  const { client, connection } = await connectV5(broker);
  const error = await outcome(client.publishAsync("r/0", "x", { retain: true }));
  assert.ok(error instanceof MqttError, String(error));
  assert.equal(error.code, "unsupported");
  assert.match(error.message, /retain/);
  await client.publish("marker", "x", { qos: 1 });
  const topics = connection.packets.filter((p) => p.type === "publish").map((p) =>
    (p as PublishPacket).topic
  );
  assert.deepEqual(topics, ["marker"]);
  assert.equal(client.connected, true);
  await client.end();
});

Deno.test("conformance v5: Maximum QoS 0 refuses QoS 1 publications; subscribing at QoS 2 is allowed", async () => {
  await using broker = brokerWith({ maximumQoS: 0 });
  const { client, connection } = await connectV5(broker);
  const error = await outcome(client.publishAsync("q", "x", { qos: QoS.AtLeastOnce }));
  assert.ok(error instanceof MqttError, String(error));
  assert.equal(error.code, "unsupported");
  assert.match(error.message, /QoS 1 \(maximum 0\)/);
  // MQTT 5 §3.2.2.3.4: a client may subscribe at a QoS above the broker's maximum.
  await client.subscribe("s", { qos: QoS.ExactlyOnce });
  const subscribe = await connection.next("subscribe");
  assert.equal(subscribe.type === "subscribe" && subscribe.subscriptions[0].qos, 2);
  assert.ok(!connection.packets.some((p) => p.type === "publish"));
  await client.end();
});

for (
  const [name, properties, filter, subscribeProperties, code] of [
    ["Wildcard Subscription", { wildcardSubscriptionAvailable: false }, "a/+", undefined, 0xa2],
    ["Wildcard Subscription", { wildcardSubscriptionAvailable: false }, "a/#", undefined, 0xa2],
    ["Shared Subscription", { sharedSubscriptionAvailable: false }, "$share/g/a", undefined, 0x9e],
    ["Subscription Identifier", { subscriptionIdentifiersAvailable: false }, "a", {
      subscriptionIdentifiers: [7],
    }, 0xa1],
  ] as const
) {
  Deno.test(`conformance v5: ${name} Available=0: subscribing to ${filter} fails before sending`, async () => {
    await using broker = brokerWith(properties);
    const client = new Client({ protocol_version: 5, ...NO_RECONNECT });
    await client.connect(broker.url);
    const connection = await broker.nextConnection();
    const error = await outcome(
      client.subscribeAsync(
        filter,
        subscribeProperties
          ? {
            properties: {
              subscriptionIdentifiers: [...subscribeProperties.subscriptionIdentifiers],
            },
          }
          : undefined,
      ),
    );
    assert.ok(error instanceof MqttError, String(error));
    assert.equal(error.code, "unsupported");
    assert.equal(error.reasonCode, code, "the reason code the broker would have answered");
    assert.equal(error.method, "subscribe");
    await client.subscribe("plain", { qos: 1 });
    const subscribes = connection.packets.filter((p) => p.type === "subscribe");
    assert.equal(subscribes.length, 1, "only the plain subscription was sent");
    assert.equal(client.connected, true);
    await client.end();
  });
}

Deno.test("conformance v5: Subscription Identifier Available=0: a subscription() SUBSCRIBEs without one", async () => {
  await using broker = brokerWith({ subscriptionIdentifiersAvailable: false });
  const client = new Client({ protocol_version: 5, ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  // The identifier subscription() would give its SUBSCRIBE is left off, not refused.
  const readings = client.subscription("a/+");
  await readings.granted;
  const subscribe = await connection.next("subscribe");
  assert.equal(subscribe.type === "subscribe" && subscribe.properties, undefined);
  await client.end();
});

Deno.test("conformance v5: a subscription()'s SUBSCRIBE carries a subscription identifier", async () => {
  await using broker = brokerWith({});
  const client = new Client({ protocol_version: 5, ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const first = client.subscription("a/+");
  const second = client.subscription("b/+");
  await Promise.all([first.granted, second.granted]);
  const ids = connection.packets.filter((p) => p.type === "subscribe").map((p) =>
    p.type === "subscribe" ? p.properties?.subscriptionIdentifiers : undefined
  );
  assert.deepEqual(ids, [[1], [2]]);
  await client.end();
});

for (const code of [0xa2, 0xa1, 0x9e]) {
  Deno.test(`conformance v5: SUBACK 0x${code.toString(16)} rejects the subscription and keeps the connection`, async () => {
    await using broker = startFakeBroker({
      script: (p) =>
        p.type === "subscribe"
          ? [{ type: "suback", packetId: p.packetId, reasonCodes: [code] }]
          : undefined,
    });
    const client = new Client({ protocol_version: 5, ...NO_RECONNECT });
    await client.connect(broker.url);
    const error = await outcome(client.subscribeAsync("a/#"));
    assert.ok(error instanceof MqttError, String(error));
    assert.equal(error.code, "refused");
    assert.equal(error.reasonCode, code);
    assert.equal(client.connected, true);
    await client.end();
  });
}

Deno.test("conformance v5: a caller's Topic Alias above the broker's maximum fails unsent (MQTT-3.3.2-9)", async () => {
  await using broker = brokerWith({ topicAliasMaximum: 2 });
  const { client, connection } = await connectV5(broker);
  for (const qos of [0, 1] as const) {
    const error = await outcome(
      client.publishAsync("t", "x", { qos, properties: { topicAlias: 3 } }),
    );
    assert.ok(error instanceof MqttError, String(error));
    assert.match(error.message, /alias/i);
  }
  await client.publish("t", "x", { qos: 1, properties: { topicAlias: 2 } });
  const publishes = connection.packets.filter((p): p is PublishPacket => p.type === "publish");
  assert.deepEqual(publishes.map((p) => p.properties?.topicAlias), [2]);
  await client.end();
});

Deno.test("conformance v5: a caller's Topic Alias to a broker that allows none fails unsent", async () => {
  await using broker = startFakeBroker();
  const { client, connection } = await connectV5(broker);
  const error = await outcome(client.publishAsync("t", "x", { properties: { topicAlias: 1 } }));
  assert.ok(error instanceof MqttError, String(error));
  await client.publish("marker", "x", { qos: 1 });
  assert.ok(!connection.packets.some((p) => p.type === "publish" && p.properties?.topicAlias));
  await client.end();
});

for (const qos of [0, 1] as const) {
  Deno.test(`conformance v5: a QoS ${qos} publish refused as too large does not spend a topic alias`, async () => {
    await using broker = brokerWith({ topicAliasMaximum: 4, maximumPacketSize: 200 });
    const client = new Client({ protocol_version: 5, topic_aliases: true, ...NO_RECONNECT });
    await client.connect(broker.url);
    const connection = await broker.nextConnection();
    const error = await outcome(client.publishAsync("t/big", new Uint8Array(400), { qos }));
    assert.ok(error instanceof MqttError, String(error));
    assert.equal(error.code, "packet_too_large");
    await client.publish("t/big", "small", { qos });
    await client.publish("t/big", "again", { qos: 1 });
    const publishes = connection.packets.filter((p): p is PublishPacket => p.type === "publish");
    assert.equal(publishes.length, 2);
    // The first PUBLISH on the wire with an alias must name its topic (MQTT-3.3.2-12 on the
    // receiver: an alias with an empty topic it never saw is a protocol error).
    assert.equal(publishes[0].topic, "t/big");
    assert.equal(publishes[1].topic, "");
    assert.equal(publishes[1].properties?.topicAlias, publishes[0].properties?.topicAlias);
    assert.equal(client.connected, true);
    await client.end();
  });
}

Deno.test("conformance v5: a subscription over the broker's Maximum Packet Size fails unsent", async () => {
  await using broker = brokerWith({ maximumPacketSize: 64 });
  const { client, connection } = await connectV5(broker);
  const error = await outcome(client.subscribeAsync("x".repeat(100)));
  assert.ok(error instanceof MqttError, String(error));
  assert.equal(error.code, "packet_too_large");
  await client.subscribe("short");
  assert.equal(connection.packets.filter((p) => p.type === "subscribe").length, 1);
  assert.ok(connection.packets.every((p) => p.type !== "subscribe" || p.subscriptions.length));
  assert.equal(client.connected, true);
  await client.end();
});

Deno.test("conformance v5: the Assigned Client Identifier resumes the persistent session", async () => {
  await using broker = startFakeBroker({
    script: (p, c) =>
      p.type === "connect"
        ? [{
          type: "connack",
          sessionPresent: c.id > 1,
          reasonCode: 0,
          properties: c.id === 1 ? { assignedClientIdentifier: "auto-42" } : undefined,
        }]
        : undefined,
  });
  const client = new Client({
    protocol_version: 5,
    session_expiry_interval: 300,
    ...FAST_RECONNECT,
  });
  const info = await client.connect(broker.url);
  assert.equal(info.clientId, "auto-42");
  const first = await broker.nextConnection();
  const connect = first.packets[0];
  assert.equal(connect.type === "connect" && connect.clientId, "");
  await first.close();
  const second = await broker.nextConnection();
  const again = await second.next("connect");
  assert.equal(again.type === "connect" && again.clientId, "auto-42");
  assert.equal(again.type === "connect" && again.cleanStart, false, "the session is resumed");
  await until(() => client.connected, 5000, "reconnected");
  await client.end();
});

Deno.test("conformance v4: an empty client id with clean_session false fails before sending (MQTT-3.1.3-7)", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ clean_session: false, ...NO_RECONNECT });
  const error = await outcome(client.connectAsync(broker.url));
  assert.ok(error instanceof MqttError, String(error));
  assert.equal(error.code, "invalid");
  assert.match(error.message, /client_id/);
  assert.equal(broker.connections.length, 0, "no connection was opened");
  await client.end();
});

Deno.test("conformance v5: request problem / response information are sent and Response Information kept", async () => {
  await using broker = brokerWith({ responseInformation: "reply/here" });
  const client = new Client({
    protocol_version: 5,
    properties: { requestProblemInformation: false, requestResponseInformation: true },
    ...NO_RECONNECT,
  });
  const info = await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const connect = connection.packets[0];
  assert.equal(connect.type, "connect");
  assert.equal(connect.properties?.requestProblemInformation, false);
  assert.equal(connect.properties?.requestResponseInformation, true);
  assert.equal(info.properties?.responseInformation, "reply/here");
  await client.end();
});

// --- What the client must refuse from a broker ---

Deno.test("conformance v5: more QoS 2 PUBLISH in flight than our Receive Maximum → DISCONNECT 0x93", async () => {
  const held = [1, 2, 3].map((packetId) => publish("in", String(packetId), { qos: 2, packetId }));
  const { info, messages, connection } = await closedBy(held, { receive_maximum: 2 });
  assert.ok(info.error instanceof MqttProtocolError, String(info.error));
  assert.equal(info.error.reasonCode, 0x93);
  assert.equal(disconnectReason(connection), 0x93);
  assert.equal(messages.length, 2);
});

Deno.test("conformance v5: QoS 2 flows released by PUBREL make room within our Receive Maximum", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ protocol_version: 5, receive_maximum: 1, ...NO_RECONNECT });
  const messages: string[] = [];
  client.on("message", (topic) => messages.push(topic));
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  for (let packetId = 1; packetId <= 3; packetId++) {
    await connection.send(publish(`m/${packetId}`, "x", { qos: 2, packetId }));
    await connection.next("pubrec");
    await connection.send({ type: "pubrel", packetId });
    await connection.next("pubcomp");
  }
  // QoS 1 is acknowledged as it arrives: a burst never exceeds the window.
  await connection.send(
    ...[4, 5, 6].map((packetId) => publish(`m/${packetId}`, "x", { qos: 1, packetId })),
  );
  await until(() => messages.length === 6, 5000, "six messages");
  assert.equal(client.connected, true);
  await client.end();
});

for (const alias of [0, 5]) {
  Deno.test(`conformance v5: an incoming Topic Alias ${alias} (maximum 4) → DISCONNECT 0x94`, async () => {
    // Raw bytes: the codec refuses to encode alias 0. PUBLISH "t", Topic Alias, payload "x".
    const raw = new Uint8Array([0x30, 8, 0, 1, 0x74, 3, 0x23, 0, alias, 0x78]);
    const { info, messages, connection } = await closedBy([raw], {
      properties: { topicAliasMaximum: 4 },
    });
    assert.ok(info.error instanceof MqttProtocolError, String(info.error));
    assert.equal(info.error.reasonCode, 0x94);
    assert.equal(disconnectReason(connection), 0x94);
    assert.deepEqual(messages, []);
  });
}

Deno.test("conformance v5: an incoming Topic Alias when we allowed none → DISCONNECT 0x94", async () => {
  const { info, connection } = await closedBy([
    publish("t", "x", { properties: { topicAlias: 1 } }),
  ]);
  assert.equal(info.error?.reasonCode, 0x94);
  assert.equal(disconnectReason(connection), 0x94);
});

Deno.test("conformance v5: an unknown alias with an empty topic → DISCONNECT 0x82", async () => {
  const { info, connection } = await closedBy(
    [publish("", "x", { properties: { topicAlias: 2 } })],
    { properties: { topicAliasMaximum: 4 } },
  );
  assert.equal(info.error?.reasonCode, 0x82);
  assert.equal(disconnectReason(connection), 0x82);
});

Deno.test("conformance v5: a PUBLISH over our max_packet_size → DISCONNECT 0x95", async () => {
  const { info, messages, connection } = await closedBy(
    [publish("big", "x".repeat(2000))],
    { max_packet_size: 1024 },
  );
  assert.equal(info.error?.reasonCode, 0x95);
  assert.equal(disconnectReason(connection), 0x95);
  assert.deepEqual(messages, []);
});

for (
  const [what, raw] of [
    ["QoS 3", [0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01]],
    ["DUP on QoS 0", [0x38, 0x04, 0x00, 0x01, 0x74, 0x00]],
  ] as const
) {
  for (const version of [4, 5] as const) {
    Deno.test(`conformance v${version}: a PUBLISH with ${what} is malformed (0x81)`, async () => {
      const { info, messages, connection } = await closedBy([new Uint8Array(raw)], {
        protocol_version: version,
      });
      assert.ok(info.error instanceof MqttProtocolError, String(info.error));
      assert.equal(info.error.reasonCode, 0x81);
      assert.equal(disconnectReason(connection), version === 5 ? 0x81 : undefined);
      assert.deepEqual(messages, []);
    });
  }
}

// --- MQTT 3.1.1 specifics ---

Deno.test("conformance v4: an AUTH packet from a 3.1.1 broker is a protocol error", async () => {
  const { info, connection } = await closedBy([new Uint8Array([0xf0, 0x00])], {
    protocol_version: 4,
  });
  assert.ok(info.error instanceof MqttProtocolError, String(info.error));
  assert.equal(disconnectReason(connection), undefined, "3.1.1 has no DISCONNECT from clients");
});

Deno.test("conformance v4: SUBACK 0x80 per topic: granted filters are kept, the refused one fails", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "subscribe"
        ? [{ type: "suback", packetId: p.packetId, reasonCodes: [1, 0x80, 0] }]
        : undefined,
  });
  const client = new Client({ ...FAST_RECONNECT });
  await client.connect(broker.url);
  const error = await outcome(client.subscribeAsync(["a", "b", "c"], { qos: 1 }));
  assert.ok(error instanceof MqttError, String(error));
  assert.deepEqual(error.reasonCodes, [1, 0x80, 0]);
  // The granted ones are restored on a new (clean) session; the refused one is not.
  assert.deepEqual(await restoredFilters(broker), ["a", "c"]);
  await client.end();
});

Deno.test("conformance v4: CONNACK with Session Present and a refusal code is rejected (MQTT-3.2.2-4)", async () => {
  await using broker = startFakeBroker({
    script: (p) => p.type === "connect" ? [new Uint8Array([0x20, 0x02, 0x01, 0x05])] : undefined,
  });
  const client = new Client({ connect_timeout: 10_000, ...NO_RECONNECT });
  const error = await deadline(outcome(client.connectAsync(broker.url)), 5000, "connect");
  assert.ok(error instanceof MqttError, String(error));
  assert.notEqual(error.code, "timeout");
  assert.equal(client.connected, false);
  await client.end();
});

// --- Session Present (MQTT-3.2.2-4 / -5) ---

/** A broker whose CONNACK says Session Present 1 whatever the CONNECT asked. */
const sessionPresentBroker = () =>
  startFakeBroker({
    script: (p) =>
      p.type === "connect" ? [{ type: "connack", sessionPresent: true, reasonCode: 0 }] : undefined,
  });

Deno.test("conformance v5: Session Present 1 after a clean start closes the connection (MQTT-3.2.2-4)", async () => {
  await using broker = sessionPresentBroker();
  const client = new Client({ protocol_version: 5, ...NO_RECONNECT });
  const error = await deadline(outcome(client.connectAsync(broker.url)), 5000, "connect");
  assert.ok(error instanceof MqttProtocolError, String(error));
  assert.match(error.message, /Session Present/i);
  assert.equal(client.connected, false);
  const connection = broker.connections[0];
  await deadline(connection.done, 5000, "the client closing its socket");
  assert.equal(disconnectReason(connection), 0x82);
  await client.end();
});

Deno.test("conformance v4: Session Present 1 after a clean session is taken as a new session (3.1.1 §3.2.2.2 lets the client proceed)", async () => {
  // AWS IoT, hmq and MQTTnet 3.0 have answered a clean session with Session Present 1; MQTT
  // 3.1.1 leaves the client free to go on, as MQTT.js and Paho do.
  await using broker = sessionPresentBroker();
  const client = new Client({ protocol_version: 4, ...FAST_RECONNECT });
  await deadline(client.connectAsync(broker.url), 5000, "connect");
  assert.equal(client.connected, true);
  await client.subscribe("sp/#", { qos: QoS.AtLeastOnce });
  // The session we asked for is clean whatever the flag says: subscriptions are restored.
  assert.deepEqual(await restoredFilters(broker), ["sp/#"]);
  await client.end();
});

for (const version of [4, 5] as const) {
  Deno.test(`conformance v${version}: Session Present 0 on resume discards in-flight state; nothing hangs`, async () => {
    // First connection: QoS 1 unacknowledged, QoS 2 PUBREC'd; then the broker restarts without
    // the session.
    await using broker = interruptingBroker(() => false);
    const client = persistentClient(`lost-v${version}`, version);
    await client.connect(broker.url);
    const first = await broker.nextConnection();
    const qos1 = outcome(client.publishAsync("lost/1", "one", { qos: QoS.AtLeastOnce }));
    await first.next("publish");
    const qos2 = outcome(client.publishAsync("lost/2", "two", { qos: QoS.ExactlyOnce }));
    const second = await broker.nextConnection();
    const [one, two] = await deadline(Promise.all([qos1, qos2]), 5000, "outcomes");
    // The QoS 1 message is the application's still: published again, as a new message.
    assert.equal(one, "ok");
    const again = second.packets.filter((p): p is PublishPacket => p.type === "publish");
    assert.deepEqual(again.map((p) => p.topic), ["lost/1"]);
    assert.equal(again[0].dup, false, "a new message on a new session");
    // The QoS 2 one was accepted (PUBREC) by a session that is gone: no PUBREL for it, and the
    // caller learns the outcome is unknown.
    assert.ok(!second.packets.some((p) => p.type === "pubrel"), "no PUBREL to a new session");
    assert.ok(two instanceof MqttError, String(two));
    assert.equal(two.code, "session_lost");
    await client.end();
  });
}

Deno.test("conformance v5: in-flight publications are resent in their original order (MQTT-4.6.0-1)", async () => {
  await using broker = startFakeBroker({
    script: (p, c) => {
      if (p.type === "connect") {
        return [{ type: "connack", sessionPresent: c.id > 1, reasonCode: 0 }];
      }
      if (c.id === 1 && p.type === "publish") {
        // PUBREC the QoS 2 ones whose payload ends in "r"; hang up after the fifth.
        const replies: Array<Packet | "close"> = [];
        if (p.qos === 2 && new TextDecoder().decode(p.payload).endsWith("r")) {
          replies.push({ type: "pubrec", packetId: p.packetId! });
        }
        if (c.packets.filter((q) => q.type === "publish").length === 5) replies.push("close");
        return replies;
      }
      return undefined;
    },
  });
  const client = new Client({
    client_id: "order",
    protocol_version: 5,
    clean_start: false,
    session_expiry_interval: 60,
    ...FAST_RECONNECT,
  });
  await client.connect(broker.url);
  const first = await broker.nextConnection();
  const plan = [[1, "a"], [2, "b-r"], [1, "c"], [2, "d"], [2, "e-r"]] as const;
  const acks = plan.map(([qos, payload]) => client.publishAsync("order", payload, { qos }));
  const second = await broker.nextConnection();
  await deadline(Promise.all(acks), 5000, "every flow completed");
  const sent = first.packets.filter((p): p is PublishPacket => p.type === "publish");
  const ids = new Map(sent.map((p) => [new TextDecoder().decode(p.payload), p.packetId]));
  // (The fake broker then PUBRECs "d" and gets a PUBREL for it: the resends are the first five.)
  const resent = second.packets.filter((p) => p.type === "publish" || p.type === "pubrel").slice(
    0,
    5,
  ).map(
    (p) =>
      p.type === "publish"
        ? `PUBLISH ${new TextDecoder().decode(p.payload)} ${p.packetId} dup=${p.dup}`
        : `PUBREL ${p.type === "pubrel" && p.packetId}`,
  );
  assert.deepEqual(resent, [
    `PUBLISH a ${ids.get("a")} dup=true`,
    `PUBREL ${ids.get("b-r")}`,
    `PUBLISH c ${ids.get("c")} dup=true`,
    `PUBLISH d ${ids.get("d")} dup=true`,
    `PUBREL ${ids.get("e-r")}`,
  ]);
  await client.end();
});

// --- Enhanced authentication (MQTT 5 §4.12) ---

Deno.test("conformance v5: an AUTH the client did not ask for fails connect with a typed protocol error", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "connect"
        ? [{ type: "auth", reasonCode: 0x18, properties: { authenticationMethod: "X" } }]
        : undefined,
  });
  const client = new Client({ protocol_version: 5, connect_timeout: 10_000, ...NO_RECONNECT });
  const error = await deadline(outcome(client.connectAsync(broker.url)), 5000, "connect");
  assert.ok(error instanceof MqttProtocolError, String(error));
  assert.equal(error.reasonCode, 0x82);
  assert.match(error.message, /AUTH/);
  const connection = broker.connections[0];
  await deadline(connection.done, 5000, "the client closing its socket");
  assert.equal(disconnectReason(connection), 0x82);
  await client.end();
});

/** A broker running a two-step challenge-response of method "ECHO" before CONNACK. */
function authBroker(reasonCode = 0x18, method = "ECHO") {
  return startFakeBroker({
    script: (p) => {
      if (p.type === "connect") {
        return [{
          type: "auth",
          reasonCode,
          properties: { authenticationMethod: method, authenticationData: bytes("challenge") },
        }];
      }
      if (p.type === "auth") {
        const answer = new TextDecoder().decode(p.properties?.authenticationData);
        return answer === "challenge+response"
          ? [{
            type: "connack",
            sessionPresent: false,
            reasonCode: 0,
            properties: { authenticationMethod: "ECHO" },
          }]
          : [{ type: "connack", sessionPresent: false, reasonCode: 0x87 }, "close"];
      }
      return undefined;
    },
  });
}

const ECHO = { authenticationMethod: "ECHO", authenticationData: bytes("hello") };

Deno.test("conformance v5: enhanced authentication answers AUTH 0x18 through the auth option", async () => {
  await using broker = authBroker();
  const challenges: string[] = [];
  const client = new Client({
    protocol_version: 5,
    properties: ECHO,
    auth: ({ method, data, reasonCode }) => {
      challenges.push(`${method} 0x${reasonCode.toString(16)} ${new TextDecoder().decode(data)}`);
      return Promise.resolve(`${new TextDecoder().decode(data)}+response`);
    },
    ...NO_RECONNECT,
  });
  const info = await client.connect(broker.url);
  assert.equal(info.properties?.authenticationMethod, "ECHO");
  assert.deepEqual(challenges, ["ECHO 0x18 challenge"]);
  const connection = await broker.nextConnection();
  const connect = connection.packets[0];
  assert.equal(connect.type === "connect" && connect.properties?.authenticationMethod, "ECHO");
  const auth = await connection.next("auth");
  assert.equal(auth.type === "auth" && auth.reasonCode, 0x18);
  assert.equal(auth.type === "auth" && auth.properties?.authenticationMethod, "ECHO");
  await client.publish("authed", "x", { qos: 1 });
  await client.end();
});

Deno.test("conformance v5: an AUTH challenge without an auth option fails connect with code auth", async () => {
  await using broker = authBroker();
  const client = new Client({ protocol_version: 5, properties: ECHO, ...NO_RECONNECT });
  const error = await deadline(outcome(client.connectAsync(broker.url)), 5000, "connect");
  assert.ok(error instanceof MqttError, String(error));
  assert.equal(error.code, "auth");
  assert.match(error.message, /ECHO/);
  await client.end();
});

Deno.test("conformance v5: an auth handler that throws fails connect with code auth", async () => {
  await using broker = authBroker();
  const client = new Client({
    protocol_version: 5,
    properties: ECHO,
    auth: () => Promise.reject(new Error("no token")),
    ...NO_RECONNECT,
  });
  const error = await deadline(outcome(client.connectAsync(broker.url)), 5000, "connect");
  assert.ok(error instanceof MqttError, String(error));
  assert.equal(error.code, "auth");
  assert.match(error.message, /no token/);
  await client.end();
});

for (
  const [what, reasonCode, method] of [["another method", 0x18, "OTHER"], [
    "reason 0x19",
    0x19,
    "ECHO",
  ]] as const
) {
  Deno.test(`conformance v5: an AUTH with ${what} is a protocol error (0x82)`, async () => {
    await using broker = authBroker(reasonCode, method);
    const client = new Client({
      protocol_version: 5,
      properties: ECHO,
      auth: () => "never",
      ...NO_RECONNECT,
    });
    const error = await deadline(outcome(client.connectAsync(broker.url)), 5000, "connect");
    assert.ok(error instanceof MqttProtocolError, String(error));
    assert.equal(error.reasonCode, 0x82);
    const connection = broker.connections[0];
    await deadline(connection.done, 5000, "the client closing its socket");
    assert.equal(disconnectReason(connection), 0x82);
    await client.end();
  });
}

Deno.test("conformance v5: an AUTH after CONNACK (no re-authentication asked) is a protocol error", async () => {
  const { info, connection } = await closedBy([{
    type: "auth",
    reasonCode: 0x18,
    properties: { authenticationMethod: "ECHO" },
  }], { properties: ECHO, auth: () => undefined });
  assert.ok(info.error instanceof MqttProtocolError, String(info.error));
  assert.equal(disconnectReason(connection), 0x82);
});
