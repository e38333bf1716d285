/**
 * k6's blocking semantics for a `k6/x/mqtt` client's calls. In k6 a sync-named call has
 * returned before the script's next line runs, and `sleep()` blocks the VU; here both return
 * at once, so {@linkcode BlockingCalls} orders the calls as k6 would run them.
 *
 * @module
 */

import { vuStorage } from "../worker/vu_context.ts";
import { WORKER_LOOP_TURNS } from "../worker/loop_turns.ts";

/** The `connected` marker of an `end()` call in progress. */
const ENDING: object = Object.freeze({});

/**
 * Whether a failed call's rejection is taken care of (an `error` handler takes it, or the client
 * reports nothing), so that it is not left unhandled.
 *
 * @param events Whether the call is a sync-named one, which reports failures as `error` events.
 */
export type FailureHandled = (events: boolean) => boolean;

/** A promise with its resolver, and a rejecter that leaves a handled failure quiet. */
interface Outcome<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  fail: (error: unknown) => void;
}

/**
 * The order of one client's calls, as k6's blocking calls would have them: after the VU's
 * pending sleeps, `end()` and `reconnect()` after a pending connection attempt, and
 * `connected` as a finished blocking call leaves it. Each method takes the call to start and
 * returns a promise that settles as the call does.
 */
export class BlockingCalls {
  readonly #handled: FailureHandled;
  /** Settles when the last connect()/reconnect() call settled; end() waits for it. */
  #pendingConnect: Promise<void> | undefined;
  /** A blocking call in progress that `connected` reports as done (see the getter). */
  #blocking: object | undefined;

  /** @param handled Whether a failed call's rejection is taken care of. */
  constructor(handled: FailureHandled) {
    this.#handled = handled;
  }

  /**
   * What `connected` reports while a blocking call is in progress, or `undefined` when none is:
   * `true` from a sync-named `connect()` call until it fails, `false` from an `end()` call on.
   */
  get connected(): boolean | undefined {
    const blocking = this.#blocking;
    return blocking === undefined ? undefined : blocking !== ENDING;
  }

  /**
   * Records a connect()/reconnect() call: `end()` waits for it, and a sync-named one makes
   * `connected` true until it fails.
   */
  connecting<T>(inner: Promise<T>, sync: boolean): Promise<T> {
    const gate = Promise.withResolvers<void>();
    const mark = {};
    this.#pendingConnect = gate.promise;
    this.#blocking = sync ? mark : undefined;
    return this.#relay(inner, sync, () => {
      gate.resolve();
      if (this.#pendingConnect === gate.promise) this.#pendingConnect = undefined;
      if (this.#blocking === mark) this.#blocking = undefined;
    });
  }

  /**
   * Records a sync-named `end()` call, started by `start`: `connected` is false from now until
   * it settles.
   */
  ending<T>(start: () => Promise<T>): Promise<T> {
    this.#blocking = ENDING;
    return this.#relay(start(), true, () => {
      if (this.#blocking === ENDING) this.#blocking = undefined;
    });
  }

  /**
   * Starts `start` after the VU's pending sleeps (see `afterSleep`), then after the
   * pending connection attempt (see `#afterConnect`): for `end()` and `reconnect()`.
   */
  afterSleepAndConnect<T>(start: () => Promise<T>, events: boolean): Promise<T> {
    return this.afterSleep(() => this.#afterConnect(start, events), events);
  }

  /**
   * In k6 a sync-named `connect()` has returned before the script's next line runs, so
   * `client.connect(url); client.publish(…); client.end()` publishes and then disconnects.
   * Here `end()` (and `reconnect()`) wait for the pending connection attempt instead of
   * aborting it; the library's `end()` then waits for the in-flight acknowledgements.
   */
  #afterConnect<T>(start: () => Promise<T>, events: boolean): Promise<T> {
    const pending = this.#pendingConnect;
    if (pending === undefined) return start();
    const outcome = this.#outcome<T>(events);
    pending.then(() => startInto(start, outcome));
    return outcome.promise;
  }

  /**
   * k6's `sleep()` blocks the VU, so `client.connect(url); sleep(1); client.end()` ends the
   * client a second later. Scripts are transformed to await such calls (see
   * `runner/script/blocking/`); where a call cannot be awaited (a TypeScript script, a callback
   * given to code that does not wait for it), a call made while an un-awaited sleep of the VU is
   * pending starts when it ends, after the calls made before it (one queue per VU, no timers).
   * A call made while the Worker's event loop starves (calls that settle as microtasks only,
   * made again and again) starts after its next macrotask, so the Worker keeps reporting.
   */
  afterSleep<T>(start: () => Promise<T>, events: boolean): Promise<T> {
    const sleep = vuStorage.getStore()?.sleepGate;
    const turn = WORKER_LOOP_TURNS.starved();
    const gate = sleep === undefined ? turn : turn === undefined ? sleep : sleep.then(() => turn);
    if (gate === undefined) return start();
    const outcome = this.#outcome<T>(events);
    gate.then(() => startInto(start, outcome));
    return outcome.promise;
  }

  /**
   * A promise that settles as `inner` does, calling `settled` first. Its rejection stays
   * unhandled for the script to see unless, as the library does for its sync names, an
   * `error` handler takes the failure.
   */
  #relay<T>(inner: Promise<T>, events: boolean, settled: () => void): Promise<T> {
    const { promise, resolve, fail } = this.#outcome<T>(events);
    inner.then((value) => {
      settled();
      resolve(value);
    }, (error) => {
      settled();
      fail(error);
    });
    return promise;
  }

  #outcome<T>(events: boolean): Outcome<T> {
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    const fail = (error: unknown) => {
      if (this.#handled(events)) promise.catch(() => {});
      reject(error);
    };
    return { promise, resolve, fail };
  }
}

/** Starts a deferred call, settling `outcome` as it settles (or throws). */
function startInto<T>(start: () => Promise<T>, outcome: Outcome<T>): void {
  try {
    start().then(outcome.resolve, outcome.fail);
  } catch (error) {
    outcome.fail(error);
  }
}
