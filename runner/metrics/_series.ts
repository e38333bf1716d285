/**
 * Internals of the metric registry: per-series accumulators and the tag
 * bindings that make `add()` cheap.
 *
 * @module
 */

import { LogHistogram } from "./histogram.ts";
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
  constructor(readonly tags: Tags, kind: number) {
    if (kind === TREND) this.histogram = new LogHistogram();
  }
}

/** How a tag object maps to a series: `tags` is our own sorted copy of the sample's tags. */
export interface Binding {
  series: Series;
  tags: Tags;
  size: number;
}

export class MetricState implements MetricInfo {
  readonly kind: number;
  readonly series = new Map<string, Series>();
  readonly byKey = new Map<string, Binding>();
  readonly byObject = new WeakMap<object, Binding>();
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

export function sameTags(binding: Binding, tags: Tags): boolean {
  const own = binding.tags;
  let n = 0;
  for (const k in tags) {
    if (own[k] !== tags[k]) return false;
    n++;
  }
  return n === binding.size;
}

export function sortedCopy(tags: Tags): Tags {
  const copy: Tags = {};
  for (const k of Object.keys(tags).sort()) copy[k] = String(tags[k]);
  return copy;
}

/** Canonical key of sorted tags. */
export function tagKey(tags: Tags): string {
  let key = "";
  for (const k in tags) key += k + "\u0000" + tags[k] + "\u0001";
  return key;
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
