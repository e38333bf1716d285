/**
 * How an iteration ends: its outcome, the hard stops of running iterations (one timer per
 * distinct time), the first of an iteration's endings, and the wait of k6's
 * `minIterationDuration`, which the same stops cut short.
 *
 * @module
 */

import type { Tags } from "../metrics/registry.ts";
import { RAW_TIMERS, type ScenarioInfo } from "./vu_context.ts";

/** How an iteration ended. */
export interface IterationOutcome {
  /** `completed`, `failed` (an exception; still a full iteration for k6) or `interrupted`. */
  kind: "completed" | "failed" | "interrupted";
  /** The exception, when failed. */
  error?: unknown;
  /** Wall time in ms. */
  durationMs: number;
  /**
   * k6's `minIterationDuration` wait that follows a shorter full iteration: the VU stays busy
   * until it settles, after the iteration's samples (k6 emits them, then sleeps).
   */
  pause?: Promise<void>;
  /**
   * The VU's tags as the iteration ended (its group back at the root, `exec.vu.tags` as the
   * script left them): k6 tags `iterations` and `iteration_duration` with them.
   */
  tags?: Tags;
}

/** What one iteration runs. */
export interface IterationRequest {
  /** The scenario. */
  scenario: ScenarioInfo;
  /** The scenario's iteration number in this instance (process), in start order. */
  iterationInInstance: number;
  /** The scenario's iteration number in the whole test (across execution segments). */
  iterationInTest: number;
  /** The VU's iteration number in the scenario. */
  iterationInScenario: number;
  /** `setup()`'s result as JSON. */
  setupData: string | undefined;
  /** Interrupt the iteration at this time (ms since the epoch). */
  hardAt: number;
  /** Interrupts the iteration now (test stopping). */
  signal: AbortSignal;
  /** Shares one timer among the iterations with the same `hardAt` (default: one each). */
  deadlines?: IterationDeadlines;
}

/** Something to interrupt at a deadline. */
interface Interruptible {
  interrupt(): void;
}

/**
 * The hard stops of running iterations, one timer per distinct time: the VUs of a scenario
 * mostly share theirs, and with thousands of VUs a timer each costs more than a VU's client.
 */
export class IterationDeadlines {
  readonly #groups = new Map<number, { timer: number; members: Set<Interruptible> }>();

  /**
   * Calls `member.interrupt()` at `at` (ms since the epoch) unless released first.
   *
   * @param at When.
   * @param member What to interrupt.
   */
  add(at: number, member: Interruptible): void {
    let group = this.#groups.get(at);
    if (group === undefined) {
      const members = new Set<Interruptible>();
      const ms = Math.max(0, at - (performance.timeOrigin + performance.now()));
      const timer = RAW_TIMERS.setTimeout(() => {
        this.#groups.delete(at);
        for (const m of members) m.interrupt();
      }, ms);
      this.#groups.set(at, group = { timer, members });
    }
    group.members.add(member);
  }

  /**
   * Forgets `member`; the timer goes with the last member of its time.
   *
   * @param at The time it was added with.
   * @param member What was added.
   */
  delete(at: number, member: Interruptible): void {
    const group = this.#groups.get(at);
    if (group === undefined || !group.members.delete(member) || group.members.size > 0) return;
    RAW_TIMERS.clearTimeout(group.timer);
    this.#groups.delete(at);
  }
}

/**
 * How one running iteration ends: the first of its body, an async error, a hard stop. It also
 * keeps what the end needs, so that a running iteration holds no suspended async function of the
 * Worker (thousands of VUs may sit in an iteration for the whole test).
 */
export class Ending implements Interruptible {
  readonly settled: Promise<IterationOutcome["kind"]>;
  error: unknown;
  readonly start = performance.now();
  readonly req: IterationRequest;
  readonly deadlines: IterationDeadlines | undefined;
  #resolve!: (kind: IterationOutcome["kind"]) => void;

  constructor(req: IterationRequest) {
    this.settled = new Promise((resolve) => this.#resolve = resolve);
    this.req = req;
    this.deadlines = deadlinesOf(req);
  }

  readonly completed = (): void => this.#resolve("completed");

  readonly failed = (error: unknown): void => {
    this.error ??= error;
    this.#resolve("failed");
  };

  interrupt(): void {
    this.#resolve("interrupted");
  }

  // For the abort signal, which calls handleEvent on its listener objects: no closure needed.
  handleEvent(): void {
    this.#resolve("interrupted");
  }
}

/** Where an iteration's hard stop is kept: none without one. */
function deadlinesOf(req: IterationRequest): IterationDeadlines | undefined {
  return Number.isFinite(req.hardAt) ? req.deadlines ?? new IterationDeadlines() : undefined;
}

/** What the stops interrupt: the abort signal calls its `handleEvent`, so no closure is made. */
type Stoppable = Interruptible & EventListenerObject;

/**
 * Interrupts `target` at the request's hard stop (kept in `deadlines`) or when the test stops
 * (its signal), at once if it has; {@linkcode unwatchStops} undoes it.
 */
export function watchStops(
  req: IterationRequest,
  deadlines: IterationDeadlines | undefined,
  target: Stoppable,
): void {
  deadlines?.add(req.hardAt, target);
  req.signal.addEventListener("abort", target);
  if (req.signal.aborted) target.interrupt();
}

/** Forgets what {@linkcode watchStops} set up. */
export function unwatchStops(
  req: IterationRequest,
  deadlines: IterationDeadlines | undefined,
  target: Stoppable,
): void {
  deadlines?.delete(req.hardAt, target);
  req.signal.removeEventListener("abort", target);
}

/** Resolves after `ms`, or sooner at the iteration's hard stop or the test's stop. */
export function waitUnlessStopped(req: IterationRequest, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const deadlines = deadlinesOf(req);
    const stop: Stoppable = { interrupt: () => finish(), handleEvent: () => finish() };
    const timer = RAW_TIMERS.setTimeout(() => finish(), ms);
    function finish(): void {
      RAW_TIMERS.clearTimeout(timer);
      unwatchStops(req, deadlines, stop);
      resolve();
    }
    watchStops(req, deadlines, stop);
  });
}
