import assert from "node:assert/strict";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { Encoder } from "./encoder.ts";
import type { Packet, ProtocolVersion, PublishPacket } from "./packets.ts";
import { u8 } from "./_triple_test.ts";

const publish = (over: Partial<PublishPacket> = {}): PublishPacket => ({
  type: "publish",
  topic: "t",
  payload: u8("x"),
  qos: 0,
  retain: false,
  dup: false,
  ...over,
});
const connect = (over: object = {}): Packet => ({
  type: "connect",
  protocolVersion: 4,
  clientId: "c",
  cleanStart: true,
  keepalive: 0,
  ...over,
});

const bad: [name: string, packet: unknown, version: ProtocolVersion, error: ErrorConstructor][] = [
  ["an unknown packet type", { type: "nope" }, 4, TypeError],
  ["a non-object packet", null, 4, TypeError],
  ["QoS 3", publish({ qos: 3 as never, packetId: 1 }), 4, RangeError],
  ["a QoS 1 PUBLISH without packet identifier", publish({ qos: 1 }), 4, RangeError],
  ["packet identifier 0", publish({ qos: 2, packetId: 0 }), 4, RangeError],
  ["packet identifier 65536", { type: "puback", packetId: 65536 }, 4, RangeError],
  ["a fractional packet identifier", { type: "puback", packetId: 1.5 }, 4, RangeError],
  ["DUP on QoS 0", publish({ dup: true }), 4, TypeError],
  ["'+' in a topic name", publish({ topic: "a/+" }), 4, TypeError],
  ["'#' in a topic name", publish({ topic: "#" }), 5, TypeError],
  ["an empty topic name v4", publish({ topic: "" }), 4, TypeError],
  ["an empty topic name without alias v5", publish({ topic: "" }), 5, TypeError],
  ["U+0000 in a topic", publish({ topic: "a\0" }), 4, TypeError],
  ["a lone surrogate in a topic", publish({ topic: "a\ud800" }), 4, TypeError],
  ["a topic over 65535 bytes", publish({ topic: "é".repeat(32768) }), 4, RangeError],
  ["a non-string topic", publish({ topic: 5 as never }), 4, TypeError],
  ["a string payload", publish({ payload: "x" as never }), 4, TypeError],
  ["'#' not last in a filter", sub("a/#/b"), 4, TypeError],
  ["'#' not alone in its level", sub("a#"), 4, TypeError],
  ["'+' not alone in its level", sub("a/b+"), 4, TypeError],
  ["an empty filter", sub(""), 4, TypeError],
  ["a shared subscription without a name", sub("$share//a"), 5, TypeError],
  ["a shared subscription without a filter", sub("$share/g"), 5, TypeError],
  ["no local on a shared subscription", sub("$share/g/a", { noLocal: true }), 5, TypeError],
  ["retain handling 3", sub("a", { retainHandling: 3 }), 5, RangeError],
  ["subscription QoS 3", sub("a", { qos: 3 }), 4, RangeError],
  ["an empty SUBSCRIBE", { type: "subscribe", packetId: 1, subscriptions: [] }, 4, TypeError],
  ["an empty UNSUBSCRIBE", { type: "unsubscribe", packetId: 1, topicFilters: [] }, 4, TypeError],
  [
    "a bad filter in UNSUBSCRIBE",
    { type: "unsubscribe", packetId: 1, topicFilters: ["+a"] },
    4,
    TypeError,
  ],
  ["an empty SUBACK", { type: "suback", packetId: 1, reasonCodes: [] }, 4, TypeError],
  [
    "SUBACK v4 return code 0x87",
    { type: "suback", packetId: 1, reasonCodes: [0x87] },
    4,
    RangeError,
  ],
  [
    "SUBACK v5 reason code 0x10",
    { type: "suback", packetId: 1, reasonCodes: [0x10] },
    5,
    RangeError,
  ],
  ["UNSUBACK v5 without reason codes", { type: "unsuback", packetId: 1 }, 5, TypeError],
  ["PUBACK reason code 0x04", { type: "puback", packetId: 1, reasonCode: 0x04 }, 5, RangeError],
  ["PUBACK reason code 256", { type: "puback", packetId: 1, reasonCode: 256 }, 5, RangeError],
  ["DISCONNECT reason code 0x10", { type: "disconnect", reasonCode: 0x10 }, 5, RangeError],
  [
    "CONNACK v4 return code 6",
    { type: "connack", sessionPresent: false, reasonCode: 6 },
    4,
    RangeError,
  ],
  [
    "CONNACK v5 reason code 0x10",
    { type: "connack", sessionPresent: false, reasonCode: 0x10 },
    5,
    RangeError,
  ],
  [
    "session present on a refusal",
    { type: "connack", sessionPresent: true, reasonCode: 5 },
    4,
    TypeError,
  ],
  ["AUTH below MQTT 5", { type: "auth", reasonCode: 0 }, 4, TypeError],
  [
    "authentication data without a method",
    { type: "auth", reasonCode: 0x18, properties: { authenticationData: u8([1]) } },
    5,
    TypeError,
  ],
  [
    "a property not allowed in the packet",
    publish({ properties: { sessionExpiryInterval: 1 } }),
    5,
    TypeError,
  ],
  [
    "a will-only property in CONNECT",
    connect({ protocolVersion: 5, properties: { willDelayInterval: 1 } }),
    5,
    TypeError,
  ],
  ["an unknown property", publish({ properties: { colour: "red" } as never }), 5, TypeError],
  ["topic alias 0", publish({ properties: { topicAlias: 0 } }), 5, RangeError],
  [
    "a four-byte integer over 2^32",
    { type: "disconnect", properties: { sessionExpiryInterval: 2 ** 32 } },
    5,
    RangeError,
  ],
  [
    "a boolean property given as a number",
    publish({ properties: { payloadFormatIndicator: 1 as never } }),
    5,
    TypeError,
  ],
  [
    "maximum QoS 2",
    { type: "connack", sessionPresent: false, reasonCode: 0, properties: { maximumQoS: 2 } },
    5,
    RangeError,
  ],
  [
    "subscription identifier 0",
    publish({ properties: { subscriptionIdentifiers: [0] } }),
    5,
    RangeError,
  ],
  [
    "two subscription identifiers in SUBSCRIBE",
    { ...sub("a"), properties: { subscriptionIdentifiers: [1, 2] } },
    5,
    TypeError,
  ],
  [
    "a user property that is not a pair",
    publish({ properties: { userProperties: [["a"]] as never } }),
    5,
    TypeError,
  ],
  [
    "a binary property given as a string",
    publish({ properties: { correlationData: "x" as never } }),
    5,
    TypeError,
  ],
  ["CONNECT protocol version 6", connect({ protocolVersion: 6 }), 4, RangeError],
  ["keepalive 65536", connect({ keepalive: 65536 }), 4, RangeError],
  ["a password without a user name v4", connect({ password: u8("p") }), 4, TypeError],
  [
    "a will topic with a wildcard",
    connect({ will: { topic: "a/#", payload: u8(""), qos: 0, retain: false } }),
    4,
    TypeError,
  ],
  [
    "an empty will topic",
    connect({ will: { topic: "", payload: u8(""), qos: 0, retain: false } }),
    4,
    TypeError,
  ],
  [
    "will QoS 3",
    connect({ will: { topic: "w", payload: u8(""), qos: 3, retain: false } }),
    4,
    RangeError,
  ],
  [
    "a will payload over 65535 bytes",
    connect({ will: { topic: "w", payload: new Uint8Array(65536), qos: 0, retain: false } }),
    4,
    RangeError,
  ],
  ["a non-string client identifier", connect({ clientId: undefined }), 4, TypeError],
];

