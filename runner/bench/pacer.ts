/**
 * One publish scheduler per Worker: every publisher of the Worker waits for its next absolute
 * due time here, and a single timer serves the earliest. Due times are absolute (the start plus
 * n intervals), so lateness never accumulates: a late wake-up releases everything due, and the
 * rate over any second stays the target's. One timer per Worker instead of one per VU keeps the
 * generator cheap with thousands of publishers.
 *
 * @module
 */

import { TickTimer } from "../worker/tick_timer.ts";

interface Waiter {
  due: number;
  /** The tick `due` is on (0: none). */
  tick: number;
  /** Call order: waiters due at the same time go first come, first served. */
  order: number;
  resolve: () => void;
}

/** Whether `a` goes before `b`. */
const before = (a: Waiter, b: Waiter) => a.due < b.due || (a.due === b.due && a.order < b.order);

/**
 * A min-heap of due times with one timer.
 *
 * @example Usage
 * ```ts
 * import { Pacer } from "./pacer.ts";
 * import assert from "node:assert/strict";
 *
 * const pacer = new Pacer();
 * const start = Date.now();
 * await Promise.all([pacer.until(start + 20), pacer.until(start + 10)]);
 * assert.ok(Date.now() >= start + 20);
 * ```
 */
export class Pacer {
  readonly #heap: Waiter[] = [];
  readonly #timer = new TickTimer((woke) => this.#fire(woke));
  #calls = 0;

  /**
   * Resolves at `dueMs` (at once when it is past), or with `tickMs` at the first multiple of
   * `tickMs` since the epoch at or after it: every waiter due within a tick wakes with the
   * others, in one turn of the event loop. Never after `notAfterMs`.
   *
   * @param dueMs An epoch time in ms.
   * @param tickMs The tick, ms (0: none).
   * @param notAfterMs The latest wake-up, epoch ms (the end of the run).
   * @returns Resolves then.
   */
  until(dueMs: number, tickMs = 0, notAfterMs = Infinity): Promise<void> {
    if (tickMs > 0) dueMs = Math.ceil(dueMs / tickMs) * tickMs;
    dueMs = Math.min(dueMs, notAfterMs);
    if (dueMs <= Date.now()) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#push({ due: dueMs, tick: tickMs, order: this.#calls++, resolve });
    if (dueMs < this.#timer.armedFor) this.#arm();
    return promise;
  }

  /** Arms the timer for the first waiter; `woke`: when the wakeup arming it began. */
  #arm(woke?: number): void {
    const first = this.#heap[0];
    if (first === undefined) this.#timer.stop();
    else this.#timer.arm(first.due, first.tick, woke);
  }

  #fire(woke: number): void {
    // Timers fire up to a millisecond early on some platforms: what is due within it goes now.
    const now = Math.max(woke + 1, this.#timer.armedFor);
    while (this.#heap.length > 0 && this.#heap[0].due <= now) this.#pop().resolve();
    this.#arm(woke);
  }

  #push(w: Waiter): void {
    const h = this.#heap;
    h.push(w);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  #pop(): Waiter {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The Worker's pacer: modules are instantiated once per Worker, and every VU of the Worker
 * shares it.
 *
 * @example Usage
 * ```ts
 * import { WORKER_PACER } from "./pacer.ts";
 * await WORKER_PACER.until(Date.now() + 5);
 * ```
 */
export const WORKER_PACER: Pacer = new Pacer();
