/**
 * The counts of a bench, second by second and in total, taken from the snapshots the main
 * thread merges (per series, never per sample): connects, failed connects, retries, messages
 * published, failed publications, messages received, the end-to-end latency, and the lost,
 * duplicated and out-of-order messages of each publisher. The per-second lines and the summary
 * both read it.
 *
 * @module
 */

import {
  MQTT_CONNECT_DURATION,
  MQTT_ERRORS,
  MQTT_MESSAGE_LATENCY,
  MQTT_MESSAGES_RECEIVED,
  MQTT_MESSAGES_SENT,
} from "../metrics/builtin.ts";
import { LogHistogram } from "../metrics/histogram.ts";
import { METHOD_TAG } from "../metrics/live_window.ts";
import { type MetricsSnapshot, periodShares, snapshotTime } from "../metrics/types.ts";
import { BENCH_METRIC_NAMES as M } from "./metric_names.ts";
import { type NewReason, type ReasonCount, ReasonTally } from "./reason_tally.ts";

/** The counters of a span, in emqtt-bench's names. */
export interface BenchCounts {
  /** Connections made. */
  connect_succ: number;
  /** Connection attempts failed. */
  connect_fail: number;
  /** Connection attempts retried. */
  connect_retried: number;
  /** Connections lost (emqtt-bench's `EXIT`). */
  disconnected: number;
  /** Connections made again after a loss (`--reconnect`). */
  reconnect_succ: number;
  /** Reconnect attempts failed. */
  reconnect_fail: number;
  /** Messages published. */
  pub: number;
  /** Publications failed. */
  pub_fail: number;
  /** Clients subscribed (emqtt-bench's `sub`). */
  sub: number;
  /** Clients whose SUBSCRIBE was refused. */
  sub_fail: number;
  /** Messages received. */
  recv: number;
}

/** The counters' names, in the order lines show them. */
export const COUNT_NAMES: readonly (keyof BenchCounts)[] = Object.freeze([
  "connect_succ",
  "connect_fail",
  "connect_retried",
  "disconnected",
  "reconnect_succ",
  "reconnect_fail",
  "pub",
  "pub_fail",
  "sub",
  "sub_fail",
  "recv",
]);

/** What a receiver found wrong in one publisher's stream. */
export interface StreamFaults {
  /** Messages missing. */
  lost: number;
  /** Messages received twice. */
  duplicated: number;
  /** Messages received after a later one. */
  outOfOrder: number;
}

/** The failed connects of one reason. */
export type ConnectErrors = ReasonCount;

/** One second of the run. */
export interface BenchSecond extends BenchCounts {
  /** The end-to-end latency of the messages received in it. */
  latency?: LogHistogram;
}

const zero = (): BenchCounts => ({
  connect_succ: 0,
  connect_fail: 0,
  connect_retried: 0,
  disconnected: 0,
  reconnect_succ: 0,
  reconnect_fail: 0,
  pub: 0,
  pub_fail: 0,
  sub: 0,
  sub_fail: 0,
  recv: 0,
});

/**
 * Counts of a bench run.
 *
 * @example Usage
 * ```ts
 * import { BenchTally } from "./tally.ts";
 * import assert from "node:assert/strict";
 *
 * const tally = new BenchTally();
 * tally.start(0);
 * tally.add({
 *   metrics: [{
 *     name: "mqtt_messages_sent", type: "counter", contains: "default",
 *     series: [{ tags: {}, n: 10, sum: 10 }],
 *   }],
 *   points: [], periodStartMs: 0, periodEndMs: 1000,
 * }, 1000);
 * assert.equal(tally.totals.pub, 10);
 * assert.equal(tally.second(0).pub, 10);
 * ```
 */
