// Session and flow-control tests with the scripted fake broker: in-flight state across a resumed
// session, exactly-once delivery of redelivered QoS 2 messages, and the limits a broker sets in
// CONNACK (Receive Maximum, Topic Alias Maximum, maximum QoS, retain, packet size, keepalive).
import assert from "node:assert/strict";
import { Client, type CloseInfo, MqttError, QoS } from "../mod.ts";
import type { Packet, PublishPacket } from "../codec/packets.ts";
import { startFakeBroker } from "./fixtures/fake_broker.ts";
import { deadline, signal, until } from "./fixtures/wait.ts";
import {
  bytes,
  FAST_RECONNECT,
  interruptingBroker,
  NO_RECONNECT,
  persistentClient,
} from "./fixtures/client_fixtures.ts";

Deno.test("hostile v5: the client keeps within the broker's Receive Maximum", async () => {
  let outstanding: number[] = [];
  let most = 0;
  await using broker = startFakeBroker({
    script: (p) => {
      if (p.type === "connect") {
        return [{
          type: "connack",
          sessionPresent: false,
          reasonCode: 0,
          properties: { receiveMaximum: 3 },
        }];
      }
      if (p.type !== "publish") return undefined;
      outstanding.push(p.packetId!);
      most = Math.max(most, outstanding.length);
      // Hold acknowledgements until the window is full, then release them all.
      if (outstanding.length < 3) return [];
      const acks: Packet[] = outstanding.map((packetId) => ({ type: "puback", packetId }));
      outstanding = [];
      return acks;
    },
  });
  const client = new Client({ protocol_version: 5, ...NO_RECONNECT });
  await client.connect(broker.url);
  const acks = Array.from(
    { length: 30 },
    (_, i) => client.publish("window", String(i), { qos: 1 }),
  );
  await deadline(Promise.all(acks), 5000, "30 acknowledgements in windows of 3");
  assert.equal(most, 3);
  await client.end();
});

Deno.test("hostile v4: a redelivered QoS 2 PUBLISH before PUBREL is delivered once", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ client_id: "exactly-once", ...NO_RECONNECT });
  const messages: string[] = [];
  client.on("message", (_t, payload) => messages.push(new TextDecoder().decode(payload)));
  await client.connect(broker.url);
  await client.subscribe("once", { qos: QoS.ExactlyOnce });
  const connection = await broker.nextConnection();
  const publish: PublishPacket = {
    type: "publish",
    topic: "once",
    payload: bytes("only once"),
    qos: 2,
    retain: false,
    dup: false,
    packetId: 42,
  };
  await connection.send(publish);
  assert.deepEqual(await connection.next("pubrec"), { type: "pubrec", packetId: 42 });
  await connection.send({ ...publish, dup: true });
  const again = await connection.next("pubrec");
  assert.equal(
    again.type === "pubrec" && again.packetId,
    42,
    "the duplicate is acknowledged again",
  );
  await connection.send({ type: "pubrel", packetId: 42 });
  const pubcomp = await connection.next("pubcomp");
  assert.equal(pubcomp.type === "pubcomp" && pubcomp.packetId, 42);
  // Packet id 42 is free again: a new message with it is a new message.
  await connection.send({ ...publish, payload: bytes("new") });
  await connection.next("pubrec");
  await connection.send({ type: "pubrel", packetId: 42 });
  await connection.next("pubcomp");
  assert.deepEqual(messages, ["only once", "new"]);
  await client.end();
});

