/**
 * The metric registry: k6's four metric types (counter, gauge, rate, trend),
 * aggregated per tag set (series) as samples arrive, drained into compact
 * snapshots that Workers post to the main thread, which merges them.
 *
 * @module
 */

import type { MetricsSink } from "../../client/metrics_sink.ts";
import {
  aggregateOf,
  type Binding,
  COUNTER,
  EMPTY_TAGS,
  mergeInto,
  mergeSeries,
  MetricState,
  now,
  RATE,
  sameTags,
  Series,
  snapshotOf,
  sortedCopy,
  tagKey,
  TREND,
} from "./_series.ts";
import {
  BUILTIN_METRICS,
  METRIC_ALIASES,
  type MetricAggregate,
  type MetricInfo,
  type MetricSnapshot,
  type MetricsSnapshot,
  type MetricType,
  type Point,
  type SeriesSnapshot,
  type Tags,
  type ValueType,
} from "./types.ts";

export {
  BUILTIN_METRICS,
  METRIC_ALIASES,
  type MetricAggregate,
  type MetricInfo,
  type MetricSnapshot,
  type MetricSource,
  type MetricsSnapshot,
  type MetricType,
  parsePercentile,
  type Point,
  type SeriesSnapshot,
  statOf,
  type Tags,
  type ValueType,
} from "./types.ts";

/** Options of {@linkcode MetricRegistry}. */
export interface MetricRegistryOptions {
  /**
   * Most tag sets kept per metric (default 1000). Past it, samples with a new
   * tag set fold into a series that keeps only the preserved tags (see
   * {@linkcode MetricRegistry.preserveTags}), or no tags at all.
   */
  maxSeriesPerMetric?: number;
  /** Tags kept on points but not used to split series (default `["vu", "iter"]`, as k6). */
  nonIndexedTags?: readonly string[];
  /** Receives warnings, such as the first fold of a metric (default `console.warn`). */
  onWarning?: (message: string) => void;
  /** Keep every sample as a {@linkcode Point} until the next drain (for `--out json`). */
  recordPoints?: boolean;
}

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;
const TYPES: readonly MetricType[] = ["counter", "gauge", "rate", "trend"];
const VALUE_TYPES: readonly ValueType[] = ["default", "time", "data"];

/**
 * Aggregates metric samples per metric and tag set. It is the client's
 * `MetricsSink` (`add(metric, value, tags)`), the store the summary and the
 * thresholds read, and, in each Worker, the buffer drained into snapshots
 * that the main thread merges.
 *
 * Metrics must be defined before samples are added, as in k6.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry } from "./registry.ts";
 * import assert from "node:assert/strict";
 *
 * const worker = new MetricRegistry();
 * defineBuiltins(worker);
 * worker.add("mqtt_calls", 1, { method: "publish" });
 * worker.add("mqtt_calls", 1, { method: "subscribe" });
 * worker.add("mqtt_publish_duration", 12.5, { topic: "a" });
 *
 * const main = new MetricRegistry();
 * main.merge(structuredClone(worker.drain()));
 * assert.equal(main.get("mqtt_calls")?.sum, 2);
 * assert.equal(main.select("mqtt_calls", { method: "publish" })?.sum, 1);
 * assert.equal(main.get("mqtt_publish_duration")?.histogram?.max, 12.5);
 * ```
 */
export class MetricRegistry implements MetricsSink {
  readonly #metrics = new Map<string, MetricState>();
  readonly #maxSeries: number;
  readonly #nonIndexed: ReadonlySet<string>;
  /** k6's checks carry `check` and `group`: the summary's check list needs them. */
  readonly #preserved = new Set<string>(["check", "group"]);
  readonly #onWarning: (message: string) => void;
  #warnedFold = false;
  readonly #recordPoints: boolean;
  #points: Point[] = [];

