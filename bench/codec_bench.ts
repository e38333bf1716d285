// Codec throughput, ours against npm:mqtt-packet, side by side: each group's baseline is
// mqtt-packet, so `deno bench` prints how many times faster (or slower) mqload's codec is.
// Decoding feeds the same bytes to one long-lived Decoder, as a connection does (its topic
// cache hits); encode() allocates a buffer per packet, Encoder takes room from its slabs.
//
//   deno bench -A bench/codec_bench.ts

import mqttPacket from "mqtt-packet";
import { Buffer } from "node:buffer";
import { isDeepStrictEqual } from "node:util";
import { decode, Decoder, encode, Encoder, type Packet } from "../codec/mod.ts";

const payload = (size: number): Uint8Array => {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i & 0xff;
  return bytes;
};

interface Case {
  name: string;
  version: 4 | 5;
  ours: Packet;
  theirs: Record<string, unknown>;
}

function publishCase(size: number, label: string): Case {
  const body = payload(size);
  return {
    name: `PUBLISH ${label} QoS 1`,
    version: 4,
    ours: {
      type: "publish",
      topic: "sensors/building-1/floor-2/temperature",
      payload: body,
      qos: 1,
      retain: false,
      dup: false,
      packetId: 42,
    },
    theirs: {
      cmd: "publish",
      topic: "sensors/building-1/floor-2/temperature",
      payload: Buffer.from(body),
      qos: 1,
      retain: false,
      dup: false,
      messageId: 42,
    },
  };
}

// The load tester's own v5 PUBLISH: a latency stamp in a user property.
function stampedCase(): Case {
  const base = publishCase(64, "64 B");
  const stamp = "1732512345678.125";
  return {
    name: "PUBLISH v5 64 B QoS 1 with a user property",
    version: 5,
    ours: { ...base.ours, properties: { userProperties: [["mqload-ts", stamp]] } } as Packet,
    theirs: { ...base.theirs, properties: { userProperties: { "mqload-ts": stamp } } },
  };
}

const cases: Case[] = [
  publishCase(64, "64 B"),
  publishCase(1024, "1 KB"),
  publishCase(65536, "64 KB"),
  stampedCase(),
  {
    name: "CONNECT v5 with properties",
    version: 5,
    ours: {
      type: "connect",
      protocolVersion: 5,
      clientId: "mqload-bench-client-0001",
      cleanStart: true,
      keepalive: 60,
      username: "user",
      password: new TextEncoder().encode("secret"),
      will: {
        topic: "clients/mqload-bench-client-0001/status",
        payload: new TextEncoder().encode("offline"),
        qos: 1,
        retain: true,
        properties: { willDelayInterval: 10, contentType: "text/plain" },
      },
      properties: {
        sessionExpiryInterval: 3600,
        receiveMaximum: 100,
        maximumPacketSize: 1048576,
        topicAliasMaximum: 10,
        userProperties: [["region", "eu-west"], ["tenant", "bench"]],
      },
    },
    theirs: {
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 5,
      clientId: "mqload-bench-client-0001",
      clean: true,
      keepalive: 60,
      username: "user",
      password: Buffer.from("secret"),
      will: {
        topic: "clients/mqload-bench-client-0001/status",
        payload: Buffer.from("offline"),
        qos: 1,
        retain: true,
        properties: { willDelayInterval: 10, contentType: "text/plain" },
      },
      properties: {
        sessionExpiryInterval: 3600,
        receiveMaximum: 100,
        maximumPacketSize: 1048576,
        topicAliasMaximum: 10,
        userProperties: { region: "eu-west", tenant: "bench" },
      },
    },
  },
  {
    name: "SUBSCRIBE 3 filters",
    version: 4,
    ours: {
      type: "subscribe",
      packetId: 7,
      subscriptions: [
        { topicFilter: "sensors/+/temperature", qos: 1 },
        { topicFilter: "alerts/#", qos: 2 },
        { topicFilter: "clients/status", qos: 0 },
      ],
    },
    theirs: {
      cmd: "subscribe",
      messageId: 7,
      subscriptions: [
        { topic: "sensors/+/temperature", qos: 1 },
        { topic: "alerts/#", qos: 2 },
        { topic: "clients/status", qos: 0 },
      ],
    },
  },
];

for (const c of cases) {
  const opts = { protocolVersion: c.version };
  const bytes = encode(c.ours, c.version);
  const buffer = Buffer.from(bytes);
  // Both sides must agree before their speed means anything: the same bytes in v4, and in v5
  // (where property order may differ) the same packet once decoded.
  const theirs = mqttPacket.generate(c.theirs as never, opts);
  if (c.version === 4 && !buffer.equals(theirs)) {
    throw new Error(`${c.name}: the two encoders disagree`);
  }
  if (!isDeepStrictEqual(decode(new Uint8Array(theirs), c.version), decode(bytes, c.version))) {
    throw new Error(`${c.name}: the two packets differ`);
  }

  Deno.bench({
    name: `mqtt-packet generate`,
    group: `encode ${c.name}`,
    baseline: true,
    fn: () => {
      mqttPacket.generate(c.theirs as never, opts);
    },
  });
  Deno.bench({
    name: `mqload encode()`,
    group: `encode ${c.name}`,
    fn: () => {
      encode(c.ours, c.version);
    },
  });
  // The hot-path encoder: small packets are views into its slabs, not fresh ArrayBuffers.
  const encoder = new Encoder({ protocolVersion: c.version });
  Deno.bench({
    name: `mqload Encoder`,
    group: `encode ${c.name}`,
    fn: () => {
      encoder.encode(c.ours);
    },
  });

  const parser = mqttPacket.parser(opts);
  parser.on("packet", () => {});
  parser.on("error", (error: unknown) => {
    throw error;
  });
  Deno.bench({
    name: `mqtt-packet parse`,
    group: `decode ${c.name}`,
    baseline: true,
    fn: () => {
      parser.parse(buffer);
    },
  });
  const decoder = new Decoder({ protocolVersion: c.version });
  Deno.bench({
    name: `mqload Decoder`,
    group: `decode ${c.name}`,
    fn: () => {
      decoder.feed(bytes);
      if (decoder.next() === undefined) throw new Error("no packet");
      // A CONNECT sets the decoder's version; keep it at the case's.
      decoder.protocolVersion = c.version;
    },
  });
}
