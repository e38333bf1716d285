/**
 * Time series of a test run for the HTML report: VUs, message and iteration
 * rates, errors, and latency percentiles per second, in bounded memory.
 *
 * The HTML report's output feeds it the snapshots the main thread merges from
 * the Workers ({@linkcode Timeline.record}) and the VU figures each Worker
 * reports ({@linkcode Timeline.gauge}); {@linkcode Timeline.sample} reads gauges
 * from a registry, for callers that keep one. Values fall into buckets of `stepMs` (1 s);
 * when a run outgrows `maxPoints` buckets, neighbours merge two by two and
 * the step doubles, so a long run keeps between `maxPoints / 2` and
 * `maxPoints` points per series. {@linkcode Timeline.toJSON}'s shape is in
 * `timeline_json.ts`.
 *
 * @module
 */

import { LogHistogram } from "../metrics/histogram.ts";
import {
  type MetricSource,
  type MetricsSnapshot,
  periodShares,
  snapshotTime,
} from "../metrics/types.ts";
import type { CounterSeriesJSON, TimelineJSON, TrendSeriesJSON } from "./timeline_json.ts";
import {
  type TaggedCounter,
  TIMELINE_COUNTERS,
  TIMELINE_GAUGES,
  TIMELINE_TAGGED,
  TIMELINE_TRENDS,
} from "./timeline_series.ts";

// The JSON shape has its own file; the HTML report and runner/mod.ts read it here.
export type { CounterSeriesJSON, TimelineJSON, TrendSeriesJSON } from "./timeline_json.ts";
// The series followed by default have their own file; the report and runner/mod.ts read them here.
export {
  type TaggedCounter,
  TIMELINE_CONNECT_FAILURES,
  TIMELINE_CONNECTIONS,
  TIMELINE_COUNTERS,
  TIMELINE_GAUGES,
  TIMELINE_TAGGED,
  TIMELINE_TRENDS,
} from "./timeline_series.ts";

/**
 * Options of {@linkcode Timeline}.
 *
 * @example Usage
 * ```ts
 * import { Timeline, type TimelineOptions } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const options: TimelineOptions = { startMs: 0, stepMs: 500, gauges: ["vus"], counters: [], trends: [] };
 * const timeline = new Timeline(options);
 * timeline.gauge("vus", 3, 600);
 * assert.deepEqual(timeline.toJSON().gauges, { vus: [null, 3] });
 * ```
 */
export interface TimelineOptions {
  /** Start of the run, in ms since the epoch (default: the first time recorded). */
  startMs?: number;
  /** Initial bucket width in ms (default 1000). */
  stepMs?: number;
  /** Most buckets per series before they merge two by two (default 600, at least 2). */
  maxPoints?: number;
  /** Counter metrics to follow (default {@linkcode TIMELINE_COUNTERS}). */
  counters?: readonly string[];
  /** Gauge metrics to follow (default {@linkcode TIMELINE_GAUGES}). */
  gauges?: readonly string[];
  /** Trend metrics to follow (default {@linkcode TIMELINE_TRENDS}). */
  trends?: readonly string[];
  /** Counters restricted to tag values (default {@linkcode TIMELINE_TAGGED}). */
  tagged?: readonly TaggedCounter[];
}

interface GaugeSlot {
  value: number;
  time: number;
}

/**
 * Per-second series of a test run, bounded in memory.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry, Timeline } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const start = Date.UTC(2025, 0, 1);
 * const worker = new MetricRegistry();
 * defineBuiltins(worker);
 * const timeline = new Timeline({ startMs: start });
 * for (let s = 0; s < 3; s++) {
 *   for (let i = 0; i < 10 * (s + 1); i++) worker.add("mqtt_messages_sent", 1);
 *   worker.add("mqtt_publish_duration", 5 + s);
 *   timeline.record(worker.drain(), start + s * 1000 + 500);
 * }
 * const json = timeline.toJSON();
 * assert.deepEqual(json.counters.mqtt_messages_sent.rate, [10, 20, 30]);
 * assert.deepEqual(json.trends.mqtt_publish_duration.max, [5, 6, 7]);
 * ```
 */
export class Timeline {
  #startMs: number | undefined;
  #stepMs: number;
  readonly #maxPoints: number;
  #length = 0;
  readonly #counters = new Map<string, Array<number | undefined>>();
  readonly #gauges = new Map<string, Array<GaugeSlot | undefined>>();
  readonly #trends = new Map<string, Array<LogHistogram | undefined>>();
  /** Tagged counters by metric; their buckets are in `#counters` under their keys. */
  readonly #tagged = new Map<string, TaggedCounter[]>();

