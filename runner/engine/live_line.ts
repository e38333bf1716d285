/**
 * The live line: the last complete second of a running test on one line of stderr, under the
 * progress. Its parts keep their columns from one second to the next (each is padded to its
 * usual width), and a part shows once the run has something for it: clients connected and
 * connects per second with the failed attempts, messages published per second with the failed
 * publications, messages received per second, errors per second, and the median and 99th
 * percentile of the end-to-end message latency and of the publish round trip.
 *
 * @module
 */

import type { LivePercentiles, LiveSecond, LiveTotals } from "../metrics/live_window.ts";

/**
 * Formats the live line.
 *
 * @param s The last complete second (from `LiveWindow.last`).
 * @param totals The run so far (from `LiveWindow.totals`), which decides the parts shown.
 * @returns The line, or undefined when the run has nothing to show yet (no MQTT activity).
 *
 * @example Usage
 * ```ts
 * import { liveLine } from "./live_line.ts";
 * import assert from "node:assert/strict";
 *
 * const counts = {
 *   connects: 50, connectFailures: 0, sent: 1000, received: 998, publishFailures: 0, errors: 0,
 * };
 * const line = liveLine(
 *   { index: 4, startMs: 0, connected: 500, ...counts, latency: { p50: 0.8, p99: 2.14, count: 998 } },
 *   { ...counts, connected: 500, latencyCount: 998, publishRttCount: 0 },
 * );
 * assert.equal(
 *   line,
 *   "live conn 500 +50/s 0 fail  pub 1,000/s 0 fail  recv 998/s    err 0/s  lat p50/p99 0.8/2.1ms",
 * );
 * ```
 */
export function liveLine(s: LiveSecond, totals: LiveTotals): string | undefined {
  const parts: string[] = [];
  if (totals.connects + totals.connectFailures > 0 || (totals.connected ?? 0) > 0) {
    const connected = s.connected === undefined ? "–" : count(s.connected);
    parts.push(
      `conn ${connected} +${count(s.connects)}/s ${count(s.connectFailures)} fail`.padEnd(21),
    );
  }
  if (totals.sent + totals.publishFailures > 0) {
    parts.push(`pub ${count(s.sent)}/s ${count(s.publishFailures)} fail`.padEnd(18));
  }
  if (totals.received > 0) parts.push(`recv ${count(s.received)}/s`.padEnd(12));
  if (parts.length === 0 && totals.errors === 0) return undefined;
  parts.push(`err ${count(s.errors)}/s`.padEnd(7));
  if (totals.latencyCount > 0) parts.push(`lat ${percentiles(s.latency)}`.padEnd(20));
  if (totals.publishRttCount > 0) parts.push(`rtt ${percentiles(s.publishRtt)}`);
  return `live ${parts.join("  ")}`.trimEnd();
}

/** `987`, `9,876`, `12.3k`, `123k`, `1.2M`. */
function count(n: number): string {
  const v = Math.round(n);
  if (v < 10_000) return v.toLocaleString("en-US");
  // Each unit is chosen after rounding, so 99,960 reads 100k, not 100.0k, and 999,600 1.0M.
  if (Math.round(v / 100) < 1000) return `${(v / 1000).toFixed(1)}k`;
  if (Math.round(v / 1000) < 1000) return `${Math.round(v / 1000)}k`;
  return `${(v / 1_000_000).toFixed(1)}M`;
}

/** `p50/p99 0.8/12ms`. */
function percentiles(p: LivePercentiles | undefined): string {
  return p === undefined ? "p50/p99 –" : `p50/p99 ${ms(p.p50)}/${ms(p.p99)}ms`;
}

/** `0.8`, `12`, `1234` (ms). */
function ms(v: number): string {
  return Math.round(v * 10) < 100 ? v.toFixed(1) : String(Math.round(v));
}
