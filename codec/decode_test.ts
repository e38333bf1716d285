import assert from "node:assert/strict";
import { decode, Decoder } from "./decode.ts";
import { encode } from "./encode.ts";
import { MqttProtocolError } from "./errors.ts";
import type { Packet, ProtocolVersion } from "./packets.ts";
import { u8 } from "./_triple_test.ts";

function stream(version: ProtocolVersion): { bytes: Uint8Array; packets: Packet[] } {
  const v5 = version === 5;
  const packets: Packet[] = [
    { type: "connack", sessionPresent: false, reasonCode: 0 },
    {
      type: "publish",
      topic: "a/b",
      payload: u8("hello"),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 1,
      ...(v5 ? { properties: { userProperties: [["k", "v"]] } } : {}),
    },
    { type: "pingresp" },
    {
      type: "publish",
      topic: "a/b",
      payload: u8(new Array(300).fill(7)),
      qos: 0,
      retain: true,
      dup: false,
    },
    { type: "suback", packetId: 2, reasonCodes: [0, 1] },
    v5 ? { type: "puback", packetId: 3, reasonCode: 0x10 } : { type: "puback", packetId: 3 },
    { type: "publish", topic: "x", payload: u8([]), qos: 2, retain: false, dup: true, packetId: 4 },
  ];
  const parts = packets.map((p) => encode(p, version));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return { bytes, packets };
}

function drain(decoder: Decoder, out: Packet[]): void {
  for (let p = decoder.next(); p !== undefined; p = decoder.next()) out.push(structuredClone(p));
}

for (const version of [3, 4, 5] as const) {
  Deno.test(`Decoder v${version} decodes a stream split at every position`, () => {
    const { bytes, packets } = stream(version);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new Decoder({ protocolVersion: version });
      const out: Packet[] = [];
      decoder.feed(bytes.subarray(0, cut));
      drain(decoder, out);
      decoder.feed(bytes.subarray(cut));
      drain(decoder, out);
      assert.deepEqual(out, packets, `split at ${cut}`);
      assert.equal(decoder.buffered, 0);
    }
  });

  Deno.test(`Decoder v${version} decodes a stream fed one byte at a time`, () => {
    const { bytes, packets } = stream(version);
    const decoder = new Decoder({ protocolVersion: version });
    const out: Packet[] = [];
    for (const byte of bytes) {
      decoder.feed(Uint8Array.of(byte));
      drain(decoder, out);
    }
    assert.deepEqual(out, packets);
  });

  Deno.test(`Decoder v${version} decodes a stream cut at every pair of positions`, () => {
    const { bytes, packets } = stream(version);
    // Three pieces, every pair of cut points with a stride that keeps this fast.
    for (let a = 0; a <= bytes.length; a += 3) {
      for (let b = a; b <= bytes.length; b += 7) {
        const decoder = new Decoder({ protocolVersion: version });
        const out: Packet[] = [];
        for (const piece of [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]) {
          decoder.feed(piece);
          drain(decoder, out);
        }
        assert.deepEqual(out, packets, `cuts at ${a} and ${b}`);
      }
    }
  });
}

Deno.test("Decoder keeps undecoded bytes when fed again before draining", () => {
  const { bytes, packets } = stream(4);
  const decoder = new Decoder();
  for (let i = 0; i < bytes.length; i += 5) decoder.feed(bytes.subarray(i, i + 5));
  const out: Packet[] = [];
  drain(decoder, out);
  assert.deepEqual(out, packets);
});

Deno.test("Decoder returns payloads as views into the chunk when the packet is whole", () => {
  const chunk = encode({
    type: "publish",
    topic: "t",
    payload: u8("abc"),
    qos: 0,
    retain: false,
    dup: false,
  });
  const decoder = new Decoder();
  decoder.feed(chunk);
  const packet = decoder.next();
  assert.equal(packet?.type, "publish");
  if (packet?.type !== "publish") return;
  assert.equal(packet.payload.buffer, chunk.buffer);
  assert.equal(packet.payload.byteOffset, chunk.byteOffset + 5);
});

