/**
 * Whether the Worker's event loop still turns. A VU whose calls settle as microtasks only (a
 * publisher at `-I 0` whose client was ended: each publish rejects at once, and the loop
 * publishes again) never gives the event loop back: the Worker then neither drains its
 * metrics, nor reads the main thread's messages, and the watchdog declares it lost with its
 * last metrics. A heartbeat timer notes each turn; a call made when none was noted for a while
 * starts only after a timer of 0 ms, shared by every call made meanwhile, so that the Worker's
 * timers and messages run between them.
 *
 * @module
 */

import { RAW_TIMERS, type Timers } from "./vu_context.ts";

/** How often the heartbeat notes a turn of the event loop, ms. */
const HEARTBEAT_MS = 10;

/** Silence of the heartbeat past which the event loop counts as starved, ms. */
const STARVED_MS = 50;

/**
 * Notes the turns of an event loop and makes calls wait for one when it starves.
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
  #lastTurn = performance.now();
  #heartbeat: number | undefined;
  #turn: Promise<void> | undefined;

  /** @param timers The timers of the heartbeat (the Worker's own, which no VU tracks). */
  constructor(timers: Timers = RAW_TIMERS) {
    this.#timers = timers;
  }

  /** Starts the heartbeat (the Worker does, for its whole life). */
  watch(): void {
    this.#lastTurn = performance.now();
    this.#heartbeat ??= this.#timers.setInterval(
      () => this.#lastTurn = performance.now(),
      HEARTBEAT_MS,
    );
  }

  /** Stops the heartbeat: nothing counts as starved any more. */
  close(): void {
    this.#timers.clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /**
   * The next turn of the event loop when it has not turned for a while, else `undefined` (the
   * common case: no promise, no delay).
   *
   * @returns A promise to start the call after, or `undefined` to start it now.
   */
  starved(): Promise<void> | undefined {
    if (this.#heartbeat === undefined) return undefined;
    if (this.#turn !== undefined) return this.#turn;
    if (performance.now() - this.#lastTurn < STARVED_MS) return undefined;
    // A timer, not a MessageChannel: in Deno a message to the Worker's own port can come back
    // before the Worker's messages and timers do (measured: host messages seconds late).
    this.#turn = new Promise<void>((resolve) => this.#timers.setTimeout(resolve, 0)).then(() => {
      this.#turn = undefined;
      this.#lastTurn = performance.now();
    });
    return this.#turn;
  }
}

/**
 * The Worker's event loop, which every VU of the Worker shares (modules are instantiated once
 * per Worker). The Worker module starts its heartbeat.
 *
 * @example Usage
 * ```ts
 * import { WORKER_LOOP_TURNS } from "./loop_turns.ts";
 * await WORKER_LOOP_TURNS.starved();
 * ```
 */
export const WORKER_LOOP_TURNS: LoopTurns = new LoopTurns();
