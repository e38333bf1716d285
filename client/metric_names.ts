/**
 * The names of the metrics a `Client` reports to its `MetricsSink`, one constant each, as k6's `metrics/builtin.go` keeps its own: the client makes every sample with
 * them and the runner imports them (through `client/internal.ts`), so a misspelt name is a
 * compile error, not an empty series. Counters count 1 per event or bytes; trends are in
 * milliseconds.
 *
 * @module
 */

/** Counter: calls made, with the tag `method` (`connect`, `publish`, `message`, `end`…). */
export const MQTT_CALLS = "mqtt_calls";
/** Counter: publications done (QoS 0 handed to the connection, 1 and 2 acknowledged), per `topic`. */
export const MQTT_MESSAGES_SENT = "mqtt_messages_sent";
/** Counter: messages delivered to the application, per `topic`. */
export const MQTT_MESSAGES_RECEIVED = "mqtt_messages_received";
/** Counter: failed calls and lost connections, with the tag `method`. */
export const MQTT_ERRORS = "mqtt_errors";
/** Trend: from the start of a connection attempt to its CONNACK. */
export const MQTT_CONNECT_DURATION = "mqtt_connect_duration";
/** Trend: from a `subscribe()` call to its SUBACK. */
export const MQTT_SUBSCRIBE_DURATION = "mqtt_subscribe_duration";
/** Trend: from a QoS 1 or 2 `publish()` call to its PUBACK or PUBCOMP, per `topic`. */
export const MQTT_PUBLISH_DURATION = "mqtt_publish_duration";
/**
 * Trend: from publisher to receiver, per `topic`, read from the stamp the publisher put on the
 * message (an MQTT 5 user property, or a payload trailer with `latency_stamp: "payload"`).
 */
export const MQTT_MESSAGE_LATENCY = "mqtt_message_latency";
/** Counter: bytes written to the connection (whole packets). */
export const MQTT_BYTES_SENT = "mqtt_bytes_sent";
/** Counter: bytes read from the connection (whole packets). */
export const MQTT_BYTES_RECEIVED = "mqtt_bytes_received";
/** Counter: payload bytes of the publications done, as xk6-mqtt counts them. */
export const DATA_SENT = "data_sent";
/** Counter: payload bytes of the messages delivered, as xk6-mqtt counts them. */
export const DATA_RECEIVED = "data_received";

/** Every metric name above: what a client may report. */
export const CLIENT_METRIC_NAMES: readonly string[] = Object.freeze([
  MQTT_CALLS,
  MQTT_MESSAGES_SENT,
  MQTT_MESSAGES_RECEIVED,
  MQTT_ERRORS,
  MQTT_CONNECT_DURATION,
  MQTT_SUBSCRIBE_DURATION,
  MQTT_PUBLISH_DURATION,
  MQTT_MESSAGE_LATENCY,
  MQTT_BYTES_SENT,
  MQTT_BYTES_RECEIVED,
  DATA_SENT,
  DATA_RECEIVED,
]);
