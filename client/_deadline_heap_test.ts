import assert from "node:assert/strict";
import { DeadlineHeap, type Due } from "./_deadline_heap.ts";
import { FakeClock } from "../tests/fixtures/memory_broker.ts";

function entry(name: string, log: string[]): Due {
  return { dueAt: 0, slot: -1, due: () => log.push(name) };
}

Deno.test("DeadlineHeap fires entries in due order with one timer, and stops when empty", async () => {
  const clock = new FakeClock();
  const heap = new DeadlineHeap(clock);
  const log: string[] = [];
  const t0 = clock.now();
  const entries = ["a", "b", "c", "d", "e"].map((name) => entry(name, log));
  const delays = [500, 100, 400, 200, 300];
  entries.forEach((e, i) => heap.schedule(e, t0 + delays[i]));
  assert.equal(clock.pending, 1);
  heap.cancel(entries[2]); // c
  heap.schedule(entries[0], t0 + 50); // a moves to the front
  await clock.tick(250);
  assert.deepEqual(log, ["a", "b", "d"]);
  assert.equal(clock.pending, 1);
  await clock.tick(1000);
  assert.deepEqual(log, ["a", "b", "d", "e"]);
  assert.equal(clock.pending, 0);
  assert.ok(entries.every((e) => e.slot === -1));
});

Deno.test("DeadlineHeap keeps many entries in order", async () => {
  const clock = new FakeClock();
  const heap = new DeadlineHeap(clock);
  const fired: number[] = [];
  const t0 = clock.now();
  const all: Due[] = [];
  for (let i = 0; i < 200; i++) {
    const at = (i * 7919) % 1000;
    const e: Due = { dueAt: 0, slot: -1, due: () => fired.push(at) };
    all.push(e);
    heap.schedule(e, t0 + at);
  }
  for (let i = 0; i < 200; i += 3) heap.cancel(all[i]);
  await clock.tick(2000);
  assert.equal(fired.length, 200 - 67);
  assert.deepEqual(fired, [...fired].sort((a, b) => a - b));
  assert.equal(clock.pending, 0);
});
