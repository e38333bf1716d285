import assert from "node:assert/strict";
import { parseExecutionSegmentSequence } from "./execution_segment.ts";
import { ExecutionTuple } from "./execution_tuple.ts";
import { arrivalTimes, rampingVUsSteps, type RampStage, type VUStep } from "./segment_schedule.ts";

const SEQUENCES = ["0,1/4,1/2,3/4,1", "0,1/3,2/3,1", "0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0,1/7,1/2,1"];

function tuplesOf(text: string): ExecutionTuple[] {
  const seq = parseExecutionSegmentSequence(text);
  return seq.segments.map((s) => new ExecutionTuple(s, seq));
}

/** VUs running at time t according to steps. */
function vusAt(steps: VUStep[], t: number): number {
  let vus = 0;
  for (const s of steps) if (s.timeMs <= t) vus = s.vus;
  return vus;
}

Deno.test("rampingVUsSteps() for the whole run follows the linear ramp", () => {
  const steps = rampingVUsSteps(new ExecutionTuple(), 2, [
    { durationMs: 3000, target: 5 },
    { durationMs: 1000, target: 5 },
    { durationMs: 2000, target: 1 },
    { durationMs: 0, target: 3 },
  ], true);
  assert.deepEqual(steps, [
    { timeMs: 0, vus: 2 },
    { timeMs: 1000, vus: 3 },
    { timeMs: 2000, vus: 4 },
    { timeMs: 3000, vus: 5 },
    { timeMs: 4500, vus: 4 },
    { timeMs: 5000, vus: 3 },
    { timeMs: 5500, vus: 2 },
    { timeMs: 6000, vus: 1 },
    { timeMs: 6000, vus: 3 },
    { timeMs: 6000, vus: 0 },
  ]);
});

Deno.test("rampingVUsSteps() of all segments add up to the whole run at every moment", () => {
  const plans: Array<[number, RampStage[]]> = [
    [0, [{ durationMs: 10_000, target: 10 }, { durationMs: 10_000, target: 0 }]],
    [3, [{ durationMs: 7_000, target: 23 }, { durationMs: 5_000, target: 23 }, {
      durationMs: 3_000,
      target: 4,
    }]],
    [5, [{ durationMs: 0, target: 12 }, { durationMs: 1_500, target: 1 }, {
      durationMs: 2_500,
      target: 17,
    }]],
  ];
  for (const text of SEQUENCES) {
    const tuples = tuplesOf(text);
    for (const [start, stages] of plans) {
      const whole = rampingVUsSteps(new ExecutionTuple(), start, stages);
      const parts = tuples.map((t) => rampingVUsSteps(t, start, stages));
      const times = new Set([...whole, ...parts.flat()].map((s) => s.timeMs));
      for (const t of times) {
        const sum = parts.reduce((acc, steps) => acc + vusAt(steps, t), 0);
        assert.equal(sum, vusAt(whole, t), `${text} start ${start} at ${t} ms`);
      }
    }
  }
});

Deno.test("arrivalTimes() of all segments together are the whole run's times", () => {
  const schedules = [
    { startRate: 10, timeUnitMs: 1000, stages: [{ durationMs: 3000, target: 10 }] },
    {
      startRate: 0,
      timeUnitMs: 1000,
      stages: [{ durationMs: 2000, target: 50 }, { durationMs: 1000, target: 50 }, {
        durationMs: 2000,
        target: 5,
      }],
    },
    { startRate: 3, timeUnitMs: 500, stages: [{ durationMs: 1500, target: 12 }] },
  ];
  for (const text of SEQUENCES) {
    for (const maxVUs of [4, 7, 20]) {
      const tuples = tuplesOf(text).map((t) => t.forValue(maxVUs));
      for (const schedule of schedules) {
        const whole = [...arrivalTimes(new ExecutionTuple(), schedule)];
        const merged = tuples.flatMap((t) => t === undefined ? [] : [...arrivalTimes(t, schedule)])
          .sort((a, b) => a - b);
        assert.deepEqual(merged, whole, `${text} maxVUs ${maxVUs}`);
        assert.ok(whole.length > 0);
      }
    }
  }
  const constant = [...arrivalTimes(new ExecutionTuple(), {
    startRate: 10,
    timeUnitMs: 1000,
    stages: [{ durationMs: 3000, target: 10 }],
  })];
  assert.equal(constant.length, 30);
  assert.ok(Math.abs(constant[0] - 100) < 1e-5 && Math.abs(constant[29] - 3000) < 1e-5);
});

Deno.test("schedules reject invalid stages", () => {
  const t = new ExecutionTuple();
  assert.throws(() => rampingVUsSteps(t, -1, []), RangeError);
  assert.throws(() => rampingVUsSteps(t, 0, [{ durationMs: -5, target: 1 }]), RangeError);
  assert.throws(() => rampingVUsSteps(t, 0, [{ durationMs: 5, target: 1.5 }]), RangeError);
  assert.throws(
    () => arrivalTimes(t, { startRate: 1, timeUnitMs: 0, stages: [] }).next(),
    RangeError,
  );
});
