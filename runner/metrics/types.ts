/**
 * The types the metric registry shares with the runner: metric definitions,
 * snapshots, points and aggregates; and k6's statistics of an aggregate
 * (`statOf`, `parsePercentile`). The built-in metrics are in `builtin.ts`.
 *
 * @module
 */

import { LogHistogram } from "./histogram.ts";
import type { HistogramJSON } from "./histogram.ts";

/** k6's metric types. */
export type MetricType = "counter" | "gauge" | "rate" | "trend";

/** What a metric's values measure, which decides how they are displayed. */
export type ValueType = "default" | "time" | "data";

/** Tags of a sample: string keys to string values. */
export type Tags = Record<string, string>;

/** Name, type and value type of a metric. */
export interface MetricInfo {
  /** The metric's name. */
  readonly name: string;
  /** How its samples aggregate. */
  readonly type: MetricType;
  /** What its values measure. */
  readonly contains: ValueType;
}

/**
 * The aggregate of one series (or of several, for a query), in plain data.
 *
 * Which fields matter depends on the metric type: a counter uses `n` and `sum`;
 * a gauge `n`, `last`, `time`, `min`, `max`; a rate `n` (samples) and `sum`
 * (non-zero samples); a trend `histogram` (which carries its own count, sum,
 * min and max).
 */
export interface SeriesSnapshot {
  /** The series' tags (without the non-indexed ones). */
  tags: Tags;
  /** Number of samples. */
  n: number;
  /** Counter: sum of values. Rate: number of non-zero values. */
  sum: number;
  /** Gauge: smallest value. */
  min?: number;
  /** Gauge: largest value. */
  max?: number;
  /** Gauge: the latest value. */
  last?: number;
  /** Gauge: when the latest value was added, in ms since the epoch. */
  time?: number;
  /** Trend: the values' histogram. */
  histogram?: HistogramJSON;
}

/** A metric's definition and the series it accumulated since the last drain. */
export interface MetricSnapshot extends MetricInfo {
  /** Non-empty series. */
  series: SeriesSnapshot[];
}

/** One sample as recorded for streaming outputs (`--out json`). */
export interface Point {
  /** Metric name. */
  metric: string;
  /** When it was added, in ms since the epoch (fractional). */
  time: number;
  /** The sample's value. */
  value: number;
  /** All the sample's tags. Shared between points: do not mutate. */
  tags: Tags;
}

/** What {@linkcode MetricRegistry.drain} returns: structured-clone-able, no per-sample data but points. */
export interface MetricsSnapshot {
  /** Every defined metric, with its non-empty series. */
  metrics: MetricSnapshot[];
  /** Samples recorded since the last drain, when the registry records points. */
  points: Point[];
  /**
   * Start of the period the samples were made in, in ms since the epoch: a Worker's drains on
   * the test clock's seconds carry it; snapshots made otherwise (before the test, the engine's
   * own gauges) have none.
   */
  periodStartMs?: number;
  /** End of that period (the drain), in ms since the epoch. */
  periodEndMs?: number;
  /**
   * Which Worker made the samples, set by the main thread as it merges a Worker's snapshot
   * (absent on the runner's own). Points of one series from two Workers can share a µs; an
   * output that must keep them apart (InfluxDB, one point per series and timestamp) does so by
   * source.
   */
  source?: SnapshotSource;
}

/** A Worker's place among the run's Workers, for {@linkcode MetricsSnapshot.source}. */
export interface SnapshotSource {
  /** The Worker's index. */
  index: number;
  /** One more than the highest index of the run's Workers so far. */
  of: number;
}

/**
 * The time a snapshot's samples belong to: the middle of its period when it has one, else
 * `fallbackMs` (such as when it was merged).
 *
 * @param snapshot The snapshot.
 * @param fallbackMs The time of a snapshot without a period, in ms since the epoch.
 * @returns Ms since the epoch.
 *
 * @example Usage
 * ```ts
 * import { snapshotTime } from "./types.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(snapshotTime({ metrics: [], points: [], periodStartMs: 1000, periodEndMs: 2000 }, 2050), 1500);
 * assert.equal(snapshotTime({ metrics: [], points: [] }, 2050), 2050);
 * ```
 */
