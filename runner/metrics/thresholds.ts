/**
 * k6 thresholds: {@linkcode parseThresholds} reads `options.thresholds` into a
 * {@linkcode Thresholds} set, which checks its metrics and aggregations against the metric
 * definitions and evaluates its expressions as k6 does. The grammar and the parsers of one
 * threshold are in `threshold_parser.ts`.
 *
 * @module
 */

import type { MetricAggregate, MetricInfo, MetricSource, MetricType } from "./types.ts";
import {
  InvalidThresholdError,
  parseMetricKey,
  parseThresholdEntry,
  type ThresholdConfig,
  type ThresholdEntry,
  type ThresholdExpression,
  type ThresholdsConfig,
} from "./threshold_parser.ts";

// The parsers have their own file; summaries, outputs, options and runner/mod.ts read them here.
export {
  InvalidThresholdError,
  type MetricKey,
  parseMetricKey,
  parseThresholdEntry,
  parseThresholdExpression,
  type ThresholdConfig,
  type ThresholdEntry,
  type ThresholdExpression,
  type ThresholdsConfig,
} from "./threshold_parser.ts";

/** The verdict of one threshold. */
export interface ThresholdResult {
  /** The metric key as written in the summary (`name` or `name{tag:value}`). */
  metric: string;
  /** The expression, as written in the configuration. */
  expression: string;
  /** Whether the threshold holds (for a skipped one: its last verdict, initially true). */
  ok: boolean;
  /** Whether it has `abortOnFail`. */
  abortOnFail: boolean;
  /** Whether the test must stop now: failed, `abortOnFail`, and past `delayAbortEval`. */
  shouldAbort: boolean;
  /** The aggregated value the expression compared. */
  value: number;
  /** Not evaluated because the metric had no sample yet (`ignoreEmpty`). */
  skipped: boolean;
}

const SUPPORTED: Record<MetricType, readonly string[]> = {
  counter: ["count", "rate"],
  gauge: ["value"],
  rate: ["rate"],
  trend: ["avg", "min", "max", "med", "p"],
};
/**
 * Parses k6's `options.thresholds`, checking every expression's syntax.
 * Checking metric names and types needs the script's metrics: call
 * {@linkcode Thresholds.validate} once they are defined.
 *
 * @param config Metric keys to lists of expressions or threshold objects.
 * @returns The parsed thresholds.
 * @throws {InvalidThresholdError} Naming the first bad metric key, expression or option.
 *
 * @example Usage
 * ```ts
 * import { parseThresholds } from "./thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * const thresholds = parseThresholds({
 *   mqtt_calls: ["count==5"],
 *   "mqtt_publish_duration{qos:1}": [{ threshold: "p(95)<50", abortOnFail: true }],
 * });
 * assert.equal(thresholds.entries.length, 2);
 * assert.deepEqual(thresholds.tagKeys(), ["qos"]);
 * ```
 */
export function parseThresholds(config: ThresholdsConfig): Thresholds {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new InvalidThresholdError("Invalid thresholds: expected an object of metric keys");
  }
  const entries: ThresholdEntry[] = [];
  for (const [rawKey, list] of Object.entries(config)) {
    const key = parseMetricKey(rawKey);
    if (!Array.isArray(list)) {
      throw new InvalidThresholdError(
        `Invalid thresholds for metric "${rawKey}": expected an array of expressions`,
      );
    }
    for (const item of list) entries.push(parseThresholdEntry(key, item));
  }
  return new Thresholds(entries);
}

/**
 * The tag keys that the submetric thresholds of k6's `thresholds` option filter on, or none
 * when the option is absent or invalid (the main thread reports that).
 *
 * @param config The `thresholds` option as the script gave it.
 * @returns The keys, sorted.
 *
 * @example Usage
 * ```ts
 * import { thresholdTagKeys } from "./thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(thresholdTagKeys({ "mqtt_calls{client_id:a}": ["count>0"] }), ["client_id"]);
 * assert.deepEqual(thresholdTagKeys(undefined), []);
 * ```
 */
export function thresholdTagKeys(config: unknown): string[] {
  if (config === undefined) return [];
  try {
    return parseThresholds(config as ThresholdsConfig).tagKeys();
  } catch {
    return [];
  }
}

