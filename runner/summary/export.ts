/**
 * The `--summary-export` file: k6's legacy JSON summary (what k6's summary
 * wrapper `oldJSONSummary` writes) plus an `mqload` block with what
 * `mqload merge` needs to combine exports exactly.
 *
 * @module
 */

import type { HistogramJSON } from "../metrics/histogram.ts";
import type { MetricRegistry } from "../metrics/registry.ts";
import type { MetricType, ValueType } from "../metrics/types.ts";
import type { SummaryCheck, SummaryData, SummaryGroup } from "./data.ts";
import { parseMetricKey, Thresholds, type ThresholdsConfig } from "../metrics/thresholds.ts";

/** A group in k6's legacy export: sub-groups and checks keyed by name. */
export interface ExportGroup {
  /** The group's name. */
  name: string;
  /** Its path. */
  path: string;
  /** MD5 of the path. */
  id: string;
  /** Sub-groups by name. */
  groups: Record<string, ExportGroup>;
  /** Checks by name. */
  checks: Record<string, SummaryCheck>;
}

/** A metric in k6's legacy export: its values flattened, rates' `rate` renamed `value`, thresholds as failed flags. */
export interface ExportMetric {
  /** A statistic. */
  [stat: string]: number | Record<string, boolean> | undefined;
  /** Expression → whether it FAILED (k6's legacy meaning). */
  thresholds?: Record<string, boolean>;
}

/** One metric's merge data in the `mqload` block. */
export interface ExportMetricInfo {
  /** Metric type (the legacy format drops it). */
  type: MetricType;
  /** Value type (the legacy format drops it). */
  contains: ValueType;
  /** Trends: every value, bucketed. */
  histogram?: HistogramJSON;
  /** Gauges: when the value was last set, in ms since the epoch. */
  time?: number;
}

/** What mqload adds to k6's export so that exports merge exactly. */
export interface MqloadExportBlock {
  /** Format version. */
  version: 1;
  /** Test run duration in ms. */
  testRunDurationMs: number;
  /** The trend stats of the export. */
  summaryTrendStats: string[];
  /** The summary time unit. */
  summaryTimeUnit: string;
  /** Per metric key: type, value type, histogram (trends), time (gauges). */
  metrics: Record<string, ExportMetricInfo>;
  /** The threshold configuration, re-evaluated after a merge. */
  thresholds?: ThresholdsConfig;
}

/** The `--summary-export` file: k6's legacy JSON summary plus an `mqload` block. */
export interface SummaryExport {
  /** Checks and groups, keyed by name. */
  root_group: ExportGroup;
  /** Metrics by key. */
  metrics: Record<string, ExportMetric>;
  /** What `setup()` returned, when it returned something. */
  setup_data?: unknown;
  /** Merge data. */
  mqload: MqloadExportBlock;
}

/** Extra data that makes an export mergeable; see {@linkcode exportExtras}. */
export interface ExportExtras {
  /** Trend histograms by metric key. */
  histograms?: Record<string, HistogramJSON>;
  /** Gauge update times by metric key. */
  gaugeTimes?: Record<string, number>;
  /** The thresholds, re-evaluated after a merge. */
  thresholds?: Thresholds | ThresholdsConfig;
}

/**
 * Collects from the registry what {@linkcode summaryExport} needs to make the
 * export exactly mergeable: the histogram of every trend (and trend
 * submetric) of the summary, the time of every gauge, and the thresholds.
 *
 * @param registry The test's metrics.
 * @param data The summary data.
 * @param thresholds The parsed thresholds, if any.
 * @returns The extras.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
 * import { exportExtras, summaryData } from "./data.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * defineBuiltins(registry);
 * registry.add("mqtt_connect_duration", 4.2);
 * const data = summaryData(registry, [], { testRunDurationMs: 1000 });
 * assert.equal(exportExtras(registry, data).histograms?.mqtt_connect_duration.count, 1);
 * ```
 */
export function exportExtras(
  registry: MetricRegistry,
  data: SummaryData,
  thresholds?: Thresholds,
): ExportExtras {
  const histograms: Record<string, HistogramJSON> = {};
  const gaugeTimes: Record<string, number> = {};
  for (const key of Object.keys(data.metrics)) {
    const { name, filter } = parseMetricKey(key);
    const agg = registry.select(name, filter);
    if (agg?.histogram !== undefined) histograms[key] = agg.histogram.toJSON();
    if (agg?.type === "gauge") gaugeTimes[key] = agg.time;
  }
  return thresholds === undefined
    ? { histograms, gaugeTimes }
    : { histograms, gaugeTimes, thresholds };
}