  /**
   * Creates an empty timeline.
   *
   * @param options Start, step, size bound, and the metrics to follow.
   * @throws {RangeError} When `stepMs` is not positive or `maxPoints` is below 2.
   */
  constructor(options: TimelineOptions = {}) {
    const step = options.stepMs ?? 1000;
    const max = options.maxPoints ?? 600;
    if (!(step > 0) || !Number.isFinite(step)) {
      throw new RangeError(`Invalid timeline step ${step}: expected a positive number of ms`);
    }
    if (!Number.isInteger(max) || max < 2) {
      throw new RangeError(`Invalid timeline maxPoints ${max}: expected an integer of at least 2`);
    }
    this.#startMs = options.startMs;
    this.#stepMs = step;
    this.#maxPoints = max;
    for (const name of options.counters ?? TIMELINE_COUNTERS) this.#counters.set(name, []);
    for (const name of options.gauges ?? TIMELINE_GAUGES) this.#gauges.set(name, []);
    for (const name of options.trends ?? TIMELINE_TRENDS) this.#trends.set(name, []);
    for (const c of options.tagged ?? TIMELINE_TAGGED) {
      this.#counters.set(c.key, []);
      this.#tagged.set(c.metric, [...this.#tagged.get(c.metric) ?? [], c]);
    }
  }

  /** Current bucket width in ms (doubles each time the buckets merge). */
  get stepMs(): number {
    return this.#stepMs;
  }

  /** Number of buckets so far. */
  get length(): number {
    return this.#length;
  }

