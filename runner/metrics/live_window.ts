/**
 * The figures of a running test, second by second: what the live lines on stderr show, and
 * what a live dashboard shows. {@linkcode LiveWindow} is fed the snapshots the main thread
 * merges, each placed in the test-clock second its period falls in (a Worker drains on the
 * test clock's whole seconds and stamps the period), and the count of connected clients the
 * Workers report. It keeps the last seconds in bounded memory and answers with the figures of
 * the last complete second and the totals so far. The work is per series of a snapshot, never
 * per sample.
 *
 * @module
 */

import {
  MQTT_CONNECT_DURATION,
  MQTT_ERRORS,
  MQTT_MESSAGE_LATENCY,
  MQTT_MESSAGES_RECEIVED,
  MQTT_MESSAGES_SENT,
  MQTT_PUBLISH_DURATION,
} from "./builtin.ts";
import { LogHistogram } from "./histogram.ts";
import { type MetricsSnapshot, periodShares, snapshotTime } from "./types.ts";

/**
 * The tag the client puts the failing call's method in (`mqtt_errors{method:connect}`).
 *
 * @example Usage
 * ```ts
 * import { METHOD_TAG } from "./live_window.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(METHOD_TAG, "method");
 * ```
 */
export const METHOD_TAG = "method";

/**
 * The `method` tags of `mqtt_errors` that are failed connection attempts: a `connect()` or
 * `reconnect()` call refused or timed out, or an automatic reconnection that failed.
 *
 * @example Usage
 * ```ts
 * import { CONNECT_METHODS } from "./live_window.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(CONNECT_METHODS.includes("reconnect"));
 * ```
 */
export const CONNECT_METHODS: readonly string[] = Object.freeze(["connect", "reconnect"]);

/**
 * The median and 99th percentile of a trend over a second.
 *
 * @example Usage
 * ```ts
 * import type { LivePercentiles } from "./live_window.ts";
 *
 * const rtt: LivePercentiles = { p50: 0.5, p99: 1.2, count: 1000 };
 * ```
 */
export interface LivePercentiles {
  /** Median, in ms. */
  p50: number;
  /** 99th percentile, in ms. */
  p99: number;
  /** Values in the second. */
  count: number;
}

/**
 * Counts of a span of the test: one second, or the whole run so far. A second's counts may
 * have a fraction: a Worker's period that ran past the second's end is shared out by time.
 *
 * @example Usage
 * ```ts
 * import type { LiveCounts } from "./live_window.ts";
 *
 * const counts: LiveCounts = {
 *   connects: 50, connectFailures: 0, sent: 1000, received: 1000, publishFailures: 0, errors: 0,
 * };
 * ```
 */
export interface LiveCounts {
  /** Successful connections (`mqtt_connect_duration` samples: first connects and reconnections). */
  connects: number;
  /** Failed connection attempts (`mqtt_errors` with a `method` of {@linkcode CONNECT_METHODS}). */
  connectFailures: number;
  /** Messages published (`mqtt_messages_sent`). */
  sent: number;
  /** Messages received (`mqtt_messages_received`). */
  received: number;
  /** Failed publications (`mqtt_errors{method:publish}`). */
  publishFailures: number;
  /** Every `mqtt_errors`. */
  errors: number;
}

/**
 * The figures of one second of the test clock. Counts are per second, as the second is one.
 *
 * @example Usage
 * ```ts
 * import { LiveWindow, type LiveSecond } from "./live_window.ts";
 * import assert from "node:assert/strict";
 *
 * const second: LiveSecond | undefined = new LiveWindow({ startMs: 0 }).last(500);
 * assert.equal(second, undefined);
 * ```
 */
export interface LiveSecond extends LiveCounts {
  /** Which second: 0 is the test's first. */
  index: number;
  /** Its start, in ms since the epoch. */
  startMs: number;
  /** Clients connected at its end (the latest figure reported), when any was reported. */
  connected?: number;
  /** End-to-end message latency (`mqtt_message_latency`), when measured in the second. */
  latency?: LivePercentiles;
  /** Publish round trip (`mqtt_publish_duration`, QoS 1 and 2), when measured in the second. */
  publishRtt?: LivePercentiles;
}

/**
 * The run so far.
 *
 * @example Usage
 * ```ts
 * import { LiveWindow, type LiveTotals } from "./live_window.ts";
 * import assert from "node:assert/strict";
 *
 * const totals: LiveTotals = new LiveWindow({ startMs: 0 }).totals();
 * assert.equal(totals.sent, 0);
 * ```
 */
