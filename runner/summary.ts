/**
 * The end-of-test summary data, in exactly the shape k6 passes to
 * `handleSummary(data)`, and the `--summary-export` file (k6's legacy format,
 * plus an `mqload` block that lets `mqload merge` combine exports exactly).
 *
 * @module
 */

import { md5Hex } from "./_md5.ts";
import type { HistogramJSON } from "./histogram.ts";
import {
  type MetricRegistry,
  type MetricType,
  parsePercentile,
  statOf,
  type ValueType,
} from "./metrics.ts";
import {
  parseMetricKey,
  type ThresholdResult,
  Thresholds,
  type ThresholdsConfig,
} from "./thresholds.ts";

/** k6's default `summaryTrendStats`. */
export const DEFAULT_TREND_STATS: readonly string[] = [
  "avg",
  "min",
  "med",
  "max",
  "p(90)",
  "p(95)",
];

/** A check in `root_group`. */
export interface SummaryCheck {
  /** The check's name. */
  name: string;
  /** Its group's path, `::`, its name. */
  path: string;
  /** MD5 of the path, in hex. */
  id: string;
  /** Times it passed. */
  passes: number;
  /** Times it failed. */
  fails: number;
}

/** A group (the root group has an empty name and path). */
export interface SummaryGroup {
  /** The group's name. */
  name: string;
  /** `::name` under the root, `::parent::name` below. */
  path: string;
  /** MD5 of the path, in hex. */
  id: string;
  /** Sub-groups, in order of appearance. */
  groups: SummaryGroup[];
  /** Checks, in order of appearance. */
  checks: SummaryCheck[];
}

/** One metric of the summary. */
export interface SummaryMetric {
  /** Metric type. */
  type: MetricType;
  /** Value type. */
  contains: ValueType;
  /** Counter `{count, rate}`, gauge `{value, min, max}`, rate `{rate, passes, fails}`, trend: the trend stats. */
  values: Record<string, number>;
  /** Verdicts by expression, when the metric has thresholds. */
  thresholds?: Record<string, { ok: boolean }>;
}

/** k6's `handleSummary(data)` argument. */
export interface SummaryData {
  /** Checks and groups. */
  root_group: SummaryGroup;
  /** The summary options. */
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  /** Terminal state and test duration. */
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  /** Metrics and submetrics with thresholds, by key. */
  metrics: Record<string, SummaryMetric>;
  /** What `setup()` returned, when it returned something. */
  setup_data?: unknown;
}

/** What {@linkcode summaryData} needs besides metrics. */
export interface SummaryInfo {
  /** The test options (only `summaryTrendStats`, `summaryTimeUnit`, `noColor` are read). */
  options?: {
    summaryTrendStats?: readonly string[];
    summaryTimeUnit?: string | null;
    noColor?: boolean;
    [key: string]: unknown;
  };
  /** Test run duration in ms. */
  testRunDurationMs: number;
  /** Groups and checks; by default built from the `checks` metric's `group` and `check` tags. */
  rootGroup?: SummaryGroup;
  /** Whether stdout is a terminal (default false). */
  isStdOutTTY?: boolean;
  /** Whether stderr is a terminal (default false). */
  isStdErrTTY?: boolean;
  /** What `setup()` returned. */
  setupData?: unknown;
}

/**
 * Builds k6's summary data: every metric that received samples, plus every
 * metric and submetric that has thresholds (with their verdicts).
 *
 * @param registry The test's metrics.
 * @param thresholdResults The final {@linkcode Thresholds.evaluate} results.
 * @param info Options, duration, groups.
 * @returns The `handleSummary` data.
 * @throws {RangeError} When a `summaryTrendStats` entry is not avg, min, med, max, count or p(N).
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry } from "./metrics.ts";
 * import { summaryData } from "./summary.ts";
 * import { parseThresholds } from "./thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * defineBuiltins(registry);
 * registry.add("checks", 1, { check: "connected", group: "" });
 * registry.add("iterations", 4);
 * const thresholds = parseThresholds({ checks: ["rate==1"] });
 * const data = summaryData(registry, thresholds.evaluate(registry, 2000), {
 *   testRunDurationMs: 2000,
 * });
 * assert.deepEqual(data.metrics.iterations.values, { count: 4, rate: 2 });
 * assert.deepEqual(data.metrics.checks.thresholds, { "rate==1": { ok: true } });
 * assert.equal(data.root_group.checks[0].path, "::connected");
 * ```
 */
