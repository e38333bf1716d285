/**
 * Messages between the main thread (engine) and the Workers hosting VUs. Requests carry an
 * `id` answered by one `reply`; the rest are notifications. Volume stays low: metrics travel
 * as one drained snapshot per Worker per second, never one message per sample.
 *
 * @module
 */

import type { ScenarioConfig } from "../executors/mod.ts";
import type { MetricInfo, MetricsSnapshot } from "../metrics/registry.ts";
import type { InstanceInfo } from "./vu_context.ts";

export type { InstanceInfo };

/**
 * Now, in ms since the epoch, with sub-millisecond resolution: the clock both threads share, in
 * which the messages' times (the test start `t0`, deadlines) are given.
 */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** A timer firing this close before a tick counts as on it (timers round to the ms). */
const EARLY_MS = 50;

/**
 * The next tick of the test clock at `offsetMs` into its seconds (`t0 + offsetMs + k·1000`)
 * after `nowMs`: the Workers drain on the whole seconds (offset 0), the main thread reads their
 * figures half-way through (offset 500). Timers armed anew from it each time do not drift.
 *
 * @param t0 The test start, in ms since the epoch.
 * @param offsetMs Where in each second, in ms.
 * @param nowMs Now, in ms since the epoch.
 * @returns The tick's time, in ms since the epoch.
 *
 * @example Usage
 * ```ts
 * import { nextTick } from "./messages.ts";
 * import assert from "node:assert/strict";
 * assert.equal(nextTick(1000, 500, 2_400), 2_500);
 * assert.equal(nextTick(1000, 0, 2_990), 4_000); // a timer 10 ms early counts as on 3,000
 * ```
 */
export function nextTick(t0: number, offsetMs: number, nowMs: number): number {
  return t0 + offsetMs + (Math.floor((nowMs - t0 - offsetMs + EARLY_MS) / 1000) + 1) * 1000;
}

/** An error crossing the thread boundary. */
export interface ErrorInfo {
  /** Error class name. */
  name: string;
  /** Message. */
  message: string;
  /** Stack trace, when any. */
  stack?: string;
}

/** This Worker's VU slots of one scenario. */
export interface ScenarioSlots {
  /** The scenario. */
  config: ScenarioConfig;
  /** How many VU slots the Worker holds, planned ones first. */
  count: number;
  /** How many of them are planned (initialized before the test). */
  planned: number;
}

/**
 * A counter the engine shares with every Worker: one 64-bit integer in a SharedArrayBuffer,
 * taken atomically. VU ids come from one (`+ 1`: k6's ids run 1..vus_max), and each scenario's
 * iteration numbers from another: k6 numbers a scenario's iterations 0, 1, 2… in the order they
 * start in the instance, whichever VU runs them (`exec.scenario.iterationInInstance`, the
 * position that `iterationInTest` maps into the whole test), so taken from one counter they have
 * no gap and no repeat however the Workers split the VUs, and a stopped test leaves none unused.
 *
 * @example Usage
 * ```ts
 * import { SharedCounter } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const buffer = SharedCounter.buffer(); // made by the engine, sent to each Worker
 * const a = new SharedCounter(buffer);
 * const b = new SharedCounter(buffer); // another Worker's view
 * assert.deepEqual([a.next(), b.next(), a.next()], [0, 1, 2]);
 * ```
 */
export class SharedCounter {
  readonly #count: BigUint64Array;

  /**
   * A counter at 0, to share between the Workers.
   *
   * @returns Its memory.
   */
  static buffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(BigUint64Array.BYTES_PER_ELEMENT);
  }

  /**
   * A view of a shared counter.
   *
   * @param buffer From {@linkcode SharedCounter.buffer}.
   */
  constructor(buffer: SharedArrayBuffer) {
    this.#count = new BigUint64Array(buffer);
  }

  /**
   * Takes the next number, atomically across Workers.
   *
   * @returns The number, from 0.
   */
  next(): number {
    return Number(Atomics.add(this.#count, 0, 1n));
  }
}

/** Requests from the main thread. */
export type Request =
  | {
    type: "configure";
    scriptUrl: string;
    originalUrl: string;
    env: Record<string, string>;
    recordPoints: boolean;
    workerIndex: number;
  }
  | { type: "probe" }
  | {
    type: "init";
    options: Record<string, unknown>;
    runTags: Record<string, string>;
    segment: string;
    sequence: string;
    local: string;
    localSequence: string;
    scenarios: ScenarioSlots[];
    /**
     * The Worker's VUs, shared by its scenarios: the most planned ones running at once (all
     * initialized before the test), and with the unplanned ones.
     */
    vus: { planned: number; possible: number };
    /** The process's VU id counter, shared by its Workers (a `SharedCounter`). */
    vuIds: SharedArrayBuffer;
    /** Each scenario's iteration counter, by name, shared by the Workers (`SharedCounter`). */
    iterations: Record<string, SharedArrayBuffer>;
  }
  | { type: "setup"; timeoutMs: number }
  | { type: "teardown"; data: string | undefined; timeoutMs: number }
  | { type: "summary"; data: unknown }
  | { type: "finish" };

/** Notifications from the main thread. */
export type Command =
  | { type: "start"; t0: number; setupData: string | undefined }
  | { type: "grant"; scenario: string; from: number; count: number }
  | { type: "stop" }
  | { type: "interrupt" }
  | { type: "tick"; instance: InstanceInfo };

/** What a Worker answers to `probe`. */
export interface ProbeResult {
  /** The script's `options` export, as JSON. */
  options: Record<string, unknown>;
  /** Names of the exported functions. */
  functions: string[];
  /** Metrics defined by the init context. */
  metrics: MetricInfo[];
}

/** Cumulative execution figures of a Worker. */
export interface WorkerStats {
  /** VUs in a scenario's loop now. */
  active: number;
  /** The most VUs in a loop at once since the previous report (runs shorter than a report). */
  peak: number;
  /** VUs initialized. */
  initialized: number;
  /** Iterations completed (failed ones included, as k6). */
  completed: number;
  /** Iterations interrupted. */
  interrupted: number;
  /** Iterations that failed with an exception. */
  failed: number;
  /** Iterations completed per scenario. */
  scenarios: Record<string, number>;
  /** Scenarios this Worker has finished. */
  finished: string[];
  /** Client connections open now (CONNACK accepted, not yet closed), over all its VUs. */
  connections: number;
}

/** A log line of a VU, formatted in the Worker. */
export interface LogLine {
  /** k6's level: info, warn, error, debug. */
  level: "debug" | "info" | "warn" | "error";
  /** The text. */
  text: string;
  /** Extra fields (`source=console`). */
  source: string;
}

/** Messages from a Worker. */
export type WorkerMessage =
  | { type: "reply"; id: number; ok: true; value: unknown }
  | {
    type: "reply";
    id: number;
    ok: false;
    error: ErrorInfo;
    code?: "script" | "config" | "timeout";
  }
  | { type: "metrics"; snapshot: MetricsSnapshot; stats: WorkerStats }
  | { type: "logs"; lines: LogLine[] }
  | { type: "need"; scenario: string }
  | { type: "done" }
  | { type: "abort"; reason: string }
  /** `exec.test.fail()` was called: the run exits with 110 unless it fails otherwise. */
  | { type: "failed" };

/** Envelope of a request. */
export type RequestEnvelope = Request & { id: number };

/**
 * Serialises an error for `postMessage`.
 *
 * @param error Anything thrown.
 * @returns Its name, message and stack.
 */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: "Error", message: String(error) };
}
