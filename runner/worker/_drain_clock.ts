/**
 * When a Worker drains its metrics, and which period each drain covers. Before the test clock
 * starts, every second; once it starts (`t0`), on the test clock's whole seconds
 * (`t0 + k·1000` ms), each timer armed anew from the clock so that the drains do not drift. A
 * drain after `t0` is stamped with the period since the previous one, so that the main thread
 * puts the samples in the second they were made, not the one their message arrived in.
 *
 * @module
 */

import type { MetricsSnapshot } from "../metrics/registry.ts";
import { epochNow, nextTick } from "./messages.ts";
import { RAW_TIMERS } from "./vu_context.ts";

/** Drains a Worker's metrics on the test clock's seconds and stamps their periods. */
export class DrainClock {
  readonly #drain: () => void;
  #t0 = 0;
  #last = 0;
  #interval: number | undefined;
  #timeout: number | undefined;

  /** @param drain Drains the registry and posts the snapshot (calls {@linkcode stamp}). */
  constructor(drain: () => void) {
    this.#drain = drain;
  }

  /** Drains every second until the test clock starts. */
  everySecond(): void {
    this.#interval = RAW_TIMERS.setInterval(this.#drain, 1000);
  }

  /**
   * The test clock started: from now on, drain on its whole seconds.
   *
   * @param t0 The test start, in ms since the epoch.
   */
  align(t0: number): void {
    RAW_TIMERS.clearInterval(this.#interval);
    this.#t0 = this.#last = t0;
    this.#arm();
  }

  #arm(): void {
    const now = epochNow();
    const next = nextTick(this.#t0, 0, now);
    this.#timeout = RAW_TIMERS.setTimeout(() => {
      this.#drain();
      this.#arm();
    }, Math.max(0, next - now));
  }

  /**
   * Stamps a snapshot just drained with the period since the previous drain (none before the
   * test clock starts).
   *
   * @param snapshot The registry's snapshot.
   * @returns The same snapshot.
   */
  stamp(snapshot: MetricsSnapshot): MetricsSnapshot {
    if (this.#t0 === 0) return snapshot;
    const now = epochNow();
    snapshot.periodStartMs = this.#last;
    snapshot.periodEndMs = now;
    this.#last = now;
    return snapshot;
  }
}
