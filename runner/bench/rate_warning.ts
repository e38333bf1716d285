/**
 * The summary's warning when publishers fell short of their target rate. The pacing never falls
 * behind on its own (due times are absolute), but a QoS 1/2 client sends no more than `-F`
 * messages before their acknowledgements come: a broker slower than the rate holds it back, and
 * the achieved rate alone does not say that the target was missed.
 *
 * @module
 */

import type { BenchConfig } from "./config.ts";
import type { BenchTally } from "./tally.ts";

/** Below this share of the target over the publishing window, the summary says so. */
const SHORT_SHARE = 0.95;

/** A window shorter than this says nothing about a rate (a few ticks). */
const MIN_WINDOW_MS = 1000;

/** The rate a bench's publishers were asked for. */
export interface PubTarget {
  /** Publishing clients. */
  clients: number;
  /** Topics each client publishes on its own schedule (`--topics-payload`; else 1). */
  topics: number;
  /** Messages each client is due to publish per second (all its topics). */
  perClientPerSecond: number;
  /** How the rate was asked for, such as `every 10 ms`. */
  asked: string;
  /** ms between two clients' connects: they start publishing that far apart. */
  connectIntervalMs: number;
  /** `-L` (0: no limit). */
  limit: number;
  /** The highest QoS published. */
  qos: 0 | 1 | 2;
  /** `-F` (0: 65535). */
  inflight: number;
}

/**
 * The target of a `pub` bench, when it has one the summary can check: not with `-I 0` (as fast
 * as acknowledged) on any topic, nor in an execution segment (its share of the clients).
 *
 * @param config The bench.
 * @param segmented Whether it runs an execution segment.
 * @returns The target, or undefined.
 *
 * @example Usage
 * ```ts
 * import { pubTarget } from "./rate_warning.ts";
 * import { parseBenchArgs } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * const parsed = parseBenchArgs(["pub", "-c", "10", "-I", "10", "-t", "t"]);
 * assert.ok("config" in parsed);
 * assert.equal(pubTarget(parsed.config, false)?.perClientPerSecond, 100);
 * ```
 */
export function pubTarget(config: BenchConfig, segmented: boolean): PubTarget | undefined {
  const p = config.publish;
  if (p === undefined || segmented) return undefined;
  const intervals = p.topics?.map((t) => t.intervalMs) ?? [p.intervalMs];
  if (intervals.length === 0 || intervals.some((ms) => ms <= 0)) return undefined;
  const perClientPerSecond = intervals.reduce((sum, ms) => sum + 1000 / ms, 0);
  return {
    clients: config.connection.count,
    topics: intervals.length,
    perClientPerSecond,
    asked: intervals.length === 1
      ? `every ${intervals[0]} ms`
      : `${formatRate(perClientPerSecond)}/s each`,
    connectIntervalMs: config.connection.connectIntervalMs,
    limit: p.limit,
    qos: Math.max(p.qos, ...(p.topics?.map((t) => t.qos) ?? [])) as 0 | 1 | 2,
    inflight: p.inflight,
  };
}

/**
 * The warning line when the publications acknowledged over the publishing window (first to last)
 * are clearly fewer than the target's over it; clients connecting one after the other start
 * publishing as far apart, so that a ramp is not taken for a shortfall. None when `-L` ended
 * every publisher (it stopped them, not the broker) or the window is too short to tell.
 *
 * @param target The target.
 * @param tally The run's counts.
 * @returns The line (without indent), or undefined.
 *
 * @example Usage
 * ```ts
 * import { pubRateWarning } from "./rate_warning.ts";
 * import { BenchTally } from "./tally.ts";
 * import assert from "node:assert/strict";
 *
 * const target = {
 *   clients: 1, topics: 1, perClientPerSecond: 100, asked: "every 10 ms", connectIntervalMs: 10,
 *   limit: 0, qos: 1 as const, inflight: 1,
 * };
 * assert.equal(pubRateWarning(target, new BenchTally()), undefined);
 * ```
 */
export function pubRateWarning(target: PubTarget, tally: BenchTally): string | undefined {
  const sent = Math.round(tally.totals.pub);
  // Due by the end and never sent: the window of what was acknowledged, first to last, may hold
  // the target while the broker stalled after it (a stall at the end never shows in it).
  const late = Math.round(tally.pubLate);
  const unacked = tally.unacked();
  const dueByEnd = sent + unacked + late;
  if (late > 0 && late >= (1 - SHORT_SHARE) * dueByEnd) {
    const n = (count: number) => count.toLocaleString("en");
    return `pub fell short of the target ${asked(target)}: of ${n(dueByEnd)} due by the end, ` +
      `${n(sent)} were acknowledged, ${n(unacked)} unacknowledged and ${n(late)} never sent ` +
      `(${Math.round(100 * late / dueByEnd)} %): ${why(target, tally, unacked > 0)}`;
  }
  const window = tally.windows.get("pub");
  if (window === undefined || sent < 2) return undefined;
  const spanMs = window.last - window.first;
  if (!(spanMs >= MIN_WINDOW_MS)) return undefined;
  const ended = sent + Math.round(tally.totals.pub_fail);
  if (target.limit > 0 && ended >= target.clients * target.limit) return undefined;
  let dueMs = 0;
  for (let k = 0; k < target.clients; k++) {
    const ms = spanMs - k * target.connectIntervalMs;
    if (ms <= 0) break;
    dueMs += ms;
  }
  const due = dueMs * target.perClientPerSecond / 1000;
  if (sent - 1 >= SHORT_SHARE * due) return undefined;
  const achieved = formatRate((sent - 1) * 1000 / spanMs);
  const wanted = formatRate(due * 1000 / spanMs);
  return `pub rate ${achieved}/s is below the target ${wanted}/s ${asked(target)}: ` +
    why(target, tally, false);
}

/** The target as asked: `(10 clients × every 10 ms)`. */
function asked(target: PubTarget): string {
  const clients = target.clients;
  return `(${clients.toLocaleString("en")} client${clients === 1 ? "" : "s"} × ${target.asked})`;
}

/** Why publishers fell short; `stalled`: publications were still unacknowledged at the end. */
function why(target: PubTarget, tally: BenchTally, stalled: boolean): string {
  const lost = Math.round(tally.totals.disconnected);
  // A broker gone for a while holds back whatever -F is: say that, not -F.
  if (lost > 0) {
    return `${lost.toLocaleString("en")} connection${lost === 1 ? " was" : "s were"} lost ` +
      "during the run, and what fell due while they were down waited for them";
  }
  if (stalled) return "the broker acknowledged too slowly or stopped";
  if (target.qos === 0) {
    return "the clients could not send faster (the broker or this machine held them back)";
  }
  return `each client waits for its acknowledgements, at most -F ${
    target.inflight === 0 ? 65535 : target.inflight
  } in flight; raise -F or lower the rate`;
}

/** A rate as people read it: whole numbers with separators, one decimal under 10. */
function formatRate(perSecond: number): string {
  return perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toLocaleString("en");
}
