/**
 * The schedules k6's ramping executors follow within an execution segment:
 * when each of the segment's VUs starts and stops (ramping-vus), and when each
 * of its iterations starts (arrival-rate executors). Both come from the global
 * schedule of the whole run, striped between segments, so the segments'
 * schedules add up to exactly the whole run's.
 *
 * @module
 */

import type { ExecutionTuple } from "./execution_tuple.ts";

/**
 * One stage of a ramping executor.
 *
 * @example Usage
 * ```ts
 * import { ExecutionTuple, type RampStage, rampingVUsSteps } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const stages: RampStage[] = [{ durationMs: 2000, target: 2 }];
 * assert.equal(rampingVUsSteps(new ExecutionTuple(), 0, stages).at(-1)?.vus, 2);
 * ```
 */
export interface RampStage {
  /** How long the stage lasts, in ms. */
  durationMs: number;
  /** VUs (ramping-vus) or iterations per time unit (ramping-arrival-rate) at its end. */
  target: number;
}

/**
 * From `timeMs` on (ms from the executor's start), `vus` VUs run.
 *
 * @example Usage
 * ```ts
 * import { ExecutionTuple, rampingVUsSteps, type VUStep } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const steps: VUStep[] = rampingVUsSteps(new ExecutionTuple(), 1, [{ durationMs: 1000, target: 2 }]);
 * assert.deepEqual(steps, [{ timeMs: 0, vus: 1 }, { timeMs: 1000, vus: 2 }]);
 * ```
 */
export interface VUStep {
  /** Offset from the executor's start, in ms. */
  timeMs: number;
  /** VUs of this segment that run from then on. */
  vus: number;
}

function toNs(ms: number): bigint {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`Invalid stage duration ${ms}: expected a non-negative number of ms`);
  }
  return BigInt(Math.round(ms * 1e6));
}

function checkTarget(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`Invalid ${what} ${n}: expected a non-negative integer`);
  }
}

/**
 * k6's ramping-vus `getRawExecutionSteps`: the number of this segment's VUs
 * over time, without graceful ramp-down. Global VU number `n` starts when the
 * whole run's linear ramp reaches `n`; each segment starts only the global
 * numbers it owns, so at any moment the segments' VUs add up to the whole
 * run's. Times are computed in integer nanoseconds, as k6 does.
 *
 * @param tuple This process's tuple.
 * @param startVUs VUs at the start (unscaled).
 * @param stages The stages (unscaled targets).
 * @param zeroEnd Add a final step to 0 VUs at the end of the stages.
 * @returns The steps, the first at time 0; each changes the VU count.
 * @throws {RangeError} When a target or duration is invalid.
 *
 * @example Usage
 * ```ts
 * import { ExecutionTuple, parseExecutionSegment, rampingVUsSteps } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const stages = [{ durationMs: 4000, target: 4 }];
 * assert.deepEqual(rampingVUsSteps(new ExecutionTuple(), 0, stages).map((s) => s.vus), [0, 1, 2, 3, 4]);
 * const half = rampingVUsSteps(new ExecutionTuple(parseExecutionSegment("1/2:1")), 0, stages);
 * assert.deepEqual(half, [{ timeMs: 0, vus: 0 }, { timeMs: 2000, vus: 1 }, { timeMs: 4000, vus: 2 }]);
 * ```
 */
export function rampingVUsSteps(
  tuple: ExecutionTuple,
  startVUs: number,
  stages: readonly RampStage[],
  zeroEnd = false,
): VUStep[] {
  checkTarget(startVUs, "startVUs");
  const index = tuple.segmentedIndex();
  let [scaled, unscaled] = index.goTo(startVUs);
  const steps: VUStep[] = [{ timeMs: 0, vus: scaled }];
  let fromVUs = startVUs;
  let timeTillEnd = 0n;
  const addStep = (ns: bigint, vus: number) => {
    if (steps[steps.length - 1].vus !== vus) steps.push({ timeMs: Number(ns) / 1e6, vus });
  };
  for (const stage of stages) {
    checkTarget(stage.target, "stage target");
    const end = stage.target;
    const duration = toNs(stage.durationMs);
    timeTillEnd += duration;
    const diff = end - fromVUs;
    if (diff === 0) continue;
    if (duration === 0n) {
      [scaled, unscaled] = index.goTo(end);
      addStep(timeTillEnd, scaled);
    } else if (unscaled > end) {
      // Ramping down: a VU stops when the global ramp passes below its number.
      for (; unscaled > end; [scaled, unscaled] = index.prev()) {
        addStep(timeTillEnd - (duration * BigInt(end - unscaled + 1)) / BigInt(diff), scaled - 1);
      }
    } else {
      for (; unscaled <= end; [scaled, unscaled] = index.next()) {
        addStep(timeTillEnd - (duration * BigInt(end - unscaled)) / BigInt(diff), scaled);
      }
    }
    fromVUs = end;
  }
  if (zeroEnd && steps[steps.length - 1].vus !== 0) {
    steps.push({ timeMs: Number(timeTillEnd) / 1e6, vus: 0 });
  }
  return steps;
}

