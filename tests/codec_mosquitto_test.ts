// The codec against a real broker, with no client in between: raw TCP to mosquitto, packets
// encoded by encode() and read back by a Decoder, in MQTT 3.1, 3.1.1 and 5.0.

import assert from "node:assert/strict";
import {
  Decoder,
  encode,
  type Packet,
  type ProtocolVersion,
  type PublishPacket,
} from "../codec/mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";

const text = new TextEncoder();

/** One raw MQTT connection: send packets, receive them one at a time, each read bounded. */
class Wire {
  readonly #conn: Deno.TcpConn;
  readonly #decoder: Decoder;
  readonly #version: ProtocolVersion;
  readonly #queue: Packet[] = [];

  constructor(conn: Deno.TcpConn, version: ProtocolVersion) {
    this.#conn = conn;
    this.#version = version;
    this.#decoder = new Decoder({ protocolVersion: version });
  }

  static async open(port: number, version: ProtocolVersion): Promise<Wire> {
    return new Wire(await Deno.connect({ hostname: "127.0.0.1", port }), version);
  }

  send(packet: Packet): Promise<void> {
    return this.sendRaw(encode(packet, this.#version));
  }

  async sendRaw(bytes: Uint8Array): Promise<void> {
    for (let written = 0; written < bytes.length;) {
      written += await this.#conn.write(bytes.subarray(written));
    }
  }

  async receive(): Promise<Packet> {
    while (this.#queue.length === 0) {
      // A fresh buffer per read: decoded payloads are views into it.
      const buf = new Uint8Array(64 * 1024);
      const timer = setTimeout(() => this.#conn.close(), 5000);
      let n: number | null;
      try {
        n = await this.#conn.read(buf);
      } finally {
        clearTimeout(timer);
      }
      if (n === null) throw new Error("mosquitto closed the connection");
      this.#decoder.feed(buf.subarray(0, n));
      for (let p = this.#decoder.next(); p !== undefined; p = this.#decoder.next()) {
        this.#queue.push(p);
      }
    }
    return this.#queue.shift()!;
  }

  /** Reads until the connection ends; returns what came before. */
  async drainToEnd(): Promise<Packet[]> {
    const packets = this.#queue.splice(0);
    try {
      for (;;) packets.push(await this.receive());
    } catch {
      return packets;
    }
  }

  close(): void {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}

function message(packet: Packet): PublishPacket {
  assert.equal(packet.type, "publish");
  return packet as PublishPacket;
}

for (const version of [3, 4] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `codec talks MQTT ${version === 3 ? "3.1" : "3.1.1"} to mosquitto`,
    fn: async () => {
      await using broker = await startMosquitto();
      const wire = await Wire.open(broker.port, version);
      try {
        await wire.send({
          type: "connect",
          protocolVersion: version,
          clientId: `codec-v${version}`,
          cleanStart: true,
          keepalive: 30,
          will: { topic: "codec/will", payload: text.encode("gone"), qos: 1, retain: false },
        });
        assert.deepEqual(await wire.receive(), {
          type: "connack",
          sessionPresent: false,
          reasonCode: 0,
        });
        await wire.send({
          type: "subscribe",
          packetId: 1,
          subscriptions: [{ topicFilter: "codec/+/x", qos: 2 }, { topicFilter: "codec/#", qos: 1 }],
        });
        assert.deepEqual(await wire.receive(), {
          type: "suback",
          packetId: 1,
          reasonCodes: [2, 1],
        });

        // QoS 2 to ourselves; the topic matches both filters, and mosquitto sends one copy at
        // the higher granted QoS.
        await wire.send({
          type: "publish",
          topic: "codec/é/x",
          payload: text.encode("hello"),
          qos: 2,
          retain: false,
          dup: false,
          packetId: 2,
        });
        assert.deepEqual(await wire.receive(), { type: "pubrec", packetId: 2 });
        await wire.send({ type: "pubrel", packetId: 2 });
        const got: Packet[] = [await wire.receive(), await wire.receive()];
        const pubcomp = got.find((p) => p.type === "pubcomp");
        const delivered = message(got.find((p) => p.type === "publish")!);
        assert.deepEqual(pubcomp, { type: "pubcomp", packetId: 2 });
        assert.equal(delivered.topic, "codec/é/x");
        assert.equal(delivered.qos, 2);
        assert.deepEqual(delivered.payload, text.encode("hello"));
        await wire.send({ type: "pubrec", packetId: delivered.packetId! });
        assert.deepEqual(await wire.receive(), { type: "pubrel", packetId: delivered.packetId });
        await wire.send({ type: "pubcomp", packetId: delivered.packetId! });

        // A retained QoS 1 message of 200 KB: split across reads, assembled by the decoder.
        const big = new Uint8Array(200_000).map((_, i) => i % 251);
        await wire.send({
          type: "publish",
          topic: "codec/big",
          payload: big,
          qos: 1,
          retain: false,
          dup: false,
          packetId: 3,
        });
        const pair = [await wire.receive(), await wire.receive()];
        assert.deepEqual(pair.find((p) => p.type === "puback"), { type: "puback", packetId: 3 });
        const bigDelivery = message(pair.find((p) => p.type === "publish")!);
        assert.deepEqual(bigDelivery.payload, big);
        await wire.send({ type: "puback", packetId: bigDelivery.packetId! });

        await wire.send({
          type: "unsubscribe",
          packetId: 4,
          topicFilters: ["codec/#", "codec/+/x"],
        });
        assert.deepEqual(await wire.receive(), { type: "unsuback", packetId: 4 });
        await wire.send({ type: "pingreq" });
        assert.deepEqual(await wire.receive(), { type: "pingresp" });
        await wire.send({ type: "disconnect" });
        assert.deepEqual(await wire.drainToEnd(), []);
      } finally {
        wire.close();
      }
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "codec talks MQTT 5 to mosquitto: properties, subscription options, topic alias",
  fn: async () => {
    await using broker = await startMosquitto();
    const wire = await Wire.open(broker.port, 5);
    try {
      await wire.send({
        type: "connect",
        protocolVersion: 5,
        clientId: "",
        cleanStart: true,
        keepalive: 30,
        properties: {
          sessionExpiryInterval: 0,
          receiveMaximum: 10,
          topicAliasMaximum: 5,
          requestProblemInformation: true,
          userProperties: [["who", "codec"]],
        },
      });
      const connack = await wire.receive();
      assert.ok(connack.type === "connack" && connack.reasonCode === 0);
      // An empty client identifier: mosquitto assigns one and says which.
      assert.match(connack.properties?.assignedClientIdentifier ?? "", /.+/);

      await wire.send({
        type: "subscribe",
        packetId: 1,
        subscriptions: [
          {
            topicFilter: "v5/+",
            qos: 1,
            noLocal: false,
            retainAsPublished: true,
            retainHandling: 0,
          },
          { topicFilter: "v5/mine", qos: 0, noLocal: true },
        ],
        properties: { subscriptionIdentifiers: [42] },
      });
      assert.deepEqual(await wire.receive(), {
        type: "suback",
        packetId: 1,
        reasonCodes: [1, 0],
      });

      const properties = {
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        contentType: "text/plain",
        responseTopic: "v5/reply",
        correlationData: Uint8Array.of(1, 2, 3),
        userProperties: [["a", "1"], ["b", "2"], ["a", "3"]] as [string, string][],
      };
      await wire.send({
        type: "publish",
        topic: "v5/x",
        payload: text.encode("five"),
        qos: 1,
        retain: false,
        dup: false,
        packetId: 2,
        properties: { ...properties, topicAlias: 1 },
      });
      const two = [await wire.receive(), await wire.receive()];
      assert.deepEqual(two.find((p) => p.type === "puback"), {
        type: "puback",
        packetId: 2,
        reasonCode: 0,
      });
      const delivered = message(two.find((p) => p.type === "publish")!);
      assert.equal(delivered.topic, "v5/x");
      assert.deepEqual(delivered.payload, text.encode("five"));
      // mosquitto forwards every property but the topic alias, counting the expiry down, and
      // adds the subscription identifier.
      const { messageExpiryInterval, ...forwarded } = delivered.properties ?? {};
      assert.ok(messageExpiryInterval !== undefined && messageExpiryInterval <= 60);
      const { messageExpiryInterval: _sent, ...sent } = properties;
      assert.deepEqual(forwarded, { ...sent, subscriptionIdentifiers: [42] });
      await wire.send({ type: "puback", packetId: delivered.packetId!, reasonCode: 0 });

      // The alias alone now stands for "v5/x".
      await wire.send({
        type: "publish",
        topic: "",
        payload: text.encode("aliased"),
        qos: 0,
        retain: false,
        dup: false,
        properties: { topicAlias: 1 },
      });
      const aliased = message(await wire.receive());
      assert.equal(aliased.topic, "v5/x");
      assert.deepEqual(aliased.payload, text.encode("aliased"));

      // No local: our own message on "v5/mine" comes back once, through "v5/+" only.
      await wire.send({
        type: "publish",
        topic: "v5/mine",
        payload: new Uint8Array(0),
        qos: 0,
        retain: false,
        dup: false,
      });
      const own = message(await wire.receive());
      assert.deepEqual(own.properties, { subscriptionIdentifiers: [42] });

      await wire.send({ type: "unsubscribe", packetId: 3, topicFilters: ["v5/+", "nothing"] });
      assert.deepEqual(await wire.receive(), {
        type: "unsuback",
        packetId: 3,
        reasonCodes: [0, 0x11],
      });
      await wire.send({ type: "disconnect", reasonCode: 0, properties: { reasonString: "bye" } });
      assert.deepEqual(await wire.drainToEnd(), []);
    } finally {
      wire.close();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto answers a malformed packet from MQTT 5 with DISCONNECT the decoder reads",
  fn: async () => {
    await using broker = await startMosquitto();
    const wire = await Wire.open(broker.port, 5);
    try {
      await wire.send({
        type: "connect",
        protocolVersion: 5,
        clientId: "m",
        cleanStart: true,
        keepalive: 0,
      });
      assert.equal((await wire.receive()).type, "connack");
      // A SUBSCRIBE with retain handling 3, which our encoder refuses to write: raw bytes.
      await wire.sendRaw(Uint8Array.of(0x82, 7, 0, 1, 0, 0, 1, 0x74, 0x30));
      const rest = await wire.drainToEnd();
      assert.equal(rest.length, 1);
      assert.ok(rest[0].type === "disconnect" && [0x81, 0x82].includes(rest[0].reasonCode!));
    } finally {
      wire.close();
    }
  },
});
