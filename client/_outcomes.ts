// How the outcome of a call reaches the caller. Every call returns a Promise. When a call made
// through a sync-named method (the xk6-mqtt names) fails and an `error` handler or listener
// exists, the error goes to it and the rejection counts as handled, so k6 scripts that never
// await behave as in k6; with no handler, the rejection stays unhandled and is reported as an
// error of the running code. `*Async` calls only reject.

import type { Listeners } from "./_listeners.ts";
import type { Metrics } from "./_metrics.ts";
import type { MqttError } from "./errors.ts";
import { MqttErrorEvent } from "./events.ts";

/** A call whose promise is still open. */
export interface Pending<T> {
  promise: Promise<T>;
  reject(error: unknown): void;
  /** Made through a sync-named method. */
  sync: boolean;
  /** Made by the client itself (subscription restore): no caller holds the promise. */
  internal?: boolean;
  method: string;
  tags?: Record<string, string>;
}

const noop = () => {};
const errorEvent = (error: MqttError) => new MqttErrorEvent(error);

export class Outcomes {
  readonly #events: Listeners;
  readonly #metrics?: Metrics;

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
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    const pending: Pending<T> = { promise, reject, sync, method, tags };
    inner.then(resolve, (error) => this.fail(pending, error));
    return promise;
  }

  /** Rejects a call, first sending the error to `error` handlers when the policy says so. */
  fail(pending: Pending<unknown>, error: MqttError): void {
    this.#metrics?.error(pending.method, pending.tags);
    const report = (pending.sync || pending.internal === true) && this.#events.heard("error");
    if (report || pending.internal) pending.promise.catch(noop);
    if (report) this.#emit(error);
    pending.reject(error);
  }

  /** A write batch that sync-named QoS 0 publications wait on failed: one report per batch. */
  batchFailed(promise: Promise<void>, error: MqttError): void {
    this.#metrics?.error("publish");
    if (!this.#events.heard("error")) return;
    promise.catch(noop);
    this.#emit(error);
  }

  /** A failure no call waits for (reconnection given up). */
  background(error: MqttError): void {
    this.#metrics?.error(error.method ?? "connection");
    if (this.#events.heard("error")) this.#emit(error);
  }

  #emit(error: MqttError): void {
    // Later, not inside the failing call: a handler that calls back into the client finds it in
    // a settled state.
    queueMicrotask(() => this.#events.emit("error", error, errorEvent));
  }
}
