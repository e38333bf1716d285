import assert from "node:assert/strict";
import { BufferPool } from "./_buffer_pool.ts";
import { type AckType, encodeAck, encodeDisconnect, PINGREQ_BYTES } from "./_encode_fixed.ts";
import { encode } from "./encode.ts";

const ACKS: AckType[] = ["puback", "pubrec", "pubrel", "pubcomp"];

Deno.test("encodeAck() writes what encode() writes, in every version", () => {
  const pool = new BufferPool(512);
  for (const type of ACKS) {
    for (const packetId of [1, 0x1234, 65535]) {
      for (const version of [3, 4, 5] as const) {
        assert.deepEqual(
          [...encodeAck(pool, type, packetId)],
          [...encode({ type, packetId }, version)],
        );
      }
      assert.deepEqual(
        [...encodeAck(pool, type, packetId, 0x92)],
        [...encode({ type, packetId, reasonCode: 0x92 }, 5)],
      );
    }
  }
});

Deno.test("encodeAck() hands out distinct views of the pool's slab", () => {
  const pool = new BufferPool(512);
  const a = encodeAck(pool, "puback", 1);
  const b = encodeAck(pool, "puback", 2);
  assert.equal(a.buffer, b.buffer);
  assert.deepEqual([...a, ...b], [0x40, 2, 0, 1, 0x40, 2, 0, 2]);
});

Deno.test("PINGREQ_BYTES and encodeDisconnect() write what encode() writes", () => {
  assert.deepEqual([...PINGREQ_BYTES], [...encode({ type: "pingreq" })]);
  for (const version of [3, 4, 5] as const) {
    assert.deepEqual([...encodeDisconnect(version)], [...encode({ type: "disconnect" }, version)]);
    const reasonCode = 0x04;
    assert.deepEqual(
      [...encodeDisconnect(version, reasonCode)],
      [...encode({ type: "disconnect", reasonCode }, version)],
    );
    const properties = { reasonString: "bye" };
    assert.deepEqual(
      [...encodeDisconnect(version, reasonCode, properties)],
      [...encode({ type: "disconnect", reasonCode, properties }, version)],
    );
  }
});
