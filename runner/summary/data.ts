/**
 * The end-of-test summary data, in exactly the shape k6 passes to
 * `handleSummary(data)`, with the check tree built from the `checks` metric's
 * tags. The `--summary-export` file (k6's legacy format plus an `mqload` block
 * for `mqload merge`) is written by `export.ts`, re-exported here.
 *
 * @module
 */

import { md5Hex } from "./_md5.ts";
import { CHECKS, GROUP_DURATION, HTTP_REQ_DURATION } from "../metrics/builtin.ts";
import type { MetricRegistry } from "../metrics/registry.ts";
import { type MetricType, parsePercentile, statOf, type ValueType } from "../metrics/types.ts";
import { parseMetricKey, type ThresholdResult } from "../metrics/thresholds.ts";

export {
  type ExportExtras,
  exportExtras,
  type ExportGroup,
  type ExportMetric,
  type ExportMetricInfo,
  formatSummaryExport,
  type MqloadExportBlock,
  type SummaryExport,
  summaryExport,
} from "./export.ts";

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

/** The submetric k6 adds to every test with HTTP requests. */
const EXPECTED_DURATION = `${HTTP_REQ_DURATION}{expected_response:true}`;

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
 * import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
 * import { summaryData } from "./data.ts";
 * import { parseThresholds } from "../metrics/thresholds.ts";
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
  // k6 always makes this submetric (its expected_response system tag is on by default), so its
  // summaries and exports have it whenever there are HTTP requests.
  if (keys.has(HTTP_REQ_DURATION)) keys.add(EXPECTED_DURATION);
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
 * (a group path such as `::login::form`, empty for the root) and `check` tag; and from
 * `group_duration`, whose `group` tag names every group run, with checks or not (k6 lists
 * a group from its first call).
 *
 * @param registry The test's metrics.
 * @returns The root group, with groups and checks in order of first appearance.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
 * import { rootGroupFromChecks } from "./data.ts";
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
  for (const s of registry.series(CHECKS)) {
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
  for (const s of registry.series(GROUP_DURATION)) {
    if (s.tags.group) groupAt(s.tags.group);
  }
  return root;
}

function newGroup(name: string, path: string): SummaryGroup {
  return { name, path, id: md5Hex(path), groups: [], checks: [] };
}