  /**
   * Adds a snapshot's deltas (from `MetricRegistry.drain()`) to the buckets
   * its samples belong to: those its period (`periodStartMs` to `periodEndMs`)
   * covers, when it has one, else the bucket of `timeMs`. Followed counters'
   * sums are shared out by overlap (a Worker's drain that fired late runs past
   * its second); trends' histograms and gauges' latest values go to the bucket
   * of the period's middle. Other metrics are ignored.
   *
   * @param snapshot A Worker's snapshot, as the main thread merges it.
   * @param timeMs When a snapshot without a period arrived, in ms since the epoch (default now).
   */
  record(snapshot: MetricsSnapshot, timeMs: number = Date.now()): void {
    // The period's last bucket first (it ends just before periodEndMs: periods are half-open):
    // making it may merge the buckets, which changes the indexes.
    if (snapshot.periodEndMs !== undefined) this.#bucket(snapshot.periodEndMs - 1e-3);
    const b = this.#bucket(snapshotTime(snapshot, timeMs));
    const shares = periodShares(snapshot, this.#startMs!, this.#stepMs, timeMs);
    const add = (column: Array<number | undefined>, sum: number) => {
      for (const [i, share] of shares) {
        const k = Math.max(0, i);
        column[k] = (column[k] ?? 0) + sum * share;
      }
    };
    for (const m of snapshot.metrics) {
      if (m.series.length === 0) continue;
      for (const c of m.type === "counter" ? this.#tagged.get(m.name) ?? [] : []) {
        let sum = 0;
        for (const s of m.series) if (c.values.includes(s.tags[c.tag])) sum += s.sum;
        if (sum !== 0) add(this.#counters.get(c.key)!, sum);
      }
      const counter = this.#counters.get(m.name);
      if (counter !== undefined && m.type === "counter") {
        let sum = 0;
        for (const s of m.series) sum += s.sum;
        add(counter, sum);
        continue;
      }
      const trend = this.#trends.get(m.name);
      if (trend !== undefined && m.type === "trend") {
        const h = trend[b] ?? (trend[b] = new LogHistogram());
        for (const s of m.series) if (s.histogram !== undefined) h.merge(s.histogram);
        continue;
      }
      const gauge = this.#gauges.get(m.name);
      if (gauge !== undefined && m.type === "gauge") {
        for (const s of m.series) {
          if (s.last !== undefined) setGauge(gauge, b, s.last, s.time ?? timeMs);
        }
      }
    }
  }

  /**
   * Reads the followed gauges' current values (such as `vus`, which the main
   * thread keeps) into the bucket of `timeMs`.
   *
   * @param source The merged registry, or anything that answers `select()`.
   * @param timeMs When, in ms since the epoch (default now).
   */
  sample(source: MetricSource, timeMs: number = Date.now()): void {
    const b = this.#bucket(timeMs);
    for (const [name, gauge] of this.#gauges) {
      const agg = source.select(name);
      if (agg !== undefined && agg.samples > 0) setGauge(gauge, b, agg.last, timeMs);
    }
  }

  /**
   * Sets a followed gauge's value at `timeMs`.
   *
   * @param name A gauge given in the options (others are ignored).
   * @param value Its value.
   * @param timeMs When, in ms since the epoch (default now).
   */
  gauge(name: string, value: number, timeMs: number = Date.now()): void {
    const gauge = this.#gauges.get(name);
    if (gauge !== undefined) setGauge(gauge, this.#bucket(timeMs), value, timeMs);
  }

  /** The bucket index for a time, merging buckets when it falls past the bound. */
  #bucket(timeMs: number): number {
    if (!Number.isFinite(timeMs)) {
      throw new RangeError(`Invalid timeline time ${timeMs}: expected ms since the epoch`);
    }
    this.#startMs ??= timeMs;
    let index = Math.max(0, Math.floor((timeMs - this.#startMs) / this.#stepMs));
    while (index >= this.#maxPoints) {
      this.#halve();
      index = Math.floor(index / 2);
    }
    if (index >= this.#length) this.#length = index + 1;
    return index;
  }

  /** Merges neighbouring buckets two by two and doubles the step. */
  #halve(): void {
    for (const [name, c] of this.#counters) {
      this.#counters.set(name, pairs(c, (a, b) => (a ?? 0) + (b ?? 0)));
    }
    for (const [name, g] of this.#gauges) {
      this.#gauges.set(
        name,
        pairs(g, (a, b) => (b === undefined || (a && a.time > b.time) ? a : b)),
      );
    }
    for (const [name, t] of this.#trends) {
      this.#trends.set(name, pairs(t, (a, b) => (a && b ? a.merge(b) : a ?? b)));
    }
    this.#stepMs *= 2;
    this.#length = Math.ceil(this.#length / 2);
  }

  /**
   * The series as plain, JSON-able columns (one entry per bucket).
   *
   * @returns Start, step, length, gauges, counters (totals and per-second
   *   rates) and trend percentiles (p50, p95, p99, max).
   *
   * @example Usage
   * ```ts
   * import { Timeline } from "@mqload/mqload/runner";
   * import assert from "node:assert/strict";
   *
   * const timeline = new Timeline({ startMs: 0 });
   * timeline.gauge("vus", 5, 100);
   * timeline.gauge("vus", 8, 2100);
   * assert.deepEqual(timeline.toJSON().gauges.vus, [5, 5, 8]);
   * ```
   */
  toJSON(): TimelineJSON {
    const n = this.#length;
    const perSecond = 1000 / this.#stepMs;
    const counters: Record<string, CounterSeriesJSON> = {};
    for (const [name, c] of this.#counters) {
      const total = Array.from({ length: n }, (_, i) => c[i] ?? 0);
      counters[name] = { total, rate: total.map((v) => v * perSecond) };
    }
    const gauges: Record<string, Array<number | null>> = {};
    for (const [name, g] of this.#gauges) {
      let last: number | null = null;
      gauges[name] = Array.from({ length: n }, (_, i) => (last = g[i]?.value ?? last));
    }
    const trends: Record<string, TrendSeriesJSON> = {};
    for (const [name, t] of this.#trends) {
      const q = (p: number) => Array.from({ length: n }, (_, i) => stat(t[i], p));
      trends[name] = {
        count: Array.from({ length: n }, (_, i) => t[i]?.count ?? 0),
        p50: q(0.5),
        p95: q(0.95),
        p99: q(0.99),
        max: q(1),
      };
    }
    return {
      startMs: this.#startMs ?? 0,
      stepMs: this.#stepMs,
      length: n,
      gauges,
      counters,
      trends,
    };
  }
}

function setGauge(
  gauge: Array<GaugeSlot | undefined>,
  index: number,
  value: number,
  time: number,
): void {
  const slot = gauge[index];
  if (slot === undefined || time >= slot.time) gauge[index] = { value, time };
}

function stat(h: LogHistogram | undefined, q: number): number | null {
  if (h === undefined || h.count === 0) return null;
  return q === 1 ? h.max : h.quantile(q);
}

/** Merges `a[0]` with `a[1]`, `a[2]` with `a[3]`, … (holes stay holes). */
function pairs<T>(
  a: Array<T | undefined>,
  merge: (x: T | undefined, y: T | undefined) => T | undefined,
): Array<T | undefined> {
  const out: Array<T | undefined> = [];
  for (let i = 0; i < a.length; i += 2) {
    const x = a[i], y = a[i + 1];
    if (x !== undefined || y !== undefined) out[i / 2] = merge(x, y);
  }
  return out;
}
