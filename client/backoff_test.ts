import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_RECONNECT } from "./backoff.ts";

Deno.test("backoffDelay() grows exponentially up to max_delay", () => {
  const options = { ...DEFAULT_RECONNECT, initial_delay: 100, max_delay: 1000, jitter: false };
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, options)), [
    100,
    200,
    400,
    800,
    1000,
    1000,
  ]);
  assert.equal(backoffDelay(1e9, options), 1000);
});

Deno.test("backoffDelay() with jitter picks uniformly below the ceiling", () => {
  const options = { ...DEFAULT_RECONNECT, initial_delay: 100, multiplier: 3, jitter: true };
  assert.equal(backoffDelay(2, options, () => 0), 0);
  assert.equal(backoffDelay(2, options, () => 0.5), 450);
  assert.equal(backoffDelay(2, options, () => 0.9999), 899);
});
