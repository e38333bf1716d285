/**
 * The `experimental-prometheus-rw` output's series: what k6's `tsdb` of `seriesWithMeasure`
 * holds (`pkg/remotewrite/remotewrite.go`), fed with the runner's per-second aggregates. Each
 * series keeps one cumulative value as k6's sinks do — counters their total, gauges their last
 * value, rates their cumulative ratio, trends a mergeable histogram of every value — so its
 * memory is bounded per series whatever the sample rate, and a push that fails loses only
 * points in between: the next one carries the totals.
 *
 * Names follow `prometheus.go` (`MapSeries`) and `trend.go`: `k6_` + the metric name, then
 * `_total` for counters, `_rate` for rates, nothing for gauges, and `_<stat>` per trend statistic
 * (`k6_mqtt_message_latency_p99`); time trends are sent in seconds (`adaptUnit`).
 *
 * @module
 */

import { LogHistogram } from "../metrics/histogram.ts";
import type { MetricsSnapshot, MetricType, SeriesSnapshot, ValueType } from "../metrics/types.ts";
import type { PromLabel, PromSeries } from "./_remote_write.ts";
import type { TrendStat } from "./_prometheus_config.ts";

/** The most series kept: beyond it new series are counted as dropped, not kept. */
export const MAX_SERIES = 10_000;

interface State {
  name: string;
  type: MetricType;
  contains: ValueType;
  /** Labels of the tags, sorted, without `__name__`. */
  tags: PromLabel[];
  /** Counter: total. Rate: non-zero samples. */
  sum: number;
  /** Rate: samples. */
  n: number;
  /** Gauge: the last value. */
  last: number;
  histogram?: LogHistogram;
  /** The timestamp of the newest data, in ms. */
  updatedMs: number;
  /** Snapshots folded in so far. */
  version: number;
  /** The timestamp Prometheus last accepted for this series (0: never). */
  deliveredMs: number;
  /** The version Prometheus last accepted. */
  deliveredVersion: number;
}

/** A batch of series to push, and how to mark it delivered. */
export interface Batch {
  /** The series, one per name (several per trend). */
  series: PromSeries[];
  /** Samples in the batch (one per series). */
  samples: number;
  /** Call when the endpoint accepted the batch. */
  delivered(): void;
}

/**
 * The cumulative series of a run.
 *
 * @example Usage
 * ```ts
 * import { PromSeriesStore } from "./_prometheus_series.ts";
 * import assert from "node:assert/strict";
 *
 * const store = new PromSeriesStore([{ stat: "p(99)", suffix: "p99" }]);
 * store.add({
 *   points: [],
 *   metrics: [{ name: "iterations", type: "counter", contains: "default", series: [
 *     { tags: { scenario: "default" }, n: 3, sum: 3 },
 *   ] }],
 * }, 1000);
 * const batch = store.batch();
 * assert.deepEqual(batch.series[0].labels.map((l) => l.value), ["k6_iterations_total", "default"]);
 * assert.deepEqual(batch.series[0].samples, [{ value: 3, timestampMs: 1000 }]);
 * batch.delivered();
 * assert.equal(store.batch().samples, 0);
 * ```
 */
export class PromSeriesStore {
  readonly #trendStats: readonly TrendStat[];
  readonly #series = new Map<string, State>();
  #refused = 0;

  /**
   * Creates an empty store.
   *
   * @param trendStats The statistics each trend is sent as.
   */
  constructor(trendStats: readonly TrendStat[]) {
    this.#trendStats = trendStats;
  }

  /** Samples of series refused because {@linkcode MAX_SERIES} were kept already. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Folds a snapshot in.
   *
   * @param snapshot Aggregates since the previous snapshot.
   * @param atMs The time its samples belong to, in ms since the epoch (its period's middle, or
   *   when it was merged).
   */
  add(snapshot: MetricsSnapshot, atMs: number): void {
    // The running totals are stamped at the end of the period they include, as k6 stamps them
    // when it collects: stamped at its middle, a total would count events still to come.
    const ms = Math.floor(snapshot.periodEndMs ?? atMs);
    for (const metric of snapshot.metrics) {
      for (const s of metric.series) {
        if (s.n === 0 && s.histogram === undefined) continue;
        const key = seriesKey(metric.name, s);
        let state = this.#series.get(key);
        if (state === undefined) {
          if (this.#series.size >= MAX_SERIES) {
            this.#refused += s.n;
            continue;
          }
          state = {
            name: metric.name,
            type: metric.type,
            contains: metric.contains,
            tags: tagLabels(s),
            sum: 0,
            n: 0,
            last: 0,
            histogram: metric.type === "trend" ? new LogHistogram() : undefined,
            updatedMs: 0,
            version: 0,
            deliveredMs: 0,
            deliveredVersion: 0,
          };
          this.#series.set(key, state);
        }
        fold(state, s);
        state.version++;
        state.updatedMs = Math.max(state.updatedMs, ms);
      }
    }
  }