Deno.test("Decoder gives each split packet its own buffer, so earlier payloads stay valid", () => {
  const a = encode({
    type: "publish",
    topic: "t",
    payload: u8("first"),
    qos: 0,
    retain: false,
    dup: false,
  });
  const b = encode({
    type: "publish",
    topic: "t",
    payload: u8("second"),
    qos: 0,
    retain: false,
    dup: false,
  });
  const decoder = new Decoder();
  decoder.feed(a.subarray(0, 3));
  assert.equal(decoder.next(), undefined);
  // The rest of `a`, and `b` split: `a` completes, then `b` is assembled.
  const middle = new Uint8Array([...a.subarray(3), ...b.subarray(0, 4)]);
  decoder.feed(middle);
  const first = decoder.next();
  assert.equal(decoder.next(), undefined);
  decoder.feed(b.subarray(4));
  const second = decoder.next();
  assert.ok(first?.type === "publish" && second?.type === "publish");
  assert.equal(new TextDecoder().decode(first.payload), "first");
  assert.equal(new TextDecoder().decode(second.payload), "second");
});

Deno.test("Decoder assembles a large packet fed in small chunks", () => {
  const payload = new Uint8Array(300_000).map((_, i) => i * 7);
  const bytes = encode({
    type: "publish",
    topic: "big",
    payload,
    qos: 0,
    retain: false,
    dup: false,
  });
  const decoder = new Decoder();
  let packet: Packet | undefined;
  for (let i = 0; i < bytes.length; i += 1000) {
    decoder.feed(bytes.subarray(i, i + 1000));
    packet = decoder.next() ?? packet;
  }
  assert.ok(packet?.type === "publish");
  assert.deepEqual(packet.payload, payload);
  assert.equal(decoder.buffered, 0);
});

Deno.test("Decoder refuses an oversize packet from its fixed header alone", () => {
  for (const split of [false, true]) {
    const decoder = new Decoder({ maximumPacketSize: 1000 });
    // PUBLISH announcing 2000 bytes; none of the body is ever fed.
    const header = Uint8Array.of(0x30, 0xd0, 0x0f);
    if (split) {
      decoder.feed(header.subarray(0, 2));
      assert.equal(decoder.next(), undefined);
      decoder.feed(header.subarray(2));
    } else {
      decoder.feed(header);
    }
    assert.throws(() => decoder.next(), (e: unknown) => {
      assert.ok(e instanceof MqttProtocolError);
      assert.equal(e.reasonCode, 0x95);
      return true;
    });
  }
});

Deno.test("Decoder counts the fixed header in the maximum packet size", () => {
  const bytes = encode({
    type: "publish",
    topic: "t",
    payload: new Uint8Array(10),
    qos: 0,
    retain: false,
    dup: false,
  });
  assert.equal(bytes.length, 15);
  const exact = new Decoder({ maximumPacketSize: 15 });
  exact.feed(bytes);
  assert.equal(exact.next()?.type, "publish");
  const under = new Decoder({ maximumPacketSize: 14 });
  under.feed(bytes);
  assert.throws(() => under.next(), MqttProtocolError);
});

Deno.test("Decoder takes its protocol version from a decoded CONNECT", () => {
  const decoder = new Decoder();
  decoder.feed(
    encode({ type: "connect", protocolVersion: 5, clientId: "c", cleanStart: true, keepalive: 0 }),
  );
  assert.equal(decoder.next()?.type, "connect");
  assert.equal(decoder.protocolVersion, 5);
  decoder.feed(encode({ type: "disconnect", reasonCode: 4 }, 5));
  assert.deepEqual(decoder.next(), { type: "disconnect", reasonCode: 4 });
});

Deno.test("Decoder protocol version is settable", () => {
  const decoder = new Decoder({ protocolVersion: 4 });
  decoder.protocolVersion = 5;
  decoder.feed(Uint8Array.of(0xf0, 0x00));
  assert.deepEqual(decoder.next(), { type: "auth", reasonCode: 0 });
});

Deno.test("Decoder constructor and feed check their arguments", () => {
  assert.throws(() => new Decoder({ protocolVersion: 6 as never }), RangeError);
  assert.throws(() => new Decoder({ maximumPacketSize: 1 }), RangeError);
  assert.throws(() => new Decoder().feed([1, 2] as never), TypeError);
});

Deno.test("Decoder reuses its topic cache without mixing topics up", () => {
  const decoder = new Decoder();
  const topics = Array.from({ length: 300 }, (_, i) => `devices/${i % 150}/${"x".repeat(i % 9)}`);
  for (const topic of [...topics, ...topics]) {
    decoder.feed(
      encode({ type: "publish", topic, payload: u8([]), qos: 0, retain: false, dup: false }),
    );
    const packet = decoder.next();
    assert.ok(packet?.type === "publish");
    assert.equal(packet.topic, topic);
  }
});