/**
 * Turns summary data into the `--summary-export` document: k6's legacy
 * format (what k6's summary wrapper `oldJSONSummary` writes: no `options` nor
 * `state`, metric values flattened, a rate's `rate` renamed `value`,
 * thresholds as `{expression: failed}`, groups and checks keyed by name),
 * plus the `mqload` block. Write it with {@linkcode formatSummaryExport}.
 *
 * @param data The summary data.
 * @param extras Histograms, gauge times and thresholds (see
 *   {@linkcode exportExtras}), or just a map of trend histograms by metric key.
 * @returns The export document.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
 * import { exportExtras, summaryData, summaryExport } from "./data.ts";
 * import { parseThresholds } from "../metrics/thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * defineBuiltins(registry);
 * registry.add("checks", 1, { check: "ok", group: "" });
 * const thresholds = parseThresholds({ checks: ["rate>0.9"] });
 * const data = summaryData(registry, thresholds.evaluate(registry, 1000), { testRunDurationMs: 1000 });
 * const doc = summaryExport(data, exportExtras(registry, data, thresholds));
 * assert.deepEqual(doc.metrics.checks, { passes: 1, fails: 0, thresholds: { "rate>0.9": false }, value: 1 });
 * assert.equal(doc.root_group.checks.ok.passes, 1);
 * ```
 */
export function summaryExport(
  data: SummaryData,
  extras: ExportExtras | Record<string, HistogramJSON> = {},
): SummaryExport {
  const x: ExportExtras = isHistogramMap(extras) ? { histograms: extras } : extras as ExportExtras;
  const metrics: Record<string, ExportMetric> = {};
  const infos: Record<string, ExportMetricInfo> = {};
  for (const [key, m] of Object.entries(data.metrics)) {
    const out: ExportMetric = { ...m.values };
    if (m.thresholds !== undefined && Object.keys(m.thresholds).length > 0) {
      out.thresholds = Object.fromEntries(
        Object.entries(m.thresholds).map(([expr, t]) => [expr, !t.ok]),
      );
    }
    if (m.type === "rate" && "rate" in out) {
      out.value = out.rate;
      delete out.rate;
    }
    metrics[key] = out;
    const info: ExportMetricInfo = { type: m.type, contains: m.contains };
    const h = x.histograms?.[key];
    if (h !== undefined) info.histogram = h;
    const time = x.gaugeTimes?.[key];
    if (time !== undefined) info.time = time;
    infos[key] = info;
  }
  const block: MqloadExportBlock = {
    version: 1,
    testRunDurationMs: data.state.testRunDurationMs,
    summaryTrendStats: [...data.options.summaryTrendStats],
    summaryTimeUnit: data.options.summaryTimeUnit,
    metrics: infos,
  };
  if (x.thresholds !== undefined) {
    block.thresholds = x.thresholds instanceof Thresholds ? x.thresholds.toConfig() : x.thresholds;
  }
  const doc: SummaryExport = {
    root_group: exportGroup(data.root_group),
    metrics,
    mqload: block,
  };
  if (data.setup_data !== undefined) doc.setup_data = data.setup_data;
  return doc;
}

/**
 * Serialises an export as k6 writes it (`JSON.stringify` with 4-space indent).
 *
 * @param doc The export.
 * @returns The file's text.
 *
 * @example Usage
 * ```ts
 * import { formatSummaryExport } from "./data.ts";
 * import assert from "node:assert/strict";
 *
 * const text = formatSummaryExport({
 *   root_group: { name: "", path: "", id: "d41d8cd98f00b204e9800998ecf8427e", groups: {}, checks: {} },
 *   metrics: {},
 *   mqload: { version: 1, testRunDurationMs: 0, summaryTrendStats: [], summaryTimeUnit: "", metrics: {} },
 * });
 * assert.ok(text.startsWith('{\n    "root_group"'));
 * ```
 */
export function formatSummaryExport(doc: SummaryExport): string {
  return JSON.stringify(doc, null, 4);
}

function exportGroup(group: SummaryGroup): ExportGroup {
  const groups: Record<string, ExportGroup> = {};
  for (const g of group.groups) groups[g.name] = exportGroup(g);
  const checks: Record<string, SummaryCheck> = {};
  for (const c of group.checks) checks[c.name] = { ...c };
  return { name: group.name, path: group.path, id: group.id, groups, checks };
}

function isHistogramMap(x: object): x is Record<string, HistogramJSON> {
  const values = Object.values(x);
  return values.length > 0 &&
    values.every((v) => typeof v === "object" && v !== null && typeof v.ratio === "number");
}