export class BenchTally {
  /** The run's totals. */
  readonly totals: BenchCounts = zero();
  /** The end-to-end latency of the whole run. */
  readonly latency: LogHistogram = new LogHistogram();
  /** Faults by publisher (stream). */
  readonly faults: Map<string, StreamFaults> = new Map();
  /** Failed connects, lost connections and failed reconnects by reason. */
  readonly reasons: ReasonTally = new ReasonTally();
  /** Failed connects by reason, in the order the reasons came. */
  readonly connectErrors: Map<string, ConnectErrors> = this.reasons.connect;
  /** Clients that gave up reconnecting. */
  gaveUp = 0;
  /** Clients still reconnecting when the run ended. */
  reconnectingAtEnd = 0;
  /** Clients whose connect turn came after `--duration`'s end: never started. */
  unfinished = 0;
  /** Publications started (the script's count). */
  pubStarted = 0;
  /** Publications due by the end that never went out (the `-F` window stayed full). */
  pubLate = 0;
  /** Publications that failed once the run was being stopped (their clients closed). */
  #failedAtStop = 0;
  #stoppedAtMs = Infinity;
  /** When each counter first and last moved, epoch ms (from the script's `bench_event_time`). */
  readonly windows: Map<string, { first: number; last: number }> = new Map();
  readonly #seconds: BenchSecond[] = [];
  #startMs = NaN;
  /** The first second whose line is not printed yet: later counts for earlier ones go there. */
  #open = 0;
  /** Whether the bench's own latency metric was seen (it wins over the client's). */
  #ownLatency = false;

  /**
   * The test clock started.
   *
   * @param startMs Its start, epoch ms.
   */
  start(startMs: number): void {
    this.#startMs = startMs;
  }

  /** Seconds with figures so far (the index after the last). */
  get seconds(): number {
    return this.#seconds.length;
  }

  /**
   * Seconds before `upTo` are printed: counts that arrive for them from now on (a Worker that
   * reported late) go to the first second not printed, so that no printed total misses them.
   *
   * @param upTo The first second not printed.
   */
  close(upTo: number): void {
    this.#open = Math.max(this.#open, upTo);
  }

  /**
   * A second's figures (zeros when it had none).
   *
   * @param index 0 for the run's first.
   * @returns Its figures.
   */
  second(index: number): BenchSecond {
    return this.#seconds[index] ?? zero();
  }