  /**
   * Creates an empty registry (see {@linkcode defineBuiltins} for the built-in metrics).
   *
   * @param options Series cap, non-indexed tags, warning sink, point recording.
   * @throws {RangeError} When `maxSeriesPerMetric` is not a positive integer.
   */
  constructor(options: MetricRegistryOptions = {}) {
    const max = options.maxSeriesPerMetric ?? 1000;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`Invalid maxSeriesPerMetric ${max}: expected a positive integer`);
    }
    this.#maxSeries = max;
    this.#nonIndexed = new Set(options.nonIndexedTags ?? ["vu", "iter"]);
    this.#onWarning = options.onWarning ?? ((message) => console.warn(message));
    this.#recordPoints = options.recordPoints ?? false;
  }

  /**
   * Defines a metric, or returns quietly when it already exists with the same type.
   *
   * @param name k6 metric name: a letter or `_`, then 1 to 128 letters, digits or `_`.
   * @param type How samples aggregate.
   * @param contains What values measure (default `"default"`; checked only when given).
   * @returns The metric's definition.
   * @throws {TypeError} When the name is invalid, or the metric exists with another type or value type.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * registry.define("handler_called", "counter");
   * registry.define("handler_called", "counter");
   * assert.throws(() => registry.define("handler_called", "trend"), TypeError);
   * ```
   */
  define(name: string, type: MetricType, contains?: ValueType): MetricInfo {
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

  /**
   * Tag keys that survive when a metric has too many series and new tag sets
   * fold (thresholds on submetrics register theirs, so `mqtt_calls{method:publish}`
   * stays right however many client ids or topics there are). `check` and
   * `group` are always kept.
   *
   * @param keys Tag keys to keep.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry({ maxSeriesPerMetric: 2, onWarning: () => {} });
   * registry.preserveTags(["method"]);
   * registry.define("calls", "counter");
   * for (let i = 0; i < 10; i++) registry.add("calls", 1, { method: "publish", client_id: `c${i}` });
   * assert.equal(registry.select("calls", { method: "publish" })?.sum, 10);
   * ```
   */
  preserveTags(keys: Iterable<string>): void {
    for (const key of keys) this.#preserved.add(key);
  }

  /**
   * Adds one sample. Hot path: the series of a tags object is cached by
   * identity (and checked against the object's current content, unless the
   * object is frozen: freeze tags objects you reuse for the fastest path), then
   * by content, so repeated tags cost a few property reads.
   *
   * @param name A defined metric.
   * @param value The sample (rates count non-zero values as passes).
   * @param tags The sample's tags.
   * @param time When it happened, in ms since the epoch (default now).
   * @throws {TypeError} When the metric is not defined or the value is not a finite number.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * registry.define("ok", "rate");
   * registry.add("ok", 1);
   * registry.add("ok", 0);
   * assert.deepEqual([registry.get("ok")?.sum, registry.get("ok")?.samples], [1, 2]);
   * assert.throws(() => registry.add("nope", 1), TypeError);
   * ```
   */
  add(name: string, value: number, tags: Tags = EMPTY_TAGS, time?: number): void {
    const metric = this.#metrics.get(name);
    if (metric === undefined) {
      throw new TypeError(`Cannot add a sample to metric "${name}": it is not defined`);
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(
        `Cannot add ${String(value)} to metric "${name}": expected a finite number`,
      );
    }
    const binding = this.#bind(metric, tags);
    const series = binding.series;
    series.n++;
    switch (metric.kind) {
      case COUNTER:
        series.sum += value;
        break;
      case RATE:
        if (value !== 0) series.sum++;
        break;
      case TREND:
        series.histogram!.add(value);
        break;
      default: {
        const t = time ?? now();
        series.last = value;
        if (t >= series.time) series.time = t;
        if (value < series.min) series.min = value;
        if (value > series.max) series.max = value;
      }
    }
    if (this.#recordPoints) {
      this.#points.push({ metric: name, time: time ?? now(), value, tags: binding.tags });
    }
  }

  #bind(metric: MetricState, tags: Tags): Binding {
    let binding = metric.lastTags === tags ? metric.lastBinding : metric.byObject.get(tags);
    if (binding !== undefined && (Object.isFrozen(tags) || sameTags(binding, tags))) {
      metric.lastTags = tags;
      metric.lastBinding = binding;
      return binding;
    }
    let key = "";
    for (const k in tags) key += k + "\u0000" + tags[k] + "\u0001";
    binding = metric.byKey.get(key);
    if (binding === undefined) {
      const copy = sortedCopy(tags);
      binding = { series: this.#seriesFor(metric, copy), tags: copy, size: 0 };
      for (const _ in copy) binding.size++;
      // Bounded: tag sets past the series cap (unique ids…) would otherwise pile up here.
      if (metric.byKey.size >= this.#maxSeries * 4) metric.byKey.clear();
      metric.byKey.set(key, binding);
    }
    metric.byObject.set(tags, binding);
    metric.lastTags = tags;
    metric.lastBinding = binding;
    return binding;
  }

  /** The series for the (sorted) tags, creating or folding it. */
  #seriesFor(metric: MetricState, tags: Tags): Series {
    let indexed = tags;
    if (this.#nonIndexed.size > 0) {
      for (const k in tags) {
        if (this.#nonIndexed.has(k)) {
          indexed = {};
          for (const j in tags) if (!this.#nonIndexed.has(j)) indexed[j] = tags[j];
          break;
        }
      }
    }
    const key = tagKey(indexed);
    let series = metric.series.get(key);
    if (series !== undefined) return series;
    if (metric.series.size < this.#maxSeries || key === "") {
      series = new Series(indexed === tags ? Object.freeze(tags) : indexed, metric.kind);
      metric.series.set(key, series);
      return series;
    }
    // Past the cap: keep only the preserved tags (bounded by their own cardinality,
    // allowed up to twice the cap), else fold into the untagged series.
    const kept: Tags = {};
    for (const k in indexed) if (this.#preserved.has(k)) kept[k] = indexed[k];
    let foldKey = tagKey(kept);
    if (metric.series.size >= this.#maxSeries * 2 && !metric.series.has(foldKey)) foldKey = "";
    if (!metric.folded) {
      metric.folded = true;
      // One warning per registry: a client id per iteration folds every mqtt_* metric at once.
      if (!this.#warnedFold) {
        this.#warnedFold = true;
        const keep = [...this.#preserved].sort().join(", ") || "none";
        this.#onWarning(
          `Metric "${metric.name}" (and any other past the cap) has more than ` +
            `${this.#maxSeries} tag sets, e.g. a client_id per iteration: samples with new tag ` +
            `sets are aggregated keeping only the tags used by thresholds (${keep}). ` +
            "Totals are exact; points streamed to outputs keep all their tags.",
        );
      }
    }
    series = metric.series.get(foldKey);
    if (series === undefined) {
      series = new Series(foldKey === "" ? EMPTY_TAGS : kept, metric.kind);
      metric.series.set(foldKey, series);
    }
    return series;
  }

  /**
   * Returns everything accumulated since the last drain and resets it: every
   * defined metric with its non-empty series, and the recorded points. The
   * result is compact and structured-clone-able (Workers post it to the main thread).
   *
   * @returns The snapshot.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry({ recordPoints: true });
   * registry.define("hits", "counter");
   * registry.add("hits", 3, { a: "1" }, 0);
   * const snapshot = registry.drain();
   * assert.deepEqual(snapshot.metrics[0].series[0].tags, { a: "1" });
   * assert.deepEqual(snapshot.points, [{ metric: "hits", time: 0, value: 3, tags: { a: "1" } }]);
   * assert.equal(registry.drain().metrics[0].series.length, 0);
   * ```
   */
  drain(): MetricsSnapshot {
    const metrics: MetricSnapshot[] = [];
    for (const metric of this.#metrics.values()) {
      const series: SeriesSnapshot[] = [];
      for (const s of metric.series.values()) {
        if (s.n === 0) continue;
        series.push(snapshotOf(s));
        s.n = 0;
        s.sum = 0;
        s.min = Infinity;
        s.max = -Infinity;
        s.last = 0;
        s.time = -Infinity;
        s.histogram?.reset();
      }
      metrics.push({ name: metric.name, type: metric.type, contains: metric.contains, series });
    }
    const points = this.#points;
    this.#points = [];
    return { metrics, points };
  }

  /**
   * Folds a snapshot (from {@linkcode MetricRegistry.drain}) into this registry,
   * defining the metrics it does not know yet. Points are not kept: forward
   * them to the outputs.
   *
   * @param snapshot The snapshot to add.
   * @throws {TypeError} When a metric of the snapshot exists here with another type.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const a = new MetricRegistry();
   * a.define("level", "gauge");
   * a.add("level", 5, {}, 1000);
   * a.add("level", 2, {}, 2000);
   * const main = new MetricRegistry();
   * main.merge(a.drain());
   * assert.deepEqual([main.get("level")?.last, main.get("level")?.max], [2, 5]);
   * ```
   */
  merge(snapshot: MetricsSnapshot): void {
    for (const m of snapshot.metrics) {
      this.define(m.name, m.type, m.contains);
      const metric = this.#metrics.get(m.name)!;
      for (const data of m.series) {
        mergeInto(this.#bind(metric, data.tags).series, data);
      }
    }
  }

  /**
   * The definition of a metric. A legacy xk6-mqtt name ({@linkcode METRIC_ALIASES}) that
   * the script did not define itself has its target's type and value type.
   *
   * @param name Metric name.
   * @returns Its name, type and value type, or undefined when not defined.
   *
   * @example Usage
   * ```ts
   * import { defineBuiltins, MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * defineBuiltins(registry);
   * assert.equal(registry.info("data_sent")?.contains, "data");
   * assert.equal(registry.info("mqtt_data_sent")?.contains, "data");
   * ```
   */
  info(name: string): MetricInfo | undefined {
    const m = this.#resolve(name);
    return m && { name, type: m.type, contains: m.contains };
  }

  /**
   * The metric that queries on `name` read: `name` itself when defined, else the target of a
   * legacy xk6-mqtt name ({@linkcode METRIC_ALIASES}) when that is defined.
   *
   * @param name Metric name.
   * @returns The defined metric's name, or undefined.
   *
   * @example Usage
   * ```ts
   * import { defineBuiltins, MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * defineBuiltins(registry);
   * assert.equal(registry.canonicalName("mqtt_message_sent"), "mqtt_messages_sent");
   * assert.equal(registry.canonicalName("checks"), "checks");
   * assert.equal(registry.canonicalName("nope"), undefined);
   * ```
   */
  canonicalName(name: string): string | undefined {
    return this.#resolve(name)?.name;
  }

  /** A defined metric, else the target of an alias ({@linkcode METRIC_ALIASES}) when defined. */
  #resolve(name: string): MetricState | undefined {
    const metric = this.#metrics.get(name);
    if (metric !== undefined || !Object.hasOwn(METRIC_ALIASES, name)) return metric;
    return this.#metrics.get(METRIC_ALIASES[name]);
  }

  /**
   * Every defined metric, in definition order.
   *
   * @returns Their definitions.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * registry.define("hits", "counter");
   * assert.deepEqual(registry.metrics().map((m) => m.name), ["hits"]);
   * ```
   */
  metrics(): MetricInfo[] {
    return [...this.#metrics.values()].map((m) => ({
      name: m.name,
      type: m.type,
      contains: m.contains,
    }));
  }

  /**
   * The non-empty series of a metric (all metrics when `name` is omitted), as copies.
   *
   * @param name Metric name.
   * @returns The series, each with its metric's name.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * registry.define("calls", "counter");
   * registry.add("calls", 1, { method: "publish" });
   * assert.deepEqual(registry.series("calls").map((s) => s.tags), [{ method: "publish" }]);
   * ```
   */
  series(name?: string): Array<SeriesSnapshot & { name: string }> {
    const out: Array<SeriesSnapshot & { name: string }> = [];
    for (const metric of this.#metrics.values()) {
      if (name !== undefined && metric.name !== name) continue;
      for (const s of metric.series.values()) {
        if (s.n > 0) out.push({ name: metric.name, ...snapshotOf(s) });
      }
    }
    return out;
  }

  /**
   * The aggregate of all the series of a metric.
   *
   * @param name Metric name.
   * @returns The aggregate, or undefined when the metric is not defined.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * registry.define("rtt", "trend", "time");
   * registry.add("rtt", 10);
   * registry.add("rtt", 30);
   * assert.equal(registry.get("rtt")?.histogram?.avg, 20);
   * ```
   */
  get(name: string): MetricAggregate | undefined {
    return this.select(name);
  }

  /**
   * The aggregate of the series of a metric whose tags contain every pair of
   * `filter`: k6's submetric `name{key:value,…}`. A legacy xk6-mqtt name
   * ({@linkcode METRIC_ALIASES}) that the script did not define itself reads its target.
   *
   * @param name Metric name.
   * @param filter Tags a series must have (default none: the whole metric).
   * @returns The aggregate, or undefined when the metric is not defined.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * registry.define("checks", "rate");
   * registry.add("checks", 1, { check: "ok" });
   * registry.add("checks", 0, { check: "fast" });
   * assert.equal(registry.select("checks", { check: "fast" })?.samples, 1);
   * ```
   */
  select(name: string, filter: Tags = EMPTY_TAGS): MetricAggregate | undefined {
    const metric = this.#resolve(name);
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

/**
 * Defines k6's and xk6-mqtt's built-in metrics ({@linkcode BUILTIN_METRICS}) plus mqload's trends.
 *
 * @param registry The registry to fill.
 * @throws {TypeError} When one of them exists with another type.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry } from "./registry.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * defineBuiltins(registry);
 * assert.equal(registry.info("iteration_duration")?.type, "trend");
 * ```
 */
export function defineBuiltins(registry: MetricRegistry): void {
  for (const m of BUILTIN_METRICS) registry.define(m.name, m.type, m.contains);
}
