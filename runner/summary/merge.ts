/**
 * `mqload merge`: combines the `--summary-export` files of the execution
 * segments of one test (processes, machines, Kubernetes pods) into the
 * summary of the whole test, exactly: counts and check results add up,
 * rates are recomputed from their passes and fails, trends from their merged
 * histograms (so percentiles are those a single process would report), and
 * the thresholds are evaluated again on the merged metrics.
 *
 * @module
 */

import { LogHistogram } from "../metrics/histogram.ts";
import { VUS_MAX } from "../metrics/builtin.ts";
import { type MetricAggregate, type MetricSource, statOf, type Tags } from "../metrics/types.ts";
import type {
  ExportGroup,
  ExportMetric,
  ExportMetricInfo,
  MqloadExportBlock,
  SummaryCheck,
  SummaryData,
  SummaryExport,
  SummaryGroup,
  SummaryMetric,
} from "./data.ts";
import { parseMetricKey, parseThresholds, type ThresholdResult } from "../metrics/thresholds.ts";

/**
 * Merges summary exports of execution segments into one export.
 *
 * - counters: counts add; `rate` is the total over the longest segment duration;
 * - rates: passes and fails add, `value` is recomputed;
 * - gauges: `min` of mins, `max` of maxes, `value` from the segment that set
 *   it last (by wall-clock time); but `vus_max`, the VUs each segment allocated, adds up;
 * - trends: histograms merge bucket by bucket, then every trend stat is recomputed;
 * - checks (by group path and name) add; the test duration is the longest one;
 * - thresholds (from the first export that has them) are evaluated again.
 *
 * @param exports Exports written by `mqload run --summary-export` (with their `mqload` block).
 * @returns The merged export, itself mergeable.
 * @throws {TypeError} When there is no export, one lacks the `mqload` block or
 *   a trend histogram, or a metric has different types in two exports.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, mergeSummaries, MetricRegistry } from "@mqload/mqload/runner";
 * import { exportExtras, summaryData, summaryExport } from "./data.ts";
 * import { parseThresholds } from "../metrics/thresholds.ts";
 * import assert from "node:assert/strict";
 *
 * const thresholds = parseThresholds({ iterations: ["count>=4"] });
 * const segment = (iterations: number) => {
 *   const registry = new MetricRegistry();
 *   defineBuiltins(registry);
 *   registry.add("iterations", iterations);
 *   registry.add("iteration_duration", 10 * iterations);
 *   const data = summaryData(registry, thresholds.evaluate(registry, 1000), { testRunDurationMs: 1000 });
 *   return summaryExport(data, exportExtras(registry, data, thresholds));
 * };
 * const merged = mergeSummaries([segment(1), segment(3)]);
 * assert.deepEqual(merged.metrics.iterations, { count: 4, rate: 4, thresholds: { "count>=4": false } });
 * assert.equal(merged.metrics.iteration_duration.max, 30);
 * ```
 */
export function mergeSummaries(exports: readonly SummaryExport[]): SummaryExport {
  if (exports.length === 0) throw new TypeError("Cannot merge summaries: no summary given");
  exports.forEach((doc, i) => {
    if (doc?.mqload?.version !== 1 || typeof doc.metrics !== "object") {
      throw new TypeError(
        `Cannot merge summary #${i + 1}: it has no mqload block; merge needs files written by ` +
          "`mqload run --summary-export`",
      );
    }
  });
  const blocks = exports.map((doc) => doc.mqload);
  const durationMs = Math.max(...blocks.map((b) => b.testRunDurationMs));
  const trendStats = blocks[0].summaryTrendStats;

  const accs = new Map<string, Acc>();
  exports.forEach((doc, i) => {
    for (const [key, values] of Object.entries(doc.metrics)) {
      const info = doc.mqload.metrics[key];
      if (info === undefined) {
        throw new TypeError(`Cannot merge summary #${i + 1}: metric "${key}" has no type`);
      }
      let acc = accs.get(key);
      if (acc === undefined) {
        acc = newAcc(key, info);
        accs.set(key, acc);
      } else if (acc.type !== info.type || acc.contains !== info.contains) {
        throw new TypeError(
          `Cannot merge metric "${key}": it is a ${info.type} (${info.contains}) in summary ` +
            `#${i + 1} but a ${acc.type} (${acc.contains}) before`,
        );
      }
      fold(acc, values, info, i);
    }
  });

  // Aggregates by metric key, queried by the thresholds through a MetricSource.
  const aggregates = new Map<string, MetricAggregate>();
  for (const [key, acc] of accs) aggregates.set(canonical(key), toAggregate(acc));
  const source: MetricSource = {
    select: (name: string, filter: Tags = {}) => aggregates.get(canonical(name, filter)),
  };
  const thresholdsConfig = blocks.find((b) => b.thresholds !== undefined)?.thresholds;
  const results: ThresholdResult[] = thresholdsConfig === undefined
    ? []
    : parseThresholds(thresholdsConfig).evaluate(source, durationMs);
  const failed = new Map<string, Record<string, boolean>>();
  for (const r of results) {
    const map = failed.get(r.metric) ?? {};
    map[r.expression] = !r.ok;
    failed.set(r.metric, map);
  }

  const metrics: Record<string, ExportMetric> = {};
  const infos: Record<string, ExportMetricInfo> = {};
  for (const key of [...accs.keys()].sort()) {
    const acc = accs.get(key)!;
    const agg = aggregates.get(canonical(key))!;
    const stats = acc.type === "trend" ? trendStats : LEGACY_STATS[acc.type];
    const out: ExportMetric = {};
    for (const stat of stats) out[stat] = statOf(agg, stat, durationMs);
    const t = failed.get(key);
    if (t !== undefined) out.thresholds = t;
    if (acc.type === "rate") {
      out.value = out.rate;
      delete out.rate;
    }
    metrics[key] = out;
    const info: ExportMetricInfo = { type: acc.type, contains: acc.contains };
    if (acc.histogram !== undefined) info.histogram = acc.histogram.toJSON();
    if (acc.type === "gauge" && acc.time !== -Infinity) info.time = acc.time;
    infos[key] = info;
  }

  const block: MqloadExportBlock = {
    version: 1,
    testRunDurationMs: durationMs,
    summaryTrendStats: [...trendStats],
    summaryTimeUnit: blocks[0].summaryTimeUnit,
    metrics: infos,
  };
  if (thresholdsConfig !== undefined) block.thresholds = thresholdsConfig;
  const merged: SummaryExport = {
    root_group: exports.map((d) => d.root_group).reduce(mergeGroups),
    metrics,
    mqload: block,
  };
  const setup = exports.find((d) => d.setup_data !== undefined);
  if (setup !== undefined) merged.setup_data = setup.setup_data;
  return merged;
}