/**
 * An arrival-rate schedule: constant (one stage whose target equals `startRate`) or ramping.
 *
 * @example Usage
 * ```ts
 * import { type ArrivalSchedule, arrivalTimes, ExecutionTuple } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const constant: ArrivalSchedule = {
 *   startRate: 2,
 *   timeUnitMs: 1000,
 *   stages: [{ durationMs: 2000, target: 2 }],
 * };
 * assert.equal([...arrivalTimes(new ExecutionTuple(), constant)].length, 4);
 * ```
 */
export interface ArrivalSchedule {
  /** Iterations per time unit at the start (unscaled). */
  startRate: number;
  /** The time unit of rates, in ms (k6's default 1000). */
  timeUnitMs: number;
  /** The stages (unscaled targets). */
  stages: readonly RampStage[];
}

/**
 * k6's arrival-rate `cal`: the start offsets (ms from the executor's start) of
 * this segment's iterations. The whole run starts iteration `n` (1-based) when
 * the area under its rate curve reaches `n`; this segment takes the global
 * iterations it owns. Pass `tuple.forValue(maxVUs)`, as k6 does. A constant
 * arrival rate is one stage from `rate` to `rate` for `duration`.
 *
 * @param tuple The tuple re-segmented by the scenario's maxVUs.
 * @param schedule Start rate, time unit and stages.
 * @returns The offsets, increasing (finite: it ends with the last stage). As in k6, they are
 *   truncated to whole nanoseconds, so 250 ms may come out as 249.999999.
 * @throws {RangeError} When a rate, time unit or duration is invalid.
 *
 * @example Usage
 * ```ts
 * import { arrivalTimes, ExecutionTuple, parseExecutionSegment } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const schedule = { startRate: 4, timeUnitMs: 1000, stages: [{ durationMs: 1000, target: 4 }] };
 * const ms = (t: ExecutionTuple) => [...arrivalTimes(t, schedule)].map(Math.round);
 * assert.deepEqual(ms(new ExecutionTuple()), [250, 500, 750, 1000]);
 * assert.deepEqual(ms(new ExecutionTuple(parseExecutionSegment("0:1/2")).forValue(10)!), [250, 750]);
 * ```
 */
export function* arrivalTimes(
  tuple: ExecutionTuple,
  schedule: ArrivalSchedule,
): Generator<number, void, undefined> {
  const { startRate, timeUnitMs, stages } = schedule;
  if (!Number.isFinite(timeUnitMs) || timeUnitMs <= 0) {
    throw new RangeError(`Invalid timeUnit ${timeUnitMs}: expected a positive number of ms`);
  }
  checkTarget(startRate, "startRate");
  for (const s of stages) {
    checkTarget(s.target, "stage target");
    toNs(s.durationMs);
  }
  const { start, offsets } = tuple.stripedOffsets();
  let li = 0;
  const timeUnit = timeUnitMs * 1e6; // ns, as k6
  let stageStart = 0;
  let doneSoFar = 0;
  let endCount = 0;
  let from = startRate / timeUnit;
  // The area is counted from 1: global iteration 0 happens when it reaches 1.
  let i = start + 1;
  for (const stage of stages) {
    const to = stage.target / timeUnit;
    const dur = stage.durationMs * 1e6;
    if (from !== to) {
      endCount += dur * ((to - from) / 2 + from);
      for (; i <= endCount; i += offsets[li++ % offsets.length]) {
        const x =
          (from * dur - sqrt0(dur * (from * from * dur + 2 * (i - doneSoFar) * (to - from)))) /
          (from - to);
        yield (Math.trunc(x) + stageStart) / 1e6;
      }
    } else {
      endCount += dur * to;
      for (; i <= endCount; i += offsets[li++ % offsets.length]) {
        yield (Math.trunc((i - doneSoFar) / to) + stageStart) / 1e6;
      }
    }
    doneSoFar = endCount;
    from = to;
    stageStart += Math.round(dur);
  }
}

function sqrt0(x: number): number {
  return x > 0 ? Math.sqrt(x) : 0;
}
