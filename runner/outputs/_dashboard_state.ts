/**
 * The web dashboard's data: what the page shows at one moment, built from the run's
 * {@linkcode Timeline} (the HTML report's series), a {@linkcode LiveWindow} (the last complete
 * second's figures, as the live line on stderr shows them), the Workers' VU and connection
 * figures, the checks seen so far and, when the run has ended, the thresholds' verdicts and the
 * summary's checks. The page is rendered from a {@linkcode DashboardState} and every
 * Server-Sent Event carries one.
 *
 * @module
 */

import { Timeline, TIMELINE_CONNECTIONS, type TimelineJSON } from "./timeline.ts";
import { reportCharts } from "./html_report.ts";
import { checksSection, thresholdTable } from "./_report_tables.ts";
import { escapeHtml, formatCompact, formatMs, formatNumber } from "./_report_text.ts";
import type { RunStatus, TestEnd } from "./output.ts";
import type { Thresholds } from "../metrics/thresholds.ts";
import type { MetricsSnapshot } from "../metrics/registry.ts";
import type { SummaryCheck, SummaryGroup } from "../summary/data.ts";
import { formatDuration } from "../config/duration.ts";
import { LIVE_SETTLE_MS, type LivePercentiles, LiveWindow } from "../metrics/live_window.ts";
import { CHECKS, ITERATIONS, VUS, VUS_MAX } from "../metrics/builtin.ts";

/** One number on the page, with its text as shown. */
export interface DashboardFigure {
  /** Element id on the page, less the `fig-` prefix. */
  id: string;
  /** What it is. */
  label: string;
  /** Its value (rates per second, durations in ms), or null when unknown yet. */
  value: number | null;
  /** Its value as shown. */
  text: string;
}

/** What the page shows at one moment. */
export interface DashboardState {
  /** Before the test clock starts, during the test, after it. */
  phase: "waiting" | "running" | "ended";
  /** Test time so far, in ms. */
  elapsedMs: number;
  /**
   * The last complete second's figures (from a `LiveWindow`, as the live line); `second` is
   * when it ended, in whole seconds of test time, or null before the first one is complete.
   */
  live: { second: number | null; figures: DashboardFigure[] };
  /** Totals since the start. */
  totals: DashboardFigure[];
  /** HTML of the parts the page redraws: `part-<key>` element id → inner HTML. */
  html: { status: string; charts: string; thresholds: string; checks: string };
}

/** Options of {@linkcode DashboardData}. */
export interface DashboardDataOptions {
  /** The test's thresholds, listed (pending) until their verdicts are known. */
  thresholds?: Thresholds;
  /** Most distinct checks followed live (default 200); the rest wait for the summary. */
  maxChecks?: number;
}

/**
 * The dashboard's data, fed as the HTML report's output is fed.
 *
 * @example Usage
 * ```ts
 * import { DashboardData } from "./_dashboard_state.ts";
 * import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
 * import assert from "node:assert/strict";
 *
 * const worker = new MetricRegistry();
 * defineBuiltins(worker);
 * const data = new DashboardData();
 * data.start(0);
 * for (let i = 0; i < 40; i++) worker.add("mqtt_messages_received", 1);
 * data.record(worker.drain(), 500);
 * const state = data.state(1500);
 * assert.equal(state.totals.find((f) => f.id === "total-received")?.value, 40);
 * assert.equal(state.live.figures.find((f) => f.id === "live-received")?.value, 40);
 * ```
 */
export class DashboardData {
  readonly #thresholds: Thresholds | undefined;
  readonly #maxChecks: number;
  readonly #checks = new Map<string, SummaryCheck>();
  #timeline: Timeline | undefined;
  #live: LiveWindow | undefined;
  #startMs: number | undefined;
  #vus: number | null = null;
  #vusMax: number | null = null;
  #end: TestEnd | undefined;

  /**
   * Makes empty data.
   *
   * @param options Thresholds and bounds.
   */
  constructor(options: DashboardDataOptions = {}) {
    this.#thresholds = options.thresholds;
    this.#maxChecks = options.maxChecks ?? 200;
  }

  /** The run's series (undefined before the test clock starts), for the exported report. */
  get timeline(): Timeline | undefined {
    return this.#timeline;
  }

