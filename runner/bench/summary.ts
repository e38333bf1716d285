/**
 * The end-of-bench summary: each counter's total and its rate over the seconds it was active,
 * the end-to-end latency's percentiles, and the lost, duplicated and out-of-order messages with
 * the publishers they came from. Thresholds that failed are listed after it.
 *
 * @module
 */

import type { TestEnd } from "../outputs/output.ts";
import type { BenchKind } from "./config.ts";
import { ms } from "./lines.ts";
import { pubRateWarning, type PubTarget } from "./rate_warning.ts";
import { type BenchTally, COUNT_NAMES } from "./tally.ts";
import type { ReasonKind } from "./reason_tally.ts";

/** Publishers listed by name when their messages went missing (the rest are counted). */
const LISTED = 10;

/**
 * Formats the summary.
 *
 * @param kind The job.
 * @param tally The run's counts.
 * @param end The thresholds' verdicts (undefined when the run ended without a summary).
 * @param activeMs How long the test clock ran.
 * @param target The publishers' target rate (pub with `-I` > 0), to say when it was missed.
 * @returns The text.
 *
 * @example Usage
 * ```ts
 * import { benchSummary } from "./summary.ts";
 * import { BenchTally } from "./tally.ts";
 * import assert from "node:assert/strict";
 *
 * const text = benchSummary("conn", new BenchTally(), undefined, 2000);
 * assert.match(text, /connect_succ\s+0/);
 * ```
 */
export function benchSummary(
  kind: BenchKind,
  tally: BenchTally,
  end: TestEnd | undefined,
  activeMs: number,
  target?: PubTarget,
): string {
  const out = [``, `bench ${kind} summary (${(activeMs / 1000).toFixed(1)}s):`];
  // Publications (done or failed) come in one stream per client and topic, n − 1 intervals each.
  const clients = Math.min(target?.clients ?? 1, Math.round(tally.totals.connect_succ)) || 1;
  const pubStreams = target === undefined ? 1 : clients * target.topics;
  for (const name of COUNT_NAMES) {
    const total = tally.totals[name];
    if (total === 0 && !JOB_COUNTS[kind].includes(name)) continue;
    const rated = rate(tally, name, name.startsWith("pub") ? pubStreams : 1);
    out.push(`  ${name.padEnd(16)}${String(Math.round(total)).padStart(10)}${rated}`);
  }
  // Counts shown only when not 0, each with what it counts.
  const counted = (name: string, n: number, what: string) => {
    if (n > 0) out.push(`  ${name.padEnd(16)}${String(n).padStart(10)}  ${what}`);
  };
  counted("not_connected", tally.unfinished, "clients whose turn came after --duration's end");
  counted("reconnecting", tally.reconnectingAtEnd, "clients still reconnecting at the end");
  counted("reconnect_gave_up", tally.gaveUp, "clients");
  // Stopped before their acknowledgement came: not failures of the broker.
  counted("pub_unacked", tally.unacked(), "unacknowledged at stop");
  counted(
    "pub_late",
    Math.round(tally.pubLate),
    "due by the end, never sent: still waiting for room in the -F window",
  );
  for (const kind of Object.keys(REASON_TITLES) as ReasonKind[]) {
    const reasons = tally.reasons[kind];
    if (reasons.size > 0) out.push(`  ${REASON_TITLES[kind]} by reason:`);
    for (const [reason, errors] of reasons) {
      const first = errors.client === undefined ? "" : ` (first client(${errors.client}))`;
      out.push(`    ${reason}: ${Math.round(errors.count)}${first}`);
    }
  }
  const h = tally.latency;
  if (h.count > 0) {
    out.push(
      `  ${"latency".padEnd(16)}p50=${ms(h.quantile(0.5))} p95=${ms(h.quantile(0.95))} ` +
        `p99=${ms(h.quantile(0.99))} p99.9=${ms(h.quantile(0.999))} max=${ms(h.max)} ` +
        `(${h.count} messages)`,
    );
  }
  // Counted only with --payload-hdrs cnt64 (its script reports them, 0 on a clean run): without
  // the numbers nothing was checked, and 0 would say it was.
  if (kind === "sub" && tally.faults.size > 0) {
    const t = tally.faultTotals();
    out.push(
      `  ${"lost".padEnd(16)}${String(t.lost).padStart(10)}`,
      `  ${"duplicated".padEnd(16)}${String(t.duplicated).padStart(10)}`,
      `  ${"out_of_order".padEnd(16)}${String(t.outOfOrder).padStart(10)}`,
    );
    const faulty = [...tally.faults.entries()]
      .filter(([, f]) => f.lost !== 0 || f.duplicated !== 0 || f.outOfOrder !== 0)
      .sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
    if (faulty.length > 0) out.push("  by publisher (lost/duplicated/out_of_order):");
    for (const [publisher, f] of faulty.slice(0, LISTED)) {
      out.push(`    ${publisher}: ${f.lost}/${f.duplicated}/${f.outOfOrder}`);
    }
    if (faulty.length > LISTED) out.push(`    … and ${faulty.length - LISTED} more publishers`);
  }
  const short = target === undefined ? undefined : pubRateWarning(target, tally);
  if (short !== undefined) out.push(`  ${short}`);
  for (const r of end?.thresholds ?? []) {
    if (!r.ok) out.push(`  threshold crossed: ${r.metric}: ${r.expression}`);
  }
  if (publicationsFailed(tally)) out.push(`  publications failed: pub_fail is not 0`);
  return out.join("\n") + "\n";
}

