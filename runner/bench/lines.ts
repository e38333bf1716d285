/**
 * emqtt-bench's per-second lines, as an {@linkcode Output} of the run: for each second, each
 * counter that moved as `5s pub total=5000 rate=1000.00/sec`, and the second's end-to-end
 * latency as `5s latency p50=0.9ms p99=2.1ms`. A second is printed once its Workers' snapshots
 * are in (half a second after it ends); at the end, the rest and the summary.
 *
 * @module
 */

import type { Output, TestEnd } from "../outputs/output.ts";
import type { MetricsSnapshot } from "../metrics/types.ts";
import { writeAll } from "../engine/finish.ts";
import { type BenchSecond, BenchTally, COUNT_NAMES } from "./tally.ts";

/** How long after a second's end its line is printed, ms. */
const SETTLE_MS = 600;

/** Where lines go, and what to print at the end. */
export interface BenchLinesOptions {
  /** The writer (stdout). */
  writer: { writeSync(p: Uint8Array): number };
  /** No per-second lines (the summary still comes). */
  quiet: boolean;
  /**
   * A line each second with the clients connected (`conn`, which holds its clients: without it
   * nothing would move, and a client dropped would not show).
   */
  holding?: boolean;
  /**
   * When the run stops by itself, in ms after the test start: publications that fail from then
   * on, as their clients end, were unacknowledged, as at Ctrl+C (see `BenchTally.stopping`).
   */
  stopsAfterMs?: number | undefined;
  /** Prints the summary from the tally, at the end. */
  summary(tally: BenchTally, end: TestEnd | undefined, activeMs: number): string;
}

/**
 * Formats one second's lines: a counter's line only when its total moved, its rate being how far
 * it moved (so that the rates of the lines add up to their totals).
 *
 * @param index The second (0 is the first; printed as `1s`).
 * @param second Its figures (its latency is read).
 * @param totals The totals printed up to its end (whole numbers).
 * @param before The totals printed before it.
 * @returns Its lines, each ending in a newline (empty when nothing moved).
 *
 * @example Usage
 * ```ts
 * import { secondLines } from "./lines.ts";
 * import assert from "node:assert/strict";
 *
 * const counts = {
 *   connect_succ: 0, connect_fail: 0, connect_retried: 0, disconnected: 0,
 *   reconnect_succ: 0, reconnect_fail: 0, pub: 0, pub_fail: 0, sub: 0, sub_fail: 0,
 * };
 * assert.equal(
 *   secondLines(4, { ...counts, recv: 1000 }, { ...counts, recv: 5000 }, { ...counts, recv: 4000 }),
 *   "5s recv total=5000 rate=1000.00/sec\n",
 * );
 * ```
 */
export function secondLines(
  index: number,
  second: BenchSecond,
  totals: Record<string, number>,
  before: Record<string, number>,
): string {
  let text = "";
  const at = clock(index + 1);
  for (const name of COUNT_NAMES) {
    const moved = totals[name] - before[name];
    if (moved === 0) continue;
    text += `${at} ${name} total=${totals[name]} rate=${moved.toFixed(2)}/sec\n`;
  }
  const h = second.latency;
  if (h !== undefined && h.count > 0) {
    text += `${at} latency p50=${ms(h.quantile(0.5))} p99=${ms(h.quantile(0.99))}\n`;
  }
  return text;
}

/** emqtt-bench's elapsed time: `59s`, `1m0s`, `1h2m3s`. */
function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor(seconds / 60) % 60;
  const s = seconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

/**
 * A latency in ms, to a tenth below 10 ms.
 *
 * @param v Milliseconds.
 * @returns Such as `0.8ms` or `12ms`.
 *
 * @example Usage
 * ```ts
 * import { ms } from "./lines.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ms(0.84), "0.8ms");
 * assert.equal(ms(12.4), "12ms");
 * ```
 */
export function ms(v: number): string {
  return (v < 10 ? v.toFixed(1) : String(Math.round(v))) + "ms";
}

/**
 * The Output that prints the lines and the summary.
 *
 * @example Usage
 * ```ts
 * import { BenchLines } from "./lines.ts";
 *
 * const lines = new BenchLines({ writer: Deno.stdout, quiet: true, summary: () => "" });
 * lines.start(Date.now());
 * await lines.stop();
 * ```
 */