export function summaryData(
  registry: MetricRegistry,
  thresholdResults: readonly ThresholdResult[],
  info: SummaryInfo,
): SummaryData {
  const trendStats = [...(info.options?.summaryTrendStats ?? DEFAULT_TREND_STATS)];
  for (const stat of trendStats) {
    if (
      !["avg", "min", "med", "max", "count"].includes(stat) && parsePercentile(stat) === undefined
    ) {
      throw new RangeError(
        `Invalid trend stat "${stat}": expected avg, min, med, max, count or p(N) with N from 0 to 100`,
      );
    }
  }
  const duration = info.testRunDurationMs;
  const keys = new Set<string>();
  for (const m of registry.metrics()) if (registry.get(m.name)!.samples > 0) keys.add(m.name);
  const thresholds = new Map<string, Record<string, { ok: boolean }>>();
  for (const r of thresholdResults) {
    keys.add(r.metric);
    keys.add(parseMetricKey(r.metric).name);
    const map = thresholds.get(r.metric) ?? {};
    map[r.expression] = { ok: r.ok };
    thresholds.set(r.metric, map);
  }
  const metrics: Record<string, SummaryMetric> = {};
  for (const key of [...keys].sort()) {
    const { name, filter } = parseMetricKey(key);
    const agg = registry.select(name, filter);
    if (agg === undefined) continue;
    const stats = agg.type === "trend" ? trendStats : STATS[agg.type];
    const values: Record<string, number> = {};
    for (const stat of stats) values[stat] = statOf(agg, stat, duration);
    const metric: SummaryMetric = { type: agg.type, contains: agg.contains, values };
    const t = thresholds.get(key);
    if (t !== undefined) metric.thresholds = t;
    metrics[key] = metric;
  }
  const data: SummaryData = {
    root_group: info.rootGroup ?? rootGroupFromChecks(registry),
    options: {
      summaryTrendStats: trendStats,
      summaryTimeUnit: info.options?.summaryTimeUnit ?? "",
      noColor: info.options?.noColor ?? false,
    },
    state: {
      isStdOutTTY: info.isStdOutTTY ?? false,
      isStdErrTTY: info.isStdErrTTY ?? false,
      testRunDurationMs: duration,
    },
    metrics,
  };
  if (info.setupData !== undefined) data.setup_data = info.setupData;
  return data;
}

const STATS: Record<Exclude<MetricType, "trend">, readonly string[]> = {
  counter: ["count", "rate"],
  gauge: ["value", "min", "max"],
  rate: ["rate", "passes", "fails"],
};

/**
 * Builds k6's root group from the `checks` metric: its series' `group` tag
 * (a group path such as `::login::form`, empty for the root) and `check` tag.
 *
 * @param registry The test's metrics.
 * @returns The root group, with groups and checks in order of first appearance.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry } from "./metrics.ts";
 * import { rootGroupFromChecks } from "./summary.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * defineBuiltins(registry);
 * registry.add("checks", 0, { group: "::pub", check: "acked" });
 * const root = rootGroupFromChecks(registry);
 * assert.equal(root.groups[0].name, "pub");
 * assert.deepEqual(root.groups[0].checks[0].fails, 1);
 * ```
 */
export function rootGroupFromChecks(registry: MetricRegistry): SummaryGroup {
  const root = newGroup("", "");
  const groups = new Map<string, SummaryGroup>([["", root]]);
  const checks = new Map<string, SummaryCheck>();
  const groupAt = (path: string): SummaryGroup => {
    let g = groups.get(path);
    if (g === undefined) {
      const cut = path.lastIndexOf("::");
      const parent = groupAt(cut > 0 ? path.slice(0, cut) : "");
      g = newGroup(path.slice(cut + 2), path);
      parent.groups.push(g);
      groups.set(path, g);
    }
    return g;
  };
  for (const s of registry.series("checks")) {
    const name = s.tags.check;
    if (name === undefined) continue;
    const group = groupAt(s.tags.group ?? "");
    const path = `${group.path}::${name}`;
    let check = checks.get(path);
    if (check === undefined) {
      check = { name, path, id: md5Hex(path), passes: 0, fails: 0 };
      checks.set(path, check);
      group.checks.push(check);
    }
    check.passes += s.sum;
    check.fails += s.n - s.sum;
  }
  return root;
}

function newGroup(name: string, path: string): SummaryGroup {
  return { name, path, id: md5Hex(path), groups: [], checks: [] };
}

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
 * import { defineBuiltins, MetricRegistry } from "./metrics.ts";
 * import { exportExtras, summaryData } from "./summary.ts";
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
 * import { defineBuiltins, MetricRegistry } from "./metrics.ts";
 * import { exportExtras, summaryData, summaryExport } from "./summary.ts";
 * import { parseThresholds } from "./thresholds.ts";
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
 * import { formatSummaryExport } from "./summary.ts";
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