  /**
   * The test clock started.
   *
   * @param startMs In ms since the epoch.
   */
  start(startMs: number): void {
    this.#startMs = startMs;
    this.#timeline = new Timeline({ startMs });
    this.#live = new LiveWindow({ startMs });
  }

  /**
   * A merged snapshot (ignored before the test clock starts, as in the HTML report).
   *
   * @param snapshot The snapshot.
   * @param atMs The time its samples belong to (its period's middle, or when it was merged).
   */
  record(snapshot: MetricsSnapshot, atMs: number): void {
    if (this.#timeline === undefined) return;
    this.#timeline.record(snapshot, atMs);
    this.#live?.add(snapshot, atMs);
    for (const m of snapshot.metrics) {
      if (m.name !== CHECKS) continue;
      for (const s of m.series) {
        const name = s.tags.check;
        if (name === undefined) continue;
        const group = s.tags.group ?? "";
        const key = `${group}::${name}`;
        let check = this.#checks.get(key);
        if (check === undefined) {
          if (this.#checks.size >= this.#maxChecks) continue;
          const shown = group ? `${group.replace(/^::/, "").replaceAll("::", " › ")} › ` : "";
          check = { name: shown + name, path: key, id: key, passes: 0, fails: 0 };
          this.#checks.set(key, check);
        }
        check.passes += s.sum;
        check.fails += s.n - s.sum;
      }
    }
  }

  /**
   * The VU figures a Worker reported.
   *
   * @param status The figures.
   */
  status(status: RunStatus): void {
    this.#vus = status.vus;
    this.#vusMax = status.vusMax;
    this.#timeline?.gauge(VUS, status.vus, status.atMs);
    this.#timeline?.gauge(VUS_MAX, status.vusMax, status.atMs);
    if (status.connections !== undefined) {
      this.#timeline?.gauge(TIMELINE_CONNECTIONS, status.connections, status.atMs);
      this.#live?.connected(status.connections, status.atMs);
    }
  }

  /**
   * The run ended: the verdicts and the summary's checks replace the live ones.
   *
   * @param end The summary and verdicts.
   */
  end(end: TestEnd): void {
    this.#end = end;
  }

  /**
   * What the page shows now.
   *
   * @param nowMs Now, in ms since the epoch.
   * @returns The state.
   */
  state(nowMs: number): DashboardState {
    const json = this.#timeline?.toJSON();
    // Charts show the seconds that are over; the totals count everything so far.
    const chart = json === undefined || this.#end !== undefined
      ? json
      : completeSeconds(structuredClone(json), nowMs);
    const phase = this.#end ? "ended" : this.#startMs === undefined ? "waiting" : "running";
    const elapsedMs = Math.round(
      this.#end
        ? this.#end.summary.state.testRunDurationMs
        : Math.max(0, nowMs - (this.#startMs ?? nowMs)),
    );
    return {
      phase,
      elapsedMs,
      live: liveFigures(this.#live, nowMs, this.#vus, this.#vusMax),
      totals: totals(this.#live, json, elapsedMs),
      html: {
        status: this.#statusHtml(phase, elapsedMs),
        charts: reportCharts(chart),
        thresholds: this.#end
          ? thresholdTable(this.#end.thresholds, this.#end.summary)
          : pendingThresholds(this.#thresholds),
        checks: checksSection(this.#end ? this.#end.summary.root_group : this.#liveChecks()),
      },
    };
  }

  #liveChecks(): SummaryGroup {
    return { name: "", path: "", id: "", groups: [], checks: [...this.#checks.values()] };
  }

  #statusHtml(phase: DashboardState["phase"], elapsedMs: number): string {
    if (phase === "waiting") {
      return `<span class="status none">Waiting for the test to start</span>`;
    }
    if (phase === "running") {
      return `<span class="status live">● Running · ${
        escapeHtml(formatDuration(elapsedMs))
      }</span>`;
    }
    const results = this.#end!.thresholds;
    const failed = results.filter((t) => !t.ok).length;
    return results.length === 0
      ? `<span class="status none">Ended · no thresholds</span>`
      : failed === 0
      ? `<span class="status ok">✓ All ${results.length} thresholds passed</span>`
      : `<span class="status bad">✗ ${failed} of ${results.length} thresholds failed</span>`;
  }
}

/** The last complete second's figures, from the live window. */
function liveFigures(
  live: LiveWindow | undefined,
  nowMs: number,
  vus: number | null,
  vusMax: number | null,
): DashboardState["live"] {
  const s = live?.last(nowMs);
  const n = (v: number | undefined) => s === undefined ? null : v ?? 0;
  const p = (v: LivePercentiles | undefined, q: "p50" | "p99") => v?.[q] ?? null;
  return {
    second: s === undefined ? null : s.index + 1,
    figures: [
      figure("live-vus", "VUs", vus, count, vusMax !== null ? ` of ${formatNumber(vusMax)}` : ""),
      figure("live-connected", "Connected", s?.connected ?? null, count),
      figure("live-connects", "Connects/s", n(s?.connects), perSecond),
      figure("live-connect-failures", "Connect fails/s", n(s?.connectFailures), perSecond),
      figure("live-sent", "Published/s", n(s?.sent), perSecond),
      figure("live-publish-failures", "Publish fails/s", n(s?.publishFailures), perSecond),
      figure("live-received", "Received/s", n(s?.received), perSecond),
      figure("live-errors", "Errors/s", n(s?.errors), perSecond),
      figure("live-latency-p50", "Latency p50", p(s?.latency, "p50"), formatMs),
      figure("live-latency-p99", "Latency p99", p(s?.latency, "p99"), formatMs),
      figure("live-publish-p50", "Publish RTT p50", p(s?.publishRtt, "p50"), formatMs),
      figure("live-publish-p99", "Publish RTT p99", p(s?.publishRtt, "p99"), formatMs),
    ],
  };
}

function totals(
  live: LiveWindow | undefined,
  t: TimelineJSON | undefined,
  elapsedMs: number,
): DashboardFigure[] {
  const sum = (name: string) => t?.counters[name]?.total.reduce((a, b) => a + b, 0) ?? 0;
  const so = live?.totals();
  return [
    figure("total-elapsed", "Test time", elapsedMs, (ms) => formatDuration(Math.round(ms))),
    figure("total-iterations", "Iterations", sum(ITERATIONS), count),
    figure("total-connects", "Connects", so?.connects ?? 0, count),
    figure("total-sent", "Messages sent", so?.sent ?? 0, count),
    figure("total-received", "Messages received", so?.received ?? 0, count),
    figure("total-errors", "MQTT errors", so?.errors ?? 0, count),
  ];
}

function figure(
  id: string,
  label: string,
  value: number | null,
  format: (v: number) => string,
  suffix = "",
): DashboardFigure {
  return { id, label, value, text: value === null ? "–" : format(value) + suffix };
}

function count(v: number): string {
  return formatNumber(v);
}

function perSecond(v: number): string {
  return `${formatCompact(v)}/s`;
}

/** The thresholds before their verdicts: what each one says, pending. */
function pendingThresholds(thresholds: Thresholds | undefined): string {
  const entries = thresholds?.entries ?? [];
  if (entries.length === 0) {
    return `<p class="empty-note">No thresholds were set.</p>`;
  }
  const rows = entries.map((e) =>
    `<tr class="threshold pending"><td class="verdict pending"><span>… pending</span></td>` +
    `<td><code>${escapeHtml(e.key)}</code></td><td><code>${escapeHtml(e.source)}</code>${
      e.abortOnFail ? ' <span class="muted">abortOnFail</span>' : ""
    }</td><td class="num">at the end</td></tr>`
  );
  return `<table id="thresholds"><thead><tr><th>Verdict</th><th>Metric</th><th>Threshold</th>` +
    `<th class="num">Observed</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/**
 * Cuts a running test's series to the buckets that are over: the second under way has only part
 * of its samples (or none yet, beside gauges already set), and drawn as such it would dip.
 */
export function completeSeconds(json: TimelineJSON, nowMs: number): TimelineJSON {
  const n = Math.max(
    0,
    Math.min(json.length, Math.floor((nowMs - LIVE_SETTLE_MS - json.startMs) / json.stepMs)),
  );
  if (n === json.length) return json;
  json.length = n;
  for (const k in json.gauges) json.gauges[k] = json.gauges[k].slice(0, n);
  for (const c of Object.values(json.counters)) {
    c.total = c.total.slice(0, n);
    c.rate = c.rate.slice(0, n);
  }
  for (const t of Object.values(json.trends)) {
    for (const key of Object.keys(t) as Array<keyof typeof t>) {
      (t[key] as unknown[]) = (t[key] as unknown[]).slice(0, n);
    }
  }
  return json;
}
