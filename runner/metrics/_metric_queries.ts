/**
 * The queries of a metric registry: definitions, series and aggregates, read by the summary,
 * the thresholds and the outputs. `MetricRegistry` adds samples to them.
 *
 * @module
 */

import { EMPTY_TAGS } from "./_series.ts";
import { MetricTable } from "./_metric_table.ts";
import type { MetricAggregate, MetricInfo, SeriesSnapshot, Tags } from "./types.ts";

let tableOf: (queries: MetricQueries) => MetricTable;

/** The table under `queries`, for the registry that extends them. */
export function metricTable(queries: MetricQueries): MetricTable {
  return tableOf(queries);
}

/**
 * What a metric registry answers (see `MetricRegistry`, which extends it).
 *
 * @example Usage
 * ```ts
 * import { MetricRegistry } from "./registry.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * registry.define("hits", "counter");
 * registry.add("hits", 2);
 * assert.equal(registry.get("hits")?.sum, 2);
 * ```
 */
export class MetricQueries {
  /** The metrics by name, with their series. */
  readonly #table = new MetricTable();

  static {
    tableOf = (queries) => queries.#table;
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
    const m = this.#table.resolve(name);
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
    return this.#table.resolve(name)?.name;
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
    return [...this.#table.values()].map((m) => ({
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
    return this.#table.series(name);
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
    return this.#table.select(name, filter);
  }
}
