import assert from "node:assert/strict";
import type { PacketType } from "./packets.ts";
import {
  ConnackReturnCode,
  connackReturnCodeName,
  isReasonCodeAllowed,
  ReasonCode,
  reasonCodeName,
} from "./reason_codes.ts";

Deno.test("reasonCodeName() names every code of ReasonCode", () => {
  for (const [key, code] of Object.entries(ReasonCode)) {
    const name = reasonCodeName(code);
    assert.ok(name, key);
    // The constant's name is the spec's name without spaces or punctuation (or a synonym of 0x00).
    if (code > 0x02) {
      const squashed = name.replace(/[^A-Za-z0-9]/g, "").toLowerCase();
      assert.equal(key.toLowerCase(), squashed, key);
    }
  }
});

Deno.test("reasonCodeName() picks the name for the packet", () => {
  assert.equal(reasonCodeName(0), "Success");
  assert.equal(reasonCodeName(0, "disconnect"), "Normal disconnection");
  assert.equal(reasonCodeName(0, "suback"), "Granted QoS 0");
  assert.equal(reasonCodeName(2, "suback"), "Granted QoS 2");
  assert.equal(reasonCodeName(0x92, "pubrel"), "Packet Identifier not found");
  assert.equal(reasonCodeName(0x92, "puback"), undefined);
  assert.equal(reasonCodeName(0x03), undefined);
  assert.equal(reasonCodeName(0xff), undefined);
});

Deno.test("isReasonCodeAllowed() follows MQTT 5.0 Table 2-6", () => {
  const counts: Partial<Record<PacketType, number>> = {
    connack: 22,
    puback: 9,
    pubrec: 9,
    pubrel: 2,
    pubcomp: 2,
    suback: 12,
    unsuback: 7,
    disconnect: 30,
    auth: 3,
    connect: 0,
    publish: 0,
  };
  for (const [type, count] of Object.entries(counts)) {
    let allowed = 0;
    for (let code = 0; code < 256; code++) {
      if (isReasonCodeAllowed(code, type as PacketType)) allowed++;
    }
    assert.equal(allowed, count, type);
  }
});

Deno.test("connackReturnCodeName() names the MQTT 3.1.1 return codes", () => {
  assert.equal(connackReturnCodeName(ConnackReturnCode.Accepted), "Connection accepted");
  assert.equal(connackReturnCodeName(ConnackReturnCode.NotAuthorized), "Not authorized");
  assert.equal(connackReturnCodeName(6), undefined);
});
