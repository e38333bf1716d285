/**
 * The one timer of a Worker's publishing scheduler (`publishEvery()`, the bench's pacer). While
 * its wakeups come at every tick, it is an interval: Deno spends about twice the CPU on a
 * wakeup by a timeout armed anew each time (`bench/wake_cost.ts` on this machine: 199 against
 * 99 µs), and at the per-connection rates of broker benchmarks a Worker wakes at nearly every
 * tick. An interval drifts (about 0.2 ms per 10 ms tick here): its owner still handles what is
 * due when it wakes, but once it wakes more than half a tick after the tick it is started again
 * on it, so that the Workers and processes of a test keep waking together.
 *
 * @module
 */

import { RAW_TIMERS, type Timers, vuStorage } from "./vu_context.ts";

/**
 * A timer that calls its callback at the times it is armed for, with an interval while they
 * come one tick apart.
 *
 * @example Usage
 * ```ts
 * import { TickTimer } from "./tick_timer.ts";
 * import assert from "node:assert/strict";
 *
 * let woken = 0;
 * const done = Promise.withResolvers<void>();
 * const timer: TickTimer = new TickTimer((woke) => {
 *   // Due again at the next tick, twice: the second wakeup comes from an interval.
 *   if (++woken < 3) timer.arm(Math.ceil((woke + 1) / 10) * 10, 10, woke);
 *   else {
 *     timer.stop();
 *     done.resolve();
 *   }
 * });
 * timer.arm(Date.now(), 10);
 * await done.promise;
 * assert.equal(woken, 3);
 * ```
 */
export class TickTimer {
  readonly #callback: (woke: number) => void;
  readonly #timers: Timers;
  #timer: number | undefined;
  /** The interval's tick, ms, while the timer is one; 0 for a timeout. */
  #repeating = 0;
  #armedFor = Infinity;

  /**
   * @param callback Called at each wakeup, with its time (epoch ms).
   * @param timers The timers to use (the Worker's own, which no VU tracks).
   */
  constructor(callback: (woke: number) => void, timers: Timers = RAW_TIMERS) {
    this.#callback = callback;
    this.#timers = timers;
  }

  /** The time the timer is armed for (epoch ms), `Infinity` when stopped. */
  get armedFor(): number {
    return this.#armedFor;
  }

  /**
   * Arms the timer for `at`.
   *
   * @param at When to wake, epoch ms.
   * @param tick The tick `at` is on (ms; 0: none).
   * @param woke When the wakeup that arms it now began, if it is one: an owner due again at the
   * next tick keeps (or starts) the interval.
   */
  arm(at: number, tick: number, woke?: number): void {
    this.#armedFor = at;
    const steady = woke !== undefined && tick > 0 && at - woke <= tick;
    // The interval goes on while it keeps waking in the first half of a tick.
    if (steady && this.#repeating === tick && woke % tick <= tick / 2) return;
    this.#clear();
    // A steady owner's interval starts on the tick, where a timeout wakes.
    const wake = steady ? () => this.#repeat(tick) : this.#wake;
    // Armed as no VU: the callbacks of every VU's paces and waits must not run as the one that
    // happened to arm it (nor what they start: a client's timers, its event handlers' routing).
    this.#timer = vuStorage.exit(() => this.#timers.setTimeout(wake, Math.max(0, at - Date.now())));
  }

  /** Stops the timer. */
  stop(): void {
    this.#clear();
    this.#armedFor = Infinity;
  }

  #clear(): void {
    if (this.#timer !== undefined) {
      if (this.#repeating > 0) this.#timers.clearInterval(this.#timer);
      else this.#timers.clearTimeout(this.#timer);
    }
    this.#timer = undefined;
    this.#repeating = 0;
  }

  #repeat(tick: number): void {
    // Called by a timer armed as no VU (see arm), so no VU's context carries over.
    this.#timer = this.#timers.setInterval(this.#wake, tick);
    this.#repeating = tick;
    this.#wake();
  }

  readonly #wake = (): void => {
    if (this.#repeating === 0) this.#timer = undefined;
    this.#callback(Date.now());
  };
}