export function snapshotTime(snapshot: MetricsSnapshot, fallbackMs: number): number {
  const { periodStartMs: start, periodEndMs: end } = snapshot;
  return start !== undefined && end !== undefined ? (start + end) / 2 : fallbackMs;
}

/**
 * How a snapshot's period spreads over buckets of `stepMs` from `originMs`: each bucket it
 * overlaps with its share of the period. A Worker's drain that fires late (a busy event loop)
 * makes a period run past a second's end; counters are then shared out as if their rate were
 * even over the period, so that a steady rate stays steady per second. A snapshot without a
 * period, or with an empty one, is all in the bucket of `fallbackMs`.
 *
 * @param snapshot The snapshot.
 * @param originMs Start of bucket 0, in ms since the epoch.
 * @param stepMs Bucket width in ms.
 * @param fallbackMs The time of a snapshot without a period.
 * @returns `[bucket index, share]` pairs, shares adding up to 1.
 *
 * @example Usage
 * ```ts
 * import { periodShares } from "./types.ts";
 * import assert from "node:assert/strict";
 *
 * const late = { metrics: [], points: [], periodStartMs: 1000, periodEndMs: 2250 };
 * assert.deepEqual(periodShares(late, 0, 1000, 0), [[1, 0.8], [2, 0.2]]);
 * assert.deepEqual(periodShares({ metrics: [], points: [] }, 0, 1000, 3500), [[3, 1]]);
 * ```
 */
export function periodShares(
  snapshot: MetricsSnapshot,
  originMs: number,
  stepMs: number,
  fallbackMs: number,
): Array<[number, number]> {
  const { periodStartMs: start, periodEndMs: end } = snapshot;
  if (start === undefined || end === undefined || !(end > start)) {
    return [[Math.floor((snapshotTime(snapshot, fallbackMs) - originMs) / stepMs), 1]];
  }
  const first = Math.floor((start - originMs) / stepMs);
  const last = Math.ceil((end - originMs) / stepMs) - 1;
  const shares: Array<[number, number]> = [];
  for (let i = first; i <= last; i++) {
    const from = Math.max(start, originMs + i * stepMs);
    const to = Math.min(end, originMs + (i + 1) * stepMs);
    shares.push([i, (to - from) / (end - start)]);
  }
  return shares;
}

/** The aggregate over the series of a metric that match a tag filter. */
export interface MetricAggregate extends MetricInfo {
  /** Number of samples. */
  samples: number;
  /** Counter: sum of values. Rate: non-zero samples. Trend: sum of values. */
  sum: number;
  /** Gauge and trend: smallest value (0 when empty). */
  min: number;
  /** Gauge and trend: largest value (0 when empty). */
  max: number;
  /** Gauge: the latest value over all the series (0 when empty). */
  last: number;
  /** Gauge: when `last` was added, in ms since the epoch (0 when empty). */
  time: number;
  /** Trend: the merged histogram. */
  histogram?: LogHistogram;
}

/** Something that answers metric queries: the registry, or merged summary exports. */
export interface MetricSource {
  /**
   * Aggregates the series of metric `name` whose tags include every pair of `filter`.
   * Returns undefined when the metric is not defined.
   */
  select(name: string, filter?: Tags): MetricAggregate | undefined;
}

/**
 * One statistic of an aggregate, with k6's definitions: counters have `count`
 * and `rate` (per second of `durationMs`); gauges `value`, `min`, `max`; rates
 * `rate`, `passes`, `fails`; trends `avg`, `min`, `med`, `max`, `count` and
 * `p(N)`. Empty metrics give 0.
 *
 * @param aggregate From {@linkcode MetricRegistry.select}.
 * @param stat The statistic's name.
 * @param durationMs Test run duration, for the counter rate.
 * @returns The value.
 * @throws {RangeError} When the statistic does not exist for the metric's type.
 *
 * @example Usage
 * ```ts
 * import { MetricRegistry } from "./registry.ts";
 * import { statOf } from "./types.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * registry.define("sent", "counter");
 * registry.add("sent", 10);
 * assert.equal(statOf(registry.get("sent")!, "rate", 2000), 5);
 * ```
 */
