/**
 * k6 1.x's end-of-test text summary (`--summary-mode compact`, the default, and `full`), as
 * k6's `internal/js/summary.js` renders it: a THRESHOLDS section (each metric, then its
 * expressions with ✓/✗ and the value they read), TOTAL RESULTS (the checks block, then the
 * metrics under CUSTOM, HTTP, EXECUTION, NETWORK and mqload's MQTT headings), and in full mode a
 * section per group and per scenario.
 *
 * @module
 */

import type { ReportChecks, ReportGroup, ReportMetric, SummaryReport } from "./report.ts";
import { SECTIONS } from "./report.ts";
import { humanizeValue, strWidth } from "./text.ts";

/** Options of {@linkcode compactTextSummary}. */
export interface CompactTextOptions {
  /** ANSI colours (k6 enables them when stdout is a terminal and colours are not off). */
  enableColors: boolean;
  /** Trend statistics to show, in order. */
  summaryTrendStats: readonly string[];
  /** `"s"`, `"ms"`, `"us"`, or empty for automatic. */
  summaryTimeUnit: string;
}

// k6's summary.js joins its lines and turns this marker into an empty line.
const BREAK = "\n";
const WHITE = 37, CYAN = 36, GREEN = 32, RED = 31, FAINT = 2;

interface Fmt {
  deco(text: string, color: number, ...styles: number[]): string;
  bold(text: string): string;
}

/** k6's RenderContext: two spaces per level, `level` counted from the context's base. */
const ind = (base: number, level = 1) => " ".repeat((base + level) * 2);

function title(text: string, fmt: Fmt, base: number, prefix = "█"): string {
  return ind(base) + `${prefix} ${fmt.bold(text)} \n`;
}

function displayName(name: string): string {
  const at = name.indexOf("{");
  return at >= 0 ? `  { ${name.slice(at + 1, -1)} }` : name;
}

function sortByName(metrics: ReportMetric[]): ReportMetric[] {
  return [...metrics].sort((a, b) => {
    const pa = a.name.split("{", 1)[0];
    const pb = b.name.split("{", 1)[0];
    const r = pa.localeCompare(pb);
    return r !== 0 ? r : a.name.slice(pa.length).localeCompare(b.name.slice(pb.length));
  });
}

interface Info {
  maxNameWidth: number;
  values: Map<string, string[]>;
  trendCols: Map<string, string[]>;
  trendKeys: Map<string, Record<string, string>>;
  trendColMaxLens: number[];
  valueMaxLen: number;
  extraMaxLens: number[];
}

function trendValue(m: ReportMetric, stat: string, opts: CompactTextOptions): string {
  const v = m.values[stat];
  if (stat === "count") return String(v);
  return v === undefined ? "undefined" : humanizeValue(v, m, opts.summaryTimeUnit);
}

function nonTrendValues(m: ReportMetric, timeUnit: string): string[] {
  const v = m.values;
  const h = (x: number) => humanizeValue(x, m, timeUnit);
  switch (m.type) {
    case "counter":
      return [h(v.count), h(v.rate) + "/s"];
    case "gauge":
      return [h(v.value), "min=" + h(v.min), "max=" + h(v.max)];
    case "rate":
      return [h(v.rate), `${v.passes} out of ${v.passes + v.fails}`];
    default:
      return ["[no data]"];
  }
}

