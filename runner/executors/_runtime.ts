/**
 * The interface between an executor and the Worker that runs its share of a scenario. The
 * executor decides when each VU starts an iteration; the Worker owns VUs, clocks, iteration
 * bookkeeping, interruption and the messages to the main thread.
 *
 * @module
 */

import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import type { BaseConfig } from "./_config.ts";

/** A VU as an executor sees it: opaque, plus whether it is running an iteration now. */
export interface RunnableVu {
  /** The VU's id (`__VU`). */
  readonly id: number;
  /** True while an iteration runs on it. */
  readonly busy: boolean;
}

/** A place for one VU of the scenario in this Worker; unplanned ones are created on demand. */
export interface VuSlot {
  /** The VU, once initialized. */
  readonly vu: RunnableVu | undefined;
  /** Initializes the VU when needed (runs the script's init context) and returns it. */
  acquire(): Promise<RunnableVu>;
}

/** What a Worker gives an executor to run its share of one scenario. */
export interface ScenarioRuntime<C extends BaseConfig = BaseConfig> {
  /** The scenario's config. */
  readonly config: C;
  /** This process's execution segment (k6's `--execution-segment`; the whole test by default). */
  readonly segment: ExecutionTuple;
  /**
   * This Worker's share of the process's work: the process's values (VUs, iteration
   * numbers) are split between its Workers as if they were the whole test.
   */
  readonly local: ExecutionTuple;
  /** When the scenario starts (ms since the epoch: the test start plus `startTime`). */
  readonly startAt: number;
  /** This Worker's VU slots for the scenario, planned (pre-allocated) ones first. */
  readonly slots: readonly VuSlot[];
  /** How many of `slots` are planned; the rest are created on demand (arrival-rate `maxVUs`). */
  readonly planned: number;
  /** False once the test is stopping (signal, abort): start no new iteration. */
  readonly running: boolean;
  /** Now, in ms since the epoch (high resolution). */
  now(): number;
  /**
   * Waits until `at` (ms since the epoch).
   *
   * @returns True when the time came, false when the test started stopping first.
   */
  waitUntil(at: number): Promise<boolean>;
  /**
   * Runs one iteration on `vu`, interrupting it at `hardAt` (or earlier when the test stops).
   * It takes the scenario's next iteration number, in the order iterations start in the
   * process, whichever Worker starts them (as k6).
   *
   * @param vu An idle VU of this scenario.
   * @param hardAt When to interrupt it, in ms since the epoch.
   */
  iterate(vu: RunnableVu, hardAt: number): Promise<void>;
  /** Counts one `dropped_iterations` sample (arrival-rate with no free VU). */
  dropped(): void;
  /** Logs a runner warning, as k6's executors do (not console output); console.warn without. */
  warn?(text: string): void;
  /** Counts VUs that become active (+) or inactive (−), for the `vus` gauge and progress. */
  active(delta: number): void;
  /**
   * shared-iterations: the next iteration of the scenario's shared budget (its position in the
   * budget, not the iteration's number, which `iterate` takes when it starts).
   *
   * @returns The position, or undefined when the budget is spent.
   */
  take(): Promise<number | undefined>;
}

/**
 * The items of a process-level sequence that a Worker owns: the `j`-th item goes to the Worker
 * whose local tuple owns index `j`, so that the Workers' shares add up to the process's.
 *
 * @param items The process's items, in order.
 * @param local The Worker's local tuple.
 * @returns The Worker's items.
 */
export function* share<T>(items: Iterable<T>, local: ExecutionTuple): Generator<T> {
  const owned = local.indices();
  let next = owned.next().value;
  let j = 0;
  for (const item of items) {
    if (j === next) {
      yield item;
      next = owned.next().value;
    }
    j++;
  }
}

/**
 * Counts `vu` active while it loops iterations until `stopAt` (each ended by `hardAt` at the
 * latest) or the test stops: the loop of the executors that run VUs for a time.
 */
export async function loopUntil(
  rt: ScenarioRuntime<BaseConfig>,
  vu: RunnableVu,
  stopAt: number,
  hardAt: number,
): Promise<void> {
  rt.active(1);
  try {
    while (rt.running && rt.now() < stopAt) await rt.iterate(vu, hardAt);
  } finally {
    rt.active(-1);
  }
}

/** Runs `n` loops concurrently, one per element. */
export function forEachConcurrently<T>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  return Promise.all(items.map(fn)).then(() => {});
}
