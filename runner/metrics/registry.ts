/**
 * The metric registry: k6's four metric types (counter, gauge, rate, trend),
 * aggregated per tag set (series) as samples arrive, drained into compact
 * snapshots that Workers post to the main thread, which merges them.
 *
 * Its parts: `_metric_table.ts` (the metrics by name and their queries),
 * `_series_binding.ts` (which series a sample's tags land in, the series cap),
 * `_series.ts` (the accumulators); the built-in metrics are in `builtin.ts`.
 *
 * @module
 */

import type { MetricsSink } from "../../client/metrics_sink.ts";
import { COUNTER, EMPTY_TAGS, mergeInto, now } from "./_series.ts";
import { type Binding, SeriesBinder, tagsOf } from "./_series_binding.ts";
import { BoundTo } from "./bound_to.ts";
import { MetricQueries, metricTable } from "./_metric_queries.ts";
import type {
  BoundSeries,
  MetricInfo,
  MetricRegistryOptions,
  MetricsSnapshot,
  MetricType,
  Point,
  Tags,
  ValueType,
} from "./types.ts";

export { MetricQueries } from "./_metric_queries.ts";
// Kept for the importers of this path (engine/, worker/, outputs/, k6/, runner/mod.ts).
export { defineBuiltins } from "./builtin.ts";
export type {
  BoundSeries,
  MetricAggregate,
  MetricInfo,
  MetricRegistryOptions,
  MetricSource,
  MetricsSnapshot,
  MetricType,
  Point,
  SeriesSnapshot,
  SnapshotSource,
  Tags,
  ValueType,
} from "./types.ts";

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
export class MetricRegistry extends MetricQueries implements MetricsSink {
  readonly #table = metricTable(this);
  readonly #binder: SeriesBinder;
  readonly #recordPoints: boolean;
  #points: Point[] = [];

  /**
   * Creates an empty registry (see {@linkcode defineBuiltins} for the built-in metrics).
   *
   * @param options Series cap, non-indexed tags, warning sink, point recording.
   * @throws {RangeError} When `maxSeriesPerMetric` is not a positive integer.
   */
  constructor(options: MetricRegistryOptions = {}) {
    super();
    const max = options.maxSeriesPerMetric ?? 1000;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`Invalid maxSeriesPerMetric ${max}: expected a positive integer`);
    }
    this.#binder = new SeriesBinder(
      max,
      options.nonIndexedTags ?? ["vu", "iter"],
      options.perConnectionTags ?? ["client_id"],
      options.onWarning ?? ((message) => console.warn(message)),
    );
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
    return this.#table.define(name, type, contains);
  }

  /**
   * Tag keys that survive when a metric has too many series and new tag sets
   * fold (thresholds on submetrics register theirs, so `mqtt_calls{method:publish}`
   * stays right however many client ids or topics there are). `check` and
   * `group` are always kept; a per-connection tag named here splits series (call it first).
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
   * for (let i = 0; i < 10; i++) registry.add("calls", 1, { method: "publish", device: `d${i}` });
   * assert.equal(registry.select("calls", { method: "publish" })?.sum, 10);
   * ```
   */
  preserveTags(keys: Iterable<string>): void {
    this.#binder.preserve(keys);
    // Given before any sample (the Worker preserves its thresholds' tags first); a per-connection
    // tag preserved now splits series, so the indexed-tags lookup must not answer without it.
    for (const metric of this.#table.values()) metric.byIndexed.clear();
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
    const binding = this.#binder.bind(this.#defined(name), tags);
    this.#addTo(name, binding, value, time);
  }

  /**
   * Binds metric `name` and a tags object to their series once, for a caller that adds many
   * samples with the same frozen tags (a client's per-topic tags): {@linkcode addBound} then
   * skips the lookups `add()` makes per sample.
   *
   * @param name A defined metric.
   * @param tags The samples' tags; frozen, as they must not change.
   * @param into A binding this registry returned before (or a recorder extending one, which
   * is then bound itself), pointed at `tags` now; what was added to it stays with its old tags.
   * @param once `tags` was made for this binding and is not bound again: it is then not cached
   * (a recorder that merges its own tags with a VU's keeps its binding itself).
   * @returns The binding: `into` when given.
   * @throws {TypeError} When the metric is not defined.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * registry.define("bytes", "counter");
   * const home = registry.bind("bytes", Object.freeze({ page: "home" }));
   * registry.addBound(home, 10);
   * registry.addBound(home, 5);
   * assert.equal(registry.select("bytes", { page: "home" })?.sum, 15);
   * ```
   */
  bind(name: string, tags: Tags, into?: BoundSeries, once = false): BoundSeries {
    const metric = this.#defined(name);
    const to = (into ?? new BoundTo()) as BoundTo;
    // Samples waiting on the old binding belong to its series.
    if (to.count > 0) to.settle();
    const binding = this.#binder.bind(metric, tags, once);
    to.metric = name;
    to.binding = binding;
    // A counter's samples add up where they are made, unless each is streamed as a point.
    to.table = metric.kind === COUNTER && !this.#recordPoints ? this.#table : undefined;
    return to;
  }

  /**
   * Adds one sample to a bound series (see {@linkcode bind}).
   *
   * @param bound A binding of this registry.
   * @param value The sample.
   * @throws {TypeError} When the value is not a finite number.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * registry.define("latency", "trend");
   * const latency = registry.bind("latency", Object.freeze({}));
   * registry.addBound(latency, 12);
   * assert.equal(registry.get("latency")?.histogram?.max, 12);
   * ```
   */
  addBound(bound: BoundSeries, value: number): void {
    const to = bound as BoundTo;
    if (to.table === undefined) return this.#addTo(to.metric, to.binding, value, undefined);
    // A counter bound by a client's recorder (a sample per message): the count and sum wait on
    // the binding until the series are read, so a sample touches no series.
    if (typeof value !== "number" || !Number.isFinite(value)) throw notFinite(to.metric, value);
    if (to.count++ === 0) to.table.later(to);
    to.sum += value;
  }

  #defined(name: string) {
    const metric = this.#table.get(name);
    if (metric === undefined) {
      throw new TypeError(`Cannot add a sample to metric "${name}": it is not defined`);
    }
    return metric;
  }

  #addTo(name: string, binding: Binding, value: number, time: number | undefined): void {
    if (typeof value !== "number" || !Number.isFinite(value)) throw notFinite(name, value);
    binding.series.add(value, time);
    if (this.#recordPoints) {
      this.#points.push({ metric: name, time: time ?? now(), value, tags: tagsOf(binding) });
    }
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
    const points = this.#points;
    this.#points = [];
    return { metrics: this.#table.drain(), points };
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
      const metric = this.#table.define(m.name, m.type, m.contains);
      for (const data of m.series) {
        mergeInto(this.#binder.bind(metric, data.tags).series, data);
      }
    }
  }
}

function notFinite(metric: string, value: unknown): TypeError {
  return new TypeError(
    `Cannot add ${String(value)} to metric "${metric}": expected a finite number`,
  );
}