  /**
   * Adds a merged snapshot.
   *
   * @param snapshot The snapshot.
   * @param atMs The time its samples belong to.
   */
  add(snapshot: MetricsSnapshot, atMs: number): void {
    const index = Math.floor((snapshotTime(snapshot, atMs) - this.#startMs) / 1000);
    const second = Number.isNaN(index) ? undefined : this.#bucket(Math.max(index, this.#open));
    const delta = zero();
    const count = (key: keyof BenchCounts, n: number) => delta[key] += n;
    let unsent = 0;
    for (const m of snapshot.metrics) {
      for (const s of m.series) {
        switch (m.name) {
          case MQTT_CONNECT_DURATION:
            count("connect_succ", s.histogram?.count ?? 0);
            break;
          case MQTT_ERRORS: {
            const method = s.tags[METHOD_TAG];
            if (method === "publish") count("pub_fail", s.sum);
            else if (method === "reconnect") count("reconnect_fail", s.sum);
            break;
          }
          // As emqtt-bench's: a client that gave up, not each failed attempt (connect_retried).
          case M.connectFailed:
            count("connect_fail", s.sum);
            break;
          case M.connectError:
            this.reasons.add("connect", s.tags.reason ?? "unknown", s.tags.client, s.sum);
            break;
          case M.connLost:
            count("disconnected", s.sum);
            this.reasons.add("lost", s.tags.reason ?? "unknown", s.tags.client, s.sum);
            break;
          case M.reconnectError:
            this.reasons.add("reconnect", s.tags.reason ?? "unknown", s.tags.client, s.sum);
            break;
          case M.pubError:
            this.reasons.add("publish", s.tags.reason ?? "unknown", s.tags.client, s.sum);
            break;
          case M.subscribed:
            count("sub", s.sum);
            break;
          case M.subError:
            count("sub_fail", s.sum);
            this.reasons.add("subscribe", s.tags.reason ?? "unknown", s.tags.client, s.sum);
            break;
          case M.reconnected:
            // The client's connect duration counts reconnects too: they are shown apart.
            count("reconnect_succ", s.sum);
            count("connect_succ", -s.sum);
            break;
          case M.pubStarted:
            this.pubStarted += s.sum;
            break;
          case M.pubUnsent:
            unsent += s.sum;
            break;
          case M.pubLate:
            this.pubLate += s.sum;
            break;
          case M.reconnectGaveUp:
            this.gaveUp += s.sum;
            break;
          case M.reconnectingAtEnd:
            this.reconnectingAtEnd += s.sum;
            break;
          case M.connectUnfinished:
            this.unfinished += s.sum;
            break;
          case M.eventTime:
            this.#eventTime(s.tags.counter, s.tags.edge, s.min, s.max);
            break;
          case M.connectRetried:
            count("connect_retried", s.sum);
            break;
          case MQTT_MESSAGES_SENT:
            count("pub", s.sum);
            break;
          case MQTT_MESSAGES_RECEIVED:
            count("recv", s.sum);
            break;
          case M.latency:
          case MQTT_MESSAGE_LATENCY:
            this.#latency(m.name === M.latency, s.histogram, second);
            break;
          case M.lost:
          case M.duplicated:
          case M.outOfOrder: {
            const publisher = s.tags.publisher ?? "";
            const faults = this.faults.get(publisher) ??
              { lost: 0, duplicated: 0, outOfOrder: 0 };
            const key = m.name === M.lost
              ? "lost"
              : m.name === M.duplicated
              ? "duplicated"
              : "outOfOrder";
            faults[key] += s.sum;
            this.faults.set(publisher, faults);
          }
        }
      }
    }
    if ((snapshot.periodEndMs ?? atMs) > this.#stoppedAtMs) {
      this.#failedAtStop += delta.pub_fail;
      // Those never sent (made while reconnecting) are failures, not in flight; the clients the
      // stop closed report none (before the stop, the client's own count has them).
      delta.pub_fail = unsent;
    }
    for (const key of COUNT_NAMES) this.totals[key] += delta[key];
    if (COUNT_NAMES.every((key) => delta[key] === 0) || Number.isNaN(this.#startMs)) return;
    // A drain that fired late ran past its second: its counts are shared out by overlap, so that
    // a steady rate reads steady (percentiles stay in the second of the period's middle). Shares
    // of seconds already printed (or before the start) go to the first open one: never lost.
    for (const [i, share] of periodShares(snapshot, this.#startMs, 1000, atMs)) {
      const bucket = this.#bucket(Math.max(i, this.#open));
      for (const key of COUNT_NAMES) bucket[key] += delta[key] * share;
    }
  }

  /**
   * Publications unacknowledged when the run was stopped: started but neither published nor
   * failed before the stop (those failing as the clients closed were in flight, or waiting for
   * room in the window, unless never sent).
   *
   * @returns Their count.
   */
  unacked(): number {
    const started = this.pubStarted;
    if (started === 0) return Math.round(this.#failedAtStop);
    return Math.max(0, Math.round(started - this.totals.pub - this.totals.pub_fail));
  }

  /**
   * The run is being stopped (Ctrl+C): publications that fail from now on were in flight, their
   * clients closed before their acknowledgement; they count as in flight ({@linkcode unacked}), not
   * failed, unless the script counted them as never sent (`bench_pub_unsent`).
   *
   * @param atMs When, epoch ms.
   */
  stopping(atMs: number): void {
    this.#stoppedAtMs = Math.min(this.#stoppedAtMs, atMs);
  }

  /**
   * The reasons of failures not taken yet, each once.
   *
   * @returns The reasons new since the last call.
   */
  takeNewReasons(): NewReason[] {
    return this.reasons.takeNew();
  }

  #eventTime(
    counter: string | undefined,
    edge: string | undefined,
    min: number | undefined,
    max: number | undefined,
  ): void {
    if (counter === undefined || min === undefined || max === undefined) return;
    const window = this.windows.get(counter) ?? { first: Infinity, last: -Infinity };
    if (edge === "first") window.first = Math.min(window.first, min);
    if (edge === "last") window.last = Math.max(window.last, max);
    this.windows.set(counter, window);
  }

  /** The faults summed over publishers. */
  faultTotals(): StreamFaults {
    const t = { lost: 0, duplicated: 0, outOfOrder: 0 };
    for (const f of this.faults.values()) {
      t.lost += f.lost;
      t.duplicated += f.duplicated;
      t.outOfOrder += f.outOfOrder;
    }
    return t;
  }

  #latency(
    own: boolean,
    histogram: Parameters<LogHistogram["merge"]>[0] | undefined,
    second: BenchSecond | undefined,
  ): void {
    if (histogram === undefined) return;
    // The payload header's latency when the bench has it, else the client's own stamp.
    if (own && !this.#ownLatency) {
      this.#ownLatency = true;
      this.latency.reset();
      for (const s of this.#seconds) if (s !== undefined) delete s.latency;
    }
    if (!own && this.#ownLatency) return;
    this.latency.merge(histogram);
    if (second !== undefined) (second.latency ??= new LogHistogram()).merge(histogram);
  }

  #bucket(index: number): BenchSecond {
    for (let i = this.#seconds.length; i <= index; i++) this.#seconds[i] = zero();
    return this.#seconds[index];
  }
}
