// The fault catalogue of issue 7 against the scripted fake broker, beyond fake_broker_test.ts:
// every CONNACK refusal code, hang-ups before CONNACK, bytes that are not MQTT, reserved flags,
// declared sizes over the limit, floods, silence, acknowledgements nobody asked for, SUBACK
// failures and a broker that stops reading. Each ends in a typed error or the documented
// recovery, within a deadline.
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
import type { Packet } from "../codec/packets.ts";
import { type FakeConnection, startFakeBroker } from "./fixtures/fake_broker.ts";
import { freePort } from "./fixtures/ports.ts";
import { deadline, signal, until } from "./fixtures/wait.ts";
import { bytes, FAST_RECONNECT, NO_RECONNECT, publish } from "./fixtures/client_fixtures.ts";

/** Connects a client that must be refused, and returns the error. */
async function refusedConnect(client: Client, url: string): Promise<MqttError> {
  const error = await deadline(
    client.connectAsync(url).then(() => assert.fail("connect must fail"), (e: unknown) => e),
    5000,
    "connect outcome",
  );
  assert.ok(error instanceof MqttError, String(error));
  assert.equal(error.name, "MQTTError");
  assert.equal(error.method, "connect");
  assert.equal(client.connected, false);
  await client.end();
  await deadline(client.idle(), 5000, "idle after a refused connect");
  return error;
}

const V4_CODES: Array<[number, RegExp]> = [
  [1, /Unacceptable protocol version/],
  [2, /Identifier rejected/],
  [3, /Server unavailable/],
  [4, /Bad user name or password/],
  [5, /Not authorized/],
];
for (const [code, text] of V4_CODES) {
  Deno.test(`faults v4: CONNACK return code ${code} rejects with MqttConnectError`, async () => {
    await using broker = startFakeBroker({
      script: (p) =>
        p.type === "connect"
          ? [{ type: "connack", sessionPresent: false, reasonCode: code }, "close"]
          : undefined,
    });
    const error = await refusedConnect(new Client(NO_RECONNECT), broker.url);
    assert.ok(error instanceof MqttConnectError, String(error));
    assert.equal(error.code, "refused");
    assert.equal(error.reasonCode, code);
    assert.match(error.message, text);
  });
}

const V5_CODES: Array<[number, RegExp]> = [
  [0x86, /Bad User Name or Password/i],
  [0x87, /Not authorized/i],
  [0x88, /Server unavailable/i],
  [0x8a, /Banned/i],
];
for (const [code, text] of V5_CODES) {
  Deno.test(`faults v5: CONNACK reason 0x${code.toString(16)} rejects with MqttConnectError`, async () => {
    await using broker = startFakeBroker({
      script: (p) =>
        p.type === "connect"
          ? [{
            type: "connack",
            sessionPresent: false,
            reasonCode: code,
            properties: { reasonString: "go away" },
          }, "close"]
          : undefined,
    });
    const error = await refusedConnect(
      new Client({ protocol_version: 5, ...NO_RECONNECT }),
      broker.url,
    );
    assert.ok(error instanceof MqttConnectError, String(error));
    assert.equal(error.reasonCode, code);
    assert.match(error.message, text);
    assert.match(error.message, /go away/, "the broker's reason string is part of the message");
    assert.equal(error.serverReference, undefined);
  });
}

for (const code of [0x9c, 0x9d]) {
  Deno.test(`faults v5: CONNACK 0x${code.toString(16)} (use another server) carries the Server Reference`, async () => {
    await using broker = startFakeBroker({
      script: (p) =>
        p.type === "connect"
          ? [{
            type: "connack",
            sessionPresent: false,
            reasonCode: code,
            properties: { serverReference: "mqtt://127.0.0.1:1884" },
          }, "close"]
          : undefined,
    });
    const error = await refusedConnect(
      new Client({ protocol_version: 5, ...NO_RECONNECT }),
      broker.url,
    );
    assert.ok(error instanceof MqttConnectError, String(error));
    assert.equal(error.reasonCode, code);
    assert.equal(error.serverReference, "mqtt://127.0.0.1:1884");
    assert.match(error.message, /mqtt:\/\/127\.0\.0\.1:1884/);
  });
}

