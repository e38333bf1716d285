/**
 * Stands in for k6's jslib `k6-summary` (`https://jslib.k6.io/k6-summary/…/index.js`), which
 * `handleSummary` scripts import: `textSummary(data, { indent, enableColors })` and
 * `jUnit(data, { name })`.
 *
 * @module
 */

import { textSummary as text, type TextSummaryOptions } from "../summary/text.ts";
import type { SummaryData } from "../summary/data.ts";

/**
 * k6's end-of-test text summary of `handleSummary` data.
 *
 * @param data The `handleSummary` argument.
 * @param options `indent`, `enableColors`.
 * @returns The summary text.
 */
export function textSummary(data: SummaryData, options?: TextSummaryOptions): string {
  return text(data, options);
}

/**
 * The thresholds of `handleSummary` data as a JUnit XML report, as the jslib's `jUnit`: one test
 * case per threshold (`metric - expression`), failed ones with a failure, in one test suite.
 *
 * @example Usage
 * ```ts
 * import { jUnit } from "./summary.ts";
 * import assert from "node:assert/strict";
 *
 * const data = { metrics: { checks: { type: "rate", contains: "default", values: { rate: 1 },
 *   thresholds: { "rate>0.9": { ok: true } } } } };
 * assert.match(jUnit(data as never), /<testcase name="checks - rate&gt;0.9" \/>/);
 * ```
 *
 * @param data The `handleSummary` argument.
 * @param options `name`: the test suite's (default "k6 thresholds").
 * @returns The XML.
 */
export function jUnit(data: SummaryData, options?: { name?: string }): string {
  let failures = 0;
  const cases: string[] = [];
  for (const [metric, summary] of Object.entries(data.metrics ?? {})) {
    for (const [threshold, result] of Object.entries(summary.thresholds ?? {})) {
      const name = `${escapeXml(metric)} - ${escapeXml(threshold)}`;
      if (result.ok) cases.push(`<testcase name="${name}" />`);
      else {
        failures++;
        cases.push(`<testcase name="${name}"><failure message="failed" /></testcase>`);
      }
    }
  }
  const suite = escapeXml(options?.name ?? "k6 thresholds");
  return `<?xml version="1.0"?>\n<testsuites tests="${cases.length}" failures="${failures}">\n` +
    `<testsuite name="${suite}" tests="${cases.length}" failures="${failures}">` +
    `${cases.join("\n")}\n</testsuite>\n</testsuites>`;
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "'": "&#39;",
  '"': "&quot;",
};

function escapeXml(text: string): string {
  return text.replace(/[&<>'"]/g, (c) => XML_ESCAPES[c]);
}

export default { textSummary, jUnit };
