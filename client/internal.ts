// The one sanctioned entry of runner/ (its k6/x/mqtt shim above all) into the client's
// internals, as nats.js has `internal_mod.ts`: what the runner needs to wrap a Client the way
// xk6-mqtt does, and the metric names it registers. Not part of the package's API (no export of
// deno.json reaches it): it may change with the client, and only runner/ may import it.

export {
  CLIENT_METRIC_NAMES,
  DATA_RECEIVED,
  DATA_SENT,
  MQTT_BYTES_RECEIVED,
  MQTT_BYTES_SENT,
  MQTT_CALLS,
  MQTT_CONNECT_DURATION,
  MQTT_ERRORS,
  MQTT_MESSAGE_LATENCY,
  MQTT_MESSAGES_RECEIVED,
  MQTT_MESSAGES_SENT,
  MQTT_PUBLISH_DURATION,
  MQTT_SUBSCRIBE_DURATION,
} from "./metric_names.ts";
/** The option keys each call accepts (for xk6-mqtt's lenient unknown-key handling). */
export { knownKeys } from "./_checks.ts";
/** The per-client bound of cached topic tags, which the shim's own tag caches follow. */
export { MAX_CACHED_TOPICS } from "./_metrics.ts";
/** The events `on()` accepts. */
export { EVENT_NAMES } from "./_listeners.ts";
/** The listeners behind a ClientEventTarget (whether anyone hears `error`). */
export { eventListenersOf } from "./event_target.ts";
