// How the outcome of a call reaches the caller. Every call returns a Promise. A failure the caller
// awaits (or attached a handler to) is only that rejection. A failure nobody waits for goes, for
// the sync-named methods (the xk6-mqtt names), to the `error` handlers and listeners, and is
// otherwise logged (the first of a client only): never an unhandled rejection. So each failure is
// reported once, and a fire-and-forget publish cannot end the process.
//
// The k6 runner keeps xk6-mqtt's rule (`legacy`): a sync-named call's failure goes to `error`
// handlers when there are some, its rejection then counting as handled; else the rejection stays
// unhandled and fails the iteration, as an exception in k6 does.

import type { Listeners } from "./_listeners.ts";
import type { Metrics } from "./_metrics.ts";
import { isObserved, ObservedPromise, silence } from "./_observed.ts";
import { MqttClosedError, MqttError } from "./errors.ts";
import { InvalidFilterError } from "./_ops.ts";
import { MqttErrorEvent } from "./events.ts";

/** A call whose promise is still open. */
export interface Pending<T> {
  promise: Promise<T>;
  reject(error: unknown): void;
  /** Made through a sync-named method. */
  sync: boolean;
  /** Made by the client itself (subscription restore): no caller holds the promise. */
  internal?: boolean | undefined;
  method: string;
  tags?: Record<string, string> | undefined;
  /** The topic filter a refused call names, a tag of its error sample. */
  topic?: string | undefined;
}

const noop = () => {};
const errorEvent = (error: MqttError) => new MqttErrorEvent(error);

export class Outcomes {
  /** xk6-mqtt's reporting rule, for the k6 runner (see above). */
  legacy = false;
  readonly #events: Listeners;
  readonly #metrics: Metrics | undefined;
  #logged = false;

  constructor(events: Listeners, metrics: Metrics | undefined) {
    this.#events = events;
    this.#metrics = metrics;
  }

  /** Wraps a lifecycle promise (connect, reconnect, end) so its failure follows the policy. */
  call<T>(
    inner: Promise<T>,
    method: string,
    sync: boolean,
    tags?: Record<string, string>,
  ): Promise<T> {
    const { promise, resolve, reject } = ObservedPromise.withResolvers<T>();
    const pending: Pending<T> = { promise, reject, sync, method, tags };
    inner.then(resolve, (error) => this.fail(pending, error));
    return promise;
  }

  /**
   * Makes a (un)subscribe call. Under xk6-mqtt's rule an invalid topic filter fails the call,
   * counted in `mqtt_errors` with its topic and reported as the rule says, as Paho's refusal of
   * it does there; elsewhere it is the caller's `TypeError`, thrown at once.
   */
  guard<T>(
    method: string,
    sync: boolean,
    tags: Record<string, string> | undefined,
    call: () => Promise<T>,
  ): Promise<T> {
    try {
      return call();
    } catch (error) {
      if (!this.legacy || !(error instanceof InvalidFilterError)) throw error;
      const { promise, reject } = ObservedPromise.withResolvers<T>();
      const failure = new MqttError(error.message, { code: "invalid", method, cause: error });
      this.fail({ promise, reject, sync, method, tags, topic: error.filter }, failure);
      return promise;
    }
  }

  /** Rejects a call; a failure nobody waits for is reported instead (see above). */
  fail(pending: Pending<unknown>, error: MqttError): void {
    // xk6-mqtt's reconnect() runs its connect again, and counts a failure as the connect's.
    const counted = this.legacy && pending.method === "reconnect" ? "connect" : pending.method;
    this.#metrics?.error(counted, pending.tags, pending.topic);
    if (this.legacy) {
      const report = (pending.sync || pending.internal === true) && this.#events.heard("error");
      if (report || pending.internal) pending.promise.catch(noop);
      if (report) this.#emit(error);
      pending.reject(error);
      return;
    }
    pending.reject(error);
    afterAwaiters(() => {
      if (pending.internal !== true && isObserved(pending.promise)) return;
      silence(pending.promise);
      // Named after the call that failed, not what it failed with (a reconnection given up).
      const method = pending.method;
      const reported = error.method === method ? error : new MqttError(
        `Cannot ${method}: ${error.message}`,
        { code: error.code, method, cause: error },
      );
      this.#unawaited(reported, pending.sync || pending.internal === true);
    });
  }

  /**
   * A write batch that QoS 0 publications wait on failed: one report per batch. Returns the
   * error they fail with, naming their call as every failed call's does.
   */
  batchFailed(promise: Promise<void>, cause: MqttError, sync: boolean): MqttError {
    // The publication failed because the connection went, whatever took it: "closed".
    const error = cause.method === "publish"
      ? cause
      : new MqttClosedError(cause.message, { method: "publish", cause });
    if (this.legacy && !sync) return error; // xk6-mqtt's rule counts and reports sync-named ones.
    this.#metrics?.error("publish");
    if (this.legacy) {
      if (!this.#events.heard("error")) return error;
      promise.catch(noop);
      this.#emit(error);
      return error;
    }
    afterAwaiters(() => {
      if (isObserved(promise)) return;
      silence(promise);
      this.#unawaited(error, sync);
    });
    return error;
  }

  /** A failure no call waits for (reconnection given up). */
  background(error: MqttError): void {
    const method = error.method ?? "connection";
    if (method === "connection" || method === "reconnect") {
      this.#metrics?.reconnectionError(method);
    } else this.#metrics?.error(method);
    if (this.#events.heard("error")) this.#emit(error);
  }

  /** An `on()` handler threw: the `error` event hears it, or the log once; the client goes on. */
  handlerFailed(event: string, cause: unknown): void {
    const message = cause instanceof Error ? cause.message : String(cause);
    const error = new MqttError(`The "${event}" handler threw: ${message}`, {
      code: "handler",
      method: event,
      cause,
    });
    this.#unawaited(error, true);
  }

  #unawaited(error: MqttError, toEvent: boolean): void {
    const heard = this.#events.heard("error");
    if (toEvent && heard) return this.#emit(error);
    if (this.#logged) return;
    this.#logged = true;
    // An async-named call's failure is its promise's, and goes to no handler.
    const why = heard ? "an async call nobody awaited" : 'no "error" handler';
    console.error(
      `mqload: ${error.message} (${why}; later failures of this client nobody awaits are not ` +
        `logged)`,
    );
  }

  #emit(error: MqttError): void {
    // Later, not inside the failing call: a handler that calls back into the client finds it in
    // a settled state.
    queueMicrotask(() => this.#events.emit("error", error, errorEvent));
  }
}

/**
 * Runs `judge` once whoever awaits a call that failed before returning has had its turn: two
 * microtasks later. `await` on a Promise subclass calls its `then` from a job queued when the
 * await runs, after a first microtask queued by the failing call itself; a judge running there
 * saw an awaited call as unawaited, and logged or reported a failure its caller caught.
 */
function afterAwaiters(judge: () => void): void {
  queueMicrotask(() => queueMicrotask(judge));
}