for (const version of [4, 5] as const) {
  Deno.test(`hostile v${version}: in-flight QoS 1 and 2 publications are resumed on a present session`, async () => {
    // First connection: acknowledge nothing of QoS 1, PUBREC the QoS 2, then hang up.
    await using broker = interruptingBroker((connection) => connection > 1);
    const client = persistentClient(`resume-v${version}`, version);
    await client.connect(broker.url);
    const first = await broker.nextConnection();
    const qos1 = client.publish("resume/1", "one", { qos: QoS.AtLeastOnce });
    const sent1 = await first.next((p) => p.type === "publish" && p.qos === 1);
    const qos2 = client.publish("resume/2", "two", { qos: QoS.ExactlyOnce });
    const sent2 = await first.next((p) => p.type === "publish" && p.qos === 2);
    assert.equal(sent1.type === "publish" && sent1.dup, false);

    const second = await broker.nextConnection();
    await deadline(Promise.all([qos1, qos2]), 5000, "publications completed after the resume");
    const resent = second.packets.filter((p) => p.type === "publish");
    assert.equal(resent.length, 1, "only the unacknowledged QoS 1 PUBLISH is sent again");
    const again = resent[0] as PublishPacket;
    assert.equal(again.dup, true);
    assert.equal(again.packetId, (sent1 as PublishPacket).packetId);
    assert.equal(new TextDecoder().decode(again.payload), "one");
    const pubrel = second.packets.find((p) => p.type === "pubrel");
    assert.ok(pubrel, "the QoS 2 flow resumes with PUBREL, not a second PUBLISH");
    assert.equal(pubrel.packetId, (sent2 as PublishPacket).packetId);
    await client.end();
  });
}

Deno.test("hostile: a clean session discards in-flight state; pending QoS 1 is sent again as new", async () => {
  await using broker = startFakeBroker({
    script: (p, c) => c.id === 1 && p.type === "publish" ? ["close"] : undefined,
  });
  const client = new Client({ client_id: "clean", ...FAST_RECONNECT });
  await client.connect(broker.url);
  const ack = client.publish("clean/1", "one", { qos: QoS.AtLeastOnce });
  const second = await broker.nextConnection(5000).then(() => broker.nextConnection(5000));
  // Whatever the client decides (resend or fail), the promise must settle, not hang.
  const outcome = await deadline(ack.then(() => "acked", (e) => e), 5000, "QoS 1 outcome");
  if (outcome !== "acked") assert.ok(outcome instanceof MqttError, String(outcome));
  else assert.ok(second.packets.some((p) => p.type === "publish"));
  await client.end();
});

Deno.test("hostile v5: outgoing topic aliases stay within the broker's Topic Alias Maximum", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "connect"
        ? [{
          type: "connack",
          sessionPresent: false,
          reasonCode: 0,
          properties: { topicAliasMaximum: 2 },
        }]
        : undefined,
  });
  const client = new Client({ protocol_version: 5, topic_aliases: true, ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const topics = ["t/a", "t/b", "t/c", "t/a", "t/b", "t/c", "t/a"];
  for (const topic of topics) await client.publish(topic, "x", { qos: 1 });
  const publishes = connection.packets.filter((p): p is PublishPacket => p.type === "publish");
  assert.equal(publishes.length, topics.length);
  // Replay the alias table as a broker must, and check every message resolves to its topic.
  const table = new Map<number, string>();
  publishes.forEach((p, i) => {
    const alias = p.properties?.topicAlias;
    if (alias !== undefined) {
      assert.ok(alias >= 1 && alias <= 2, `alias ${alias} within the maximum`);
      if (p.topic !== "") table.set(alias, p.topic);
    }
    const topic = p.topic !== "" ? p.topic : table.get(alias!);
    assert.equal(topic, topics[i], `publish ${i}`);
  });
  assert.ok(publishes.some((p) => p.topic === ""), "aliases were actually used");
  await client.end();
});

