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
