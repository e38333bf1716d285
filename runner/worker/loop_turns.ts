/**
 * Whether the Worker's event loop still turns. A VU whose calls settle as microtasks only (a
 * publisher at `-I 0` whose client was ended: each publish rejects at once, and the loop
 * publishes again) never gives the event loop back: the Worker then neither drains its
 * metrics, nor reads the main thread's messages, and the watchdog declares it lost with its
 * last metrics. So the calls are counted: every `CALLS_PER_TURN` calls a timer of 0 ms is armed
 * to see the loop turn, and the calls made past twice that count before it ran start only after
 * it, so that the Worker's timers and messages run between them. No timer runs otherwise: a
 * periodic heartbeat would wake every Worker all the time, and a wakeup costs more than the
 * calls it would check.
 *
 * @module
 */

import { RAW_TIMERS, type Timers } from "./vu_context.ts";

/**
 * Calls between two looks at the event loop. A steady run at 10,000 calls a second arms ten
 * timers a second, which the loop runs at its next turn anyway.
 */
const CALLS_PER_TURN = 1000;

/**
 * Counts calls between turns of an event loop and makes calls wait for one when it starves.
 *
 * @example Usage
 * ```ts
 * import { LoopTurns } from "./loop_turns.ts";
 * import assert from "node:assert/strict";
 *
 * const turns = new LoopTurns();
 * // Not watching (outside a Worker): never starved.
 * assert.equal(turns.starved(), undefined);
 * ```
 */
export class LoopTurns {
  readonly #timers: Timers;
  #watching = false;
  #calls = 0;
  /** The look at the loop: settles when its timer of 0 ms has run. */
  #turn: Promise<void> | undefined;
  #timer: number | undefined;

  /** @param timers The timers of the looks (the Worker's own, which no VU tracks). */
  constructor(timers: Timers = RAW_TIMERS) {
    this.#timers = timers;
  }

  /** Starts counting (the Worker does, for its whole life). */
  watch(): void {
    this.#watching = true;
  }

  /** Stops counting: nothing counts as starved any more. */
  close(): void {
    this.#watching = false;
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#turn = undefined;
    this.#calls = 0;
  }

  /**
   * Counts a call. Returns the next turn of the event loop when the calls made since the last
   * look went on past twice `CALLS_PER_TURN` without one, else `undefined` (the common case:
   * no promise, no delay).
   *
   * @returns A promise to start the call after, or `undefined` to start it now.
   */
  starved(): Promise<void> | undefined {
    if (!this.#watching) return undefined;
    const calls = ++this.#calls;
    if (calls === CALLS_PER_TURN && this.#turn === undefined) {
      // A timer, not a MessageChannel: in Deno a message to the Worker's own port can come back
      // before the Worker's messages and timers do (measured: host messages seconds late).
      this.#turn = new Promise<void>((resolve) => {
        this.#timer = this.#timers.setTimeout(resolve, 0);
      }).then(() => {
        this.#timer = undefined;
        this.#turn = undefined;
        this.#calls = 0;
      });
    }
    return calls > 2 * CALLS_PER_TURN ? this.#turn : undefined;
  }
}

/**
 * The Worker's event loop, which every VU of the Worker shares (modules are instantiated once
 * per Worker). The Worker module starts counting.
 *
 * @example Usage
 * ```ts
 * import { WORKER_LOOP_TURNS } from "./loop_turns.ts";
 * await WORKER_LOOP_TURNS.starved();
 * ```
 */
export const WORKER_LOOP_TURNS: LoopTurns = new LoopTurns();
