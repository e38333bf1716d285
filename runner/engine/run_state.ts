/**
 * The main thread's state during a run: the Workers and their latest figures, the merged
 * metrics and the outputs and live figures they feed, the periodic duties (progress and the
 * live line, the VU gauges, the
 * `k6/execution` ticks, `abortOnFail` thresholds, the hard end) and stopping. The watchdog
 * (`watchdog.ts`), the shared iteration budgets (`budgets.ts`) and the VU gauges
 * (`vus_gauges.ts`) are files of their own beside it.
 *
 * @module
 */

import type { RunSettings } from "./run.ts";
import { scenarioMaxEndMs, scenarioProgress } from "../executors/mod.ts";
import { defineBuiltins, MetricRegistry, type MetricsSnapshot } from "../metrics/registry.ts";
import { snapshotTime } from "../metrics/types.ts";
import { LiveWindow } from "../metrics/live_window.ts";
import type { OutputSet } from "../outputs/output_set.ts";
import type { TestPlan } from "../config/options.ts";
import type { Progress, ProgressState } from "./progress.ts";
import type { PreparedScript } from "../script/loader.ts";
import { WorkerHandle } from "./worker_pool.ts";
import {
  epochNow,
  type InstanceInfo,
  nextTick,
  type WorkerMessage,
  type WorkerStats,
} from "../worker/messages.ts";
import { Watchdog } from "./watchdog.ts";
import { IterationBudgets } from "./budgets.ts";
import { VusGauges } from "./vus_gauges.ts";
import { liveLine } from "./live_line.ts";

type Notification = Exclude<WorkerMessage, { type: "reply" }>;
type StopReason = "signal" | "script" | "thresholds" | "crash";

const LEVELS = { debug: "DEBU", info: "INFO", warn: "WARN", error: "ERRO" } as const;

/** The Workers' figures summed; `finished` counts, per scenario, the Workers done with it. */
export type Totals = Omit<WorkerStats, "peak" | "finished"> & { finished: Map<string, number> };

/** See the module documentation. */
export class RunState {
  readonly settings: RunSettings;
  readonly progress: Progress;
  readonly log: (level: string, text: string, source?: string) => void;
  script?: PreparedScript;
  readonly registry: MetricRegistry;
  readonly workers: WorkerHandle[] = [];
  /** The run's outputs, once opened. */
  outputs?: OutputSet;
  readonly budgets: IterationBudgets = new IterationBudgets();
  maxVus = 0;
  t0 = 0;
  stopping = false;
  /** `exec.test.fail()` was called in some Worker. */
  markedFailed = false;
  #gauges?: VusGauges;
  /** The per-second figures of the live line (none with `--quiet`). */
  #live?: LiveWindow;
  /** The timers re-armed each second from the test clock (see `#halfSeconds`). */
  readonly #clockTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #stats = new Map<WorkerHandle, WorkerStats>();
  readonly #done = new Set<WorkerHandle>();
  readonly #finished = Promise.withResolvers<void>();
  readonly #timers: ReturnType<typeof setTimeout>[] = [];
  readonly #errors = new Set<string>();
  readonly #watchdog = new Watchdog((w, why) => this.#lost(w, why));
  #reason: StopReason | undefined;
  #onSignal = () => this.stop("signal");
  /** One more than the highest Worker index so far, for the snapshots' `source`. */
  #sources = 0;

  constructor(
    settings: RunSettings,
    progressView: Progress,
    log: (level: string, text: string, source?: string) => void,
  ) {
    this.settings = settings;
    this.progress = progressView;
    this.log = log;
    this.registry = new MetricRegistry({
      // Said once, also when the Workers' registries said it first.
      onWarning: (text) => {
        if (this.#errors.has(text)) return;
        this.#errors.add(text);
        log("WARN", text);
      },
    });
    defineBuiltins(this.registry);
  }

  /** Resolves when every started Worker has finished its scenarios. */
  get finished(): Promise<void> {
    return this.#finished.promise;
  }

  /** Starts a Worker. */
  addWorker(index: number): WorkerHandle {
    const handle = new WorkerHandle(
      index,
      (w, m) => this.#onMessage(w, m),
      (w, error) => this.#watchdog.lose(w, `Worker ${w.index} crashed: ${String(error)}`),
    );
    this.workers.push(handle);
    this.#sources = Math.max(this.#sources, index + 1);
    this.#watchdog.watch(handle);
    return handle;
  }

  /**
   * Whether a Worker is gone (crashed, or silent too long and terminated).
   *
   * @param w The Worker.
   * @returns True when it is.
   */
  isDead(w: WorkerHandle): boolean {
    return this.#watchdog.isLost(w);
  }

  /** A Worker is gone: say why, stop the test, and let nothing wait for it. */
  #lost(w: WorkerHandle, why: string): void {
    this.log("ERRO", why);
    this.#reason ??= "crash";
    w.terminate();
    // Its clients went with it: a lost Worker holds no connection, whatever it last reported.
    const last = this.#stats.get(w);
    if (last !== undefined) last.connections = 0;
    this.#markDone(w);
    if (this.t0 > 0) this.stop("crash", true);
  }

