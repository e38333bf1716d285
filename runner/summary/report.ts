/**
 * The report k6 1.x renders its compact and full end-of-test summaries from (k6's
 * `internal/output/summary` data model): thresholds with their metric, the checks block
 * (`checks_total`, `checks_succeeded`, `checks_failed` and the checks by name), the metrics
 * sorted into sections, and, in full mode, one part per group and per scenario.
 * `handleSummary`'s data ({@linkcode SummaryData}) is untouched: this is built beside it.
 *
 * @module
 */

import type { SummaryData, SummaryGroup, SummaryMetric } from "./data.ts";
import type { MetricType, Tags, ValueType } from "../metrics/types.ts";
import { type MetricAggregate, parsePercentile, statOf } from "../metrics/types.ts";
import { parseMetricKey } from "../metrics/thresholds.ts";
import {
  CHECKS,
  DATA_RECEIVED,
  DATA_SENT,
  DROPPED_ITERATIONS,
  GROUP_DURATION,
  HTTP_REQ_BLOCKED,
  HTTP_REQ_CONNECTING,
  HTTP_REQ_DURATION,
  HTTP_REQ_FAILED,
  HTTP_REQ_RECEIVING,
  HTTP_REQ_SENDING,
  HTTP_REQ_TLS_HANDSHAKING,
  HTTP_REQ_WAITING,
  HTTP_REQS,
  ITERATION_DURATION,
  ITERATIONS,
  VUS,
  VUS_MAX,
} from "../metrics/builtin.ts";

/** `--summary-mode`: k6 1.x's compact (default) and full, or k6-jslib-summary's legacy. */
export type SummaryMode = "compact" | "full" | "legacy";

/** A metric as a report shows it. */
export interface ReportMetric {
  /** Its key: `name` or `name{tag:value}`. */
  name: string;
  /** Metric type. */
  type: MetricType;
  /** Value type. */
  contains: ValueType;
  /** The statistics, as in {@linkcode SummaryMetric.values}. */
  values: Record<string, number>;
}

/** A section of metrics; k6's keys, plus `mqtt` (mqload's client metrics, `mqtt_*`). */
export type MetricSection = "custom" | "http" | "execution" | "network" | "mqtt";

/** k6's section order (its `Metrics` struct), with mqload's `mqtt` after k6's protocols. */
export const SECTIONS: readonly MetricSection[] = [
  "http",
  "execution",
  "network",
  "mqtt",
  "custom",
];

/** The checks block of a report part. */
export interface ReportChecks {
  /** `checks_total` (counter), `checks_succeeded` and `checks_failed` (rates), in that order. */
  metrics: ReportMetric[];
  /** The checks by name, in order of first appearance. */
  ordered: { name: string; passes: number; fails: number }[];
}

/** The total results, a group or a scenario. */
export interface ReportGroup {
  /** Absent when no check ran there. */
  checks?: ReportChecks;
  /** Metrics by section. */
  metrics: Record<MetricSection, Record<string, ReportMetric>>;
  /** Sub-groups, in order of first appearance. */
  groups: [string, ReportGroup][];
}

/** What k6 1.x's summary renders. */
export interface SummaryReport {
  /** Metrics with thresholds, each with its verdicts in the configuration's order. */
  thresholds: { metric: ReportMetric; thresholds: { source: string; ok: boolean }[] }[];
  /** The whole test. */
  total: ReportGroup;
  /** Full mode: the groups of the default scenario. */
  groups: [string, ReportGroup][];
  /** Full mode: the named scenarios, sorted by name. */
  scenarios: [string, ReportGroup][];
}

/** Where per-group and per-scenario figures come from (the run's registry). */
export interface ReportSource {
  /** The aggregate of a metric's series that carry every tag of `filter`. */
  select(name: string, filter?: Tags): MetricAggregate | undefined;
  /** Every series, with its metric's name. */
  series(): Array<{ name: string; tags: Tags }>;
}

// k6 matches these by prefix (strings.HasPrefix), so `iterations_x` is EXECUTION there too.
const HTTP = [HTTP_REQS, HTTP_REQ_FAILED, HTTP_REQ_DURATION, HTTP_REQ_BLOCKED]
  .concat([HTTP_REQ_CONNECTING, HTTP_REQ_TLS_HANDSHAKING, HTTP_REQ_SENDING])
  .concat([HTTP_REQ_WAITING, HTTP_REQ_RECEIVING]);
const EXECUTION = [VUS, VUS_MAX, ITERATIONS, ITERATION_DURATION, DROPPED_ITERATIONS];
const NETWORK = [DATA_SENT, DATA_RECEIVED];
const SKIPPED_ALWAYS = [CHECKS, GROUP_DURATION];
const SKIPPED_COMPACT = [HTTP_REQ_BLOCKED, HTTP_REQ_CONNECTING, HTTP_REQ_RECEIVING]
  .concat([HTTP_REQ_SENDING, HTTP_REQ_TLS_HANDSHAKING, HTTP_REQ_WAITING]);