function sub(topicFilter: string, options: object = {}): Packet {
  return { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter, qos: 0, ...options }] };
}

for (const [name, packet, version, error] of bad) {
  Deno.test(`encode() v${version} refuses ${name} with ${error.name}`, () => {
    assert.throws(() => encode(packet as Packet, version), error);
    assert.throws(() => new Encoder({ protocolVersion: version }).encode(packet as Packet), error);
  });
}

Deno.test("encode() refuses an unsupported protocol version", () => {
  assert.throws(() => encode({ type: "pingreq" }, 6 as never), RangeError);
  assert.throws(() => new Encoder({ protocolVersion: 2 as never }), RangeError);
  assert.throws(() => new Encoder({ slabSize: 10 }), RangeError);
});

Deno.test("encode() refuses a packet over 256 MiB without allocating it", () => {
  const payload = new Uint8Array(1);
  Object.defineProperty(payload, "length", { value: 268435456 });
  assert.throws(() => encode(publish({ payload })), RangeError);
});

Deno.test("encode() ignores MQTT 5 fields below MQTT 5", () => {
  const packet = publish({ properties: { sessionExpiryInterval: 1, colour: 1 } as never });
  assert.deepEqual([...encode(packet, 4)], [0x30, 4, 0, 1, 0x74, 0x78]);
  assert.deepEqual([...encode({ type: "puback", packetId: 1, reasonCode: 0x10 }, 4)], [
    0x40,
    2,
    0,
    1,
  ]);
  assert.deepEqual([...encode({ type: "disconnect", reasonCode: 4 }, 3)], [0xe0, 0]);
  assert.deepEqual([...encode({ type: "unsuback", packetId: 1, reasonCodes: [0] }, 4)], [
    0xb0,
    2,
    0,
    1,
  ]);
});

