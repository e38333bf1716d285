/**
 * Internals of the metric registry: its metrics by name, defined under k6's rules (name,
 * type, value type, no redefinition with another type), looked up through the legacy
 * xk6-mqtt names ({@linkcode METRIC_ALIASES}), and read back as snapshots or as aggregates
 * of the series that match a tag filter.
 *
 * @module
 */

import {
  aggregateOf,
  EMPTY_TAGS,
  mergeSeries,
  MetricState,
  Series,
  snapshotOf,
} from "./_series.ts";
import { METRIC_ALIASES } from "./builtin.ts";
import type {
  MetricAggregate,
  MetricSnapshot,
  MetricType,
  SeriesSnapshot,
  Tags,
  ValueType,
} from "./types.ts";

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;
const TYPES: readonly MetricType[] = ["counter", "gauge", "rate", "trend"];
const VALUE_TYPES: readonly ValueType[] = ["default", "time", "data"];

/** Samples added ahead of their series, which settle them before the series are read. */
export interface PendingSamples {
  /** Adds what is pending to the series. */
  settle(): void;
}

/** The defined metrics of one registry, in definition order. */
export class MetricTable {
  readonly #metrics = new Map<string, MetricState>();
  #pending: PendingSamples[] = [];

  /** Notes samples kept ahead of their series: every read of the series settles them first. */
  later(pending: PendingSamples): void {
    this.#pending.push(pending);
  }

  #settle(): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    for (const p of pending) p.settle();
  }

  /** Defines a metric (see `MetricRegistry.define`), or returns the existing one. */
  define(name: string, type: MetricType, contains?: ValueType): MetricState {
    const existing = this.#metrics.get(name);
    if (existing !== undefined) {
      if (existing.type !== type) {
        throw new TypeError(
          `Cannot define metric "${name}" as ${type}: it already exists as ${existing.type}`,
        );
      }
      if (contains !== undefined && contains !== existing.contains) {
        throw new TypeError(
          `Cannot define metric "${name}" with value type ${contains}: it already has ${existing.contains}`,
        );
      }
      return existing;
    }
    if (typeof name !== "string" || !NAME_RE.test(name)) {
      throw new TypeError(
        `Invalid metric name "${name}": metric names start with a letter or an underscore ` +
          "and contain 2 to 129 ASCII letters, digits or underscores",
      );
    }
    if (!TYPES.includes(type)) {
      throw new TypeError(`Invalid metric type "${type}": expected one of ${TYPES.join(", ")}`);
    }
    const valueType = contains ?? "default";
    if (!VALUE_TYPES.includes(valueType)) {
      throw new TypeError(
        `Invalid value type "${valueType}": expected one of ${VALUE_TYPES.join(", ")}`,
      );
    }
    const metric = new MetricState(name, type, valueType);
    this.#metrics.set(name, metric);
    return metric;
  }

  /** The metric defined as `name`. */
  get(name: string): MetricState | undefined {
    return this.#metrics.get(name);
  }

  /** A defined metric, else the target of an alias ({@linkcode METRIC_ALIASES}) when defined. */
  resolve(name: string): MetricState | undefined {
    const metric = this.#metrics.get(name);
    if (metric !== undefined || !Object.hasOwn(METRIC_ALIASES, name)) return metric;
    return this.#metrics.get(METRIC_ALIASES[name]);
  }

  /** Every defined metric, in definition order. */
  values(): IterableIterator<MetricState> {
    this.#settle();
    return this.#metrics.values();
  }

  /** Every metric with its non-empty series, which are then emptied. */
  drain(): MetricSnapshot[] {
    this.#settle();
    const metrics: MetricSnapshot[] = [];
    for (const metric of this.#metrics.values()) {
      const series: SeriesSnapshot[] = [];
      for (const s of metric.series.values()) {
        if (s.n === 0) continue;
        series.push(snapshotOf(s));
        s.reset();
      }
      metrics.push({ name: metric.name, type: metric.type, contains: metric.contains, series });
    }
    return metrics;
  }

  /** Copies of the non-empty series of metric `name`, or of every metric. */
  series(name?: string): Array<SeriesSnapshot & { name: string }> {
    this.#settle();
    const out: Array<SeriesSnapshot & { name: string }> = [];
    for (const metric of this.#metrics.values()) {
      if (name !== undefined && metric.name !== name) continue;
      for (const s of metric.series.values()) {
        if (s.n > 0) out.push({ name: metric.name, ...snapshotOf(s) });
      }
    }
    return out;
  }

  /** The aggregate of the series of `name` (or of its alias target) whose tags include `filter`. */
  select(name: string, filter: Tags = EMPTY_TAGS): MetricAggregate | undefined {
    this.#settle();
    const metric = this.resolve(name);
    if (metric === undefined) return undefined;
    const acc = new Series(EMPTY_TAGS, metric.kind);
    const keys = Object.keys(filter);
    for (const s of metric.series.values()) {
      if (s.n === 0 || !keys.every((k) => s.tags[k] === filter[k])) continue;
      mergeSeries(acc, s);
    }
    const aggregate = aggregateOf(metric, acc);
    return metric.name === name ? aggregate : { ...aggregate, name };
  }
}
