// A Promise that knows whether anyone is waiting on it: a failure nobody awaits goes to the
// `error` event (or the log) instead of becoming an unhandled rejection, and a failure the
// caller awaits is not reported a second time.

const then = Promise.prototype.then;
const noop = () => {};

export class ObservedPromise<T> extends Promise<T> {
  /** Whether `then` (so `await`, `catch`, `finally`) was called on it. */
  observed = false;

  // Derived promises are plain ones: only the promise a call returns is watched.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  override then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.observed = true;
    return then.call(this, onfulfilled, onrejected) as Promise<A | B>;
  }
}

/** Whether anyone waits on `promise` (always true for promises that are not ObservedPromises). */
export function isObserved(promise: Promise<unknown>): boolean {
  return !(promise instanceof ObservedPromise) || promise.observed;
}

/** Marks a rejection as handled without counting as a waiter. */
export function silence(promise: Promise<unknown>): void {
  then.call(promise, undefined, noop);
}
