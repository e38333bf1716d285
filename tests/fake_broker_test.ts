// Hostile-broker tests: a scripted fake broker on loopback TCP sends what no compliant broker
// would (no CONNACK, garbage, half packets, silence, a full socket) or replays session state, and
// the Client must fail with typed errors, never hang, and keep its session promises.
import assert from "node:assert/strict";
import {
  Client,
  type CloseInfo,
  MqttClosedError,
  MqttConnectError,
  MqttError,
  MqttProtocolError,
  MqttTimeoutError,
  QoS,
} from "../mod.ts";
import { encode } from "../codec/mod.ts";
import { startFakeBroker } from "./fixtures/fake_broker.ts";
import { deadline, signal, until } from "./fixtures/wait.ts";
import { bytes, FAST_RECONNECT, NO_RECONNECT } from "./fixtures/client_fixtures.ts";

Deno.test("hostile: no CONNACK fails connect with MqttTimeoutError after connect_timeout", async () => {
  await using broker = startFakeBroker({ script: (p) => p.type === "connect" ? [] : undefined });
  const client = new Client({ connect_timeout: 200, ...NO_RECONNECT });
  const error = await client.connectAsync(broker.url).catch((e) => e);
  assert.ok(error instanceof MqttTimeoutError, String(error));
  assert.equal(error.code, "timeout");
  assert.equal(error.method, "connect");
  assert.equal(client.connected, false);
  await client.end();
  await client.idle();
});

for (const [version, code] of [[4, 2], [5, 0x85]] as const) {
  Deno.test(`hostile v${version}: CONNACK refusal ${code} rejects connect with MqttConnectError`, async () => {
    await using broker = startFakeBroker({
      script: (p) =>
        p.type === "connect"
          ? [{ type: "connack", sessionPresent: false, reasonCode: code }, "close"]
          : undefined,
    });
    const client = new Client({ protocol_version: version, ...NO_RECONNECT });
    const error = await client.connectAsync(broker.url).catch((e) => e);
    assert.ok(error instanceof MqttConnectError, String(error));
    assert.equal(error.reasonCode, code);
    assert.equal(error.code, "refused");
    await client.end();
  });
}

Deno.test("hostile: a PUBLISH instead of CONNACK is a protocol error", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "connect"
        ? [{
          type: "publish",
          topic: "x",
          payload: bytes("early"),
          qos: 0,
          retain: false,
          dup: false,
        }]
        : undefined,
  });
  const client = new Client({ connect_timeout: 2000, ...NO_RECONNECT });
  let messages = 0;
  client.on("message", () => messages++);
  const error = await client.connectAsync(broker.url).catch((e) => e);
  assert.ok(error instanceof MqttError, String(error));
  assert.notEqual(error.code, "timeout", error.message);
  assert.equal(messages, 0);
  await client.end();
});

for (const version of [4, 5] as const) {
  Deno.test(`hostile v${version}: malformed bytes after CONNACK close with MqttProtocolError`, async () => {
    await using broker = startFakeBroker();
    const client = new Client({ protocol_version: version, ...NO_RECONNECT });
    const closed = signal<CloseInfo>();
    client.on("close", (info) => closed.resolve(info));
    await client.connect(broker.url);
    const connection = await broker.nextConnection();
    // A remaining length of five continuation bytes: malformed (MQTT §1.5.5).
    await connection.send(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]));
    const info = await closed.wait(5000, "close after malformed bytes");
    assert.ok(info.error instanceof MqttProtocolError, String(info.error));
    assert.equal(info.error.code, "protocol");
    assert.equal(info.reconnecting, false);
    assert.equal(client.connected, false);
    if (version === 5) {
      // MQTT 5 §4.13: the client should say why before closing.
      const disconnect = connection.packets.find((p) => p.type === "disconnect");
      if (disconnect) assert.equal(disconnect.reasonCode, 0x81);
    }
    await connection.done;
    await client.end();
  });
}

Deno.test("hostile: a packet above max_packet_size is refused with reason 0x95", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ protocol_version: 5, max_packet_size: 1024, ...NO_RECONNECT });
  const closed = signal<CloseInfo>();
  let messages = 0;
  client.on("message", () => messages++);
  client.on("close", (info) => closed.resolve(info));
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const connect = connection.packets[0];
  assert.equal(connect.type, "connect");
  assert.equal(connect.properties?.maximumPacketSize, 1024, "v5 CONNECT announces the limit");
  await connection.send({
    type: "publish",
    topic: "big",
    payload: new Uint8Array(4096),
    qos: 0,
    retain: false,
    dup: false,
  });
  const info = await closed.wait(5000, "close after an oversized packet");
  assert.ok(info.error instanceof MqttError, String(info.error));
  assert.equal(info.error.reasonCode, 0x95);
  assert.equal(messages, 0);
  await client.end();
});

