/**
 * The loop both arrival-rate executors share: start iterations at given times on free VUs,
 * count `dropped_iterations` when none is free, and create unplanned VUs up to `maxVUs`.
 *
 * @module
 */

import type { BaseConfig } from "./_config.ts";
import { type RunnableVu, type ScenarioRuntime, share } from "./_runtime.ts";

/**
 * This Worker's part of the process's arrivals: split as k6 splits them between segments, by
 * each one's share of `maxVUs` (a Worker without VUs gets no iteration).
 *
 * @param rt The Worker's runtime.
 * @param maxVUs The scenario's `maxVUs`.
 * @param arrivals The process's arrival times.
 * @returns The Worker's arrival times.
 */
export function localArrivals<C extends BaseConfig>(
  rt: ScenarioRuntime<C>,
  maxVUs: number,
  arrivals: Iterable<number>,
): Iterable<number> {
  const owner = rt.local.forValue(rt.segment.scaleInt(maxVUs));
  return owner === undefined ? [] : share(arrivals, owner);
}

/** When an arrival-rate scenario's regular run ends, as k6's executors end theirs. */
export type ArrivalsEnd =
  /** At `duration`, even when the last arrival came an interval before (constant rate). */
  | "duration"
  /** With the last arrival (ramping: k6 ends once its stages yield no more arrivals). */
  | "last arrival";

/**
 * Runs iterations at `times` (ms from the scenario start, increasing) until `durationMs`;
 * running iterations get `gracefulStop`.
 *
 * @param rt The Worker's runtime for the scenario.
 * @param durationMs The regular duration.
 * @param times Start offsets this Worker owns.
 * @param ends Whether the regular run lasts `durationMs` or ends with the last arrival.
 */
export async function runArrivals<C extends BaseConfig>(
  rt: ScenarioRuntime<C>,
  durationMs: number,
  times: Iterable<number>,
  ends: ArrivalsEnd,
): Promise<void> {
  const end = rt.startAt + durationMs;
  const hard = end + rt.config.gracefulStop;
  if (!await rt.waitUntil(rt.startAt)) return;
  // Idle VUs in the order they became idle: each arrival goes to the one idle longest, as k6's
  // VUs take turns on its unbuffered channel of iterations, so a script's `__VU`-derived devices
  // all get their share even when iterations are short.
  const free: RunnableVu[] = [];
  const running = new Set<Promise<void>>();
  let creating: Promise<void> | undefined;
  let nextUnplanned = rt.planned;
  let warned = false;
  for (let i = 0; i < rt.planned; i++) free.push(await rt.slots[i].acquire());
  rt.active(free.length);

  const start = (vu: RunnableVu) => {
    const p = rt.iterate(vu, hard).then(() => {
      running.delete(p);
      free.push(vu);
    });
    running.add(p);
  };
  const grow = () => {
    if (creating !== undefined || nextUnplanned >= rt.slots.length) return;
    creating = rt.slots[nextUnplanned++].acquire().then((vu) => {
      rt.active(1);
      free.push(vu);
    }, () => {}).finally(() => creating = undefined);
  };

  for (const offset of times) {
    const at = rt.startAt + offset;
    if (at >= end) break;
    if (at > rt.now() && !await rt.waitUntil(at)) break;
    if (!rt.running) break;
    const vu = free.shift();
    if (vu !== undefined) start(vu);
    else {
      rt.dropped();
      // Once, from the first Worker: the others share the arrivals evenly, so drop alike.
      if (
        !warned && rt.local.segmentIndex === 0 && creating === undefined &&
        nextUnplanned >= rt.slots.length
      ) {
        warned = true;
        warnInsufficient(rt);
      }
      grow();
    }
  }
  // The run, and so the test, lasts the whole duration: its per-second rates are k6's.
  if (ends === "duration") await rt.waitUntil(end);
  await creating;
  while (running.size > 0) await Promise.all(running);
  rt.active(-free.length);
}

/**
 * k6's warning when an arrival-rate scenario drops iterations with all its `maxVUs` busy: the
 * sign that the test, not the system under test, is the bottleneck.
 */
function warnInsufficient<C extends BaseConfig>(rt: ScenarioRuntime<C>): void {
  const maxVUs = (rt.config as { maxVUs?: number }).maxVUs;
  const reached = maxVUs === undefined ? rt.slots.length : rt.segment.scaleInt(maxVUs);
  const text = `Insufficient VUs, reached ${reached} active VUs and cannot initialize more  ` +
    `executor=${rt.config.executor} scenario=${rt.config.name}`;
  if (rt.warn !== undefined) rt.warn(text);
  else console.warn(text);
}