Deno.test("encode() skips properties set to undefined and keeps user property order", () => {
  const bytes = encode(
    publish({
      properties: { topicAlias: undefined, userProperties: [["b", "2"], ["a", "1"], ["b", "3"]] },
    }),
    5,
  );
  const packet = decode(bytes, 5);
  assert.ok(packet.type === "publish");
  assert.deepEqual(packet.properties, { userProperties: [["b", "2"], ["a", "1"], ["b", "3"]] });
});

Deno.test("encode() writes non-ASCII strings of every UTF-8 length", () => {
  for (const topic of ["é", "€", "𝄞", "a€𝄞é".repeat(100), "x".repeat(300) + "€"]) {
    const packet = decode(encode(publish({ topic })));
    assert.ok(packet.type === "publish");
    assert.equal(packet.topic, topic);
    const bytes = encode(publish({ topic }));
    const utf8 = new TextEncoder().encode(topic);
    assert.deepEqual(bytes.subarray(bytes.length - 1 - utf8.length, bytes.length - 1), utf8);
  }
});

Deno.test("encode() hands out small packets as distinct views, credentials in their own buffer", () => {
  const a = encode({ type: "pingreq" });
  const b = encode({ type: "pingreq" });
  a[0] = 0;
  assert.deepEqual([...a, ...b], [0, 0, 0xc0, 0]); // Views never overlap.
  const connect = encode({
    type: "connect",
    protocolVersion: 4,
    clientId: "c",
    cleanStart: true,
    keepalive: 0,
    username: "u",
    password: u8("secret"),
  });
  assert.equal(connect.byteOffset, 0);
  assert.equal(connect.buffer.byteLength, connect.length);
});

Deno.test("Encoder hands out distinct views that stay valid as slabs fill", () => {
  const encoder = new Encoder({ slabSize: 256 });
  const packets = Array.from(
    { length: 50 },
    (_, i) => publish({ qos: 1, packetId: i + 1, payload: u8([i]) }),
  );
  const out = packets.map((p) => encoder.encode(p));
  out.forEach((bytes, i) => assert.deepEqual(decode(bytes), packets[i]));
  // A packet above a quarter of the slab gets a buffer of its own.
  const big = encoder.encode(publish({ payload: new Uint8Array(100) }));
  assert.equal(big.byteOffset, 0);
  assert.equal(big.buffer.byteLength, big.length);
});

Deno.test("Encoder uses its protocol version, and CONNECT its own", () => {
  const encoder = new Encoder({ protocolVersion: 5 });
  assert.deepEqual([...encoder.encode({ type: "disconnect", reasonCode: 4 })], [0xe0, 1, 4]);
  encoder.protocolVersion = 4;
  assert.deepEqual([...encoder.encode({ type: "disconnect", reasonCode: 4 })], [0xe0, 0]);
  const bytes = encoder.encode(connect({ protocolVersion: 5 }));
  assert.equal(bytes[8], 5);
  encoder.protocolVersion = 6 as never;
  assert.throws(() => encoder.encode({ type: "pingreq" }), RangeError);
});
