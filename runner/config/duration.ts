/**
 * k6 durations, the one parser and the one formatter of the runner: parsing as k6's
 * `types.ParseExtendedDuration` (Go's `time.ParseDuration` plus `d`, a unitless number being
 * milliseconds) for options, environment variables, flags and thresholds' `delayAbortEval`;
 * formatting as Go's `time.Duration.String()`, for messages and `--out json`; and the
 * elapsed-time clock of the progress line.
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

/** A number without a unit, as Go's `strconv.ParseFloat` reads it (signless: no negative durations). */
const UNITLESS_RE = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a duration as k6 does (`types.ParseExtendedDuration` for strings, `types.Duration`'s
 * JSON form for numbers):
 *
 * - strings: `"1m30s"`, `"500ms"`, `"1.5h"`, `"2d"`; a unitless number is milliseconds (`"10"`
 *   is 10 ms, as k6 reads `duration: "10"`, `K6_DURATION=10` or `delayAbortEval: "10"`);
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
 * assert.equal(parseDuration("10"), 10);
 * assert.equal(parseDuration(250), 250);
 * assert.equal(parseDuration("ten seconds"), undefined);
 * ```
 */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input : undefined;
  if (typeof input !== "string") return undefined;
  const s = input.trim();
  if (s === "") return undefined;
  if (UNITLESS_RE.test(s)) return Number(s);
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
 * Formats milliseconds as Go's `time.Duration.String()` does, to the nanosecond: `"1m30s"`,
 * `"1h0m0s"`, `"500ms"`, `"1.5s"`, `"1.5µs"`, `"0s"`.
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
  // Whole ms and the nanoseconds below them, so that long durations keep every digit.
  let whole = Math.floor(ms);
  let ns = Math.round((ms - whole) * 1e6);
  if (ns === 1e6) {
    whole++;
    ns = 0;
  }
  if (whole === 0 && ns === 0) return "0s";
  if (whole < 1000) {
    const total = whole * 1e6 + ns;
    if (total < 1e3) return `${total}ns`;
    if (total < 1e6) return `${decimal(Math.floor(total / 1e3), total % 1e3, 3)}µs`;
    return `${decimal(whole, ns, 6)}ms`;
  }
  const secs = Math.floor(whole / 1000);
  const sec = `${decimal(secs % 60, (whole % 1000) * 1e6 + ns, 9)}s`;
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

/** `int.fraction`, the fraction written on `digits` digits without trailing zeros (Go's fmtFrac). */
function decimal(int: number, fraction: number, digits: number): string {
  const f = String(fraction).padStart(digits, "0").replace(/0+$/, "");
  return f === "" ? String(int) : `${int}.${f}`;
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