Deno.test("hostile: a broker that drops mid-packet delivers nothing and the client reconnects", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ ...FAST_RECONNECT });
  const messages: string[] = [];
  client.on(
    "message",
    (topic, payload) => messages.push(`${topic}=${new TextDecoder().decode(payload)}`),
  );
  const reconnected = signal();
  let connects = 0;
  client.on("connect", () => ++connects === 2 && reconnected.resolve());
  await client.connect(broker.url);
  await client.subscribe("half/#", { qos: QoS.AtLeastOnce });
  const first = await broker.nextConnection();
  const publish = encode({
    type: "publish",
    topic: "half/x",
    payload: bytes("never whole"),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 1,
  });
  await first.drop(publish.subarray(0, publish.length - 3));
  const second = await broker.nextConnection();
  await reconnected.wait(5000, "reconnection");
  // A clean session: the client subscribes again on the new connection.
  const subscribe = await second.next("subscribe");
  assert.equal(subscribe.type === "subscribe" && subscribe.subscriptions[0].topicFilter, "half/#");
  await second.send({
    type: "publish",
    topic: "half/y",
    payload: bytes("whole"),
    qos: 0,
    retain: false,
    dup: false,
  });
  await until(() => messages.length > 0, 5000, "message on the second connection");
  assert.deepEqual(messages, ["half/y=whole"]);
  await client.end();
});

Deno.test("hostile: unanswered PINGREQ ends the connection with a keepalive timeout", async () => {
  await using broker = startFakeBroker({ script: (p) => p.type === "pingreq" ? [] : undefined });
  const client = new Client({ keepalive: 1, ...NO_RECONNECT });
  const closed = signal<CloseInfo>();
  client.on("close", (info) => closed.resolve(info));
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  await connection.next("pingreq", 3000);
  const info = await closed.wait(5000, "keepalive timeout");
  assert.ok(info.error instanceof MqttTimeoutError, String(info.error));
  await client.end();
});

Deno.test("hostile: end() completes when the broker stopped reading and the socket is full", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ connect_timeout: 500, ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  connection.pauseReading();
  const payload = new Uint8Array(256 * 1024);
  // Far more than loopback socket buffers hold: some of these writes can never finish.
  const sends = Array.from({ length: 200 }, () => client.publish("flood", payload).catch(() => {}));
  await deadline(client.end(), 15_000, "end() with a full socket");
  assert.equal(client.connected, false);
  await deadline(Promise.all(sends), 5000, "publications settled after end()");
  connection.resumeReading();
});

Deno.test("hostile v5: broker DISCONNECT 0x8B surfaces reason code and server reference", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ protocol_version: 5, ...NO_RECONNECT });
  const closed = signal<CloseInfo>();
  client.on("close", (info) => closed.resolve(info));
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  await connection.send({
    type: "disconnect",
    reasonCode: 0x8b,
    properties: { serverReference: "mqtt://127.0.0.1:1", reasonString: "maintenance" },
  });
  const info = await closed.wait(5000, "close on DISCONNECT");
  assert.equal(info.reasonCode, 0x8b);
  assert.equal(info.serverReference, "mqtt://127.0.0.1:1");
  assert.ok(info.error instanceof MqttError);
  assert.equal(info.error.reasonCode, 0x8b);
  await client.end();
});

Deno.test("hostile: a broker closing right after accepting rejects connect as closed, not timeout", async () => {
  await using broker = startFakeBroker({
    script: (p) => p.type === "connect" ? ["close"] : undefined,
  });
  const client = new Client({ connect_timeout: 10_000, ...NO_RECONNECT });
  const error = await deadline(client.connectAsync(broker.url).catch((e) => e), 5000, "connect");
  assert.ok(error instanceof MqttError, String(error));
  assert.equal(error.code, "closed");
  await client.end();
});

Deno.test("hostile: operations pending when the connection drops reject with MqttClosedError", async () => {
  await using broker = startFakeBroker({
    script: (p) => p.type === "subscribe" || p.type === "publish" ? [] : undefined,
  });
  const client = new Client({ ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const subscribing = client.subscribeAsync("never/acked", { qos: 1 }).catch((e) => e);
  const publishing = client.publishAsync("never/acked", "x", { qos: 1 }).catch((e) => e);
  await connection.next("publish");
  await connection.close();
  for (const outcome of await deadline(Promise.all([subscribing, publishing]), 5000, "outcomes")) {
    assert.ok(outcome instanceof MqttClosedError, String(outcome));
    assert.equal(outcome.code, "closed");
  }
  await client.end();
});

Deno.test("hostile: end() stops waiting for acknowledgements that never come", async () => {
  await using broker = startFakeBroker({ script: (p) => p.type === "publish" ? [] : undefined });
  const client = new Client({ connect_timeout: 300, ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const publishing = client.publishAsync("unacked", "x", { qos: 2 }).catch((e) => e);
  await connection.next("publish");
  await deadline(client.end(), 5000, "end() with an unacknowledged QoS 2 publication");
  const outcome = await publishing;
  assert.ok(outcome instanceof MqttClosedError, String(outcome));
  await deadline(connection.done, 5000, "the client closing its socket");
  assert.ok(
    connection.packets.some((p) => p.type === "disconnect"),
    "DISCONNECT must still be sent after the wait (without it the broker publishes the will)",
  );
});