const hasPrefix = (name: string, list: readonly string[]) => list.some((p) => name.startsWith(p));

/**
 * The section k6 puts a metric in; mqload's client metrics (`mqtt_*`) get an MQTT section,
 * where k6 (which knows nothing of them) would list them under CUSTOM.
 *
 * @param name A metric key.
 * @param mode The summary mode (compact leaves out `http_req_*` timings but duration).
 * @returns The section, or undefined for a metric the summary leaves out (`checks`, `group_duration`).
 *
 * @example Usage
 * ```ts
 * import { sectionOf } from "./report.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sectionOf("iteration_duration", "compact"), "execution");
 * assert.equal(sectionOf("mqtt_publish_duration", "compact"), "mqtt");
 * assert.equal(sectionOf("checks", "full"), undefined);
 * ```
 */
export function sectionOf(name: string, mode: SummaryMode): MetricSection | undefined {
  if (hasPrefix(name, SKIPPED_ALWAYS)) return undefined;
  if (mode === "compact" && hasPrefix(name, SKIPPED_COMPACT)) return undefined;
  if (hasPrefix(name, HTTP)) return "http";
  if (hasPrefix(name, EXECUTION)) return "execution";
  if (hasPrefix(name, NETWORK)) return "network";
  if (name.startsWith("mqtt_")) return "mqtt";
  return "custom";
}

function emptySections(): Record<MetricSection, Record<string, ReportMetric>> {
  return { http: {}, execution: {}, network: {}, mqtt: {}, custom: {} };
}

function reportMetric(name: string, m: Pick<SummaryMetric, "type" | "contains" | "values">) {
  return { name, type: m.type, contains: m.contains, values: { ...m.values } };
}

function checksBlock(
  rate: { passes: number; fails: number; rate: number },
  ordered: ReportChecks["ordered"],
  durationMs: number,
): ReportChecks {
  const total = rate.passes + rate.fails;
  return {
    metrics: [
      reportMetric("checks_total", {
        type: "counter",
        contains: "default",
        values: { count: total, rate: durationMs > 0 ? total / (durationMs / 1000) : 0 },
      }),
      reportMetric("checks_succeeded", { type: "rate", contains: "default", values: rate }),
      // k6 counts the failures as this rate's "passes".
      reportMetric("checks_failed", {
        type: "rate",
        contains: "default",
        values: {
          passes: rate.fails,
          fails: rate.passes,
          rate: total > 0 ? rate.fails / total : 0,
        },
      }),
    ],
    ordered,
  };
}

/** k6 keys the total's checks by name alone, so same-named checks of two groups add up. */
function checksByName(root: SummaryGroup): ReportChecks["ordered"] {
  const byName = new Map<string, { name: string; passes: number; fails: number }>();
  const walk = (g: SummaryGroup) => {
    for (const c of g.checks) {
      const entry = byName.get(c.name) ?? { name: c.name, passes: 0, fails: 0 };
      entry.passes += c.passes;
      entry.fails += c.fails;
      byName.set(c.name, entry);
    }
    g.groups.forEach(walk);
  };
  walk(root);
  return [...byName.values()];
}

/**
 * Builds k6 1.x's summary report from the `handleSummary` data, plus, in full mode, the
 * groups' and scenarios' own figures from `source` (the registry; `mqload merge` has none).
 *
 * @param data The summary data.
 * @param mode compact or full.
 * @param source The run's metrics, for percentiles outside `summaryTrendStats` and full mode.
 * @returns The report.
 *
 * @example Usage
 * ```ts
 * import { buildReport } from "./report.ts";
 * import assert from "node:assert/strict";
 *
 * const report = buildReport({
 *   root_group: { name: "", path: "", id: "", groups: [], checks: [] },
 *   options: { summaryTrendStats: ["avg"], summaryTimeUnit: "", noColor: true },
 *   state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
 *   metrics: {
 *     iterations: { type: "counter", contains: "default", values: { count: 5, rate: 5 } },
 *   },
 * }, "compact");
 * assert.deepEqual(Object.keys(report.total.metrics.execution), ["iterations"]);
 * ```
 */