/** k6's computeSummaryInfo: name width and column widths over the metrics rendered together. */
function computeInfo(metrics: ReportMetric[], base: number, opts: CompactTextOptions): Info {
  const stats = opts.summaryTrendStats;
  const info: Info = {
    maxNameWidth: 0,
    values: new Map(),
    trendCols: new Map(),
    trendKeys: new Map(),
    trendColMaxLens: stats.map(() => 0),
    valueMaxLen: 0,
    extraMaxLens: [],
  };
  for (const m of metrics) {
    info.maxNameWidth = Math.max(info.maxNameWidth, strWidth(ind(base) + displayName(m.name)));
    if (m.type === "trend") {
      const keys: Record<string, string> = {};
      for (const k of Object.keys(m.values)) {
        if (!stats.includes(k)) keys[k] = trendValue(m, k, opts);
      }
      const cols = stats.map((s) => trendValue(m, s, opts));
      cols.forEach((c, i) =>
        info.trendColMaxLens[i] = Math.max(info.trendColMaxLens[i], strWidth(c))
      );
      info.trendCols.set(m.name, cols);
      info.trendKeys.set(m.name, keys);
      continue;
    }
    const values = nonTrendValues(m, opts.summaryTimeUnit);
    info.values.set(m.name, values);
    info.valueMaxLen = Math.max(info.valueMaxLen, strWidth(values[0]));
    values.slice(1).forEach((x, i) => {
      info.extraMaxLens[i] = Math.max(info.extraMaxLens[i] ?? 0, strWidth(x));
    });
  }
  return info;
}

function metricLine(m: ReportMetric, info: Info, fmt: Fmt, base: number, opts: CompactTextOptions) {
  const shown = displayName(m.name);
  const dots = Math.max(3, info.maxNameWidth - strWidth(shown) - strWidth(ind(base)) + 3);
  let data: string;
  if (m.type === "trend") {
    data = info.trendCols.get(m.name)!.map((col, i) =>
      opts.summaryTrendStats[i] + "=" + fmt.deco(col, CYAN) +
      " ".repeat(info.trendColMaxLens[i] - strWidth(col))
    ).join(" ");
  } else {
    const [value, ...extras] = info.values.get(m.name)!;
    data = fmt.deco(value, CYAN) + " ".repeat(info.valueMaxLen - strWidth(value));
    if (extras.length === 1) data += " " + fmt.deco(extras[0], CYAN, FAINT);
    else if (extras.length > 1) {
      data += " " +
        extras.map((x, i) =>
          fmt.deco(x, CYAN, FAINT) + " ".repeat(info.extraMaxLens[i] - strWidth(x))
        ).join(" ");
    }
  }
  return ind(base) + shown + fmt.deco(".".repeat(dots) + ":", WHITE, FAINT) + " " + data;
}

function renderChecks(
  checks: ReportChecks | undefined,
  fmt: Fmt,
  base: number,
  opts: CompactTextOptions,
) {
  if (checks === undefined) return [];
  const b = base + 1;
  const info = computeInfo(checks.metrics, b, opts);
  const lines = checks.metrics.map((m) => metricLine(m, info, fmt, b, opts));
  const checkLines = checks.ordered.map((c) => {
    if (c.fails === 0) return ind(b) + fmt.deco(`✓ ${c.name}`, GREEN);
    const pct = Math.floor((100 * c.passes) / (c.passes + c.fails));
    // k6 passes its base level as the level here, so the detail line sits at (2·base+1)·2.
    return ind(b) + fmt.deco(`✗ ${c.name}`, RED) + "\n" +
      ind(b, b + 1) + fmt.deco(`↳  ${pct}% — ✓ ${c.passes} / ✗ ${c.fails}`, RED);
  });
  return [...lines, BREAK, ...checkLines, BREAK];
}

function renderMetrics(group: ReportGroup, fmt: Fmt, base: number, opts: CompactTextOptions) {
  const b = base + 1;
  const all = Object.values(group.metrics).flatMap((s) => Object.values(s));
  const info = computeInfo(all, b, opts);
  // k6 lists CUSTOM first, then its built-in sections.
  const order = ["custom" as const, ...SECTIONS.filter((s) => s !== "custom")];
  return order.filter((s) => Object.keys(group.metrics[s]).length > 0).flatMap((s) => [
    ind(b) + fmt.bold(s.toUpperCase()),
    ...sortByName(Object.values(group.metrics[s])).map((m) => metricLine(m, info, fmt, b, opts)),
    BREAK,
  ]);
}