/**
 * Rebuilds `handleSummary`-shaped data from an export (merged or not), to
 * print it with {@linkcode textSummary} or pass it to a `handleSummary`.
 *
 * @param doc An export with its `mqload` block.
 * @param state Terminal state to report (default: not TTYs, colours on).
 * @returns The summary data.
 * @throws {TypeError} When the export lacks its `mqload` block.
 *
 * @example Usage
 * ```ts
 * import { defineBuiltins, MetricRegistry, summaryDataFromExport } from "@mqload/mqload/runner";
 * import { summaryData, summaryExport } from "./data.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * defineBuiltins(registry);
 * registry.add("checks", 1, { check: "ok", group: "" });
 * const data = summaryData(registry, [], { testRunDurationMs: 1000 });
 * assert.deepEqual(summaryDataFromExport(summaryExport(data)), data);
 * ```
 */
export function summaryDataFromExport(
  doc: SummaryExport,
  state: { isStdOutTTY?: boolean; isStdErrTTY?: boolean; noColor?: boolean } = {},
): SummaryData {
  if (doc?.mqload?.version !== 1) {
    throw new TypeError("Cannot read summary: it has no mqload block");
  }
  const metrics: Record<string, SummaryMetric> = {};
  for (const [key, m] of Object.entries(doc.metrics)) {
    const info = doc.mqload.metrics[key];
    const values: Record<string, number> = {};
    let thresholds: Record<string, { ok: boolean }> | undefined;
    for (const [stat, v] of Object.entries(m)) {
      if (stat === "thresholds") {
        thresholds = Object.fromEntries(
          Object.entries(v as Record<string, boolean>).map(([expr, fail]) => [expr, { ok: !fail }]),
        );
      } else if (typeof v === "number" || v === null) {
        values[info?.type === "rate" && stat === "value" ? "rate" : stat] = v ?? NaN;
      }
    }
    const ordered = info?.type === "rate"
      ? { rate: values.rate, passes: values.passes, fails: values.fails }
      : values;
    const metric: SummaryMetric = {
      type: info?.type ?? "counter",
      contains: info?.contains ?? "default",
      values: ordered,
    };
    if (thresholds !== undefined) metric.thresholds = thresholds;
    metrics[key] = metric;
  }
  const data: SummaryData = {
    root_group: groupFromExport(doc.root_group),
    options: {
      summaryTrendStats: [...doc.mqload.summaryTrendStats],
      summaryTimeUnit: doc.mqload.summaryTimeUnit,
      noColor: state.noColor ?? false,
    },
    state: {
      isStdOutTTY: state.isStdOutTTY ?? false,
      isStdErrTTY: state.isStdErrTTY ?? false,
      testRunDurationMs: doc.mqload.testRunDurationMs,
    },
    metrics,
  };
  if (doc.setup_data !== undefined) data.setup_data = doc.setup_data;
  return data;
}

/**
 * The thresholds an export reports as failed, as `metric: expression` strings
 * (the CLI exits with k6's code 99 when there is any).
 *
 * @param doc An export (k6's legacy format: `thresholds` maps expressions to "failed").
 * @returns The failed thresholds, sorted.
 *
 * @example Usage
 * ```ts
 * import { failedThresholds } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * const doc = { metrics: { checks: { value: 0.5, thresholds: { "rate==1": true, "rate>0": false } } } };
 * assert.deepEqual(failedThresholds(doc), ["checks: rate==1"]);
 * ```
 */