export interface LiveTotals extends LiveCounts {
  /** Clients connected now (the latest figure reported), when any was reported. */
  connected?: number;
  /** `mqtt_message_latency` values so far. */
  latencyCount: number;
  /** `mqtt_publish_duration` values so far. */
  publishRttCount: number;
}

/**
 * How long after a second's end its figures are taken as complete, in ms: the Workers drain on
 * the whole second and their snapshots reach the main thread within a few ms, or a few hundred
 * under load.
 *
 * @example Usage
 * ```ts
 * import { LIVE_SETTLE_MS } from "./live_window.ts";
 * import assert from "node:assert/strict";
 * assert.equal(LIVE_SETTLE_MS, 400);
 * ```
 */
export const LIVE_SETTLE_MS = 400;

/**
 * Options of {@linkcode LiveWindow}.
 *
 * @example Usage
 * ```ts
 * import type { LiveWindowOptions } from "./live_window.ts";
 *
 * const options: LiveWindowOptions = { startMs: Date.now(), settleMs: 300, keepSeconds: 120 };
 * ```
 */
export interface LiveWindowOptions {
  /** The test start (`t0`), in ms since the epoch: second 0 begins there. */
  startMs: number;
  /**
   * How long after a second's end its figures are complete, in ms (default 400): the Workers'
   * snapshots of that second arrive within a few ms of it unless one is very busy.
   */
  settleMs?: number;
  /** Seconds kept for {@linkcode LiveWindow.at} (default 60). */
  keepSeconds?: number;
}

interface Bucket extends LiveCounts {
  connected?: number;
  connectedAt: number;
  latency?: LogHistogram;
  publishRtt?: LogHistogram;
}

const zeroCounts = (): LiveCounts => ({
  connects: 0,
  connectFailures: 0,
  sent: 0,
  received: 0,
  publishFailures: 0,
  errors: 0,
});

/**
 * Per-second figures of a running test, in bounded memory.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, LiveWindow, MetricRegistry } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const t0 = Date.UTC(2025, 0, 1);
 * const worker = new MetricRegistry();
 * defineBuiltins(worker);
 * const live = new LiveWindow({ startMs: t0 });
 * for (let i = 0; i < 1000; i++) worker.add("mqtt_messages_sent", 1);
 * worker.add("mqtt_errors", 1, { method: "connect" });
 * live.add({ ...worker.drain(), periodStartMs: t0, periodEndMs: t0 + 1000 });
 * live.connected(499, t0 + 500);
 * assert.equal(live.last(t0 + 1100), undefined); // second 0 is still settling
 * const second = live.last(t0 + 1500)!;
 * assert.equal(second.index, 0);
 * assert.equal(second.sent, 1000);
 * assert.equal(second.connectFailures, 1);
 * assert.equal(second.connected, 499);
 * assert.equal(live.totals().errors, 1);
 * ```
 */
export class LiveWindow {
  readonly #startMs: number;
  readonly #settleMs: number;
  readonly #keep: number;
  readonly #buckets = new Map<number, Bucket>();
  readonly #totals: LiveTotals = { ...zeroCounts(), latencyCount: 0, publishRttCount: 0 };
  #newest = -1;
  #connectedAt = -Infinity;