function groupContent(
  group: ReportGroup,
  fmt: Fmt,
  base: number,
  opts: CompactTextOptions,
): string[] {
  return [
    ...renderChecks(group.checks, fmt, base, opts),
    ...renderMetrics(group, fmt, base, opts),
    ...group.groups.flatMap(([name, g]) => [
      title(`GROUP: ${name}`, fmt, base + 1, "↳"),
      ...groupContent(g, fmt, base + 1, opts),
    ]),
  ];
}

function renderThresholds(report: SummaryReport, fmt: Fmt, opts: CompactTextOptions): string[] {
  const base = 1;
  const byName = new Map(report.thresholds.map((t) => [t.metric.name, t]));
  const metrics = sortByName(report.thresholds.map((t) => t.metric));
  const info = computeInfo(metrics, base, opts);
  const out: string[] = [];
  for (const m of metrics) {
    const parent = m.name.split("{", 1)[0];
    // A submetric goes under its parent when the parent has thresholds too.
    const nested = m.name.length > parent.length && byName.has(parent);
    const b = nested ? base + 1 : base;
    out.push(ind(b) + (nested ? m.name.slice(parent.length) : m.name));
    for (const t of byName.get(m.name)!.thresholds) {
      const agg = t.source.split(/[=><]/)[0].trim();
      let value: string | undefined;
      if (m.type === "trend") {
        const i = opts.summaryTrendStats.indexOf(agg);
        value = i >= 0 ? info.trendCols.get(m.name)![i] : info.trendKeys.get(m.name)![agg];
      } else {
        const v = info.values.get(m.name)!;
        value = m.type === "counter" && agg !== "count" ? v[1] : v[0];
      }
      const mark = t.ok ? fmt.deco("✓", GREEN) : fmt.deco("✗", RED);
      const shown = fmt.deco(agg, WHITE) + "=" + fmt.deco(String(value), CYAN);
      out.push(ind(b) + [mark, fmt.deco(`'${t.source.trim()}'`, WHITE), shown].join(" "));
    }
    out.push(BREAK);
  }
  return out;
}

/**
 * Renders k6 1.x's end-of-test summary of a report. k6 prints `"\n" + text + "\n\n"`; the
 * text itself starts with a line break.
 *
 * @param report From {@linkcode buildReport}.
 * @param opts Colours, trend statistics, time unit.
 * @returns The summary text.
 *
 * @example Usage
 * ```ts
 * import { compactTextSummary } from "./compact_text.ts";
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
 * const text = compactTextSummary(report, {
 *   enableColors: false,
 *   summaryTrendStats: ["avg"],
 *   summaryTimeUnit: "",
 * });
 * assert.equal(
 *   text,
 *   "\n  █ TOTAL RESULTS \n\n    EXECUTION\n    iterations...: 5 5/s\n\n",
 * );
 * ```
 */
export function compactTextSummary(report: SummaryReport, opts: CompactTextOptions): string {
  const fmt: Fmt = opts.enableColors
    ? {
      deco: (text, color, ...styles) => `\x1b[${[...styles, color].join(";")}m${text}\x1b[0m`,
      bold: (text) => `\x1b[1m${text}\x1b[0m`,
    }
    : { deco: (text) => text, bold: (text) => text };
  const sections: { title: string; content: string[] }[] = [];
  if (report.thresholds.length > 0) {
    sections.push({ title: "THRESHOLDS", content: renderThresholds(report, fmt, opts) });
  }
  sections.push({
    title: "TOTAL RESULTS",
    content: [
      ...renderChecks(report.total.checks, fmt, 0, opts),
      ...renderMetrics(report.total, fmt, 0, opts),
    ],
  });
  for (const [name, g] of report.groups) {
    sections.push({ title: `GROUP: ${name}`, content: groupContent(g, fmt, 0, opts) });
  }
  for (const [name, g] of report.scenarios) {
    sections.push({ title: `SCENARIO: ${name}`, content: groupContent(g, fmt, 0, opts) });
  }
  let text = "";
  for (const s of sections) {
    for (const item of [title(s.title, fmt, 0), ...s.content, BREAK]) {
      text += item === BREAK ? BREAK : "\n" + item;
    }
  }
  return text;
}
