import assert from "node:assert/strict";
import { RAW_TIMERS, type Timers } from "./vu_context.ts";
import { TickTimer } from "./tick_timer.ts";

/** The runner's timers, counting the timeouts and intervals set. */
function counted(): Timers & { timeouts: number; intervals: number } {
  const timers = {
    ...RAW_TIMERS,
    timeouts: 0,
    intervals: 0,
    setTimeout(callback: () => void, ms?: number) {
      timers.timeouts++;
      return RAW_TIMERS.setTimeout(callback, ms);
    },
    setInterval(callback: () => void, ms?: number) {
      timers.intervals++;
      return RAW_TIMERS.setInterval(callback, ms);
    },
  };
  return timers;
}

/** Wakes `times` times, each armed for the tick after the last wakeup (or `gap` ms later). */
function run(tick: number, times: number, gap = 0) {
  const timers = counted();
  const late: number[] = [];
  const done = Promise.withResolvers<void>();
  let woken = 0;
  const timer: TickTimer = new TickTimer((woke) => {
    late.push(woke - timer.armedFor);
    if (++woken === times) {
      timer.stop();
      done.resolve();
      return;
    }
    const next = gap > 0 ? woke + gap : Math.ceil((woke + 1) / tick) * tick;
    timer.arm(next, tick, woke);
  }, timers);
  timer.arm(Date.now() + 5, tick);
  return done.promise.then(() => ({ timers, late }));
}

Deno.test("TickTimer: wakeups one tick apart come from an interval, each at or after its time", async () => {
  const { timers, late } = await run(10, 30);
  assert.ok(timers.intervals >= 1, "an interval was set");
  // Restarts on the tick when the interval drifts are some timeouts, not one per wakeup.
  assert.ok(timers.timeouts < 30, `timeouts: ${timers.timeouts}`);
  // A wakeup may come a little early (it then handles what it was armed for), not more.
  assert.ok(late.every((ms) => ms > -2), JSON.stringify(late));
});

Deno.test("TickTimer: wakeups further apart than a tick, or off the ticks, are timeouts", async () => {
  const far = await run(10, 5, 25);
  assert.equal(far.timers.intervals, 0);
  assert.equal(far.timers.timeouts, 5);
  const off = await run(0, 5, 3);
  assert.equal(off.timers.intervals, 0);
  assert.equal(off.timers.timeouts, 5);
});
