/**
 * The metrics every test has before its script runs, in the spirit of k6's
 * `metrics/builtin.go`: the names of k6's built-in metrics as constants, the definitions of
 * k6's and xk6-mqtt's built-in metrics ({@linkcode BUILTIN_METRICS}), the legacy xk6-mqtt
 * names that read them ({@linkcode METRIC_ALIASES}), and {@linkcode defineBuiltins}.
 *
 * @module
 */

import type { MetricInfo } from "./types.ts";
import type { MetricRegistry } from "./registry.ts";

/** k6's `vus` gauge: VUs running an iteration. */
export const VUS = "vus";
/** k6's `vus_max` gauge: VUs initialized. */
export const VUS_MAX = "vus_max";
/** k6's `iterations` counter: iterations completed. */
export const ITERATIONS = "iterations";
/** k6's `iteration_duration` trend: time of one complete iteration, in ms. */
export const ITERATION_DURATION = "iteration_duration";
/** k6's `dropped_iterations` counter: iterations not started, for lack of VUs or of time. */
export const DROPPED_ITERATIONS = "dropped_iterations";
/** k6's `checks` rate: the share of `check()` conditions that passed. */
export const CHECKS = "checks";
/** k6's `data_sent` counter: bytes sent. */
export const DATA_SENT = "data_sent";
/** k6's `data_received` counter: bytes received. */
export const DATA_RECEIVED = "data_received";
/** k6's `group_duration` trend: time of one `group()` call, in ms. */
export const GROUP_DURATION = "group_duration";

/** k6's built-in metrics that mqload emits, with their types and value types. */
const K6_METRICS: ReadonlyArray<MetricInfo> = [
  { name: VUS, type: "gauge", contains: "default" },
  { name: VUS_MAX, type: "gauge", contains: "default" },
  { name: ITERATIONS, type: "counter", contains: "default" },
  { name: ITERATION_DURATION, type: "trend", contains: "time" },
  { name: DROPPED_ITERATIONS, type: "counter", contains: "default" },
  { name: CHECKS, type: "rate", contains: "default" },
  { name: DATA_SENT, type: "counter", contains: "data" },
  { name: DATA_RECEIVED, type: "counter", contains: "data" },
  { name: GROUP_DURATION, type: "trend", contains: "time" },
];

/**
 * xk6-mqtt's metrics, which the client emits. The only place in runner/metrics that spells
 * their names: they are to come from the client's own constants.
 */
const MQTT_METRICS: ReadonlyArray<MetricInfo> = [
  { name: "mqtt_calls", type: "counter", contains: "default" },
  { name: "mqtt_messages_sent", type: "counter", contains: "default" },
  { name: "mqtt_messages_received", type: "counter", contains: "default" },
  { name: "mqtt_errors", type: "counter", contains: "default" },
  { name: "mqtt_connect_duration", type: "trend", contains: "time" },
  { name: "mqtt_subscribe_duration", type: "trend", contains: "time" },
  { name: "mqtt_publish_duration", type: "trend", contains: "time" },
  { name: "mqtt_message_latency", type: "trend", contains: "time" },
  { name: "mqtt_bytes_sent", type: "counter", contains: "data" },
  { name: "mqtt_bytes_received", type: "counter", contains: "data" },
];

/** The names, types and value types of the metrics mqload defines before a script runs. */
export const BUILTIN_METRICS: ReadonlyArray<MetricInfo> = [...K6_METRICS, ...MQTT_METRICS];

/**
 * Names that older grafana/xk6-mqtt releases registered, each mapped to the metric that
 * counts the same thing today: `mqtt_message_sent`/`mqtt_message_received` (messages) and
 * `mqtt_data_sent`/`mqtt_data_received` (payload bytes, which xk6-mqtt also added to k6's
 * `data_sent`/`data_received`). Scripts written for those releases keep their thresholds:
 * a query on an alias reads its target, with the same tag filters; an alias appears in the
 * summary only when a threshold names it.
 */
export const METRIC_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  mqtt_message_sent: "mqtt_messages_sent",
  mqtt_message_received: "mqtt_messages_received",
  mqtt_data_sent: DATA_SENT,
  mqtt_data_received: DATA_RECEIVED,
});

/**
 * Defines k6's and xk6-mqtt's built-in metrics ({@linkcode BUILTIN_METRICS}).
 *
 * @param registry The registry to fill.
 * @throws {TypeError} When one of them exists with another type.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, ITERATION_DURATION } from "./builtin.ts";
 * import { MetricRegistry } from "./registry.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * defineBuiltins(registry);
 * assert.equal(registry.info(ITERATION_DURATION)?.type, "trend");
 * ```
 */
export function defineBuiltins(registry: Pick<MetricRegistry, "define">): void {
  for (const m of BUILTIN_METRICS) registry.define(m.name, m.type, m.contains);
}