  /**
   * The series updated since they were last delivered, at their newest timestamp. A batch that
   * is not delivered stays due, with newer values when more data comes.
   *
   * @returns The batch.
   */
  batch(): Batch {
    const due: [State, number, number][] = [];
    const series: PromSeries[] = [];
    for (const state of this.#series.values()) {
      if (state.version === state.deliveredVersion) continue;
      // Prometheus refuses a sample not newer than the series' newest, so a clock that stepped
      // back still moves forward here.
      const timestampMs = Math.max(state.updatedMs, state.deliveredMs + 1);
      due.push([state, state.version, timestampMs]);
      for (const [suffix, value] of this.#values(state)) {
        series.push({ labels: labels(state, suffix), samples: [{ value, timestampMs }] });
      }
    }
    return {
      series,
      samples: series.length,
      delivered: () => {
        for (const [state, version, ms] of due) {
          state.deliveredVersion = Math.max(state.deliveredVersion, version);
          state.deliveredMs = Math.max(state.deliveredMs, ms);
        }
      },
    };
  }

  /**
   * Every series with k6's stale marker, 1 ms after its newest sample (or `atMs`).
   *
   * @param atMs Now, in ms since the epoch.
   * @returns The series.
   */
  staleMarkers(atMs: number): PromSeries[] {
    const series: PromSeries[] = [];
    for (const state of this.#series.values()) {
      const timestampMs = Math.max(Math.floor(atMs), state.updatedMs, state.deliveredMs) + 1;
      for (const [suffix] of this.#values(state)) {
        series.push({
          labels: labels(state, suffix),
          samples: [{ value: NaN, timestampMs, stale: true }],
        });
      }
    }
    return series;
  }

  /** The name suffixes and values of a series, as k6's `MapPrompb`. */
  #values(state: State): [string, number][] {
    switch (state.type) {
      case "counter":
        return [["total", state.sum]];
      case "gauge":
        return [["", state.last]];
      case "rate":
        return [["rate", state.n > 0 ? state.sum / state.n : 0]];
      case "trend":
        return this.#trendStats.map((
          { stat, suffix },
        ) => [suffix, trendValue(state.histogram!, stat, state.contains)]);
    }
  }
}

function fold(state: State, s: SeriesSnapshot): void {
  switch (state.type) {
    case "counter":
      state.sum += s.sum;
      break;
    case "gauge":
      state.last = s.last ?? state.last;
      break;
    case "rate":
      state.sum += s.sum;
      state.n += s.n;
      break;
    case "trend":
      if (s.histogram) state.histogram!.merge(s.histogram);
  }
}

/**
 * A trend statistic in Prometheus' base unit: seconds for time trends, as k6's `adaptUnit`.
 * k6 divides `count` too; a count of values is no time, so it is left as it is here.
 */
function trendValue(h: LogHistogram, stat: string, contains: ValueType): number {
  let v: number;
  switch (stat) {
    case "avg":
      v = h.avg;
      break;
    case "min":
      v = h.min;
      break;
    case "max":
      v = h.max;
      break;
    case "med":
      v = h.quantile(0.5);
      break;
    case "sum":
      v = h.sum;
      break;
    case "count":
      return h.count;
    default:
      v = h.quantile(Number(stat.slice(2, -1)) / 100);
  }
  return contains === "time" ? v / 1000 : v;
}

/** A stable key of a series: its metric and its tags in name order. */
function seriesKey(name: string, s: SeriesSnapshot): string {
  const keys = Object.keys(s.tags).sort();
  let key = name;
  for (const k of keys) key += "\u0000" + k + "\u0001" + s.tags[k];
  return key;
}

/**
 * The tags as labels: empty names and values skipped (k6's `MapTagSet`), names made valid.
 * Prometheus refuses a whole request over one invalid or repeated label name, and would go on
 * refusing every push that carries the series: so a tag whose valid name is taken (`a-b` beside
 * `a_b`) or reserved (`__name__`, and Prometheus' other `__` names) is left out.
 */
function tagLabels(s: SeriesSnapshot): PromLabel[] {
  const labels: PromLabel[] = [];
  const taken = new Set<string>();
  for (const [tag, value] of Object.entries(s.tags).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (tag === "" || value === "") continue;
    const name = promName(tag, /[^a-zA-Z0-9_]/g);
    if (name.startsWith("__") || taken.has(name)) continue;
    taken.add(name);
    labels.push({ name, value });
  }
  return labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function labels(state: State, suffix: string): PromLabel[] {
  const name = promName("k6_" + state.name + (suffix ? "_" + suffix : ""), /[^a-zA-Z0-9_:]/g);
  // The remote write specification asks for labels sorted by name.
  const all = [{ name: "__name__", value: name }, ...state.tags];
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A name Prometheus accepts: invalid characters become `_`, and a leading digit gets a `_`.
 */
function promName(name: string, invalid: RegExp): string {
  const valid = name.replace(invalid, "_");
  return /^[0-9]/.test(valid) ? "_" + valid : valid;
}
