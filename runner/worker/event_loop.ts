/**
 * A VU's event loop as k6 has it: in k6 a sync-named call (`client.publish()`, `sleep()`,
 * `http.get()`) blocks the VU, and the callbacks of events (a client's `message` handler, a
 * timer) are queued and run only once the script's JavaScript is back on the event loop — after
 * the iteration body returned, or while it awaits. Deno cannot block, so the script transform
 * (`runner/script/blocking/`) awaits those calls and marks them with {@linkcode VuEventLoop.block};
 * this class holds the VU's event callbacks back while any such call is in progress and until the
 * next macrotask after the last one settled, when the code that awaited it has run on.
 *
 * A VU that makes no blocking call (an async-style script) never queues: each callback runs as
 * its event arrives, as before.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";

/**
 * How the loop reaches the next macrotask: `setImmediate` (node:timers), which runs after the
 * microtasks of the current task and lets the Worker's I/O, timers and messages through, in about
 * 5 µs. `setTimeout(…, 0)` took 2 ms here (Deno clamps it to 1 ms, then waits for its timer): a
 * `message` handler that publishes with the sync-named `publish()` ran that much later each time.
 */
export interface Macrotasks {
  /** Runs `callback` in the next macrotask. */
  queue(callback: () => void): unknown;
  /** Cancels a queued callback. */
  cancel(handle: unknown): void;
}

/** The Worker's own macrotasks (`setImmediate`), which no VU tracks. */
export const IMMEDIATE: Macrotasks = Object.freeze({
  queue: (callback: () => void) => setImmediate(callback),
  cancel: (handle: unknown) => clearImmediate(handle as ReturnType<typeof setImmediate>),
});

/** A queued event callback and its arguments. */
type Task = readonly [callback: (...args: never[]) => unknown, args: readonly unknown[]];

/**
 * One VU's blocking calls and the event callbacks waiting for them.
 *
 * @example Usage
 * ```ts
 * import { VuEventLoop } from "./event_loop.ts";
 * const loop = new VuEventLoop((run) => run(), (error) => console.error(error));
 * const call = loop.block(new Promise((resolve) => setTimeout(resolve, 10)));
 * loop.post((text: string) => console.log(text), ["runs after the call, on the next task"]);
 * await call;
 * await loop.idle();
 * ```
 */
export class VuEventLoop {
  readonly #enter: (run: () => void) => void;
  readonly #onError: (error: unknown) => void;
  readonly #macrotasks: Macrotasks;
  /** Blocking calls in progress. */
  #blocking = 0;
  /** Counts `clear()` calls: the calls made before one no longer count. */
  #generation = 0;
  /** A blocking call settled and no macrotask has run since: the awaiting code goes first. */
  #barrier = false;
  #queue: Task[] = [];
  #pump: unknown;
  #idle: PromiseWithResolvers<void> | undefined;
  /** A callback threw: k6's loop stops at the first failing callback and drops the rest. */
  #failed = false;

  /**
   * @param enter Runs a callback as the VU (its async context).
   * @param onError Receives what a callback threw or rejected with.
   * @param macrotasks How to reach the next macrotask (default: `setImmediate`).
   */
  constructor(
    enter: (run: () => void) => void,
    onError: (error: unknown) => void,
    macrotasks: Macrotasks = IMMEDIATE,
  ) {
    this.#enter = enter;
    this.#onError = onError;
    this.#macrotasks = macrotasks;
  }

  /**
   * Marks a call the script is blocked on (it awaits it where k6 would block): callbacks wait
   * until it settles and the code after it has run.
   *
   * @param call The call's promise.
   * @returns `call` itself: the count drops in a reaction registered before the script's
   * `await`, so it has dropped when the script goes on (no promise is added to its chain).
   */
  block<T>(call: Promise<T>): Promise<T> {
    this.#blocking++;
    const generation = this.#generation;
    const settled = () => this.#settled(generation);
    call.then(settled, settled);
    return call;
  }

  #settled(generation: number): void {
    // A call of an iteration the runner abandoned (see `clear`) no longer counts.
    if (generation !== this.#generation || --this.#blocking > 0) return;
    this.#barrier = true;
    if (this.#queue.length > 0) this.#schedule();
    else this.#checkIdle();
  }

  /**
   * Runs an event callback now when the VU's JavaScript is on its event loop, else once it is.
   *
   * @param callback The callback.
   * @param args Its arguments.
   */
  post<A extends unknown[]>(callback: (...args: A) => unknown, args: A): void {
    if (this.#failed) return;
    if (this.#blocking === 0 && !this.#barrier && this.#queue.length === 0) {
      this.#run(callback as Task[0], args);
      return;
    }
    this.#queue.push([callback as Task[0], args]);
    if (this.#blocking === 0) this.#schedule();
  }

  /** True when nothing is blocked on and no callback waits. */
  get quiet(): boolean {
    return this.#blocking === 0 && this.#queue.length === 0;
  }

  /**
   * Resolves once no callback waits and no blocking call is in progress (k6's event loop is
   * empty of them).
   */
  idle(): Promise<void> {
    if (this.quiet) return Promise.resolve();
    return (this.#idle ??= Promise.withResolvers<void>()).promise;
  }

  /** An iteration starts: callbacks run again after one failed outside any (a stray error). */
  resume(): void {
    this.#failed = false;
  }

  /**
   * Forgets the waiting callbacks and the calls in progress (the iteration was interrupted or
   * failed: its calls were aborted, and some never settle).
   */
  clear(): void {
    this.#failed = false;
    this.#generation++;
    this.#blocking = 0;
    this.#queue = [];
    if (this.#pump !== undefined) this.#macrotasks.cancel(this.#pump);
    this.#pump = undefined;
    this.#barrier = false;
    this.#checkIdle();
  }

  #schedule(): void {
    this.#pump ??= this.#macrotasks.queue(this.#drain);
  }

  readonly #drain = (): void => {
    this.#pump = undefined;
    this.#barrier = false;
    this.#enter(() => {
      // One after another, until one of them blocks: the rest wait for that call.
      while (this.#blocking === 0 && this.#queue.length > 0 && !this.#failed) {
        const [callback, args] = this.#queue.shift()!;
        this.#run(callback, args);
      }
    });
    this.#checkIdle();
  };

  #run(callback: Task[0], args: readonly unknown[]): void {
    let result: unknown;
    try {
      result = callback(...(args as never[]));
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (result instanceof Promise) result.then(undefined, this.#fail);
  }

  /**
   * A callback failed: as k6's event loop, which returns the first callback's error and drops
   * what is queued behind it, nothing more runs until `clear()` (the iteration's end) or
   * `resume()` (the next iteration's start).
   */
  readonly #fail = (error: unknown): void => {
    this.#failed = true;
    this.#queue = [];
    this.#onError(error);
    this.#checkIdle();
  };

  #checkIdle(): void {
    if (this.#idle === undefined || !this.quiet) return;
    this.#idle.resolve();
    this.#idle = undefined;
  }
}
