/**
 * k6's end-of-test text summary, as k6-jslib-summary's `textSummary()` renders
 * it (k6's classic summary): checks with ✓/✗ and pass percentages, then every
 * metric sorted by name (submetrics under their parent), dot-padded, with
 * trend stats, counter rates, gauge min/max and rate passes/fails, and a ✓/✗
 * mark on metrics with thresholds.
 *
 * @module
 */

import type { SummaryCheck, SummaryData, SummaryGroup, SummaryMetric } from "./data.ts";

/** Options of {@linkcode textSummary}, as k6-jslib-summary's. */
export interface TextSummaryOptions {
  /** Prefix of every line (default `" "`). */
  indent?: string;
  /** ANSI colours (default true, as k6's jslib; k6 passes `!noColor && isStdOutTTY`). */
  enableColors?: boolean;
  /** Overrides `data.options.summaryTimeUnit` (`"s"`, `"ms"`, `"us"`, or empty for automatic). */
  summaryTimeUnit?: string | null;
  /** Overrides `data.options.summaryTrendStats`. */
  summaryTrendStats?: readonly string[] | null;
}

const FAINT = 2, RED = 31, GREEN = 32, CYAN = 36;
const GROUP_PREFIX = "█";
const DETAILS_PREFIX = "↳";
const SUCC = "✓";
const FAIL = "✗";

type Decorate = (text: string, color: number, ...styles: number[]) => string;

/**
 * Renders k6's end-of-test summary. k6 prints `"\n" + textSummary(…) + "\n\n"` on stdout.
 *
 * @param data From {@linkcode summaryData} (or `mqload merge`).
 * @param options Indent, colours, trend stats and time unit overrides.
 * @returns The summary text.
 *
 * @example Usage
 * ```ts
 * import { textSummary } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * const text = textSummary({
 *   root_group: { name: "", path: "", id: "", groups: [], checks: [] },
 *   options: { summaryTrendStats: ["avg", "max"], summaryTimeUnit: "", noColor: true },
 *   state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
 *   metrics: {
 *     iterations: { type: "counter", contains: "default", values: { count: 5, rate: 5 } },
 *     mqtt_connect_duration: {
 *       type: "trend",
 *       contains: "time",
 *       values: { avg: 1.5, max: 2 },
 *     },
 *   },
 * }, { enableColors: false });
 * assert.equal(
 *   text,
 *   "     iterations..............: 5 5/s\n" +
 *     "     mqtt_connect_duration...: avg=1.5ms max=2ms",
 * );
 * ```
 */
export function textSummary(data: SummaryData, options: TextSummaryOptions = {}): string {
  const opts: TextSummaryOptions = {
    indent: " ",
    enableColors: true,
    ...data.options,
    ...definedOnly(options),
  };
  const decorate: Decorate = opts.enableColors
    ? (text, color, ...styles) => `\x1b[${[color, ...styles].join(";")}m${text}\x1b[0m`
    : (text) => text;
  const indent = opts.indent ?? " ";
  const lines = [
    ...summarizeGroup(indent + "    ", data.root_group, decorate),
    ...summarizeMetrics(
      indent,
      opts.summaryTrendStats ?? [],
      opts.summaryTimeUnit ?? "",
      data.metrics,
      decorate,
    ),
  ];
  return lines.join("\n");
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * On-screen width of a string: code points after NFKC, ANSI escapes excluded.
 *
 * @param s The text.
 * @returns Its width in columns.
 *
 * @example Usage
 * ```ts
 * import { strWidth } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(strWidth("\x1b[36m✓ ok\x1b[0m"), 4);
 * ```
 */
export function strWidth(s: string): number {
  let inEsc = false;
  let inLongEsc = false;
  let width = 0;
  for (const ch of s.normalize("NFKC")) {
    const code = ch.charCodeAt(0);
    if (ch === "\x1b") {
      inEsc = true;
      continue;
    }
    if (inEsc && ch === "[") {
      inLongEsc = true;
      continue;
    }
    if (inEsc && inLongEsc && code >= 0x40 && code <= 0x7e) {
      inEsc = inLongEsc = false;
      continue;
    }
    if (inEsc && !inLongEsc && code >= 0x40 && code <= 0x5f) {
      inEsc = false;
      continue;
    }
    if (!inEsc && !inLongEsc) width++;
  }
  return width;
}

function summarizeCheck(indent: string, check: SummaryCheck, decorate: Decorate): string {
  if (check.fails === 0) return decorate(`${indent}${SUCC} ${check.name}`, GREEN);
  const percent = Math.floor((100 * check.passes) / (check.passes + check.fails));
  return decorate(
    `${indent}${FAIL} ${check.name}\n${indent} ${DETAILS_PREFIX}  ${percent}% — ` +
      `${SUCC} ${check.passes} / ${FAIL} ${check.fails}`,
    RED,
  );
}

function summarizeGroup(indent: string, group: SummaryGroup, decorate: Decorate): string[] {
  const out: string[] = [];
  if (group.name !== "") {
    out.push(`${indent}${GROUP_PREFIX} ${group.name}\n`);
    indent += "  ";
  }
  for (const check of group.checks) out.push(summarizeCheck(indent, check, decorate));
  if (group.checks.length > 0) out.push("");
  for (const sub of group.groups) out.push(...summarizeGroup(indent, sub, decorate));
  return out;
}

function displayName(name: string): string {
  const at = name.indexOf("{");
  return at >= 0 ? `{ ${name.slice(at + 1, -1)} }` : name;
}

function indentFor(name: string): string {
  return name.includes("{") ? "  " : "";
}

/**
 * k6's byte humanizer: decimal units, one decimal under 10.
 *
 * @param bytes A byte count.
 * @returns For example `"1.2 kB"`.
 *
 * @example Usage
 * ```ts
 * import { humanizeBytes } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(humanizeBytes(1234), "1.2 kB");
 * ```
 */
export function humanizeBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  if (bytes < 10) return `${bytes} B`;
  const e = Math.floor(Math.log(bytes) / Math.log(1000));
  const val = Math.floor((bytes / Math.pow(1000, e)) * 10 + 0.5) / 10;
  return `${val.toFixed(val < 10 ? 1 : 0)} ${units[e | 0]}`;
}

