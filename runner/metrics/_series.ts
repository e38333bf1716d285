/**
 * Internals of the metric registry: a metric's state and its per-series
 * accumulators (add, reset, snapshot, merge, aggregate). Which series a
 * sample's tags land in is `_series_binding.ts`.
 *
 * @module
 */

import { LogHistogram } from "./histogram.ts";
import type { Binding } from "./_series_binding.ts";
import type {
  MetricAggregate,
  MetricInfo,
  MetricType,
  SeriesSnapshot,
  Tags,
  ValueType,
} from "./types.ts";

/** Tags of untagged samples; shared, so it must never change. */
export const EMPTY_TAGS: Tags = Object.freeze({}) as Tags;

export const COUNTER = 0, GAUGE = 1, RATE = 2, TREND = 3;
export const KIND: Record<MetricType, number> = {
  counter: COUNTER,
  gauge: GAUGE,
  rate: RATE,
  trend: TREND,
};

export class Series {
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;
  time = -Infinity;
  histogram: LogHistogram | undefined;
  constructor(readonly tags: Tags, readonly kind: number) {
    if (kind === TREND) this.histogram = new LogHistogram();
  }

  /** Adds one sample (rates count non-zero values; gauges keep the latest by `time`). */
  add(value: number, time: number | undefined): void {
    this.n++;
    switch (this.kind) {
      case COUNTER:
        this.sum += value;
        break;
      case RATE:
        if (value !== 0) this.sum++;
        break;
      case TREND:
        this.histogram!.add(value);
        break;
      default: {
        const t = time ?? now();
        this.last = value;
        if (t >= this.time) this.time = t;
        if (value < this.min) this.min = value;
        if (value > this.max) this.max = value;
      }
    }
  }

  /** Adds `count` counter samples summing to `sum` at once (see `MetricTable.later`). */
  addCounts(count: number, sum: number): void {
    this.n += count;
    this.sum += sum;
  }

  /** Empties the series (after a drain), keeping its tags and histogram. */
  reset(): void {
    this.n = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.last = 0;
    this.time = -Infinity;
    this.histogram?.reset();
  }
}

export class MetricState implements MetricInfo {
  readonly kind: number;
  readonly series = new Map<string, Series>();
  readonly byKey = new Map<string, Binding>();
  readonly byObject = new WeakMap<object, Binding>();
  /**
   * Series by the indexed tags of frozen tags objects, in their own key order: a VU's or a
   * connection's first sample of a metric finds its series without sorting (see SeriesBinder).
   */
  readonly byIndexed = new Map<string, Series>();
  folded = false;
  lastTags: Tags | undefined;
  lastBinding: Binding | undefined;
  constructor(readonly name: string, readonly type: MetricType, readonly contains: ValueType) {
    this.kind = KIND[type];
  }
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function snapshotOf(s: Series): SeriesSnapshot {
  const out: SeriesSnapshot = { tags: s.tags, n: s.n, sum: s.sum };
  if (s.histogram !== undefined) out.histogram = s.histogram.toJSON();
  else if (s.time !== -Infinity) {
    out.min = s.min;
    out.max = s.max;
    out.last = s.last;
    out.time = s.time;
  }
  return out;
}

export function mergeInto(into: Series, data: SeriesSnapshot): void {
  into.n += data.n;
  into.sum += data.sum;
  if (data.time !== undefined && data.time >= into.time) {
    into.time = data.time;
    into.last = data.last ?? 0;
  }
  if (data.min !== undefined && data.min < into.min) into.min = data.min;
  if (data.max !== undefined && data.max > into.max) into.max = data.max;
  if (into.histogram !== undefined && data.histogram !== undefined) {
    into.histogram.merge(data.histogram);
  }
}

export function mergeSeries(into: Series, s: Series): void {
  into.n += s.n;
  into.sum += s.sum;
  if (s.min < into.min) into.min = s.min;
  if (s.max > into.max) into.max = s.max;
  if (s.time >= into.time) {
    into.time = s.time;
    into.last = s.last;
  }
  if (into.histogram !== undefined && s.histogram !== undefined) into.histogram.merge(s.histogram);
}

export function aggregateOf(metric: MetricInfo, s: Series): MetricAggregate {
  const h = s.histogram;
  const empty = s.n === 0;
  const out: MetricAggregate = {
    name: metric.name,
    type: metric.type,
    contains: metric.contains,
    samples: s.n,
    sum: h ? h.sum : s.sum,
    min: h ? h.min : empty ? 0 : s.min,
    max: h ? h.max : empty ? 0 : s.max,
    last: empty ? 0 : s.last,
    time: empty || s.time === -Infinity ? 0 : s.time,
  };
  if (h !== undefined) out.histogram = h;
  return out;
}
