/**
 * The interface through which a {@linkcode Client} reports metrics. The runner plugs its metric
 * registry in; any object with an `add` method works.
 *
 * @module
 */

/**
 * Receives the client's metric samples, one call per sample.
 *
 * Counters (value 1 or a byte count): `mqtt_calls` (tag `method`), `mqtt_messages_sent`,
 * `mqtt_messages_received`, `mqtt_errors` (tag `method`), `data_sent` and `data_received` (payload
 * bytes), `mqtt_bytes_sent` and `mqtt_bytes_received` (wire bytes). Trends, in milliseconds:
 * `mqtt_connect_duration`, `mqtt_subscribe_duration`, `mqtt_publish_duration` (acknowledgement
 * round trip at QoS 1 and 2) and `mqtt_message_latency` (publisher to receiver, measured by a
 * receiver with a sink from the publish time the publisher stamped: by default in an MQTT 5
 * `mqload-ts` user property, stamped when the publisher has a sink; with
 * `latency_stamp: "payload"`, in any version including MQTT 3.1.1, as a payload trailer that a
 * receiver with the same option reads and strips).
 *
 * Tags: `proto` (`MQTT/3.1`, `MQTT/3.1.1`, `MQTT/5.0`), `client_id`, `url` (never with
 * credentials), `topic` for per-message metrics, plus the client's and the call's `tags`. The tags
 * object may be shared between calls: read it, do not keep or change it.
 *
 * @example Usage
 * ```ts
 * import { Client, type MetricsSink } from "@mqload/mqload";
 * const totals = new Map<string, number>();
 * const metrics: MetricsSink = {
 *   add(metric, value) {
 *     totals.set(metric, (totals.get(metric) ?? 0) + value);
 *   },
 * };
 * const client = new Client({ metrics });
 * ```
 *
 * @example Counting the clients connected now
 * ```ts
 * import { Client, type MetricsSink } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 *
 * let connected = 0;
 * const metrics: MetricsSink = { add() {}, connection: (open) => void (connected += open ? 1 : -1) };
 * const client = new Client({ metrics });
 * assert.equal(connected, 0);
 * ```
 */
export interface MetricsSink {
  /**
   * Records one sample.
   *
   * @param metric The metric name, for example `"mqtt_messages_sent"`.
   * @param value The sample value: 1 per event, a byte count, or a duration in milliseconds.
   * @param tags The sample's tags.
   */
  add(metric: string, value: number, tags: Record<string, string>): void;
  /**
   * Optional: hears the client's connection open (its CONNACK accepted, also on each
   * reconnection) and close (ended, lost, or replaced by a new `connect()`), once each, so that
   * a sink shared by many clients can count those connected now.
   *
   * @param open True when a connection opened, false when it closed.
   */
  connection?(open: boolean): void;
  /**
   * Optional: a recorder for many samples of one metric with one tags object, which the client
   * then keeps (per topic, per connection) and calls instead of `add` for its per-message
   * samples, so that a sink can resolve the series once rather than at every sample. The tags
   * are frozen and the same for every sample the recorder gets; a sink whose own tags can change
   * (the runner's VU tags) checks them in `add`. Samples recorded either way must be the same.
   *
   * @param metric The metric name.
   * @param tags The samples' tags, frozen.
   * @returns Where the samples go.
   */
  recorder?(metric: string, tags: Readonly<Record<string, string>>): MetricRecorder;
}

/**
 * Records the samples of one metric with one set of tags (see {@linkcode MetricsSink.recorder}).
 *
 * @example A sink summing each metric
 * ```ts
 * import { Client, type MetricRecorder, type MetricsSink } from "@mqload/mqload";
 *
 * const sums = new Map<string, number>();
 * const metrics: MetricsSink = {
 *   add(metric, value) {
 *     sums.set(metric, (sums.get(metric) ?? 0) + value);
 *   },
 *   recorder(metric): MetricRecorder {
 *     return { add: (value) => void sums.set(metric, (sums.get(metric) ?? 0) + value) };
 *   },
 * };
 * const client = new Client({ metrics });
 * ```
 */
export interface MetricRecorder {
  /**
   * Records one sample.
   *
   * @param value The sample value.
   */
  add(value: number): void;
}
