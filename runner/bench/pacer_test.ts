import assert from "node:assert/strict";
import { Pacer } from "./pacer.ts";

Deno.test("Pacer releases waiters in due order with one timer, past ones at once", async () => {
  const pacer = new Pacer();
  const start = Date.now();
  const order: number[] = [];
  const dues = [30, 5, 20, 5, 10, 0, -50];
  await Promise.all(dues.map((offset, i) => pacer.until(start + offset).then(() => order.push(i))));
  // The past ones (offsets 0 and -50) first; then by due time, ties in call order.
  assert.deepEqual(order.slice(0, 2).sort(), [5, 6]);
  assert.deepEqual(order.slice(2), [1, 3, 4, 2, 0]);
});

Deno.test("Pacer with a tick wakes every waiter due within it at its end, in one turn", async () => {
  const pacer = new Pacer();
  const tick = 40;
  // Clear of a tick's end, so that all three fall in the next tick.
  while (Date.now() % tick > 5) await new Promise((resolve) => setTimeout(resolve, 1));
  const base = Date.now();
  const tickEnd = Math.ceil((base + 1) / tick) * tick;
  const woke: number[] = [];
  const turns: number[] = [];
  let turn = 0;
  const counting = setInterval(() => turn++, 0);
  await Promise.all(
    [1, 10, tickEnd - base].map((offset) =>
      pacer.until(base + offset, tick).then(() => {
        woke.push(Date.now());
        turns.push(turn);
      })
    ),
  );
  clearInterval(counting);
  // None before the tick's end (timers may fire up to a millisecond early).
  for (const at of woke) assert.ok(at >= tickEnd - 1, `woke at ${at}, tick ends ${tickEnd}`);
  assert.equal(new Set(turns).size, 1, `woke in turns ${turns}`);
});

Deno.test("Pacer never wakes a waiter after its notAfter, whatever its tick", async () => {
  const pacer = new Pacer();
  const start = Date.now();
  let woke = false;
  // Due in 0.5 s on a 10 s tick, but the run ends in 20 ms: it wakes at the end.
  const waiting = pacer.until(start + 500, 10_000, start + 20).then(() => woke = true);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(woke, "still waiting 300 ms later");
  await waiting;
});
