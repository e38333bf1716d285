/**
 * The metrics a bench script adds to the client's: one name each, imported by the script
 * generator, the per-second lines and the summary.
 *
 * @module
 */

/**
 * The bench metrics' names.
 *
 * @example Usage
 * ```ts
 * import { BENCH_METRIC_NAMES } from "./metric_names.ts";
 * import assert from "node:assert/strict";
 * assert.equal(BENCH_METRIC_NAMES.lost, "bench_lost");
 * ```
 */
export const BENCH_METRIC_NAMES = Object.freeze(
  {
    /** Connect attempts retried (`--num-retry-connect`). */
    connectRetried: "bench_connect_retried",
    /** Clients that gave up connecting. */
    connectFailed: "bench_connect_failed",
    /** Clients whose connect turn came after `--duration`'s end (never started). */
    connectUnfinished: "bench_connect_unfinished",
    /** Publications started (acknowledged or failed, or in flight when the run stopped). */
    pubStarted: "bench_pub_started",
    /** Publications failed without ever being sent (made while their client was reconnecting). */
    pubUnsent: "bench_pub_unsent",
    /** Publications due by the end that never went out: the `-F` window stayed full. */
    pubLate: "bench_pub_late",
    /** Clients that gave up reconnecting (`--reconnect`). */
    reconnectGaveUp: "bench_reconnect_gave_up",
    /** Clients still reconnecting (`--reconnect`) when the run ended. */
    reconnectingAtEnd: "bench_reconnecting_at_end",
    /** Connections lost, by `reason` (the first few of each in a Worker also tagged `client`). */
    connLost: "bench_conn_lost",
    /** Connections made again after a loss (`--reconnect`). */
    reconnected: "bench_reconnected",
    /** Failed reconnect attempts by `reason` (the first few of each in a Worker also tagged `client`). */
    reconnectError: "bench_reconnect_error",
    /** Failed connect attempts by `reason` (the first few of each in a Worker also tagged `client`). */
    connectError: "bench_connect_error",
    /** Failed publications by `reason` (the first few of each in a Worker also tagged `client`). */
    pubError: "bench_publish_error",
    /** Clients subscribed (`bench sub`). */
    subscribed: "bench_subscribed",
    /** Clients whose SUBSCRIBE failed, by `reason` (the first few also tagged `client`). */
    subError: "bench_subscribe_error",
    /** Messages missing from a publisher's numbered stream (tagged `publisher`). */
    lost: "bench_lost",
    /** Messages received twice (tagged `publisher`). */
    duplicated: "bench_duplicated",
    /** Messages that came after a later one of the same stream (tagged `publisher`). */
    outOfOrder: "bench_out_of_order",
    /** When a counter first and last moved (gauge, epoch ms, tagged `counter` and `edge`). */
    eventTime: "bench_event_time",
    /** End-to-end latency from the `ts` payload header, ms. */
    latency: "bench_latency",
  } as const,
);