Deno.test("faults: a broker hanging up on accept, before CONNECT is read, rejects as closed", async () => {
  await using broker = startFakeBroker({ autoReply: false });
  const client = new Client({ connect_timeout: 10_000, ...NO_RECONNECT });
  const hangUp = broker.nextConnection().then((c) => c.close());
  const error = await refusedConnect(client, broker.url);
  await hangUp;
  assert.notEqual(error.code, "timeout", error.message);
  assert.ok(error instanceof MqttClosedError, String(error));
});

Deno.test("faults: a closed port rejects connect with an MqttError, not a timeout", async () => {
  const port = freePort();
  const error = await refusedConnect(
    new Client({ connect_timeout: 10_000, ...NO_RECONNECT }),
    `mqtt://127.0.0.1:${port}`,
  );
  assert.notEqual(error.code, "timeout", error.message);
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

Deno.test("faults: bytes that are not MQTT in place of CONNACK reject connect as a protocol error", async () => {
  await using broker = startFakeBroker({
    script: (p) =>
      p.type === "connect" ? [bytes("HTTP/1.1 400 Bad Request\r\n\r\n"), "close"] : undefined,
  });
  const error = await refusedConnect(
    new Client({ connect_timeout: 10_000, ...NO_RECONNECT }),
    broker.url,
  );
  assert.notEqual(error.code, "timeout", error.message);
  assert.ok(
    error instanceof MqttProtocolError || error.cause instanceof MqttProtocolError,
    `${error} (cause ${error.cause})`,
  );
  assert.match(error.message, /not an MQTT broker at this address\?/);
});

Deno.test("faults: a CONNACK with reserved flags set rejects connect", async () => {
  await using broker = startFakeBroker({
    // 0x21: CONNACK with the reserved low nibble set (MQTT §2.1.3: malformed).
    script: (p) => p.type === "connect" ? [new Uint8Array([0x21, 0x02, 0x00, 0x00])] : undefined,
  });
  const error = await refusedConnect(
    new Client({ connect_timeout: 10_000, ...NO_RECONNECT }),
    broker.url,
  );
  assert.notEqual(error.code, "timeout", error.message);
  assert.equal(
    error instanceof MqttProtocolError ? error.code : (error.cause as MqttError)?.code,
    "protocol",
  );
});

/** Connects a client, then sends `reply` and returns how the connection closed. */
async function closedBy(
  reply: Uint8Array | Packet,
  options: ConstructorParameters<typeof Client>[0] = {},
): Promise<{ info: CloseInfo; messages: number; connection: FakeConnection }> {
  await using broker = startFakeBroker();
  const client = new Client({ ...NO_RECONNECT, ...options });
  const closed = signal<CloseInfo>();
  let messages = 0;
  client.on("message", () => messages++);
  client.on("close", (info) => closed.resolve(info));
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  await connection.send(reply);
  const info = await closed.wait(5000, "close after a bad packet");
  assert.equal(info.reconnecting, false);
  assert.equal(client.connected, false);
  await client.end();
  await deadline(client.idle(), 5000, "idle");
  return { info, messages, connection };
}

for (const version of [4, 5] as const) {
  Deno.test(`faults v${version}: a PUBACK with reserved flags set is a protocol error`, async () => {
    const { info } = await closedBy(new Uint8Array([0x41, 0x02, 0x00, 0x01]), {
      protocol_version: version,
    });
    assert.ok(info.error instanceof MqttProtocolError, String(info.error));
  });

  Deno.test(`faults v${version}: a PUBLISH with QoS 3 is a protocol error`, async () => {
    const { info, messages } = await closedBy(
      new Uint8Array([0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01]),
      { protocol_version: version },
    );
    assert.ok(info.error instanceof MqttProtocolError, String(info.error));
    assert.equal(messages, 0);
  });

  Deno.test(`faults v${version}: a PUBLISH whose topic is not UTF-8 is a protocol error`, async () => {
    const { info, messages } = await closedBy(
      new Uint8Array([0x30, 0x04, 0x00, 0x02, 0xc3, 0x28]),
      { protocol_version: version },
    );
    assert.ok(info.error instanceof MqttProtocolError, String(info.error));
    assert.equal(messages, 0);
  });
}

Deno.test("faults v5: a PUBLISH with an unknown property is a protocol error", async () => {
  // Topic "t", property length 2, property id 0x7f (none such) with one byte.
  const { info, messages, connection } = await closedBy(
    new Uint8Array([0x30, 0x06, 0x00, 0x01, 0x74, 0x02, 0x7f, 0x00]),
    { protocol_version: 5 },
  );
  assert.ok(info.error instanceof MqttProtocolError, String(info.error));
  assert.equal(messages, 0);
  await connection.done;
  const disconnect = connection.packets.find((p) => p.type === "disconnect");
  if (disconnect) assert.ok((disconnect.reasonCode ?? 0) >= 0x80, "DISCONNECT says why");
});

for (const version of [4, 5] as const) {
  Deno.test(`faults v${version}: a declared length over max_packet_size is refused before the body arrives`, async () => {
    await using broker = startFakeBroker();
    const client = new Client({
      protocol_version: version,
      max_packet_size: 4096,
      ...NO_RECONNECT,
    });
    const closed = signal<CloseInfo>();
    client.on("close", (info) => closed.resolve(info));
    await client.connect(broker.url);
    const connection = await broker.nextConnection();
    // A PUBLISH header announcing 100 MiB, then nothing: waiting for the body would hang and
    // buffering it would take 100 MiB.
    await connection.send(new Uint8Array([0x30, 0x80, 0x80, 0x80, 0x32, 0x00, 0x01, 0x74]));
    const info = await closed.wait(5000, "close on an oversized declared length");
    assert.ok(info.error instanceof MqttError, String(info.error));
    assert.equal(info.error.reasonCode, 0x95);
    await client.end();
  });
}

Deno.test("faults: a flood of 50,000 small messages is delivered in full with bounded memory", async () => {
  const COUNT = 50_000;
  await using broker = startFakeBroker();
  const client = new Client({ ...NO_RECONNECT });
  let received = 0;
  let peak = 0;
  const all = signal();
  const before = Deno.memoryUsage();
  client.on("message", () => {
    if (++received % 5000 === 0) {
      const now = Deno.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.external);
    }
    if (received === COUNT) all.resolve();
  });
  await client.connect(broker.url);
  await client.subscribe("flood/#");
  const connection = await broker.nextConnection();
  const one = encode(publish("flood/x", "0123456789"));
  const chunk = new Uint8Array(one.length * 1000);
  for (let i = 0; i < 1000; i++) chunk.set(one, i * one.length);
  for (let i = 0; i < COUNT / 1000; i++) await connection.send(chunk);
  await all.wait(30_000, `flood delivered (${received}/${COUNT})`);
  assert.equal(received, COUNT);
  assert.equal(client.connected, true);
  // 50,000 × 19 wire bytes is under 1 MiB; far less than 64 MiB more memory is expected.
  const growth = peak - (before.heapUsed + before.external);
  assert.ok(growth < 64 * 1024 * 1024, `memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
  await client.end();
});

Deno.test("faults: a half-open broker (silent, not reading) is detected by keepalive and left", async () => {
  await using broker = startFakeBroker({
    // The first connection goes silent after CONNACK; later ones behave.
    script: (p, c) => c.id === 1 && p.type !== "connect" ? [] : undefined,
  });
  const client = new Client({ keepalive: 1, ...FAST_RECONNECT });
  const closes: CloseInfo[] = [];
  const closed = signal<CloseInfo>();
  const reconnected = signal();
  let connects = 0;
  client.on("close", (info) => {
    closes.push(info);
    closed.resolve(info);
  });
  client.on("connect", () => ++connects === 2 && reconnected.resolve());
  await client.connect(broker.url);
  const first = await broker.nextConnection();
  first.pauseReading();
  const info = await closed.wait(8000, "close on keepalive timeout");
  assert.ok(info.error instanceof MqttTimeoutError, String(info.error));
  assert.equal(info.reconnecting, true);
  await reconnected.wait(5000, "reconnection to a live broker");
  assert.equal(client.connected, true);
  await client.publish("alive", "yes", { qos: QoS.AtLeastOnce });
  first.resumeReading();
  await client.end();
  assert.equal(closes.length, 1);
});

for (const version of [4, 5] as const) {
  Deno.test(`faults v${version}: PUBACK, PUBREC and PUBCOMP for unknown packet ids are harmless`, async () => {
    await using broker = startFakeBroker();
    const client = new Client({ protocol_version: version, ...NO_RECONNECT });
    const closes: CloseInfo[] = [];
    client.on("close", (info) => closes.push(info));
    await client.connect(broker.url);
    const connection = await broker.nextConnection();
    await connection.send(
      { type: "puback", packetId: 901 },
      { type: "pubrec", packetId: 902 },
      { type: "pubcomp", packetId: 903 },
    );
    // The client answers the stray PUBREC with PUBREL (v5: reason 0x92 Packet Identifier not
    // found) and otherwise carries on: a later QoS 1 and QoS 2 flow complete normally.
    const pubrel = await connection.next("pubrel");
    assert.equal(pubrel.type === "pubrel" && pubrel.packetId, 902);
    assert.equal(pubrel.type === "pubrel" && (pubrel.reasonCode ?? 0), version === 5 ? 0x92 : 0);
    await connection.send({ type: "pubrel", packetId: 904 });
    const pubcomp = await connection.next("pubcomp");
    assert.equal(pubcomp.type === "pubcomp" && pubcomp.packetId, 904);
    assert.equal(
      pubcomp.type === "pubcomp" && (pubcomp.reasonCode ?? 0),
      version === 5 ? 0x92 : 0,
    );
    await deadline(
      Promise.all([
        client.publish("after/1", "x", { qos: QoS.AtLeastOnce }),
        client.publish("after/2", "x", { qos: QoS.ExactlyOnce }),
      ]),
      5000,
      "later flows",
    );
    assert.equal(client.connected, true);
    assert.deepEqual(closes, []);
    await client.end();
  });
}

Deno.test("faults: a flood of 20,000 unknown PUBACKs leaves the connection usable", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const chunk = new Uint8Array(4 * 20_000);
  for (let i = 0; i < 20_000; i++) chunk.set([0x40, 0x02, (i + 1) >> 8, (i + 1) & 0xff], i * 4);
  await connection.send(chunk);
  await deadline(client.publish("after", "x", { qos: QoS.AtLeastOnce }), 10_000, "publish");
  assert.equal(client.connected, true);
  await client.end();
});

for (const version of [4, 5] as const) {
  Deno.test(`faults v${version}: a duplicate PUBREL is answered again and the message delivered once`, async () => {
    await using broker = startFakeBroker();
    const client = new Client({ protocol_version: version, ...NO_RECONNECT });
    const messages: string[] = [];
    client.on("message", (_t, payload) => messages.push(new TextDecoder().decode(payload)));
    await client.connect(broker.url);
    await client.subscribe("twice", { qos: QoS.ExactlyOnce });
    const connection = await broker.nextConnection();
    await connection.send(publish("twice", "once", { qos: 2, packetId: 7 }));
    await connection.next("pubrec");
    await connection.send({ type: "pubrel", packetId: 7 });
    await connection.next("pubcomp");
    await connection.send({ type: "pubrel", packetId: 7 });
    const again = await connection.next("pubcomp");
    assert.equal(again.type === "pubcomp" && again.packetId, 7);
    // The flow is complete, not unknown: no 0x92 on the repeated PUBCOMP.
    assert.equal(again.type === "pubcomp" && (again.reasonCode ?? 0), 0);
    // A marker proves every earlier packet was handled.
    await connection.send(publish("twice", "marker"));
    await until(() => messages.includes("marker"), 5000, "marker");
    assert.deepEqual(messages, ["once", "marker"]);
    assert.equal(client.connected, true);
    await client.end();
  });
}

for (
  const [version, codes] of [
    [4, [0x80, 1]],
    [5, [0x87, 0x01]],
    [5, [0x00, 0x97]],
  ] as const
) {
  Deno.test(`faults v${version}: SUBACK [${codes.map((c) => "0x" + c.toString(16))}] rejects subscribeAsync with the failure`, async () => {
    await using broker = startFakeBroker({
      script: (p) =>
        p.type === "subscribe"
          ? [{ type: "suback", packetId: p.packetId, reasonCodes: [...codes] }]
          : undefined,
    });
    const client = new Client({ protocol_version: version, ...NO_RECONNECT });
    await client.connect(broker.url);
    let events = 0;
    client.on("error", () => events++);
    const error = await client.subscribeAsync(["first/#", "second/#"], { qos: QoS.AtLeastOnce })
      .then(() => assert.fail("subscribeAsync must reject"), (e: unknown) => e);
    assert.ok(error instanceof MqttError, String(error));
    assert.equal(error.code, "refused");
    assert.equal(error.method, "subscribe");
    const failure = codes.find((c) => c >= 0x80)!;
    assert.equal(error.reasonCode, failure);
    assert.deepEqual(error.reasonCodes, codes, "every filter's code, in request order");
    assert.match(error.message, new RegExp(`0x${failure.toString(16)}`, "i"));
    // It names the filters refused, not those granted beside them.
    const filters = ["first/#", "second/#"];
    for (const [i, filter] of filters.entries()) {
      assert.equal(error.message.includes(`${filter}`), codes[i] >= 0x80, error.message);
    }
    assert.equal(events, 0, "subscribeAsync reports through its promise only");
    assert.equal(client.connected, true, "a refused subscription keeps the connection");
    await client.end();
  });
}

Deno.test("faults: a broker that stops reading makes 10,000 publications wait, in bounded memory", async () => {
  const COUNT = 10_000;
  const payload = new Uint8Array(1024);
  await using broker = startFakeBroker();
  const client = new Client({ ...NO_RECONNECT });
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  connection.pauseReading();
  const before = Deno.memoryUsage();
  let settled = 0;
  let failed = 0;
  const acks: Promise<void>[] = [];
  for (let i = 0; i < COUNT; i++) {
    acks.push(
      client.publish("slow", payload, { qos: i % 2 === 0 ? QoS.AtMostOnce : QoS.AtLeastOnce })
        .then(() => void settled++, () => void failed++),
    );
    if (i % 1000 === 999) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  // Give the client every chance to write: the kernel buffers fill, the rest must wait.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const during = Deno.memoryUsage();
  // 10 MiB of payload was handed over; holding it (not copies of copies) is the bound.
  const growth = during.heapUsed + during.external - (before.heapUsed + before.external);
  assert.ok(growth < 48 * 1024 * 1024, `memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
  assert.ok(settled < COUNT, `${settled} of ${COUNT} settled while the broker was not reading`);
  assert.equal(failed, 0);
  assert.equal(client.connected, true);
  connection.resumeReading();
  await deadline(Promise.all(acks), 30_000, `publications after resume (${settled}/${COUNT})`);
  assert.equal(settled, COUNT);
  const received = connection.packets.filter((p) => p.type === "publish").length;
  await until(
    () => connection.packets.filter((p) => p.type === "publish").length === COUNT,
    5000,
    () => `${received} publications reached the broker`,
  );
  await client.end();
});

Deno.test("faults v5: session taken over: DISCONNECT 0x8E reaches close, the new owner stays", async () => {
  const owners = new Map<string, FakeConnection>();
  await using broker = startFakeBroker({
    script: (p, c) => {
      if (p.type !== "connect") return undefined;
      const previous = owners.get(p.clientId);
      owners.set(p.clientId, c);
      const connack: Packet = { type: "connack", sessionPresent: false, reasonCode: 0 };
      if (!previous || previous.closed) return [connack];
      // What brokers such as EMQX and HiveMQ do (mosquitto 2.0 only closes the socket).
      return previous.send({
        type: "disconnect",
        reasonCode: 0x8e,
        properties: { reasonString: "another client connected with this id" },
      }).then(() => previous.close()).then(() => [connack]);
    },
  });
  const first = new Client({ client_id: "owner", protocol_version: 5, ...NO_RECONNECT });
  const second = new Client({ client_id: "owner", protocol_version: 5, ...NO_RECONNECT });
  const closed = signal<CloseInfo>();
  first.on("close", (info) => closed.resolve(info));
  await first.connect(broker.url);
  await second.connect(broker.url);
  const info = await closed.wait(5000, "close of the client taken over");
  assert.equal(info.reasonCode, 0x8e);
  assert.equal(info.reconnecting, false);
  assert.ok(info.error instanceof MqttClosedError, String(info.error));
  assert.equal(info.error.reasonCode, 0x8e);
  assert.match(info.error.message, /0x8E Session taken over/i);
  assert.match(info.error.message, /another client connected with this id/);
  assert.equal(first.connected, false);
  assert.equal(second.connected, true);
  await second.publish("still/here", "x", { qos: QoS.AtLeastOnce });
  await first.end();
  await second.end();
});

Deno.test("faults v5: DISCONNECT 0x9D (server moved) reports the reference and reconnects", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ protocol_version: 5, ...FAST_RECONNECT });
  const closed = signal<CloseInfo>();
  const reconnected = signal();
  let connects = 0;
  client.on("close", (info) => closed.resolve(info));
  client.on("connect", () => ++connects === 2 && reconnected.resolve());
  await client.connect(broker.url);
  const first = await broker.nextConnection();
  await first.send({
    type: "disconnect",
    reasonCode: 0x9d,
    properties: { serverReference: "mqtt://127.0.0.1:1885" },
  });
  const info = await closed.wait(5000, "close on DISCONNECT 0x9D");
  assert.equal(info.reasonCode, 0x9d);
  assert.equal(info.serverReference, "mqtt://127.0.0.1:1885");
  assert.ok(info.error instanceof MqttClosedError, String(info.error));
  assert.match(info.error.message, /mqtt:\/\/127\.0\.0\.1:1885/);
  // The reference is surfaced, not followed: the client comes back to the servers it was given.
  assert.equal(info.reconnecting, true);
  await reconnected.wait(5000, "reconnection");
  assert.equal(client.connected, true);
  await client.end();
});

