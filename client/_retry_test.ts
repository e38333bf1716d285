// The reconnection policy: attempts against max_attempts, backoff delays, the last error.

import assert from "node:assert/strict";
import { FakeClock } from "../tests/fixtures/memory_broker.ts";
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

Deno.test("Retry raises the delay after connections that keep dying young, not after one", async () => {
  const clock = new FakeClock();
  const retry = new Retry(clock);
  const policy = { ...POLICY, max_attempts: Infinity };
  const delays: number[] = [];
  const delayOfNext = async () => {
    const start = clock.now();
    let fired = false;
    retry.schedule(policy, () => fired = true);
    while (!fired) await clock.tick(50);
    delays.push(clock.now() - start);
    retry.next();
  };
  // Connected, lost after 10 ms, four times in a row (a client id taken over again and again).
  for (let i = 0; i < 4; i++) {
    retry.connected();
    await clock.tick(10);
    retry.lost(policy);
    await delayOfNext();
  }
  // Without the rule every delay would be initial_delay (100 ms): each CONNACK reset the count.
  assert.deepEqual(delays, [100, 200, 400, 800], "the first short life is forgiven");
  // A connection that lasts max_delay is stable again: the next loss starts from initial_delay.
  retry.connected();
  await clock.tick(policy.max_delay);
  retry.lost(policy);
  await delayOfNext();
  assert.equal(delays.at(-1), 100);
});
