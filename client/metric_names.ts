/**
 * The metrics a `Client` reports to its `MetricsSink`: one name constant each, as k6's
 * `metrics/builtin.go` keeps its own, and their definitions ({@linkcode CLIENT_METRICS}). The
 * client makes every sample with them and the runner defines and reads them from here, so a
 * misspelt name is a compile error, not an empty series, and a new metric is one constant and
 * one definition in this file. Counters count 1 per event or bytes; trends are in
 * milliseconds. Every sample carries the client's tags (`proto`, `client_id`, `url`, the
 * client's and `connect()`'s `tags` option) and every sample of a call also the `tags` option
 * given to that call (`publish(t, m, { tags })`: its `mqtt_calls`, `mqtt_messages_sent`,
 * `data_sent` and `mqtt_publish_duration`).
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

/** A client metric's definition: its name, k6's metric type and the kind of its values. */
export interface ClientMetric {
  /** The name. */
  readonly name: string;
  /** k6's metric type. */
  readonly type: "counter" | "trend";
  /** k6's value type: plain numbers, milliseconds or bytes. */
  readonly contains: "default" | "time" | "data";
}

/** Every metric a client may report, with its type: the runner defines them before a test. */
export const CLIENT_METRICS: readonly ClientMetric[] = Object.freeze([
  { name: MQTT_CALLS, type: "counter", contains: "default" },
  { name: MQTT_MESSAGES_SENT, type: "counter", contains: "default" },
  { name: MQTT_MESSAGES_RECEIVED, type: "counter", contains: "default" },
  { name: MQTT_ERRORS, type: "counter", contains: "default" },
  { name: MQTT_CONNECT_DURATION, type: "trend", contains: "time" },
  { name: MQTT_SUBSCRIBE_DURATION, type: "trend", contains: "time" },
  { name: MQTT_PUBLISH_DURATION, type: "trend", contains: "time" },
  { name: MQTT_MESSAGE_LATENCY, type: "trend", contains: "time" },
  { name: MQTT_BYTES_SENT, type: "counter", contains: "data" },
  { name: MQTT_BYTES_RECEIVED, type: "counter", contains: "data" },
  { name: DATA_SENT, type: "counter", contains: "data" },
  { name: DATA_RECEIVED, type: "counter", contains: "data" },
]);
