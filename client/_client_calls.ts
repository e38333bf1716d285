// What a Client is made of (its Calls, Lifecycle, iterators), kept by client, so that the k6
// runner's shim can give a client xk6-mqtt's rules without reaching into the class.

import { Calls } from "./_calls.ts";
import { Consumers } from "./_consumers.ts";
import { Lifecycle } from "./_lifecycle.ts";
import type { Listeners } from "./_listeners.ts";
import { Metrics } from "./_metrics.ts";
import type { ClientSettings } from "./_settings.ts";

const callsOf = new WeakMap<object, Calls>();

/** Builds the parts of `client` and remembers them for {@linkcode withXk6Semantics}. */
export function clientCalls(client: object, events: Listeners, settings: ClientSettings): Calls {
  const sink = settings.metrics;
  const metrics = sink === undefined ? undefined : new Metrics(sink, settings.topicTags);
  const calls = new Calls(events, settings.clock, metrics);
  calls.lifecycle = new Lifecycle(settings, calls, metrics);
  calls.consumers = new Consumers(
    calls.lifecycle.session.inbound,
    settings.manualAck,
    settings.clock,
  );
  events.failures = calls;
  callsOf.set(client, calls);
  return calls;
}

/**
 * Whether a client is connecting: an attempt under way, or the next one due after its backoff
 * (a `connect()` and its retries, a reconnection). Its calls wait for the connection; neither
 * connected nor connecting, it is ending or closed and they fail at once.
 */
export function isConnecting(client: object): boolean {
  const state = callsOf.get(client)?.lifecycle.state;
  return state === "connecting" || state === "waiting";
}

/**
 * Whether a client's own reconnections reach its metrics (`mqtt_errors{method:connection}`,
 * `{method:reconnect}`, the reconnection's `mqtt_calls{method:connect}`): off under xk6-mqtt's
 * semantics, which count none; `mqload bench` turns it on for its `--reconnect` counts.
 */
export function countReconnects(client: object, on: boolean): void {
  const metrics = callsOf.get(client)?.metrics;
  if (metrics !== undefined) metrics.countReconnects = on;
}

/**
 * Gives a client xk6-mqtt's rules, for the k6 runner's shim: a failed sync-named call goes to the
 * `error` handlers or stays an unhandled rejection, an `on()` handler's exception is reported as
 * uncaught (the VU fails the iteration), and messages nobody consumes are acknowledged at once
 * instead of held for an iterator; its own reconnections count in no metric, as Paho's in none;
 * its samples carry its `client_id` from its first connection attempt on.
 */
export function withXk6Semantics(client: object): void {
  const calls = callsOf.get(client);
  if (calls === undefined) return;
  calls.outcomes.legacy = true;
  if (calls.metrics !== undefined) {
    calls.metrics.countReconnects = false;
    calls.metrics.withoutClientId();
  }
  calls.reportHandlerErrors = true;
  calls.consumers.hold = false;
}

/**
 * Drops a client's pending and queued calls without settling them, for the k6 shim when the
 * runner interrupts an iteration: as in k6, whose VU runs nothing more of that iteration, no
 * callback of the script's sees their end (a failure would read as a check's result).
 */
export function forgetPending(client: object): void {
  callsOf.get(client)?.lifecycle.session.failAll(undefined);
}
