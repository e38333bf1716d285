import assert from "node:assert/strict";
import { gracefulSteps, hardStops } from "./_graceful_steps.ts";

// k6's reserveVUsForGracefulRampDowns, worked by hand for stages 2→4 (2 s), →1 (2 s), →3 (1 s),
// →0 (2 s) with gracefulRampDown 1 s and gracefulStop 2 s.
const RAW = [
  { timeMs: 0, vus: 2 },
  { timeMs: 1000, vus: 3 },
  { timeMs: 2000, vus: 4 },
  { timeMs: 2667, vus: 3 },
  { timeMs: 3333, vus: 2 },
  { timeMs: 4000, vus: 1 },
  { timeMs: 4500, vus: 2 },
  { timeMs: 5000, vus: 3 },
  { timeMs: 5667, vus: 2 },
  { timeMs: 6333, vus: 1 },
  { timeMs: 7000, vus: 0 },
];

Deno.test("gracefulSteps: a ramp-down the schedule climbs back from within the grace is no stop", () => {
  const steps = gracefulSteps(RAW, 1000, 9000);
  assert.deepEqual(steps, [
    { timeMs: 0, vus: 2 },
    { timeMs: 1000, vus: 3 },
    { timeMs: 2000, vus: 4 },
    { timeMs: 3667, vus: 3 },
    { timeMs: 4333, vus: 2 },
    { timeMs: 5000, vus: 3 },
    { timeMs: 6667, vus: 2 },
    { timeMs: 7333, vus: 1 },
    { timeMs: 8000, vus: 0 },
  ]);
  // VU 2 (index 1) ramped down at 4 s and back at 4.5 s: first interrupted at 7.333 s.
  assert.deepEqual(hardStops(steps, 1), [7333]);
  assert.deepEqual(hardStops(steps, 3), [3667]);
});

Deno.test("gracefulSteps: gracefulStop cuts the grace; without grace the raw steps stand", () => {
  assert.deepEqual(gracefulSteps(RAW, 1000, 7500).at(-1), { timeMs: 7500, vus: 0 });
  assert.deepEqual(gracefulSteps(RAW, 0, 9000), RAW);
  // A last stage not at 0: the end of gracefulStop stops the rest.
  assert.deepEqual(gracefulSteps([{ timeMs: 0, vus: 2 }], 1000, 32_000), [
    { timeMs: 0, vus: 2 },
    { timeMs: 32_000, vus: 0 },
  ]);
});
