/**
 * k6 durations: parsing (Go's `time.ParseDuration` plus `d`, as k6's
 * `types.ParseExtendedDuration`) and Go's `Duration.String()` formatting.
 *
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a duration as k6 does.
 *
 * - strings: `"1m30s"`, `"500ms"`, `"1.5h"`, `"2d"`; a bare number string is seconds (`"10"` is
 *   10 s, as k6's `--duration 10`);
 * - numbers: milliseconds (k6's JSON options).
 *
 * @param input The duration.
 * @returns Milliseconds, or undefined when it is not a duration (negative ones included).
 *
 * @example Usage
 * ```ts
 * import { parseDuration } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseDuration("1m30s"), 90_000);
 * assert.equal(parseDuration("10"), 10_000);
 * assert.equal(parseDuration(250), 250);
 * assert.equal(parseDuration("ten seconds"), undefined);
 * ```
 */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input : undefined;
  if (typeof input !== "string") return undefined;
  const s = input.trim();
  if (s === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (m === null) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    at = re.lastIndex;
  }
  return total;
}

/**
 * Formats milliseconds as Go's `time.Duration.String()` does: `"1m30s"`, `"1h0m0s"`, `"500ms"`,
 * `"1.5s"`, `"0s"`.
 *
 * @param ms Milliseconds.
 * @returns The text.
 *
 * @example Usage
 * ```ts
 * import { formatDuration } from "@mqload/mqload/runner";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDuration(90_000), "1m30s");
 * assert.equal(formatDuration(3_600_000), "1h0m0s");
 * assert.equal(formatDuration(500), "500ms");
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return "-" + formatDuration(-ms);
  if (ms === 0) return "0s";
  if (ms < 1000) {
    if (ms >= 1) return `${trim(ms)}ms`;
    if (ms >= 1e-3) return `${trim(ms * 1000)}µs`;
    return `${trim(ms * 1e6)}ns`;
  }
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${trim(s)}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

function trim(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

/**
 * Formats elapsed time as k6's progress bar does: `0m05.2s`, `1m02.0s`.
 *
 * @param ms Milliseconds.
 * @returns The text.
 */
export function formatClock(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  const m = Math.floor(total / 60);
  const s = total - m * 60;
  return `${m}m${s.toFixed(1).padStart(4, "0")}s`;
}
