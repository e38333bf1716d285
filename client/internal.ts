// The one sanctioned entry of the runner's k6/x/mqtt shim (runner/k6/) into the client's
// internals, as nats.js has `internal_mod.ts`: what it needs to wrap a Client the way xk6-mqtt
// does. Not part of the package's API (no export of deno.json reaches it): it may change with the
// client, and tests/layering_test.ts lets only runner/k6 import it. The metric names are public
// in metric_names.ts.

/** The option keys each call accepts (for xk6-mqtt's lenient unknown-key handling). */
export { knownKeys } from "./_checks.ts";
/** The per-client bound of cached topic tags, which the shim's own tag caches follow. */
export { MAX_CACHED_TOPICS } from "./_metrics.ts";
/** The events `on()` accepts. */
export { EVENT_NAMES } from "./_listeners.ts";
/** The listeners behind a ClientEventTarget (whether anyone hears `error`). */
export { eventListenersOf } from "./event_target.ts";
/** Gives a client xk6-mqtt's reporting rules and no held messages (the k6 shim's clients). */
export { withXk6Semantics } from "./_client_calls.ts";
/** Whether a client is connecting or waiting to: one reconnecting, not one ending or closed. */
export { isConnecting } from "./_client_calls.ts";
/** Whether a client's own reconnections reach its metrics (off under xk6-mqtt's semantics). */
export { countReconnects } from "./_client_calls.ts";
/** Drops a client's pending calls unsettled (an interrupted iteration's). */
export { forgetPending } from "./_client_calls.ts";
/** Marks an `on("message")` handler that gets each payload as a view within the read. */
export { READ_VIEW } from "./_deliver.ts";
