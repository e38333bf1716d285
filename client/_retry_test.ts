// The reconnection policy: attempts against max_attempts, backoff delays, the last error.

import assert from "node:assert/strict";
import { FakeClock } from "../tests/memory_broker.ts";
import { Retry } from "./_retry.ts";
import { MqttClosedError } from "./errors.ts";

const POLICY = {
  initial_delay: 100,
  max_delay: 1000,
  multiplier: 2,
  jitter: false,
  max_attempts: 3,
} as const;

Deno.test("Retry counts attempts against max_attempts and waits the backoff delay", async () => {
  const clock = new FakeClock();
  const retry = new Retry(clock);
  assert.equal(retry.allowed(undefined), false, "never connected: nothing to retry");
  assert.equal(retry.allowed(false), false, "reconnect: false");
  const fired: number[] = [];
  for (const delay of [100, 200, 400]) {
    assert.equal(retry.allowed(POLICY), true);
    retry.schedule(POLICY, () => fired.push(clock.now()));
    await clock.tick(delay - 1);
    assert.equal(fired.length, retry.failures, `not before ${delay} ms`);
    await clock.tick(1);
    assert.equal(fired.length, retry.failures + 1, `at ${delay} ms`);
    const info = retry.next();
    assert.equal(info.attempt, retry.failures);
  }
  assert.equal(retry.allowed(POLICY), false, "gave up after max_attempts");
});

Deno.test("Retry reports the last error from the second attempt, and cancel() disarms", async () => {
  const clock = new FakeClock();
  const retry = new Retry(clock);
  retry.lastError = new MqttClosedError("lost");
  assert.deepEqual(retry.next(), { attempt: 1 }, "the first attempt follows the loss itself");
  const second = retry.next();
  assert.equal(second.attempt, 2);
  assert.equal(second.error?.message, "lost");
  let fired = false;
  retry.schedule(POLICY, () => fired = true);
  assert.equal(clock.pending, 1);
  retry.cancel();
  assert.equal(clock.pending, 0);
  await clock.tick(10_000);
  assert.equal(fired, false);
});
