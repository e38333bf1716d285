// The parse/generate/mirror check every byte fixture runs through.

import assert from "node:assert/strict";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { Encoder } from "./encoder.ts";
import type { Packet, ProtocolVersion } from "./packets.ts";

/**
 * Registers one fixture: `bytes` decode to `packet` (parse), `packet` encodes to `bytes`
 * (generate, with encode() and an Encoder), and decoding the encoding gives `packet` back
 * (mirror).
 */
export function triple(
  version: ProtocolVersion,
  name: string,
  bytes: number[],
  packet: Packet,
): void {
  Deno.test(`fixture v${version} ${name}`, async (t) => {
    await t.step("parse", () => {
      assert.deepEqual(decode(Uint8Array.from(bytes), version), packet);
    });
    await t.step("generate", () => {
      assert.deepEqual([...encode(packet, version)], bytes);
      assert.deepEqual([...new Encoder({ protocolVersion: version }).encode(packet)], bytes);
    });
    await t.step("mirror", () => {
      assert.deepEqual(decode(encode(packet, version), version), packet);
    });
  });
}

/** The bytes of an ASCII string, for readable fixtures. */
export function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

/** A Uint8Array from bytes or an ASCII string. */
export function u8(data: number[] | string): Uint8Array {
  return Uint8Array.from(typeof data === "string" ? ascii(data) : data);
}
