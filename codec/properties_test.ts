// Every MQTT 5 property in every packet: decoded and re-encoded byte for byte where the spec
// allows it, refused by both decoder (0x81) and encoder (TypeError) where it does not.

import assert from "node:assert/strict";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { MqttProtocolError } from "./errors.ts";
import type { Packet, Properties } from "./packets.ts";
import {
  isPropertyAllowed,
  PROPERTY_DEFINITIONS,
  propertyById,
  propertyByName,
  type PropertyContext,
  type PropertyType,
} from "./properties.ts";
import { ascii, u8 } from "./_triple_test.ts";

// A v5 packet of each kind around a property block (`p`: its bytes, length prefix added here).
const packets: Record<Exclude<PropertyContext, "pingreq" | "pingresp">, (p: number[]) => number[]> =
  {
    connect: (p) => [0x10, ...body([0, 4, ...ascii("MQTT"), 5, 0x02, 0, 0, p.length, ...p, 0, 0])],
    will: (p) => [
      0x10,
      ...body([0, 4, ...ascii("MQTT"), 5, 0x06, 0, 0, 0, 0, 0, p.length, ...p, 0, 1, 0x77, 0, 0]),
    ],
    connack: (p) => [0x20, ...body([0, 0, p.length, ...p])],
    publish: (p) => [0x30, ...body([0, 1, 0x74, p.length, ...p])],
    puback: (p) => [0x40, ...body([0, 1, 0, p.length, ...p])],
    pubrec: (p) => [0x50, ...body([0, 1, 0, p.length, ...p])],
    pubrel: (p) => [0x62, ...body([0, 1, 0, p.length, ...p])],
    pubcomp: (p) => [0x70, ...body([0, 1, 0, p.length, ...p])],
    subscribe: (p) => [0x82, ...body([0, 1, p.length, ...p, 0, 1, 0x74, 0])],
    suback: (p) => [0x90, ...body([0, 1, p.length, ...p, 0])],
    unsubscribe: (p) => [0xa2, ...body([0, 1, p.length, ...p, 0, 1, 0x74])],
    unsuback: (p) => [0xb0, ...body([0, 1, p.length, ...p, 0])],
    disconnect: (p) => [0xe0, ...body([0, p.length, ...p])],
    auth: (p) => [0xf0, ...body([0, p.length, ...p])],
  };

function body(bytes: number[]): number[] {
  assert.ok(bytes.length < 128);
  return [bytes.length, ...bytes];
}

// A sample value of each type: its bytes and what it decodes to.
const samples: Record<PropertyType, [bytes: number[], value: unknown]> = {
  byte: [[1], true],
  twoByteInteger: [[1, 44], 300],
  fourByteInteger: [[0, 1, 17, 112], 70000],
  variableByteInteger: [[0xac, 0x02], [300]],
  utf8String: [[0, 2, ...ascii("ab")], "ab"],
  binaryData: [[0, 2, 1, 2], u8([1, 2])],
  utf8StringPair: [[0, 1, 0x6b, 0, 1, 0x76], [["k", "v"]]],
};

function propertiesOf(packet: Packet, context: PropertyContext): Properties | undefined {
  if (context === "will") return packet.type === "connect" ? packet.will?.properties : undefined;
  return "properties" in packet ? packet.properties : undefined;
}

for (const d of PROPERTY_DEFINITIONS) {
  Deno.test(`property ${d.name} (0x${d.id.toString(16)}) in every packet`, () => {
    const [bytes, sample] = samples[d.type];
    const value = d.name === "maximumQoS" ? 1 : sample;
    // Authentication data needs its method beside it.
    const prefix = d.name === "authenticationData" ? [0x15, 0, 1, 0x4d] : [];
    const expected: Properties = d.name === "authenticationData"
      ? { authenticationMethod: "M", authenticationData: value as Uint8Array }
      : { [d.name]: value };
    for (const [context, build] of Object.entries(packets)) {
      const wire = build([...prefix, d.id, ...bytes]);
      const base = decode(Uint8Array.from(build([])), 5);
      if (d.contexts.includes(context as PropertyContext)) {
        const packet = decode(Uint8Array.from(wire), 5);
        assert.deepEqual(propertiesOf(packet, context as PropertyContext), expected, context);
        assert.deepEqual([...encode(packet, 5)], wire, context);
      } else {
        assert.throws(() => decode(Uint8Array.from(wire), 5), (e: unknown) => {
          assert.ok(e instanceof MqttProtocolError);
          assert.equal(e.reasonCode, 0x81, `${context}: ${e.message}`);
          return true;
        });
        const withProperty = structuredClone(base) as Packet & { properties?: Properties };
        if (context === "will" && withProperty.type === "connect") {
          withProperty.will!.properties = expected;
        } else {
          withProperty.properties = expected;
        }
        assert.throws(() => encode(withProperty, 5), TypeError, context);
      }
    }
  });
}

Deno.test("property table matches MQTT 5.0 §2.2.2.2", () => {
  assert.equal(PROPERTY_DEFINITIONS.length, 27);
  assert.equal(new Set(PROPERTY_DEFINITIONS.map((d) => d.id)).size, 27);
  assert.deepEqual(
    PROPERTY_DEFINITIONS.filter((d) => d.repeatable).map((d) => d.name),
    ["subscriptionIdentifiers", "userProperties"],
  );
  for (const d of PROPERTY_DEFINITIONS) {
    assert.equal(propertyById(d.id), d);
    assert.equal(propertyByName(d.name), d);
  }
  assert.equal(propertyById(0), undefined);
  assert.equal(propertyByName("nope"), undefined);
  assert.equal(isPropertyAllowed("userProperties", "pingreq"), false);
  assert.equal(isPropertyAllowed("nope", "publish"), false);
  const counts = Object.fromEntries(
    Object.keys(packets).map((
      c,
    ) => [c, PROPERTY_DEFINITIONS.filter((d) => d.contexts.includes(c as PropertyContext)).length]),
  );
  assert.deepEqual(counts, {
    connect: 9,
    will: 7,
    connack: 17,
    publish: 8,
    puback: 2,
    pubrec: 2,
    pubrel: 2,
    pubcomp: 2,
    subscribe: 2,
    suback: 2,
    unsubscribe: 1,
    unsuback: 2,
    disconnect: 4,
    auth: 4,
  });
});
