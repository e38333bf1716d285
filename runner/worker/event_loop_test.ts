import assert from "node:assert/strict";
import { VuEventLoop } from "./event_loop.ts";

function loop(errors: unknown[] = []): VuEventLoop {
  return new VuEventLoop((run) => run(), (error) => errors.push(error));
}

Deno.test("VuEventLoop: callbacks run at once when nothing blocks", () => {
  const l = loop();
  const seen: number[] = [];
  l.post((n: number) => seen.push(n), [1]);
  assert.deepEqual(seen, [1]);
  assert.equal(l.quiet, true);
});

Deno.test("VuEventLoop: callbacks wait for a blocking call and for the code after it", async () => {
  const l = loop();
  const order: string[] = [];
  const call = Promise.withResolvers<void>();
  const awaiting = (async () => {
    await l.block(call.promise);
    order.push("after the call");
    await Promise.resolve();
    order.push("later in the same task");
  })();
  l.post(() => order.push("callback"), []);
  assert.deepEqual(order, []);
  call.resolve();
  await awaiting;
  await l.idle();
  assert.deepEqual(order, ["after the call", "later in the same task", "callback"]);
});

Deno.test("VuEventLoop: one callback that blocks holds the next ones back", async () => {
  const l = loop();
  const order: string[] = [];
  const call = Promise.withResolvers<void>();
  l.post(async () => {
    order.push("first starts");
    await l.block(call.promise);
    order.push("first ends");
  }, []);
  l.post(() => order.push("second"), []);
  assert.deepEqual(order, ["first starts"]);
  call.resolve();
  await l.idle();
  assert.deepEqual(order, ["first starts", "first ends", "second"]);
});

Deno.test("VuEventLoop: clear() forgets calls that never settle; a failing callback stops the loop", async () => {
  const errors: unknown[] = [];
  const l = loop(errors);
  l.block(new Promise(() => {}));
  l.post(() => assert.fail("dropped"), []);
  assert.equal(l.quiet, false);
  l.clear();
  assert.equal(l.quiet, true);
  await l.idle();
  l.post(() => {
    throw new Error("boom");
  }, []);
  // As k6's loop: nothing runs after a callback failed, until the next iteration.
  l.post(() => assert.fail("ran after a failure"), []);
  l.resume();
  l.post(() => Promise.reject(new Error("async boom")), []);
  await new Promise((resolve) => setTimeout(resolve, 0));
  l.post(() => assert.fail("ran after a failure"), []);
  assert.deepEqual(errors.map((e) => (e as Error).message), ["boom", "async boom"]);
});