Deno.test("hostile v5: incoming topic aliases are resolved; an unknown alias is a protocol error", async () => {
  await using broker = startFakeBroker();
  const client = new Client({
    protocol_version: 5,
    properties: { topicAliasMaximum: 4 },
    ...NO_RECONNECT,
  });
  const topics: string[] = [];
  const closed = signal<CloseInfo>();
  client.on("message", (topic) => topics.push(topic));
  client.on("close", (info) => closed.resolve(info));
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const connect = connection.packets[0];
  assert.equal(connect.type === "connect" && connect.properties?.topicAliasMaximum, 4);
  const publish = (topic: string, topicAlias: number): PublishPacket => ({
    type: "publish",
    topic,
    payload: bytes("x"),
    qos: 0,
    retain: false,
    dup: false,
    properties: { topicAlias },
  });
  await connection.send(publish("aliased/one", 1), publish("", 1), publish("", 1));
  await until(() => topics.length === 3, 5000, "three aliased messages");
  assert.deepEqual(topics, ["aliased/one", "aliased/one", "aliased/one"]);
  await connection.send(publish("", 3));
  const info = await closed.wait(5000, "close on an unknown alias");
  assert.ok(info.error instanceof MqttError);
  assert.equal(info.error.code, "protocol");
  assert.equal(topics.length, 3);
  await client.end();
});

Deno.test("hostile v5: CONNACK limits (maximum QoS 1, no retain, small packets) are obeyed", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "connect"
        ? [{
          type: "connack",
          sessionPresent: false,
          reasonCode: 0,
          properties: { maximumQoS: 1, retainAvailable: false, maximumPacketSize: 256 },
        }]
        : undefined,
  });
  const client = new Client({ protocol_version: 5, ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const outcomes = await Promise.all([
    client.publishAsync("limits/qos", "x", { qos: QoS.ExactlyOnce }).then(() => "ok", (e) => e),
    client.publishAsync("limits/retain", "x", { qos: 1, retain: true }).then(() => "ok", (e) => e),
    client.publishAsync("limits/big", new Uint8Array(1024), { qos: 1 }).then(() => "ok", (e) => e),
  ]);
  await client.publish("limits/marker", "x", { qos: 1 });
  const publishes = connection.packets.filter((p): p is PublishPacket => p.type === "publish");
  for (const p of publishes) {
    assert.ok(p.qos <= 1, `${p.topic} sent at QoS ${p.qos} above the broker's maximum`);
    assert.equal(p.retain, false, `${p.topic} sent retained to a broker without retain`);
  }
  assert.ok(!publishes.some((p) => p.topic === "limits/big"), "a packet over 256 bytes was sent");
  const big = outcomes[2];
  assert.ok(big instanceof MqttError, `oversized publish: ${big}`);
  assert.equal(big.code, "packet_too_large");
  assert.equal(client.connected, true);
  await client.end();
});

Deno.test("hostile v5: the broker's Server Keep Alive overrides the client's keepalive", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "connect"
        ? [{
          type: "connack",
          sessionPresent: false,
          reasonCode: 0,
          properties: { serverKeepAlive: 1 },
        }]
        : undefined,
  });
  const client = new Client({ protocol_version: 5, keepalive: 600, ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  await connection.next("pingreq", 3000);
  assert.equal(client.connected, true);
  await client.end();
});

Deno.test("hostile: a restore SUBSCRIBE lost with its connection is sent once again, not twice", async () => {
  // Each SUBSCRIBE of a filter makes the broker send its retained messages again: a restore
  // that was in flight when the connection dropped must not go out beside the new restore.
  await using broker = startFakeBroker({
    script: (p, c) => p.type === "subscribe" && c.id === 2 ? ["close"] : undefined,
  });
  const client = new Client({ ...FAST_RECONNECT });
  await client.connect(broker.url);
  await client.subscribe("again/#", { qos: QoS.AtLeastOnce });
  await (await broker.nextConnection()).close();
  const second = await broker.nextConnection();
  await second.next("subscribe");
  const third = await broker.nextConnection();
  await until(() => client.connected, 5000, "third connection");
  await client.publishAsync("again/fence", "x", { qos: QoS.AtLeastOnce });
  const subscribes = third.packets.filter((p) => p.type === "subscribe");
  assert.equal(subscribes.length, 1, JSON.stringify(subscribes.map((p) => p.type)));
  await client.end();
});
