import assert from "node:assert/strict";
import { ExecutionTuple } from "../segments/execution_tuple.ts";
import { ExecutionSegment, ExecutionSegmentSequence } from "../segments/execution_segment.ts";
import { parseScenario, scenarioVus, share } from "./mod.ts";
import { type ConstantArrivalRateConfig, constantArrivals } from "./constant_arrival_rate.ts";
import { activeIntervals } from "./ramping_vus.ts";

const whole = new ExecutionTuple();
const halves = (() => {
  const parts = new ExecutionSegment().split(2);
  const sequence = new ExecutionSegmentSequence(parts);
  return parts.map((p) => new ExecutionTuple(p, sequence));
})();

Deno.test("parseScenario() applies k6's defaults", () => {
  const { config, errors } = parseScenario("s", { executor: "shared-iterations" });
  assert.deepEqual(errors, []);
  assert.equal(config?.executor, "shared-iterations");
  if (config?.executor !== "shared-iterations") return;
  assert.equal(config.vus, 1);
  assert.equal(config.iterations, 1);
  assert.equal(config.maxDuration, 600_000);
  assert.equal(config.gracefulStop, 30_000);
  assert.equal(config.exec, "default");
});

Deno.test("parseScenario() returns every error", () => {
  const { errors } = parseScenario("s", {
    executor: "ramping-arrival-rate",
    startRate: -1,
    stages: [],
    maxVUs: 2,
    preAllocatedVUs: 5,
    typo: true,
  });
  assert.deepEqual(errors, [
    'unknown option "typo"',
    "the startRate value can't be negative",
    "at least one stage has to be specified",
    "maxVUs can't be less than preAllocatedVUs",
  ]);
  assert.deepEqual(
    parseScenario("s", { executor: "shared-iterations", vus: 5, iterations: 2 }).errors,
    [
      "the number of iterations (2) can't be less than the number of VUs (5)",
    ],
  );
});

Deno.test("constantArrivals() starts iteration n at n × timeUnit / rate, before the end", () => {
  const c = parseScenario("r", {
    executor: "constant-arrival-rate",
    rate: 4,
    duration: "1s",
    preAllocatedVUs: 2,
  }).config as ConstantArrivalRateConfig;
  assert.deepEqual([...constantArrivals(c, whole)], [0, 250, 500, 750]);
  // Two Workers: their shares add up to the whole, each arrival once.
  const shares = halves.map((local) => [...share(constantArrivals(c, whole), local.forValue(2)!)]);
  assert.deepEqual(shares.flat().sort((x, y) => x - y), [0, 250, 500, 750]);
});

Deno.test("scenarioVus() splits a process's VUs between Workers exactly", () => {
  const { config } = parseScenario("v", { executor: "constant-vus", vus: 5, duration: "1s" });
  assert.deepEqual(halves.map((l) => scenarioVus(config!, whole, l).max), [3, 2]);
});

Deno.test("activeIntervals() gives when a ramping VU runs", () => {
  const steps = [{ timeMs: 0, vus: 0 }, { timeMs: 100, vus: 1 }, { timeMs: 200, vus: 2 }, {
    timeMs: 300,
    vus: 1,
  }, { timeMs: 400, vus: 0 }];
  assert.deepEqual(activeIntervals(steps, 0), [[100, 400]]);
  assert.deepEqual(activeIntervals(steps, 1), [[200, 300]]);
  assert.deepEqual(activeIntervals(steps, 2), []);
});
