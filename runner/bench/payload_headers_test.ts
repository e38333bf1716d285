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
