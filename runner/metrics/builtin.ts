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
import {
  CLIENT_METRICS,
  DATA_RECEIVED,
  DATA_SENT,
  MQTT_MESSAGES_RECEIVED,
  MQTT_MESSAGES_SENT,
} from "../../client/metric_names.ts";

// The client's names (mqtt_calls, mqtt_message_latency, …), for the runner's files to import
// from one place beside k6's; data_sent and data_received are k6's, counted by the client.
export * from "../../client/metric_names.ts";

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
/** k6's `group_duration` trend: time of one `group()` call, in ms. */
export const GROUP_DURATION = "group_duration";

/** k6's `http_reqs` counter: HTTP requests made by `k6/http` (one per redirect hop). */
export const HTTP_REQS = "http_reqs";
/** k6's `http_req_duration` trend: sending + waiting + receiving, in ms. */
export const HTTP_REQ_DURATION = "http_req_duration";
/** k6's `http_req_blocked` trend: waiting for a free connection (0 under fetch). */
export const HTTP_REQ_BLOCKED = "http_req_blocked";
/** k6's `http_req_connecting` trend: the TCP connect (0 under fetch). */
export const HTTP_REQ_CONNECTING = "http_req_connecting";
/** k6's `http_req_tls_handshaking` trend: the TLS handshake (0 under fetch). */
export const HTTP_REQ_TLS_HANDSHAKING = "http_req_tls_handshaking";
/** k6's `http_req_sending` trend: writing the request (0 under fetch). */
export const HTTP_REQ_SENDING = "http_req_sending";
/** k6's `http_req_waiting` trend: from the request to the response's headers, in ms. */
export const HTTP_REQ_WAITING = "http_req_waiting";
/** k6's `http_req_receiving` trend: reading the response's body, in ms. */
export const HTTP_REQ_RECEIVING = "http_req_receiving";
/** k6's `http_req_failed` rate: responses the response callback did not expect. */
export const HTTP_REQ_FAILED = "http_req_failed";

/** k6's built-in metrics that mqload emits, with their types and value types. */
const K6_METRICS: ReadonlyArray<MetricInfo> = [
  { name: VUS, type: "gauge", contains: "default" },
  { name: VUS_MAX, type: "gauge", contains: "default" },
  { name: ITERATIONS, type: "counter", contains: "default" },
  { name: ITERATION_DURATION, type: "trend", contains: "time" },
  { name: DROPPED_ITERATIONS, type: "counter", contains: "default" },
  { name: CHECKS, type: "rate", contains: "default" },
  { name: GROUP_DURATION, type: "trend", contains: "time" },
  { name: HTTP_REQS, type: "counter", contains: "default" },
  { name: HTTP_REQ_FAILED, type: "rate", contains: "default" },
  ...[
    HTTP_REQ_DURATION,
    HTTP_REQ_BLOCKED,
    HTTP_REQ_CONNECTING,
    HTTP_REQ_TLS_HANDSHAKING,
    HTTP_REQ_SENDING,
    HTTP_REQ_WAITING,
    HTTP_REQ_RECEIVING,
  ].map((name): MetricInfo => ({ name, type: "trend", contains: "time" })),
];

/** The names, types and value types of the metrics mqload defines before a script runs. */
export const BUILTIN_METRICS: ReadonlyArray<MetricInfo> = [...K6_METRICS, ...CLIENT_METRICS];

/**
 * Names that older grafana/xk6-mqtt releases registered, each mapped to the metric that
 * counts the same thing today: `mqtt_message_sent`/`mqtt_message_received` (messages) and
 * `mqtt_data_sent`/`mqtt_data_received` (payload bytes, which xk6-mqtt also added to k6's
 * `data_sent`/`data_received`). Scripts written for those releases keep their thresholds:
 * a query on an alias reads its target, with the same tag filters; an alias appears in the
 * summary only when a threshold names it.
 */
export const METRIC_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  mqtt_message_sent: MQTT_MESSAGES_SENT,
  mqtt_message_received: MQTT_MESSAGES_RECEIVED,
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
