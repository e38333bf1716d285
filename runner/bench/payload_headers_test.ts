import assert from "node:assert/strict";
import { PayloadHeaders } from "./payload_headers.ts";

Deno.test("PayloadHeaders reads no headers from a payload sent without them", () => {
  const headers = new PayloadHeaders(["cnt64", "ts"]);
  // A publisher without --payload-hdrs: its payload's bytes are no count and send time.
  assert.equal(headers.read(new TextEncoder().encode("a".repeat(32))), undefined);
  assert.equal(headers.read(new Uint8Array(16)), undefined);
  const now = Date.now();
  assert.deepEqual(headers.read(headers.stamp(new Uint8Array(4), now)), { count: 0, sentAt: now });
});

Deno.test("PayloadHeaders writes and reads big-endian 64-bit fields, as emqtt-bench's", () => {
  const headers = new PayloadHeaders(["ts"]);
  for (const value of [1_700_000_000_123, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, 2 ** 53 - 1]) {
    const stamped = headers.stamp(Uint8Array.of(9), value);
    const expected = new Uint8Array(9);
    new DataView(expected.buffer).setBigUint64(0, BigInt(value));
    expected[8] = 9;
    assert.deepEqual(stamped, expected, `ts ${value}`);
    // Read back whole, however large (a day ahead of the value is still a send time).
    assert.equal(new PayloadHeaders(["cnt64"]).read(stamped)?.count, value);
  }
  const counted = new PayloadHeaders(["cnt64", "ts"]);
  for (let i = 0; i < 3; i++) counted.stamp(new Uint8Array(0), 0);
  const fourth = counted.stamp(new Uint8Array(0), 1_700_000_000_000);
  assert.equal(new DataView(fourth.buffer).getBigUint64(0), 3n);
  assert.equal(new DataView(fourth.buffer).getBigUint64(8), 1_700_000_000_000n);
});
