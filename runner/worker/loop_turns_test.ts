import assert from "node:assert/strict";
import { LoopTurns } from "./loop_turns.ts";

/** Calls that settle as microtasks only, one after another, for `ms`, waiting where told. */
async function spin(turns: LoopTurns, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let waits = 0;
  while (performance.now() < until) {
    const turn = turns.starved();
    if (turn === undefined) await Promise.resolve();
    else {
      waits++;
      await turn;
    }
  }
  return waits;
}

Deno.test("a loop of microtasks lets the timers run once it is found starving", async () => {
  const turns = new LoopTurns();
  turns.watch();
  try {
    let fired = 0;
    const timer = setInterval(() => fired++, 20);
    const waits = await spin(turns, 400);
    clearInterval(timer);
    assert.ok(waits > 0);
    assert.ok(fired > 0);
  } finally {
    turns.close();
  }
});

Deno.test("without watching, a loop of microtasks is never made to wait", async () => {
  const turns = new LoopTurns();
  let fired = 0;
  const timer = setTimeout(() => fired++, 0);
  const waits = await spin(turns, 100);
  clearTimeout(timer);
  assert.equal(waits, 0);
  // Starved indeed: the timer, due at once, did not run.
  assert.equal(fired, 0);
});