  /** The test clock started: begin the periodic duties. */
  started(t0: number, plan: TestPlan): void {
    this.t0 = t0;
    this.outputs?.start(t0);
    this.#gauges = new VusGauges(this.outputs?.wantPoints ?? false, plan.tags);
    this.#watchdog.running();
    if (!this.settings.quiet) this.#live = new LiveWindow({ startMs: t0 });
    const every = (ms: number, fn: () => void) => this.#timers.push(setInterval(fn, ms));
    if (this.progress.tty) every(200, () => this.render(plan));
    else this.#halfSeconds("render", t0, () => this.render(plan));
    this.#halfSeconds("sample", t0, () => this.#sample());
    // A first `vus` sample once the VUs are running, for runs shorter than a second.
    this.#timers.push(setTimeout(() => this.#sample(), 100));
    if (plan.thresholds?.entries.some((e) => e.abortOnFail)) {
      every(2000, () => this.#abortOnFail(plan, t0));
    }
    // Never wait past the last scenario's hard end (plus slack for the last messages).
    const maxEnd = Math.max(0, ...plan.scenarios.map((c) => scenarioMaxEndMs(c, plan.tuple)));
    this.#timers.push(setTimeout(() => {
      this.log(
        "ERRO",
        "the test is still running 10s after its scenarios' hard end (duration plus " +
          "gracefulStop): interrupting the iterations left",
      );
      this.stop("crash", true);
    }, maxEnd + 10_000));
    this.settings.signal?.addEventListener("abort", this.#onSignal);
    if (this.settings.signal?.aborted) this.#onSignal();
    if (this.workers.every((w) => this.#done.has(w))) this.#finished.resolve();
  }

  /**
   * Calls `fn` half-way through each of the test clock's seconds: the Workers drain on the whole
   * seconds, so their figures of the second just ended have arrived by then (a tick on the whole
   * second would race them, and see some Workers' report and not others'). Each timer is armed
   * anew from the clock, so that it does not drift. Used without a terminal for the progress and
   * live lines, and always for the VU gauges.
   */
  #halfSeconds(name: string, t0: number, fn: () => void): void {
    const now = epochNow();
    const next = nextTick(t0, 500, now);
    this.#clockTimers.set(
      name,
      setTimeout(() => {
        fn();
        this.#halfSeconds(name, t0, fn);
      }, Math.max(0, next - now)),
    );
  }

  #abortOnFail(plan: TestPlan, t0: number): void {
    const results = plan.thresholds!.evaluate(this.registry, epochNow() - t0, {
      ignoreEmpty: true,
    });
    const failing = results.filter((r) => r.shouldAbort);
    if (failing.length === 0 || this.#reason !== undefined) return;
    const names = [...new Set(failing.map((r) => r.metric))].join(", ");
    this.log(
      "ERRO",
      `thresholds on metrics '${names}' were crossed; at least one has abortOnFail enabled, ` +
        "stopping test prematurely",
    );
    this.stop("thresholds", true);
  }

  /**
   * Stops the test: no new iterations; running ones get `gracefulStop` (or none when `now`).
   *
   * @param reason Why.
   * @param now Interrupt running iterations at once.
   */
  stop(reason: StopReason, now = false): void {
    if (!this.stopping) {
      this.#reason ??= reason;
      this.stopping = true;
      if (reason === "signal") {
        this.log("WARN", "Stopping the test gracefully (press Ctrl+C again to abort at once)...");
      }
      for (const w of this.workers) w.send({ type: "stop" });
    }
    if (now) { for (const w of this.workers) w.send({ type: "interrupt" }); }
  }

  /** k6's exit code for how the run stopped (0 when it ran to its end). */
  exitCode(): number {
    switch (this.#reason) {
      case "signal":
        return 105;
      case "script":
        return 108;
      case "thresholds":
        return 99;
      case "crash":
        return 107;
      default:
        return 0;
    }
  }

  /** Sums the Workers' latest figures. */
  totals(): Totals {
    const t: Totals = {
      active: 0,
      initialized: 0,
      completed: 0,
      interrupted: 0,
      failed: 0,
      scenarios: {},
      finished: new Map(),
      connections: 0,
    };
    for (const s of this.#stats.values()) {
      t.active += s.active;
      t.initialized += s.initialized;
      t.completed += s.completed;
      t.interrupted += s.interrupted;
      t.failed += s.failed;
      t.connections += s.connections;
      for (const [k, n] of Object.entries(s.scenarios)) t.scenarios[k] = (t.scenarios[k] ?? 0) + n;
      for (const k of s.finished) t.finished.set(k, (t.finished.get(k) ?? 0) + 1);
    }
    return t;
  }

  /** Stops the periodic duties and records the last gauges. */
  stopTicking(): void {
    for (const id of this.#timers) clearInterval(id);
    this.#timers.length = 0;
    for (const id of this.#clockTimers.values()) clearTimeout(id);
    this.#clockTimers.clear();
    this.#sample(true);
    this.settings.signal?.removeEventListener("abort", this.#onSignal);
  }

  /** Terminates the Workers and timers. */
  close(): void {
    for (const id of this.#timers) clearInterval(id);
    for (const id of this.#clockTimers.values()) clearTimeout(id);
    this.#clockTimers.clear();
    this.#watchdog.close();
    this.settings.signal?.removeEventListener("abort", this.#onSignal);
    for (const w of this.workers) w.terminate();
  }

  /**
   * Redraws the progress from the Workers' latest figures.
   *
   * @param plan The test plan.
   * @param final Leave the last state on screen.
   */
  render(plan: TestPlan, final = false): void {
    const elapsed = this.t0 === 0 ? 0 : epochNow() - this.t0;
    const total = this.totals();
    const state: ProgressState = {
      elapsedMs: elapsed,
      vus: total.active,
      // k6 shows the VUs initialized so far (the summary's vus_max), not the most possible.
      maxVus: total.initialized,
      completed: total.completed,
      interrupted: total.interrupted,
      stopping: this.stopping,
      live: this.#liveLine(),
      scenarios: plan.scenarios.map((c) => {
        const done = total.finished.get(c.name) === this.budgets.workerCount(c.name);
        const { fraction, detail } = scenarioProgress(c, plan.tuple, {
          sinceMs: elapsed - c.startTime,
          iterationsDone: total.scenarios[c.name] ?? 0,
        });
        return { name: c.name, fraction: done ? 1 : fraction, detail };
      }),
    };
    if (final) this.progress.done(state);
    else this.progress.update(state);
  }

  /** The live line of the last complete second, when there is something to show. */
  #liveLine(): string | undefined {
    const second = this.#live?.last(epochNow());
    return second === undefined ? undefined : liveLine(second, this.#live!.totals());
  }

  /** Samples the VU gauges and tells the Workers the run's figures for `k6/execution`. */
  #sample(final = false): void {
    const t = this.totals();
    this.#gauges ??= new VusGauges(this.outputs?.wantPoints ?? false);
    const running = this.workers.filter((w) => !this.#done.has(w));
    this.#merge(this.#gauges.sample(this.#stats, running, t.initialized, final));
    // Each Worker hears the others' figures and adds its own, which it knows to the moment.
    for (const w of this.workers) {
      const own = this.#stats.get(w);
      const scenarios = { ...t.scenarios };
      for (const [k, n] of Object.entries(own?.scenarios ?? {})) scenarios[k] -= n;
      const others: InstanceInfo = {
        iterationsCompleted: t.completed - (own?.completed ?? 0),
        iterationsInterrupted: t.interrupted - (own?.interrupted ?? 0),
        vusActive: t.active - (own?.active ?? 0),
        vusInitialized: t.initialized - (own?.initialized ?? 0),
        scenarioIterations: scenarios,
      };
      w.send({ type: "tick", instance: others });
    }
  }

  /** Merges a snapshot, given to the outputs and live figures at its period's middle. */
  #merge(snapshot: MetricsSnapshot): number {
    const atMs = snapshotTime(snapshot, epochNow());
    this.registry.merge(snapshot);
    this.outputs?.addSamples(snapshot, atMs);
    this.#live?.add(snapshot, atMs);
    return atMs;
  }

  #markDone(w: WorkerHandle): void {
    this.#done.add(w);
    if (this.t0 > 0 && this.workers.every((x) => this.#done.has(x))) this.#finished.resolve();
  }

  #onMessage(w: WorkerHandle, m: Notification): void {
    this.#watchdog.heard(w);
    switch (m.type) {
      case "metrics": {
        m.snapshot.source = { index: w.index, of: this.#sources };
        const atMs = this.#merge(m.snapshot);
        // The peak since our last sample, across this Worker's reports in between.
        m.stats.peak = Math.max(m.stats.peak, this.#stats.get(w)?.peak ?? 0);
        this.#stats.set(w, m.stats);
        if (this.t0 > 0) this.#gauges?.reported(w);
        const t = this.totals();
        const vus = { vus: t.active, vusMax: t.initialized, connections: t.connections, atMs };
        this.outputs?.addStatus(vus);
        this.#live?.connected(t.connections, atMs);
        return;
      }
      case "logs":
        return this.#logLines(m.lines);
      case "need":
        return this.budgets.grant(w, m.scenario, this.stopping);
      case "done":
        return this.#markDone(w);
      case "abort":
        this.log("ERRO", m.reason);
        this.stop("script", true);
        return;
      case "failed":
        this.markedFailed = true;
        return;
    }
  }

  #logLines(lines: Extract<Notification, { type: "logs" }>["lines"]): void {
    for (const line of lines) {
      const text = this.script?.mapPaths(line.text) ?? line.text;
      // Debug lines (console.debug) are shown with --verbose only, as k6's.
      if (line.level === "debug" && this.settings.logging?.verbose !== true) continue;
      if (line.source.endsWith("source=stacktrace") || line.source === "") {
        // Workers log each error (and their own warnings) once; across Workers, once too.
        const key = text.split("\n", 1)[0];
        if (this.#errors.has(key)) continue;
        if (this.#errors.size < 1000) this.#errors.add(key);
      }
      this.log(LEVELS[line.level], text, line.source);
    }
  }
}