/** Something that knows metric definitions (a registry, or merged summaries). */
export interface MetricCatalog {
  /** The definition of `name`, or undefined. */
  info(name: string): MetricInfo | undefined;
  /** Optional: tag keys to keep when a metric's series fold (the registry has it). */
  preserveTags?(keys: Iterable<string>): void;
  /** Optional: the metric a query on `name` reads, when `name` is an alias (the registry has it). */
  canonicalName?(name: string): string | undefined;
}

/**
 * A parsed set of thresholds; evaluates them against metrics.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry } from "./registry.ts";
 * import { parseThresholds } from "./thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * defineBuiltins(registry);
 * const thresholds = parseThresholds({ checks: ["rate==1"], "mqtt_calls{method:publish}": ["count>=2"] });
 * thresholds.validate(registry);
 * registry.add("checks", 1);
 * registry.add("mqtt_calls", 1, { method: "publish" });
 * const results = thresholds.evaluate(registry, 1000);
 * assert.deepEqual(results.map((r) => r.ok), [true, false]);
 * ```
 */
export class Thresholds {
  /** Every threshold, in configuration order. */
  readonly entries: readonly ThresholdEntry[];
  #lastOk: boolean[];

  /**
   * Use {@linkcode parseThresholds}.
   *
   * @param entries Parsed thresholds.
   */
  constructor(entries: readonly ThresholdEntry[]) {
    this.entries = entries;
    this.#lastOk = entries.map(() => true);
  }

  /**
   * Checks that every metric exists and supports the aggregation used on it
   * (k6: `count`/`rate` on counters, `value` on gauges, `rate` on rates,
   * `avg`/`min`/`max`/`med`/`p(N)` on trends), and registers the submetric tag
   * keys with the catalog's `preserveTags` when it has one.
   *
   * @param catalog The metric definitions (the registry after the script's init).
   * @throws {InvalidThresholdError} Naming the first unknown metric or unsupported aggregation.
   *
   * @example Usage
   * ```ts
   * import { defineBuiltins, MetricRegistry } from "./registry.ts";
   * import { parseThresholds } from "./thresholds.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * defineBuiltins(registry);
   * assert.throws(() => parseThresholds({ mqtt_calls: ["avg<1"] }).validate(registry), /unsupported/);
   * assert.throws(() => parseThresholds({ nope: ["count<1"] }).validate(registry), /no metric/);
   * ```
   */
  validate(catalog: MetricCatalog): void {
    for (const e of this.entries) {
      const info = catalog.info(e.name);
      if (info === undefined) {
        throw new InvalidThresholdError(
          `Invalid threshold defined on ${e.key}: no metric name "${e.name}" found`,
        );
      }
      if (!SUPPORTED[info.type].includes(e.expression.aggregation)) {
        throw new InvalidThresholdError(
          `Invalid threshold "${e.source}" applied on metric ${e.key}: unsupported aggregation ` +
            `method ${e.expression.aggregation} on metric of type ${info.type}. Supported ` +
            `aggregation methods for this metric are: ${SUPPORTED[info.type].join(", ")}`,
        );
      }
    }
    catalog.preserveTags?.(this.tagKeys());
  }

  /**
   * The tag keys that submetric thresholds filter on, sorted.
   *
   * @returns The keys.
   *
   * @example Usage
   * ```ts
   * import { parseThresholds } from "./thresholds.ts";
   * import assert from "node:assert/strict";
   *
   * assert.deepEqual(parseThresholds({ "checks{check:ok}": ["rate>0"] }).tagKeys(), ["check"]);
   * ```
   */
  tagKeys(): string[] {
    const keys = new Set<string>();
    for (const e of this.entries) for (const k of Object.keys(e.filter)) keys.add(k);
    return [...keys].sort();
  }

  /**
   * The configuration these thresholds were parsed from (normalised), to
   * embed in summary exports so that merges re-evaluate them.
   *
   * @returns A JSON-able {@linkcode ThresholdsConfig}.
   *
   * @example Usage
   * ```ts
   * import { parseThresholds } from "./thresholds.ts";
   * import assert from "node:assert/strict";
   *
   * const config = { checks: ["rate>0.9", { threshold: "rate>0.5", abortOnFail: true }] };
   * assert.deepEqual(parseThresholds(config).toConfig(), config);
   * ```
   */
  toConfig(): Record<string, Array<string | ThresholdConfig>> {
    const out: Record<string, Array<string | ThresholdConfig>> = {};
    for (const e of this.entries) {
      const list = out[e.key] ??= [];
      if (!e.abortOnFail && e.delayAbortEvalMs === undefined) list.push(e.source);
      else {
        const item: ThresholdConfig = { threshold: e.source, abortOnFail: e.abortOnFail };
        if (e.delayAbortEvalMs !== undefined) item.delayAbortEval = e.delayAbortEvalMs;
        list.push(item);
      }
    }
    return out;
  }