  /**
   * Creates an empty window.
   *
   * @param options The test start, settling time, seconds kept.
   * @throws {RangeError} When `keepSeconds` is not a positive integer.
   */
  constructor(options: LiveWindowOptions) {
    this.#startMs = options.startMs;
    this.#settleMs = options.settleMs ?? LIVE_SETTLE_MS;
    this.#keep = options.keepSeconds ?? 60;
    if (!Number.isInteger(this.#keep) || this.#keep < 1) {
      throw new RangeError(`Invalid keepSeconds ${this.#keep}: expected a positive integer`);
    }
  }

  /**
   * Adds a merged snapshot to the seconds its period covers: counts shared out by overlap (a
   * drain that fired late runs past its second), percentiles in the second of its middle. A
   * snapshot without a period goes to the second of `atMs`; before the start, to the totals
   * only.
   *
   * @param snapshot A Worker's drained snapshot.
   * @param atMs When it was merged, for a snapshot without a period (default: totals only).
   */
  add(snapshot: MetricsSnapshot, atMs: number = -Infinity): void {
    const delta = zeroCounts();
    const middle = this.#bucket(this.#index(snapshotTime(snapshot, atMs)));
    const totals = this.#totals;
    for (const m of snapshot.metrics) {
      if (m.series.length === 0) continue;
      switch (m.name) {
        case MQTT_MESSAGES_SENT:
          for (const s of m.series) delta.sent += s.sum;
          break;
        case MQTT_MESSAGES_RECEIVED:
          for (const s of m.series) delta.received += s.sum;
          break;
        case MQTT_ERRORS:
          for (const s of m.series) {
            const method = s.tags[METHOD_TAG];
            delta.errors += s.sum;
            if (method === "publish") delta.publishFailures += s.sum;
            else if (CONNECT_METHODS.includes(method)) delta.connectFailures += s.sum;
          }
          break;
        case MQTT_CONNECT_DURATION:
          for (const s of m.series) delta.connects += s.histogram?.count ?? 0;
          break;
        case MQTT_MESSAGE_LATENCY:
        case MQTT_PUBLISH_DURATION: {
          const key = m.name === MQTT_MESSAGE_LATENCY ? "latency" : "publishRtt";
          for (const s of m.series) {
            if (s.histogram === undefined) continue;
            totals[`${key}Count`] += s.histogram.count;
            if (middle !== undefined) (middle[key] ??= new LogHistogram()).merge(s.histogram);
          }
        }
      }
    }
    const keys = Object.keys(delta) as Array<keyof LiveCounts>;
    for (const k of keys) totals[k] += delta[k];
    if (keys.every((k) => delta[k] === 0)) return;
    for (const [index, share] of periodShares(snapshot, this.#startMs, 1000, atMs)) {
      const bucket = this.#bucket(index);
      if (bucket !== undefined) { for (const k of keys) bucket[k] += delta[k] * share; }
    }
  }

  /**
   * Sets the number of clients connected, as the Workers last reported it.
   *
   * @param count Clients connected, over every Worker.
   * @param atMs When the figure holds, in ms since the epoch (a report's period middle).
   */
  connected(count: number, atMs: number): void {
    if (atMs >= this.#connectedAt) {
      this.#connectedAt = atMs;
      this.#totals.connected = count;
    }
    const bucket = this.#bucket(this.#index(atMs));
    if (bucket !== undefined && atMs >= bucket.connectedAt) {
      bucket.connected = count;
      bucket.connectedAt = atMs;
    }
  }

  /**
   * The figures of the last complete second: the latest whose end is `settleMs` past.
   *
   * @param nowMs Now, in ms since the epoch.
   * @returns Its figures, or undefined before the first second is complete.
   */
  last(nowMs: number): LiveSecond | undefined {
    const index = Math.floor((nowMs - this.#settleMs - this.#startMs) / 1000) - 1;
    return index < 0 ? undefined : this.at(index);
  }

  /**
   * The figures of a second still kept (zeros for a second without samples; `connected`
   * carried from the latest earlier second that had it).
   *
   * @param index Which second: 0 is the test's first.
   * @returns Its figures, or undefined when it is no longer kept.
   */
  at(index: number): LiveSecond | undefined {
    if (index < 0 || index <= this.#newest - this.#keep) return undefined;
    const b = this.#buckets.get(index);
    let connected = b?.connected;
    for (let i = index - 1; connected === undefined && i > this.#newest - this.#keep; i--) {
      connected = this.#buckets.get(i)?.connected;
    }
    const second: LiveSecond = {
      index,
      startMs: this.#startMs + index * 1000,
      ...zeroCounts(),
      ...(b === undefined ? {} : {
        connects: b.connects,
        connectFailures: b.connectFailures,
        sent: b.sent,
        received: b.received,
        publishFailures: b.publishFailures,
        errors: b.errors,
      }),
    };
    if (connected !== undefined) second.connected = connected;
    if (b?.latency !== undefined) second.latency = percentiles(b.latency);
    if (b?.publishRtt !== undefined) second.publishRtt = percentiles(b.publishRtt);
    return second;
  }

  /** The totals so far (a copy). */
  totals(): LiveTotals {
    return { ...this.#totals };
  }

  #index(timeMs: number): number {
    return Number.isFinite(timeMs) ? Math.floor((timeMs - this.#startMs) / 1000) : -1;
  }

  /** The bucket of a second, made when needed; none before the start or past the window. */
  #bucket(index: number): Bucket | undefined {
    if (!(index >= 0) || index <= this.#newest - this.#keep) return undefined;
    let b = this.#buckets.get(index);
    if (b === undefined) {
      this.#buckets.set(index, b = { ...zeroCounts(), connectedAt: -Infinity });
      if (index > this.#newest) {
        this.#newest = index;
        for (const k of this.#buckets.keys()) {
          if (k <= index - this.#keep) this.#buckets.delete(k);
        }
      }
    }
    return b;
  }
}

function percentiles(h: LogHistogram): LivePercentiles {
  return { p50: h.quantile(0.5), p99: h.quantile(0.99), count: h.count };
}