Deno.test("faults: a publication whose connections the client closes on a broker's malformed packet fails with that reason", async () => {
  // Each PUBLISH is answered with a PUBLISH at QoS 3 (0x36: reserved): the client closes the
  // connection as a protocol error, reconnects and sends it again, three times.
  const malformed = new Uint8Array([0x36, 5, 0, 1, 0x74, 0, 1]);
  await using broker = startFakeBroker({
    script: (p) => p.type === "publish" ? [malformed] : undefined,
  });
  const client = new Client(FAST_RECONNECT);
  try {
    await client.connect(broker.url);
    const error = await deadline(
      client.publish("t", "x", { qos: QoS.AtLeastOnce }).then(() => undefined, (e) => e),
      10_000,
      "the publication's failure",
    );
    assert.ok(error instanceof MqttError, String(error));
    assert.equal(error.code, "dropped");
    assert.match(error.message, /connection was lost \(last: .*QoS 3/);
    assert.ok(error.cause instanceof MqttProtocolError);
  } finally {
    await client.end();
  }
});

Deno.test("faults: a broker that never answers a left loop's UNSUBSCRIBE: end() logs no call's failure", async () => {
  await using broker = startFakeBroker({
    script: (packet) => {
      if (packet.type === "subscribe") {
        return [
          { type: "suback", packetId: packet.packetId, reasonCodes: [0] },
          {
            type: "publish",
            topic: "t",
            payload: new TextEncoder().encode("x"),
            qos: 0,
            retain: false,
            dup: false,
          },
        ];
      }
      if (packet.type === "unsubscribe") return [];
      return undefined;
    },
  });
  const logged: unknown[][] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const client = new Client();
    await client.connect(broker.url);
    for await (const _ of client.subscription("t")) break;
    await broker.connections[0].next("unsubscribe");
    await client.end({ timeout: 300 });
  } finally {
    console.error = error;
  }
  // The UNSUBSCRIBE was the client's own: its end with the client is nobody's failure.
  assert.deepEqual(logged, []);
});

Deno.test("faults: QoS 0 publications lost with a connection fail as publish calls", async () => {
  await using broker = startFakeBroker();
  const client = new Client({ keepalive: 1, ...NO_RECONNECT });
  client.on("error", () => {});
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  connection.pauseReading();
  const payload = new Uint8Array(1024);
  const failures: unknown[] = [];
  const sent: Promise<void>[] = [];
  // More than the socket buffers take: the last batches wait until the keepalive gives up.
  for (let i = 0; i < 20_000; i++) {
    sent.push(client.publish("q0", payload).catch((error) => void failures.push(error)));
    if (i % 1000 === 999) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await deadline(Promise.all(sent), 10_000, "the waiting publications fail");
  assert.ok(failures.length > 0, "some publications were still waiting");
  for (const failure of failures) {
    assert.ok(failure instanceof MqttClosedError, String(failure));
    assert.equal(failure.method, "publish");
  }
  await client.end();
});