export function statOf(aggregate: MetricAggregate, stat: string, durationMs: number): number {
  const a = aggregate;
  switch (a.type) {
    case "counter":
      if (stat === "count") return a.sum;
      if (stat === "rate") return durationMs > 0 ? a.sum / (durationMs / 1000) : 0;
      break;
    case "gauge":
      if (stat === "value") return a.last;
      if (stat === "min") return a.min;
      if (stat === "max") return a.max;
      break;
    case "rate":
      if (stat === "rate") return a.samples > 0 ? a.sum / a.samples : 0;
      if (stat === "passes") return a.sum;
      if (stat === "fails") return a.samples - a.sum;
      break;
    case "trend": {
      const h = a.histogram ?? new LogHistogram();
      if (stat === "avg") return h.avg;
      if (stat === "min") return h.min;
      if (stat === "max") return h.max;
      if (stat === "med") return h.quantile(0.5);
      if (stat === "count") return h.count;
      const p = parsePercentile(stat);
      if (p !== undefined) return h.quantile(p / 100);
    }
  }
  throw new RangeError(`Unknown statistic "${stat}" for ${a.type} metric "${a.name}"`);
}

/**
 * Parses k6's percentile notation `p(N)` (0 ≤ N ≤ 100).
 *
 * @param stat For example `"p(99.9)"`.
 * @returns N, or undefined when `stat` is not a valid percentile.
 *
 * @example Usage
 * ```ts
 * import { parsePercentile } from "./types.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parsePercentile("p(99.9)"), 99.9);
 * assert.equal(parsePercentile("p(101)"), undefined);
 * ```
 */
export function parsePercentile(stat: string): number | undefined {
  const m = /^p\(\s*(\d+(?:\.\d+)?)\s*\)$/.exec(stat);
  if (m === null) return undefined;
  const p = Number(m[1]);
  return p >= 0 && p <= 100 ? p : undefined;
}

/** Options of `MetricRegistry`. */
export interface MetricRegistryOptions {
  /**
   * Most tag sets kept per metric (default 1000). Past it, samples with a new
   * tag set fold into a series that keeps only the preserved tags (see
   * `MetricRegistry.preserveTags`), or no tags at all.
   */
  maxSeriesPerMetric?: number;
  /** Tags kept on points but not used to split series (default `["vu", "iter"]`, as k6). */
  nonIndexedTags?: readonly string[];
  /**
   * Tags naming one connection (default `["client_id"]`): kept on points, splitting series only
   * once a threshold filters on them (`MetricRegistry.preserveTags`), not a series per
   * connection (folded past the cap, and thousands drained every second).
   */
  perConnectionTags?: readonly string[];
  /** Receives warnings, such as the first fold of a metric (default `console.warn`). */
  onWarning?: (message: string) => void;
  /** Keep every sample as a {@linkcode Point} until the next drain (for `--out json`). */
  recordPoints?: boolean;
}

/**
 * A metric and a tags object bound to their series by `MetricRegistry.bind`, for
 * `MetricRegistry.addBound`.
 *
 * @example Usage
 * ```ts
 * import { MetricRegistry } from "./registry.ts";
 * const registry = new MetricRegistry();
 * registry.define("hits", "counter");
 * const hits = registry.bind("hits", Object.freeze({ page: "home" }));
 * registry.addBound(hits, 1);
 * ```
 */
export interface BoundSeries {
  /** The metric's name, as bound. */
  readonly metric: string;
  /** The tags of the series the samples land in. */
  readonly tags: Tags;
}
