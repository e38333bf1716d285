/**
 * Stands in for k6's jslib `k6-summary` (`https://jslib.k6.io/k6-summary/…/index.js`), which
 * `handleSummary` scripts import: `textSummary(data, { indent, enableColors })`.
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

export default { textSummary };