const UNITS: Record<string, { unit: string; coef: number }> = {
  s: { unit: "s", coef: 0.001 },
  ms: { unit: "ms", coef: 1 },
  us: { unit: "µs", coef: 1000 },
};

function toFixedNoTrailingZeros(val: number, prec: number): string {
  return parseFloat(val.toFixed(prec)).toString();
}

function toFixedNoTrailingZerosTrunc(val: number, prec: number): string {
  const mult = Math.pow(10, prec);
  return toFixedNoTrailingZeros(Math.trunc(mult * val) / mult, prec);
}

/**
 * k6's duration humanizer (input in ms): `ns`, `µs`, `ms`, `s`, `1m2s`, `1h2m3s`,
 * or a fixed unit (`"s"`, `"ms"`, `"us"`) with two decimals.
 *
 * @param ms The duration in milliseconds.
 * @param timeUnit `summaryTimeUnit`, or empty for automatic.
 * @returns For example `"1.5ms"`, `"12.34µs"`, `"1m5s"`.
 *
 * @example Usage
 * ```ts
 * import { humanizeDuration } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(humanizeDuration(65_432), "1m5s");
 * assert.equal(humanizeDuration(1.5, "us"), "1500.00µs");
 * ```
 */
export function humanizeDuration(ms: number, timeUnit = ""): string {
  if (timeUnit !== "" && Object.hasOwn(UNITS, timeUnit)) {
    return (ms * UNITS[timeUnit].coef).toFixed(2) + UNITS[timeUnit].unit;
  }
  if (ms === 0) return "0s";
  if (ms < 0.001) return Math.trunc(ms * 1_000_000) + "ns";
  if (ms < 1) return toFixedNoTrailingZerosTrunc(ms * 1000, 2) + "µs";
  if (ms < 1000) return toFixedNoTrailingZerosTrunc(ms, 2) + "ms";
  let result = toFixedNoTrailingZerosTrunc((ms % 60000) / 1000, ms > 60000 ? 0 : 2) + "s";
  let rem = Math.trunc(ms / 60000);
  if (rem < 1) return result;
  result = (rem % 60) + "m" + result;
  rem = Math.trunc(rem / 60);
  if (rem < 1) return result;
  return rem + "h" + result;
}

/**
 * Formats a metric value as k6's summary does: rates as truncated
 * percentages, data as bytes, time as durations, others with up to 6 decimals.
 *
 * @param val The value.
 * @param metric Its metric's type and value type.
 * @param timeUnit `summaryTimeUnit`.
 * @returns The text.
 *
 * @example Usage
 * ```ts
 * import { humanizeValue } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(humanizeValue(0.99999, { type: "rate", contains: "default" }, ""), "99.99%");
 * assert.equal(humanizeValue(1536, { type: "counter", contains: "data" }, ""), "1.5 kB");
 * assert.equal(humanizeValue(65_000, { type: "trend", contains: "time" }, ""), "1m5s");
 * assert.equal(humanizeValue(0.0123, { type: "trend", contains: "time" }, ""), "12.3µs");
 * ```
 */
