import assert from "node:assert/strict";
import { defaultWorkers, VUS_PER_WORKER } from "./placement.ts";

Deno.test("defaultWorkers: one per 2,000 VUs, at least one, at most the cores", () => {
  assert.equal(VUS_PER_WORKER, 2000);
  assert.equal(defaultWorkers(1, 8), 1);
  assert.equal(defaultWorkers(1001, 8), 1);
  assert.equal(defaultWorkers(2001, 8), 2);
  assert.equal(defaultWorkers(10_000, 8), 5);
  assert.equal(defaultWorkers(10_000, 2), 2);
  assert.equal(defaultWorkers(0, 2), 1);
});