export class BenchLines implements Output {
  /** The counts. */
  readonly tally: BenchTally = new BenchTally();
  readonly #options: BenchLinesOptions;
  /** The seconds' counts summed (shares of a period make fractions). */
  readonly #running: Record<string, number> = zeros();
  /** The totals the lines printed so far (whole numbers). */
  #printedTotals: Record<string, number> = zeros();
  #startMs = 0;
  #printed = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param options Writer, quietness, summary. */
  constructor(options: BenchLinesOptions) {
    this.#options = options;
  }

  /** The banner's text. */
  description(): string {
    return "bench lines (stdout)";
  }

  /** @param startMs The test start. */
  start(startMs: number): void {
    this.#startMs = startMs;
    this.tally.start(startMs);
    const stops = this.#options.stopsAfterMs;
    if (stops !== undefined) this.tally.stopping(startMs + stops);
    this.#arm();
  }

  /**
   * @param snapshot A merged snapshot.
   * @param atMs Its time.
   */
  addSamples(snapshot: MetricsSnapshot, atMs: number): void {
    this.tally.add(snapshot, atMs);
  }

  /** @param end The summary, when the run has one. */
  stop(end?: TestEnd): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#startMs === 0) return Promise.resolve();
    this.#print(this.tally.seconds);
    this.#printRest();
    const activeMs = Date.now() - this.#startMs;
    writeAll(this.#options.writer, this.#options.summary(this.tally, end, activeMs));
    return Promise.resolve();
  }

  /** Prints every second before `upTo` not printed yet. */
  #print(upTo: number): void {
    let text = "";
    for (; this.#printed < upTo; this.#printed++) {
      const second = this.tally.second(this.#printed);
      const totals = zeros();
      for (const name of COUNT_NAMES) {
        this.#running[name] += second[name];
        // Never below what was printed: totals only grow.
        totals[name] = Math.max(this.#printedTotals[name], Math.round(this.#running[name]));
      }
      if (!this.#options.quiet) {
        text += secondLines(this.#printed, second, totals, this.#printedTotals);
        if (this.#options.holding && totals.connect_succ > 0) {
          text += `${clock(this.#printed + 1)} connected total=${connected(totals)}\n`;
        }
      }
      this.#printedTotals = totals;
    }
    this.tally.close(this.#printed);
    text += this.#reasons();
    if (text !== "") writeAll(this.#options.writer, text);
  }

  /** A last line when the run's totals moved past what the lines printed (the summary's). */
  #printRest(): void {
    const totals = zeros();
    for (const name of COUNT_NAMES) totals[name] = Math.round(this.tally.totals[name]);
    if (!this.#options.quiet) {
      const none = { ...zeros(), latency: undefined } as unknown as BenchSecond;
      writeAll(
        this.#options.writer,
        secondLines(this.#printed, none, totals, this.#printedTotals),
      );
    }
    this.#printedTotals = totals;
    const reasons = this.#reasons();
    if (reasons !== "") writeAll(this.#options.writer, reasons);
  }

  /**
   * emqtt-bench's `client(N): connect error - Reason` and `client(N): EXIT for Reason` (a lost
   * connection), and mqload's `client(N): reconnect error - Reason`, for the first few clients
   * of each reason.
   */
  #reasons(): string {
    let text = "";
    const at = clock(Math.max(1, this.#printed));
    for (const { kind, reason, client } of this.tally.takeNewReasons()) {
      if (this.#options.quiet) continue;
      text += `${at} client(${client ?? "?"}): ${REASON_WORDS[kind]}${reason}\n`;
    }
    return text;
  }

  /** Re-armed from the test clock each second, so that it does not drift. */
  #arm(): void {
    const next = this.#startMs + (this.#printed + 1) * 1000 + SETTLE_MS;
    this.#timer = setTimeout(() => {
      this.#print(Math.floor((Date.now() - SETTLE_MS - this.#startMs) / 1000));
      this.#arm();
    }, Math.max(0, next - Date.now()));
  }
}

/** What comes before a reason in its line. */
const REASON_WORDS = {
  connect: "connect error - ",
  lost: "EXIT for ",
  reconnect: "reconnect error - ",
  publish: "publish error - ",
  subscribe: "subscribe error - ",
};

/** The clients connected after the counts of these totals. */
function connected(totals: Record<string, number>): number {
  return Math.max(0, totals.connect_succ + totals.reconnect_succ - totals.disconnected);
}

function zeros(): Record<string, number> {
  return Object.fromEntries(COUNT_NAMES.map((name) => [name, 0]));
}