export function failedThresholds(doc: Pick<SummaryExport, "metrics">): string[] {
  const out: string[] = [];
  for (const [key, m] of Object.entries(doc.metrics)) {
    for (const [expr, failed] of Object.entries(m.thresholds ?? {})) {
      if (failed) out.push(`${key}: ${expr}`);
    }
  }
  return out.sort();
}

const LEGACY_STATS = {
  counter: ["count", "rate"],
  gauge: ["value", "min", "max"],
  rate: ["rate", "passes", "fails"],
} as const;

interface Acc {
  key: string;
  type: ExportMetricInfo["type"];
  contains: ExportMetricInfo["contains"];
  samples: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  time: number;
  histogram?: LogHistogram;
}

function newAcc(key: string, info: ExportMetricInfo): Acc {
  const acc: Acc = {
    key,
    type: info.type,
    contains: info.contains,
    samples: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
    last: 0,
    time: -Infinity,
  };
  if (info.type === "trend") acc.histogram = new LogHistogram();
  return acc;
}

function num(values: ExportMetric, stat: string): number {
  const v = values[stat];
  return typeof v === "number" ? v : 0;
}

function fold(acc: Acc, values: ExportMetric, info: ExportMetricInfo, index: number): void {
  switch (acc.type) {
    case "counter": {
      const count = num(values, "count");
      acc.sum += count;
      if (count !== 0) acc.samples++;
      break;
    }
    case "rate": {
      const passes = num(values, "passes");
      acc.sum += passes;
      acc.samples += passes + num(values, "fails");
      break;
    }
    case "gauge": {
      if (acc.key === VUS_MAX) {
        // Each segment allocates its own VUs: the whole test's are their sum.
        acc.last += num(values, "value");
        acc.min = (acc.samples === 0 ? 0 : acc.min) + num(values, "min");
        acc.max = (acc.samples === 0 ? 0 : acc.max) + num(values, "max");
        acc.time = Math.max(acc.time, info.time ?? index);
        acc.samples++;
        break;
      }
      // Exports without times: the later export wins.
      const time = info.time ?? index;
      if (time >= acc.time) {
        acc.time = time;
        acc.last = num(values, "value");
      }
      acc.min = Math.min(acc.min, num(values, "min"));
      acc.max = Math.max(acc.max, num(values, "max"));
      acc.samples++;
      break;
    }
    case "trend":
      if (info.histogram === undefined) {
        throw new TypeError(
          `Cannot merge trend "${acc.key}" exactly: summary #${index + 1} has no histogram for it`,
        );
      }
      acc.histogram!.merge(info.histogram);
      acc.samples = acc.histogram!.count;
  }
}

function toAggregate(acc: Acc): MetricAggregate {
  const h = acc.histogram;
  const out: MetricAggregate = {
    name: acc.key,
    type: acc.type,
    contains: acc.contains,
    samples: acc.samples,
    sum: h ? h.sum : acc.sum,
    min: h ? h.min : acc.samples === 0 ? 0 : acc.min,
    max: h ? h.max : acc.samples === 0 ? 0 : acc.max,
    last: acc.last,
    time: acc.time === -Infinity ? 0 : acc.time,
  };
  if (h !== undefined) out.histogram = h;
  return out;
}

/** A key that does not depend on the order or spacing of a submetric's tags. */
function canonical(key: string, filter?: Tags): string {
  let name = key;
  let tags = filter;
  if (tags === undefined) ({ name, filter: tags } = parseMetricKey(key));
  const pairs = Object.keys(tags).sort().map((k) => `${k}\u0000${tags[k]}`);
  return pairs.length === 0 ? name : `${name}{${pairs.join("\u0001")}}`;
}

function mergeGroups(a: ExportGroup, b: ExportGroup): ExportGroup {
  const groups: Record<string, ExportGroup> = {};
  for (const [name, g] of Object.entries(a.groups)) groups[name] = cloneGroup(g);
  for (const [name, g] of Object.entries(b.groups)) {
    groups[name] = name in groups ? mergeGroups(groups[name], g) : cloneGroup(g);
  }
  const checks: Record<string, SummaryCheck> = {};
  for (const [name, c] of Object.entries(a.checks)) checks[name] = { ...c };
  for (const [name, c] of Object.entries(b.checks)) {
    const prev = checks[name];
    checks[name] = prev === undefined
      ? { ...c }
      : { ...prev, passes: prev.passes + c.passes, fails: prev.fails + c.fails };
  }
  return { name: a.name, path: a.path, id: a.id, groups, checks };
}

function cloneGroup(g: ExportGroup): ExportGroup {
  return mergeGroups(g, { ...g, groups: {}, checks: {} });
}

function groupFromExport(g: ExportGroup): SummaryGroup {
  return {
    name: g.name,
    path: g.path,
    id: g.id,
    groups: Object.values(g.groups).map(groupFromExport),
    checks: Object.values(g.checks).map((c) => ({ ...c })),
  };
}
