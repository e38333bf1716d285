import assert from "node:assert/strict";
import { VuStorage } from "./vu_storage.ts";

Deno.test("VuStorage.runSync runs as a VU for the synchronous part only", async () => {
  const storage = new VuStorage<string>();
  const seen: Array<string | undefined> = [];
  let later: Promise<void> | undefined;
  await storage.run("outer", async () => {
    const inner = storage.runSync("hooked", (n: number) => {
      seen.push(storage.getStore());
      // A continuation started inside keeps the caller's context, not the synchronous one.
      later = Promise.resolve().then(() => void seen.push(storage.getStore()));
      // An async context entered inside wins over the synchronous one, and ends with its call.
      storage.run("nested", () => seen.push(storage.getStore()));
      seen.push(storage.getStore());
      return n * 2;
    }, 21);
    assert.equal(inner, 42);
    seen.push(storage.getStore());
    await later;
  });
  assert.deepEqual(seen, ["hooked", "nested", "hooked", "outer", "outer"]);
  assert.equal(storage.getStore(), undefined);
  // A throw restores the caller's state too.
  assert.throws(() => storage.runSync("x", () => assert.fail("boom"), 0), /boom/);
  assert.equal(storage.getStore(), undefined);
});

Deno.test("VuStorage.exit runs as no VU, and so do the continuations it starts", async () => {
  const storage = new VuStorage<string>();
  const seen: Array<string | undefined> = [];
  await storage.run("armer", async () => {
    const fired = Promise.withResolvers<void>();
    storage.runSync("hooked", () => {
      storage.exit(() => {
        seen.push(storage.getStore());
        // A shared timer armed here fires as no VU, whoever armed it.
        setTimeout(() => {
          seen.push(storage.getStore());
          fired.resolve();
        }, 1);
      });
      seen.push(storage.getStore());
    }, 0);
    await fired.promise;
    seen.push(storage.getStore());
  });
  assert.deepEqual(seen, [undefined, "hooked", undefined, "armer"]);
});