export function humanizeValue(
  val: number,
  metric: Pick<SummaryMetric, "type" | "contains">,
  timeUnit: string,
): string {
  if (metric.type === "rate") return (Math.trunc(val * 100 * 100) / 100).toFixed(2) + "%";
  switch (metric.contains) {
    case "data":
      return humanizeBytes(val);
    case "time":
      return humanizeDuration(val, timeUnit);
    default:
      return toFixedNoTrailingZeros(val, 6);
  }
}

function nonTrendValues(metric: SummaryMetric, timeUnit: string): string[] {
  const v = metric.values;
  switch (metric.type) {
    case "counter":
      return [
        humanizeValue(v.count, metric, timeUnit),
        humanizeValue(v.rate, metric, timeUnit) + "/s",
      ];
    case "gauge":
      return [
        humanizeValue(v.value, metric, timeUnit),
        "min=" + humanizeValue(v.min, metric, timeUnit),
        "max=" + humanizeValue(v.max, metric, timeUnit),
      ];
    case "rate":
      return [humanizeValue(v.rate, metric, timeUnit), `${SUCC} ${v.passes}`, `${FAIL} ${v.fails}`];
    default:
      return ["[no data]"];
  }
}

function summarizeMetrics(
  baseIndent: string,
  trendStats: readonly string[],
  timeUnit: string,
  metrics: Record<string, SummaryMetric>,
  decorate: Decorate,
): string[] {
  const indent = baseIndent + "  ";
  const names: string[] = [];
  let nameLenMax = 0;
  const values = new Map<string, string>();
  let valueMaxLen = 0;
  const extras = new Map<string, string[]>();
  const extraMaxLens = [0, 0];
  const trendCols = new Map<string, string[]>();
  const trendColMaxLens = trendStats.map(() => 0);

  for (const [name, metric] of Object.entries(metrics)) {
    names.push(name);
    nameLenMax = Math.max(nameLenMax, strWidth(indentFor(name) + displayName(name)));
    if (metric.type === "trend") {
      const cols = trendStats.map((stat, i) => {
        const raw = metric.values[stat];
        const text = stat === "count" ? String(raw) : humanizeValue(raw, metric, timeUnit);
        trendColMaxLens[i] = Math.max(trendColMaxLens[i], strWidth(text));
        return text;
      });
      trendCols.set(name, cols);
      continue;
    }
    const vals = nonTrendValues(metric, timeUnit);
    values.set(name, vals[0]);
    valueMaxLen = Math.max(valueMaxLen, strWidth(vals[0]));
    extras.set(name, vals.slice(1));
    for (let i = 1; i < vals.length; i++) {
      extraMaxLens[i - 1] = Math.max(extraMaxLens[i - 1] ?? 0, strWidth(vals[i]));
    }
  }

  // Sort by parent name, keeping submetrics right after their parent.
  names.sort((a, b) => {
    const pa = a.split("{", 1)[0];
    const pb = b.split("{", 1)[0];
    const byParent = pa.localeCompare(pb, "en");
    return byParent !== 0 ? byParent : a.slice(pa.length).localeCompare(b.slice(pb.length), "en");
  });

  const format = (name: string): string => {
    const cols = trendCols.get(name);
    if (cols !== undefined) {
      return cols.map((col, i) =>
        `${trendStats[i]}=${decorate(col, CYAN)}${" ".repeat(trendColMaxLens[i] - strWidth(col))}`
      ).join(" ");
    }
    const value = values.get(name)!;
    let text = decorate(value, CYAN) + " ".repeat(valueMaxLen - strWidth(value));
    const more = extras.get(name)!;
    if (more.length === 1) text += " " + decorate(more[0], CYAN, FAINT);
    else if (more.length > 1) {
      text += " " +
        more.map((x, i) => decorate(x, CYAN, FAINT) + " ".repeat(extraMaxLens[i] - strWidth(x)))
          .join(" ");
    }
    return text;
  };

  return names.map((name) => {
    const metric = metrics[name];
    let mark = " ";
    let markColor = (text: string) => text;
    if (metric.thresholds) {
      const failed = Object.values(metric.thresholds).some((t) => !t.ok);
      mark = failed ? FAIL : SUCC;
      markColor = (text) => decorate(text, failed ? RED : GREEN);
    }
    const fmtIndent = indentFor(name);
    const shown = displayName(name);
    const dots = ".".repeat(nameLenMax - strWidth(shown) - strWidth(fmtIndent) + 3) + ":";
    return `${indent}${fmtIndent}${markColor(mark)} ${shown}${decorate(dots, FAINT)} ${
      format(name)
    }`;
  });
}