/**
 * Whether publications failed (not those in flight when the run was stopped): a failed run,
 * as a threshold crossed.
 *
 * @param tally The run's counts.
 * @returns Whether `pub_fail` is not 0.
 *
 * @example Usage
 * ```ts
 * import { publicationsFailed } from "./summary.ts";
 * import { BenchTally } from "./tally.ts";
 * import assert from "node:assert/strict";
 * assert.equal(publicationsFailed(new BenchTally()), false);
 * ```
 */
export function publicationsFailed(tally: BenchTally): boolean {
  return Math.round(tally.totals.pub_fail) > 0;
}

/** The titles of the reasons' lists. */
const REASON_TITLES: Readonly<Record<ReasonKind, string>> = {
  connect: "connect errors",
  lost: "connections lost",
  reconnect: "reconnect errors",
  publish: "publish errors",
  subscribe: "subscribe errors",
};

/** A window shorter than this gives no rate (2 connects 2 ms apart are not 500/s): "n/a". */
const MIN_SPAN_MS = 10;
/** A phase this long (first event to last) or longer is rated by its median whole second. */
const STEADY_MS = 3000;

/** The counters each job shows even when they stay 0. */
const JOB_COUNTS: Readonly<Record<BenchKind, readonly string[]>> = {
  conn: ["connect_succ", "connect_fail", "connect_retried", "disconnected"],
  pub: ["connect_succ", "connect_fail", "connect_retried", "disconnected", "pub", "pub_fail"],
  sub: [
    "connect_succ",
    "connect_fail",
    "connect_retried",
    "disconnected",
    "sub",
    "sub_fail",
    "recv",
  ],
};

/**
 * A counter's rate. A steady phase of three seconds or more, moving in each: the median of the
 * whole seconds between its first and last (mostly partial: the job started or stopped within
 * them), what it held whatever the edges. A shorter or uneven one: its count over its own window,
 * from its first event to its last (n events n − 1 intervals apart; n − k for k streams, such as
 * publishers, of two events or more each), when the script noted them.
 */
function rate(tally: BenchTally, name: (typeof COUNT_NAMES)[number], streams = 1): string {
  const total = tally.totals[name];
  const [first, last] = activeSeconds(tally, name);
  if (last < first || total === 0) return "";
  const seconds = last - first + 1;
  const inner: number[] = [];
  for (let i = first + 1; i < last; i++) inner.push(tally.second(i)[name]);
  const window = tally.windows.get(name);
  const spanMs = window === undefined ? NaN : window.last - window.first;
  // Three seconds of events, not three seconds touched: a 1.1 s burst can touch three, and its
  // partial middle second is no rate of it.
  const steady = window === undefined ? inner.length >= 2 : spanMs >= STEADY_MS;
  if (steady && inner.length > 0 && inner.every((n) => n >= 0.5)) {
    inner.sort((a, b) => a - b);
    const mid = inner.length >> 1;
    const median = inner.length % 2 === 1 ? inner[mid] : (inner[mid - 1] + inner[mid]) / 2;
    return `  ${median.toFixed(2)}/sec (median second) over ${seconds}s`;
  }
  if (spanMs < MIN_SPAN_MS && total >= 2) {
    return `  rate n/a (all within ${Math.max(0, Math.round(spanMs))}ms)`;
  }
  if (spanMs >= MIN_SPAN_MS && total >= 2) {
    // k parallel streams of n events in all span n − k intervals (when each has two or more).
    const n = Math.round(total);
    const perSecond = (n >= 2 * streams ? n - streams : n - 1) * 1000 / spanMs;
    return `  ${perSecond.toFixed(2)}/sec over ${(spanMs / 1000).toFixed(2)}s (first to last)`;
  }
  if (window !== undefined) return "";
  return `  ${(total / seconds).toFixed(2)}/sec over ${seconds}s`;
}

/** The first and last second in which a counter moved ([0, -1] when it never did). */
function activeSeconds(tally: BenchTally, name: (typeof COUNT_NAMES)[number]): [number, number] {
  let first = -1;
  let last = -1;
  for (let i = 0; i < tally.seconds; i++) {
    // A drain's period shared out over two seconds leaves crumbs: under half a message is none.
    if (tally.second(i)[name] < 0.5) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 ? [0, -1] : [first, last];
}
