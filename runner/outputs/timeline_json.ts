/**
 * What `Timeline.toJSON()` returns, the columns the HTML report draws: one entry
 * per bucket for gauges, counters (totals and per-second rates) and trend percentiles.
 *
 * @module
 */

/**
 * Per-bucket statistics of a trend; `null` where the bucket has no value.
 *
 * @example Usage
 * ```ts
 * import { Timeline, type TrendSeriesJSON } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const series: TrendSeriesJSON = new Timeline({ startMs: 0 }).toJSON().trends.mqtt_publish_duration;
 * assert.deepEqual(series.p95, []);
 * ```
 */
export interface TrendSeriesJSON {
  /** Values per bucket. */
  count: number[];
  /** Median per bucket. */
  p50: Array<number | null>;
  /** 95th percentile per bucket. */
  p95: Array<number | null>;
  /** 99th percentile per bucket. */
  p99: Array<number | null>;
  /** Largest value per bucket. */
  max: Array<number | null>;
}

/**
 * A counter per bucket.
 *
 * @example Usage
 * ```ts
 * import { type CounterSeriesJSON, Timeline } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const series: CounterSeriesJSON = new Timeline({ startMs: 0 }).toJSON().counters.mqtt_errors;
 * assert.deepEqual(series, { total: [], rate: [] });
 * ```
 */
export interface CounterSeriesJSON {
  /** Sum of the values added in each bucket. */
  total: number[];
  /** The same per second of bucket. */
  rate: number[];
}

/**
 * What `Timeline.toJSON()` returns: columns of equal length, one entry per bucket.
 *
 * @example Usage
 * ```ts
 * import { Timeline, type TimelineJSON } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const timeline = new Timeline({ startMs: 0 });
 * timeline.gauge("vus", 2, 1500);
 * const json: TimelineJSON = JSON.parse(JSON.stringify(timeline));
 * assert.equal(json.length, 2);
 * assert.deepEqual(json.gauges.vus, [null, 2]);
 * ```
 */
export interface TimelineJSON {
  /** Start of the first bucket, in ms since the epoch. */
  startMs: number;
  /** Width of every bucket, in ms. */
  stepMs: number;
  /** Number of buckets. */
  length: number;
  /** Gauge values: the latest in each bucket, carried forward; `null` before the first. */
  gauges: Record<string, Array<number | null>>;
  /** Counters. */
  counters: Record<string, CounterSeriesJSON>;
  /** Trend percentiles. */
  trends: Record<string, TrendSeriesJSON>;
}
