// Every check the decoder makes, one bad packet each, with the reason code it must report:
// 0x81 Malformed Packet, 0x82 Protocol Error, 0x84 Unsupported Protocol Version.

import assert from "node:assert/strict";
import { decode, Decoder } from "./decode.ts";
import { MqttProtocolError } from "./errors.ts";
import type { ProtocolVersion } from "./packets.ts";
import { ascii } from "./_triple_test.ts";

const MQTT = [0, 4, ...ascii("MQTT")];

/** A v5 PUBLISH QoS 0 to "t" carrying the given property bytes. */
function publishWith(props: number[]): number[] {
  return [0x30, 3 + 1 + props.length, 0, 1, 0x74, props.length, ...props];
}

export const cases: [name: string, version: ProtocolVersion, bytes: number[], code: number][] = [
  // Fixed header.
  ["reserved packet type 0", 4, [0x00, 0], 0x81],
  ["AUTH below MQTT 5", 4, [0xf0, 0], 0x81],
  ["PUBACK with flags", 4, [0x41, 2, 0, 1], 0x81],
  ["PUBREL without its flags", 4, [0x60, 2, 0, 1], 0x81],
  ["SUBSCRIBE without its flags", 4, [0x80, 6, 0, 1, 0, 1, 0x74, 0], 0x81],
  ["UNSUBSCRIBE without its flags", 4, [0xa0, 5, 0, 1, 0, 1, 0x74], 0x81],
  ["PINGREQ with flags", 4, [0xc1, 0], 0x81],
  ["PUBLISH QoS 3", 4, [0x36, 5, 0, 1, 0x74, 0, 1], 0x81],
  ["QoS 0 PUBLISH with DUP", 4, [0x38, 3, 0, 1, 0x74], 0x81],
  ["remaining length over 4 bytes", 4, [0x30, 0xff, 0xff, 0xff, 0xff, 0x01], 0x81],
  ["remaining length not minimal", 4, [0xc0, 0x80, 0x00], 0x81],
  // Remaining length against the fields.
  ["PUBACK shorter than its packet identifier", 4, [0x40, 1, 0], 0x81],
  ["PUBACK v4 with a reason code", 4, [0x40, 3, 0, 1, 0], 0x81],
  ["CONNACK v4 with extra bytes", 4, [0x20, 3, 0, 0, 0], 0x81],
  ["PINGREQ with a body", 4, [0xc0, 1, 0], 0x81],
  ["DISCONNECT v4 with a body", 4, [0xe0, 1, 0], 0x81],
  ["topic length past the packet", 4, [0x30, 3, 0, 5, 0x74], 0x81],
  ["property length past the packet", 5, [0x30, 4, 0, 1, 0x74, 9], 0x81],
  ["property value past the property length", 5, [0x30, 7, 0, 1, 0x74, 2, 0x23, 0, 1], 0x81],
  // Strings.
  ["invalid UTF-8 in a topic", 4, [0x30, 4, 0, 2, 0xc3, 0x28], 0x81],
  ["U+0000 in a topic", 4, [0x30, 3, 0, 1, 0x00], 0x81],
  [
    "U+0000 in a long non-ASCII topic",
    4,
    [0x30, 84, 0, 82, 0xc3, 0xa9, ...Array(79).fill(0x61), 0],
    0x81,
  ],
  ["an encoded surrogate in a topic", 4, [0x30, 5, 0, 3, 0xed, 0xa0, 0x80], 0x81],
  [
    "a truncated sequence in a client identifier",
    4,
    [0x10, 13, ...MQTT, 4, 2, 0, 0, 0, 1, 0xe2],
    0x81,
  ],
  // Topics, filters, packet identifiers.
  ["'+' in a topic name", 4, [0x30, 5, 0, 3, 0x61, 0x2f, 0x2b], 0x81],
  ["'#' in a topic name", 4, [0x30, 3, 0, 1, 0x23], 0x81],
  ["empty topic name v4", 4, [0x30, 2, 0, 0], 0x82],
  ["empty topic name without a topic alias v5", 5, [0x30, 3, 0, 0, 0], 0x82],
  ["PUBLISH packet identifier 0", 4, [0x32, 5, 0, 1, 0x74, 0, 0], 0x82],
  ["PUBACK packet identifier 0", 4, [0x40, 2, 0, 0], 0x82],
  ["'#' not last in a filter", 4, [0x82, 8, 0, 1, 0, 3, 0x23, 0x2f, 0x61, 0], 0x81],
  ["'#' not alone in its level", 4, [0x82, 7, 0, 1, 0, 2, 0x61, 0x23, 0], 0x81],
  ["'+' not alone in its level", 4, [0x82, 7, 0, 1, 0, 2, 0x2b, 0x61, 0], 0x81],
  ["empty topic filter", 4, [0x82, 5, 0, 1, 0, 0, 0], 0x81],
  ["bad filter in UNSUBSCRIBE", 4, [0xa2, 6, 0, 1, 0, 2, 0x61, 0x2b], 0x81],
  [
    "shared subscription without a filter",
    5,
    [0x82, 14, 0, 1, 0, 0, 8, ...ascii("$share/g"), 0],
    0x81,
  ],
  ["empty SUBSCRIBE", 4, [0x82, 2, 0, 1], 0x82],
  ["empty UNSUBSCRIBE", 4, [0xa2, 2, 0, 1], 0x82],
  ["empty SUBACK", 4, [0x90, 2, 0, 1], 0x82],
  ["empty UNSUBACK v5", 5, [0xb0, 3, 0, 1, 0], 0x82],
  // Subscription options.
  ["subscription QoS 3", 4, [0x82, 6, 0, 1, 0, 1, 0x74, 3], 0x81],
  ["v4 subscription option bits", 4, [0x82, 6, 0, 1, 0, 1, 0x74, 0x04], 0x81],
  ["v5 reserved subscription option bits", 5, [0x82, 7, 0, 1, 0, 0, 1, 0x74, 0x40], 0x81],
  ["retain handling 3", 5, [0x82, 7, 0, 1, 0, 0, 1, 0x74, 0x30], 0x82],
  [
    "no local on a shared subscription",
    5,
    [0x82, 16, 0, 1, 0, 0, 10, ...ascii("$share/g/t"), 4],
    0x82,
  ],
  // Properties.
  ["unknown property identifier", 5, publishWith([0x04, 0]), 0x81],
  ["property not allowed in the packet", 5, publishWith([0x11, 0, 0, 0, 1]), 0x81],
  ["repeated single-valued property", 5, publishWith([0x23, 0, 1, 0x23, 0, 2]), 0x82],
  ["topic alias 0", 5, publishWith([0x23, 0, 0]), 0x94],
  ["subscription identifier 0", 5, publishWith([0x0b, 0]), 0x82],
  ["payload format indicator 2", 5, publishWith([0x01, 2]), 0x82],
  ["maximum QoS 2", 5, [0x20, 5, 0, 0, 2, 0x24, 2], 0x82],
  ["receive maximum 0", 5, [0x20, 6, 0, 0, 3, 0x21, 0, 0], 0x82],
  ["maximum packet size 0", 5, [0x20, 8, 0, 0, 5, 0x27, 0, 0, 0, 0], 0x82],
  ["two subscription identifiers in SUBSCRIBE", 5, [
    0x82,
    10,
    0,
    1,
    4,
    0x0b,
    1,
    0x0b,
    2,
    0,
    1,
    0x74,
    0,
  ], 0x82],
  ["authentication data without a method", 5, [0xf0, 6, 0x18, 4, 0x16, 0, 1, 9], 0x82],
  ["property identifier over 4 bytes", 5, publishWith([0x80, 0x80, 0x80, 0x80, 0x01]), 0x81],
  // Reason codes.
  ["reason code not valid in PUBACK", 5, [0x40, 3, 0, 1, 0x04], 0x82],
  ["reason code not valid in DISCONNECT", 5, [0xe0, 1, 0x10], 0x82],
  ["reason code not valid in AUTH", 5, [0xf0, 2, 0x10, 0], 0x82],
  ["reason code not valid in SUBACK", 5, [0x90, 4, 0, 1, 0, 0x10], 0x82],
  ["SUBACK v4 return code 3", 4, [0x90, 3, 0, 1, 3], 0x81],
  ["CONNACK v4 return code 6", 4, [0x20, 2, 0, 6], 0x81],
  ["CONNACK reserved acknowledge flags", 4, [0x20, 2, 2, 0], 0x81],
  ["CONNACK session present on a refusal", 4, [0x20, 2, 1, 5], 0x82],
  // CONNECT.
  ["CONNECT reserved flag", 4, [0x10, 12, ...MQTT, 4, 0x03, 0, 0, 0, 0], 0x81],
  ["will QoS without a will", 4, [0x10, 12, ...MQTT, 4, 0x08, 0, 0, 0, 0], 0x81],
  ["will retain without a will", 4, [0x10, 12, ...MQTT, 4, 0x20, 0, 0, 0, 0], 0x81],
  ["will QoS 3", 4, [0x10, 18, ...MQTT, 4, 0x1c, 0, 0, 0, 0, 0, 1, 0x74, 0, 1, 0x78], 0x81],
  [
    "password without a user name v4",
    4,
    [0x10, 15, ...MQTT, 4, 0x40, 0, 0, 0, 0, 0, 1, 0x70],
    0x81,
  ],
  ["wildcard in the will topic", 4, [
    0x10,
    18,
    ...MQTT,
    4,
    0x04,
    0,
    0,
    0,
    0,
    0,
    1,
    0x23,
    0,
    1,
    0x78,
  ], 0x81],
  ["protocol level 6", 4, [0x10, 12, ...MQTT, 6, 0x02, 0, 0, 0, 0], 0x84],
  ["MQIsdp at level 4", 4, [0x10, 14, 0, 6, ...ascii("MQIsdp"), 4, 0x02, 0, 0, 0, 0], 0x84],
  ["unknown protocol name", 4, [0x10, 12, 0, 4, ...ascii("MQTX"), 4, 0x02, 0, 0, 0, 0], 0x82],
  ["CONNECT cut short", 4, [0x10, 10, ...MQTT, 4, 0x02, 0, 0], 0x81],
];

for (const [name, version, bytes, code] of cases) {
  Deno.test(`decode() v${version} rejects ${name} with 0x${code.toString(16)}`, () => {
    const check = (e: unknown) => {
      assert.ok(e instanceof MqttProtocolError, `not an MqttProtocolError: ${e}`);
      assert.equal(e.reasonCode, code, (e as Error).message);
      assert.equal(e.code, "protocol");
      return true;
    };
    assert.throws(() => decode(Uint8Array.from(bytes), version), check);
    // The same through a Decoder fed one byte at a time.
    const decoder = new Decoder({ protocolVersion: version });
    assert.throws(() => {
      for (const byte of bytes) {
        decoder.feed(Uint8Array.of(byte));
        decoder.next();
      }
      assert.fail("no error");
    }, check);
  });
}