export function buildReport(
  data: SummaryData,
  mode: "compact" | "full",
  source?: ReportSource,
): SummaryReport {
  const duration = data.state.testRunDurationMs;
  const total: ReportGroup = { metrics: emptySections(), groups: [] };
  for (const [key, m] of Object.entries(data.metrics)) {
    const section = sectionOf(key, mode);
    if (section !== undefined) total.metrics[section][key] = reportMetric(key, m);
  }
  const checks = data.metrics[CHECKS];
  if (checks !== undefined && checks.values.passes + checks.values.fails > 0) {
    const rate = {
      passes: checks.values.passes,
      fails: checks.values.fails,
      rate: checks.values.rate,
    };
    total.checks = checksBlock(rate, checksByName(data.root_group), duration);
  }
  const withThresholds: SummaryReport["thresholds"] = [];
  for (const [key, m] of Object.entries(data.metrics)) {
    if (m.thresholds === undefined) continue;
    const entry = {
      metric: reportMetric(key, m),
      thresholds: [] as { source: string; ok: boolean }[],
    };
    for (const [expr, { ok }] of Object.entries(m.thresholds)) {
      entry.thresholds.push({ source: expr, ok });
      // k6 adds the percentile a threshold reads when summaryTrendStats lacks it.
      const agg = expr.split(/[=><]/)[0].trim();
      if (m.type === "trend" && !(agg in entry.metric.values) && source !== undefined) {
        const { name, filter } = parseMetricKey(key);
        const a = source.select(name, filter);
        if (a !== undefined && (parsePercentile(agg) !== undefined || agg in STATS)) {
          entry.metric.values[agg] = statOf(a, agg, duration);
        }
      }
    }
    withThresholds.push(entry);
  }
  const report: SummaryReport = {
    thresholds: withThresholds,
    total,
    groups: [],
    scenarios: [],
  };
  if (mode === "full" && source !== undefined) addParts(report, data, source);
  return report;
}

const STATS: Record<string, true> = { avg: true, min: true, med: true, max: true, count: true };

/** k6's full mode: named scenarios get a part each; groups nest under their scenario, or the total. */
function addParts(report: SummaryReport, data: SummaryData, source: ReportSource): void {
  const duration = data.state.testRunDurationMs;
  const trendStats = data.options.summaryTrendStats;
  const scenarios = new Map<string, ReportGroup>();
  const roots = new Map<string, ReportGroup>(); // "" is the default scenario's groups
  roots.set("", { metrics: emptySections(), groups: report.groups });
  const names = new Set<string>();
  const parts = new Map<string, { scenario: string; group: string; filter: Tags }>();
  for (const s of source.series()) {
    names.add(s.name);
    const scenario = s.tags.scenario !== undefined && s.tags.scenario !== "default"
      ? s.tags.scenario
      : "";
    if (scenario !== "" && !scenarios.has(scenario)) {
      scenarios.set(scenario, { metrics: emptySections(), groups: [] });
      roots.set(scenario, scenarios.get(scenario)!);
    }
    const group = s.tags.group ?? "";
    const bare = group.replace(/^::/, "");
    // k6 leaves setup() and teardown() out of the groups.
    if (bare === "" || bare === "setup" || bare === "teardown") continue;
    const filter: Tags = s.tags.scenario === undefined
      ? { group }
      : { scenario: s.tags.scenario, group };
    parts.set(`${s.tags.scenario}\0${group}`, { scenario, group, filter });
  }
  const fill = (part: ReportGroup, filter: Tags) => {
    const ordered = new Map<string, { name: string; passes: number; fails: number }>();
    for (const name of names) {
      const a = source.select(name, filter);
      if (a === undefined || a.samples === 0) continue;
      const section = sectionOf(name, "full");
      const stats = a.type === "trend" ? trendStats : VALUE_STATS[a.type];
      const values: Record<string, number> = {};
      for (const stat of stats) values[stat] = statOf(a, stat, duration);
      if (section !== undefined) part.metrics[section][name] = reportMetric(name, { ...a, values });
    }
    const checks = source.select(CHECKS, filter);
    if (checks === undefined || checks.samples === 0) return;
    for (const s of source.series()) {
      if (s.name !== CHECKS || s.tags.check === undefined) continue;
      if (Object.entries(filter).some(([k, v]) => s.tags[k] !== v)) continue;
      const c = source.select(CHECKS, { ...filter, check: s.tags.check })!;
      ordered.set(s.tags.check, { name: s.tags.check, passes: c.sum, fails: c.samples - c.sum });
    }
    const rate = {
      passes: checks.sum,
      fails: checks.samples - checks.sum,
      rate: checks.sum / checks.samples,
    };
    part.checks = checksBlock(rate, [...ordered.values()], duration);
  };
  for (const [scenario, part] of scenarios) fill(part, { scenario });
  for (const { scenario, group, filter } of parts.values()) {
    let at = roots.get(scenario)!;
    for (const name of group.replace(/^::/, "").split("::")) {
      let next = at.groups.find(([n]) => n === name)?.[1];
      if (next === undefined) {
        next = { metrics: emptySections(), groups: [] };
        at.groups.push([name, next]);
      }
      at = next;
    }
    fill(at, filter);
  }
  report.scenarios = [...scenarios].sort(([a], [b]) => a.localeCompare(b));
}

const VALUE_STATS: Record<Exclude<MetricType, "trend">, readonly string[]> = {
  counter: ["count", "rate"],
  gauge: ["value", "min", "max"],
  rate: ["rate", "passes", "fails"],
};
