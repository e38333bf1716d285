/**
 * k6's graceful steps of `ramping-vus` (`reserveVUsForGracefulRampDowns` and
 * `GetExecutionRequirements`): how many VUs may still run at each moment. A VU ramped down stops
 * starting iterations at once, and is interrupted only when the allowed count drops below it:
 * `gracefulRampDown` after the ramp-down, unless the schedule climbs back to where it was
 * within that time (then the VU just goes on), and never past `gracefulStop`'s end.
 *
 * @module
 */

import type { VUStep } from "../segments/segment_schedule.ts";

/**
 * The graceful steps of raw steps (without k6's zeroEnd step), ending with 0 VUs.
 *
 * @example Usage
 * ```ts
 * import { gracefulSteps } from "./_graceful_steps.ts";
 * import assert from "node:assert/strict";
 *
 * // 2 VUs down to 0 at 1 s and 2 s, 100 ms of gracefulRampDown, the end 30 s later.
 * const raw = [{ timeMs: 0, vus: 2 }, { timeMs: 1000, vus: 1 }, { timeMs: 2000, vus: 0 }];
 * assert.deepEqual(gracefulSteps(raw, 100, 32_000), [
 *   { timeMs: 0, vus: 2 },
 *   { timeMs: 1100, vus: 1 },
 *   { timeMs: 2100, vus: 0 },
 * ]);
 * ```
 *
 * @param raw The VU count's changes over time.
 * @param gracefulRampDownMs The scenario's `gracefulRampDown`.
 * @param endOffsetMs The stages' end plus `gracefulStop`.
 * @returns The most VUs allowed from each step's time on.
 */
export function gracefulSteps(
  raw: readonly VUStep[],
  gracefulRampDownMs: number,
  endOffsetMs: number,
): VUStep[] {
  const steps = gracefulRampDownMs > 0
    ? reserveRampDowns(raw, gracefulRampDownMs, endOffsetMs)
    : [...raw];
  if ((steps[steps.length - 1]?.vus ?? 0) !== 0) steps.push({ timeMs: endOffsetMs, vus: 0 });
  return steps;
}

/** k6's `reserveVUsForGracefulRampDowns`: no step at or past `endOffsetMs`. */
function reserveRampDowns(raw: readonly VUStep[], graceMs: number, endOffsetMs: number): VUStep[] {
  const steps: VUStep[] = [];
  let lastPlanned = 0;
  let lastDownward = 0;
  for (let i = 0; i < raw.length; i++) {
    const step = raw[i];
    if (i === 0 || step.vus > lastPlanned) {
      steps.push(step);
      lastPlanned = step.vus;
      continue;
    }
    if (step.vus === lastPlanned) continue;
    // A ramp-down: look up to gracefulRampDown ahead for a return to where it was.
    const timeout = step.timeMs + graceMs;
    let back = false;
    let rampingDown = true;
    for (let j = Math.max(lastDownward, i + 1); j < raw.length; j++) {
      const ahead = raw[j];
      if (ahead.timeMs > timeout) break;
      if (ahead.vus >= lastPlanned) {
        i = j - 1;
        back = true;
        break;
      }
      if (rampingDown) {
        if (raw[j - 1].vus > ahead.vus) lastDownward = j;
        else rampingDown = false;
      }
    }
    if (back) continue;
    if (timeout >= endOffsetMs) break;
    steps.push({ timeMs: timeout, vus: step.vus });
    lastPlanned = step.vus;
  }
  return steps;
}

/**
 * When the VU numbered `index` (0-based) is interrupted: each time the allowed count drops from
 * above it to it or below.
 *
 * @example Usage
 * ```ts
 * import { hardStops } from "./_graceful_steps.ts";
 * import assert from "node:assert/strict";
 *
 * const steps = [{ timeMs: 0, vus: 2 }, { timeMs: 1100, vus: 1 }, { timeMs: 2100, vus: 0 }];
 * assert.deepEqual(hardStops(steps, 1), [1100]);
 * assert.deepEqual(hardStops(steps, 0), [2100]);
 * ```
 *
 * @param steps Graceful steps.
 * @param index The VU's number in the segment.
 * @returns The times, in order.
 */
export function hardStops(steps: readonly VUStep[], index: number): number[] {
  const out: number[] = [];
  let allowed = 0;
  for (const step of steps) {
    if (allowed > index && step.vus <= index) out.push(step.timeMs);
    allowed = step.vus;
  }
  return out;
}
