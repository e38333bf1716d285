/**
 * The HTML report's tables: thresholds, checks, metrics.
 *
 * @module
 */

import type { SummaryData, SummaryGroup, SummaryMetric } from "../summary/data.ts";
import { humanizeValue } from "../summary/text.ts";
import type { ThresholdResult } from "../metrics/thresholds.ts";
import { escapeHtml, formatNumber } from "./_report_text.ts";

export function thresholdTable(results: readonly ThresholdResult[], summary: SummaryData): string {
  if (results.length === 0) {
    return `<p class="empty-note">No thresholds were set: add <code>options.thresholds</code> to make the run pass or fail.</p>`;
  }
  const unit = summary.options.summaryTimeUnit;
  const rows = results.map((r) => {
    const metric = summary.metrics[r.metric];
    const value = Number.isFinite(r.value) && metric !== undefined && !r.skipped
      ? (metric.contains === "default" && metric.type !== "rate"
        ? formatNumber(r.value)
        : humanizeValue(r.value, metric, unit))
      : r.skipped
      ? "no samples"
      : Number.isFinite(r.value)
      ? formatNumber(r.value)
      : "–";
    const verdict = r.ok ? "ok" : "bad";
    return `<tr class="threshold ${verdict}"><td class="verdict ${verdict}"><span>${
      r.ok ? "✓ pass" : "✗ fail"
    }</span></td>` +
      `<td><code>${escapeHtml(r.metric)}</code></td><td><code>${escapeHtml(r.expression)}</code>${
        r.abortOnFail ? ' <span class="muted">abortOnFail</span>' : ""
      }</td><td class="num">${escapeHtml(value)}</td></tr>`;
  });
  return `<table id="thresholds"><thead><tr><th>Verdict</th><th>Metric</th><th>Threshold</th>` +
    `<th class="num">Observed</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

export function checksSection(root: SummaryGroup): string {
  const rows: string[] = [];
  const walk = (g: SummaryGroup) => {
    for (const c of g.checks) {
      const total = c.passes + c.fails;
      const pct = total > 0 ? (Math.trunc((c.passes / total) * 10000) / 100).toFixed(2) + "%" : "–";
      const verdict = c.fails === 0 ? "ok" : "bad";
      rows.push(
        `<tr><td class="verdict ${verdict}"><span>${c.fails === 0 ? "✓" : "✗"} ${pct}</span></td>` +
          `<td>${
            escapeHtml(g.path ? `${g.path.replace(/^::/, "").replaceAll("::", " › ")} › ` : "")
          }${escapeHtml(c.name)}</td><td class="num">${
            formatNumber(c.passes)
          }</td><td class="num">${formatNumber(c.fails)}</td></tr>`,
      );
    }
    g.groups.forEach(walk);
  };
  walk(root);
  if (rows.length === 0) return "";
  return `<h2>Checks</h2><table id="checks"><thead><tr><th>Passed</th><th>Check</th>` +
    `<th class="num">Passes</th><th class="num">Fails</th></tr></thead><tbody>${
      rows.join("")
    }</tbody></table>`;
}

export function metricTables(summary: SummaryData): string {
  const unit = summary.options.summaryTimeUnit;
  const stats = summary.options.summaryTrendStats;
  // Submetrics (`name{tag:value}`) right under their metric.
  const base = (key: string) => key.split("{")[0];
  const entries = Object.entries(summary.metrics).sort(([a], [b]) =>
    base(a) < base(b) ? -1 : base(a) > base(b) ? 1 : a < b ? -1 : a > b ? 1 : 0
  );
  const nameCell = (key: string) => {
    const sub = key.includes("{");
    return `<td${sub ? ' class="sub"' : ""}><code>${
      escapeHtml(sub ? key.slice(key.indexOf("{")) : key)
    }</code></td>`;
  };
  const trends = entries.filter(([, m]) => m.type === "trend");
  const others = entries.filter(([, m]) => m.type !== "trend");
  // A trend's `count` stat is a number of samples, not a value in the trend's unit.
  const fmt = (v: number | undefined, m: SummaryMetric, stat: string) =>
    v === undefined || !Number.isFinite(v)
      ? "–"
      : escapeHtml(stat === "count" ? formatNumber(v) : humanizeValue(v, m, unit));
  let html = "";
  if (trends.length > 0) {
    html += `<table id="trend-metrics"><thead><tr><th>Trend</th>${
      stats.map((s) => `<th class="num">${escapeHtml(s)}</th>`).join("")
    }</tr></thead><tbody>${
      trends.map(([key, m]) =>
        `<tr>${nameCell(key)}${
          stats.map((s) => `<td class="num">${fmt(m.values[s], m, s)}</td>`).join("")
        }</tr>`
      ).join("")
    }</tbody></table><br>`;
  }
  if (others.length > 0) {
    html +=
      `<table id="metrics"><thead><tr><th>Metric</th><th>Type</th><th class="num">Value</th>` +
      `<th>Details</th></tr></thead><tbody>${
        others.map(([key, m]) => {
          const [main, details] = describe(m, unit);
          return `<tr>${nameCell(key)}<td>${m.type}</td><td class="num">${escapeHtml(main)}</td>` +
            `<td class="muted">${escapeHtml(details)}</td></tr>`;
        }).join("")
      }</tbody></table>`;
  }
  return html || `<p class="empty-note">No metric received samples.</p>`;
}

function describe(m: SummaryMetric, unit: string): [string, string] {
  const v = m.values;
  // Plain counts read better grouped and with 2 decimals than with k6's 6.
  const f = (x: number) => m.contains === "default" ? formatNumber(x) : humanizeValue(x, m, unit);
  switch (m.type) {
    case "counter":
      return [f(v.count), `${f(v.rate)}/s`];
    case "gauge":
      return [f(v.value), `min ${f(v.min)} · max ${f(v.max)}`];
    default:
      return [
        humanizeValue(v.rate, m, unit),
        `${formatNumber(v.passes)} passed · ${formatNumber(v.fails)} failed`,
      ];
  }
}

/** Verdicts without observed values, from a summary (for merged runs). */
export function thresholdsFromSummary(summary: SummaryData): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const [metric, m] of Object.entries(summary.metrics)) {
    for (const [expression, { ok }] of Object.entries(m.thresholds ?? {})) {
      out.push({
        metric,
        expression,
        ok,
        abortOnFail: false,
        shouldAbort: false,
        value: NaN,
        skipped: false,
      });
    }
  }
  return out;
}