  /**
   * Evaluates every threshold as k6 does: counters give `count` and `rate`
   * (per second of `elapsedMs`), gauges `value`, rates `rate` (0 when empty),
   * trends `avg`, `min`, `max`, `med`, `p(N)`.
   *
   * @param source The metrics (registry, or merged summaries).
   * @param elapsedMs Test time so far, for counter rates and `delayAbortEval`.
   * @param options `ignoreEmpty`: skip metrics with no sample yet, as k6 does
   *   while the test runs (not at its end).
   * @returns One result per threshold, in configuration order.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "./registry.ts";
   * import { parseThresholds } from "./thresholds.ts";
   * import assert from "node:assert/strict";
   *
   * const registry = new MetricRegistry();
   * registry.define("errors", "counter");
   * const thresholds = parseThresholds({ errors: [{ threshold: "count<1", abortOnFail: true }] });
   * assert.equal(thresholds.evaluate(registry, 500, { ignoreEmpty: true })[0].skipped, true);
   * registry.add("errors", 1);
   * assert.equal(thresholds.evaluate(registry, 500)[0].shouldAbort, true);
   * ```
   */
  evaluate(
    source: MetricSource,
    elapsedMs: number,
    options: { ignoreEmpty?: boolean } = {},
  ): ThresholdResult[] {
    const cache = new Map<string, MetricAggregate | undefined>();
    return this.entries.map((e, i) => {
      let agg = cache.get(e.key);
      if (!cache.has(e.key)) cache.set(e.key, agg = source.select(e.name, e.filter));
      const base = { metric: e.key, expression: e.source, abortOnFail: e.abortOnFail };
      if (options.ignoreEmpty && (agg === undefined || agg.samples === 0)) {
        return { ...base, ok: this.#lastOk[i], shouldAbort: false, value: NaN, skipped: true };
      }
      const value = agg === undefined ? NaN : aggregationValue(agg, e.expression, elapsedMs);
      const ok = compare(value, e.expression);
      this.#lastOk[i] = ok;
      const shouldAbort = !ok && e.abortOnFail &&
        (e.delayAbortEvalMs === undefined || e.delayAbortEvalMs < elapsedMs);
      return { ...base, ok, shouldAbort, value, skipped: false };
    });
  }
}

function aggregationValue(agg: MetricAggregate, expr: ThresholdExpression, elapsedMs: number) {
  switch (expr.aggregation) {
    case "count":
      return agg.type === "counter" ? agg.sum : NaN;
    case "rate":
      if (agg.type === "counter") return agg.sum / (elapsedMs / 1000);
      return agg.type === "rate" ? rateOf(agg) : NaN;
    case "value":
      return agg.type === "gauge" ? agg.last : NaN;
  }
  const h = agg.type === "trend" ? agg.histogram : undefined;
  if (h === undefined) return agg.type === "trend" ? 0 : NaN;
  switch (expr.aggregation) {
    case "avg":
      return h.avg;
    case "min":
      return h.min;
    case "max":
      return h.max;
    case "med":
      return h.quantile(0.5);
    default:
      return h.quantile(expr.percentile! / 100);
  }
}

/**
 * A rate metric's `rate`. k6 (since v0.38, grafana/k6#2521) leaves an empty rate's value unset
 * and its map lookup then yields 0, so `rate<0.1` passes on a rate that never got a sample.
 */
function rateOf(agg: MetricAggregate): number {
  return agg.samples > 0 ? agg.sum / agg.samples : 0;
}

function compare(lhs: number, expr: ThresholdExpression): boolean {
  const rhs = expr.value;
  switch (expr.operator) {
    case ">":
      return lhs > rhs;
    case ">=":
      return lhs >= rhs;
    case "<=":
      return lhs <= rhs;
    case "<":
      return lhs < rhs;
    case "!=":
      return lhs !== rhs;
    default:
      return lhs === rhs;
  }
}
