import assert from "node:assert/strict";
import { createHash, hmac, md5, randomBytes, sha1, sha256, sha512_256 } from "./crypto.ts";
import { b64decode, b64encode } from "./encoding.ts";

Deno.test("k6/encoding round-trips every alphabet and rejects bad input", () => {
  const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x00, 0x10]);
  for (const variant of ["std", "rawstd", "url", "rawurl"] as const) {
    const text = b64encode(bytes.buffer, variant);
    assert.deepEqual(new Uint8Array(b64decode(text, variant) as ArrayBuffer), bytes, variant);
  }
  assert.equal(b64encode(bytes.buffer), "+/+/ABA=");
  assert.equal(b64encode(bytes.buffer, "rawurl"), "-_-_ABA");
  assert.equal(b64encode("héllo"), "aMOpbGxv");
  assert.equal(b64decode("aMOpbGxv", "std", "s"), "héllo");
  assert.throws(() => b64encode("x", "hex" as "std"), /invalid encoding "hex"/);
  assert.throws(() => b64decode("***"), /invalid base64/);
  assert.throws(() => b64encode(42 as unknown as string), /expected a string or an ArrayBuffer/);
});

Deno.test("k6/crypto hashes with k6's names and output encodings", () => {
  assert.equal(md5("abc", "hex"), "900150983cd24fb0d6963f7d28e17f72");
  assert.equal(sha1("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  // 32 bytes: base64url keeps its padding, base64rawurl drops it.
  assert.equal(sha256("abc", "base64url"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0=");
  assert.equal(sha256("abc", "base64rawurl"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  assert.equal(sha256("abc", "base64"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  const binary = sha256(new TextEncoder().encode("abc").buffer, "binary") as ArrayBuffer;
  assert.equal(b64encode(binary), sha256("abc", "base64"));
  assert.equal((sha512_256("abc", "hex") as string).length, 64);
  const h = createHash("sha1");
  h.update("a");
  h.update(new TextEncoder().encode("bc").buffer);
  assert.equal(h.digest("hex"), sha1("abc", "hex"));
  assert.equal(
    hmac("sha256", "key", "The quick brown fox jumps over the lazy dog", "hex"),
    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
  );
  assert.equal(randomBytes(0).byteLength, 0);
  assert.notDeepEqual(new Uint8Array(randomBytes(16)), new Uint8Array(randomBytes(16)));
  assert.throws(() => sha256("abc", "octal" as "hex"), /invalid output encoding "octal"/);
  assert.throws(() => createHash("sha3" as "sha1"), /invalid algorithm "sha3"/);
  assert.throws(() => randomBytes(-1), RangeError);
});