Deno.test("Decoders share the topic cache without mixing topics up", () => {
  // Two connections' decoders, interleaved: the cache is the isolate's, each gets its own topics,
  // including ones that differ only in the bytes the cache's hash skips, non-ASCII ones and ones
  // longer than a slot.
  const decoders = [new Decoder(), new Decoder()];
  const topics = Array.from(
    { length: 600 },
    (_, i) =>
      i % 3 === 0
        ? `a${i % 7}b/${"é".repeat(i % 5)}/${i % 11}`
        : i % 3 === 1
        ? `z${"y".repeat(70 + (i % 4))}`
        : `s/${String.fromCharCode(97 + (i % 26))}${i % 2}/end`,
  );
  topics.forEach((topic, i) => {
    const decoder = decoders[i % 2]!;
    decoder.feed(
      encode({ type: "publish", topic, payload: u8([]), qos: 0, retain: false, dup: false }),
    );
    const packet = decoder.next();
    assert.ok(packet?.type === "publish");
    assert.equal(packet.topic, topic);
  });
});

Deno.test("decode() decodes exactly one packet", () => {
  assert.deepEqual(decode(Uint8Array.of(0xd0, 0)), { type: "pingresp" });
  assert.throws(() => decode(Uint8Array.of(0xd0)), MqttProtocolError);
  assert.throws(() => decode(Uint8Array.of(0x40, 2, 0)), MqttProtocolError);
  assert.throws(() => decode(Uint8Array.of(0xd0, 0, 0xd0, 0)), MqttProtocolError);
  assert.throws(() => decode(new Uint8Array(0)), MqttProtocolError);
});

Deno.test("decode() accepts what MQTT 3.1 did differently, at level 3 only", () => {
  // DUP on a resent PUBREL, SUBSCRIBE or UNSUBSCRIBE.
  assert.deepEqual(decode(Uint8Array.of(0x6a, 2, 0, 1), 3), { type: "pubrel", packetId: 1 });
  assert.deepEqual(decode(Uint8Array.of(0xaa, 5, 0, 1, 0, 1, 0x74), 3), {
    type: "unsubscribe",
    packetId: 1,
    topicFilters: ["t"],
  });
  assert.throws(() => decode(Uint8Array.of(0x6a, 2, 0, 1), 4), MqttProtocolError);
  // CONNACK's first byte is reserved and unused: no session present.
  assert.deepEqual(decode(Uint8Array.of(0x20, 2, 0xff, 0), 3), {
    type: "connack",
    sessionPresent: false,
    reasonCode: 0,
  });
  assert.throws(() => decode(Uint8Array.of(0x20, 2, 0xff, 0), 4), MqttProtocolError);
  assert.deepEqual([...encode({ type: "connack", sessionPresent: true, reasonCode: 0 }, 3)], [
    0x20,
    2,
    0,
    0,
  ]);
});

Deno.test("decode v5: a 3.1.1 server's CONNACK refusal reads as the matching v5 reason code", () => {
  // Return code 1 (unacceptable protocol level) with no properties: what a 3.1.1-only broker
  // answers to an MQTT 5 CONNECT.
  assert.deepEqual(decode(new Uint8Array([0x20, 2, 0, 1]), 5), {
    type: "connack",
    sessionPresent: false,
    reasonCode: 0x84,
  });
  assert.equal(
    (decode(new Uint8Array([0x20, 2, 0, 5]), 5) as { reasonCode: number }).reasonCode,
    0x87,
  );
  // A v5 CONNACK proper still has its property length.
  assert.throws(() => decode(new Uint8Array([0x20, 2, 0, 0x10]), 5));
});

Deno.test("decode() v5 takes an unlisted failure code in an acknowledgement as that failure", () => {
  // mosquitto 2.0 answers a PUBLISH over message_size_limit with PUBACK / PUBREC 0x95, a code
  // the PUBACK list lacks: the message was refused, the connection is fine.
  for (const [type, first] of [["puback", 0x40], ["pubrec", 0x50]] as const) {
    const packet = decode(Uint8Array.from([first, 3, 0, 7, 0x95]), 5);
    assert.deepEqual(packet, { type, packetId: 7, reasonCode: 0x95 });
    assert.deepEqual([...encode(packet, 5)], [first, 3, 0, 7, 0x95]);
  }
  const suback = decode(Uint8Array.from([0x90, 4, 0, 1, 0, 0x95]), 5);
  assert.equal(suback.type === "suback" && suback.reasonCodes[0], 0x95);
  // An unlisted success code is still a protocol error.
  assert.throws(() => decode(Uint8Array.from([0x40, 3, 0, 7, 0x04]), 5), MqttProtocolError);
});
