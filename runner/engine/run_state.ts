/**
 * The main thread's state during a run: the Workers and their latest figures, the merged
 * metrics, outputs, the shared-iterations budgets, the periodic duties (progress, `vus`
 * gauges, `k6/execution` ticks, `abortOnFail` thresholds) and stopping.
 *
 * @module
 */

import type { RunSettings } from "./run.ts";
import { scenarioMaxEndMs, scenarioProgress, sharedBudget } from "../executors/mod.ts";
import { RAW_TIMERS } from "../k6/_context.ts";
import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
import type { NdjsonOutput } from "../outputs/ndjson.ts";
import type { TestPlan } from "../config/options.ts";
import type { Progress, ProgressState } from "./progress.ts";
import type { PreparedScript } from "../script/loader.ts";
import { WorkerHandle } from "./worker_pool.ts";
import type { ScenarioSlots, WorkerMessage, WorkerStats } from "../worker/messages.ts";
import { epochNow } from "../worker/scenario_run.ts";
import { Timeline } from "../outputs/timeline.ts";

type Notification = Exclude<WorkerMessage, { type: "reply" }>;
type StopReason = "signal" | "script" | "thresholds" | "crash";

const LEVELS = { debug: "DEBU", info: "INFO", warn: "WARN", error: "ERRO" } as const;

/**
 * A Worker reports every second, and before each reply, unless its thread is blocked (a VU in
 * a synchronous endless loop) or gone (a script calling `Deno.exit()` or `close()`: Deno ends
 * the Worker silently). Past these silences it is declared dead, so the run cannot hang.
 */
const SILENCE_MS = { beforeStart: 60_000, running: 10_000 } as const;

/** Aggregated figures of all Workers. */
export interface Totals {
  active: number;
  initialized: number;
  completed: number;
  interrupted: number;
  failed: number;
  scenarios: Record<string, number>;
  finished: Map<string, number>;
}

/** See the module documentation. */
export class RunState {
  readonly settings: RunSettings;
  readonly progress: Progress;
  readonly log: (level: string, text: string, source?: string) => void;
  script?: PreparedScript;
  readonly registry: MetricRegistry;
  readonly workers: WorkerHandle[] = [];
  readonly ndjson: NdjsonOutput[] = [];
  /** Per-second series for `--report` (only then). */
  timeline?: Timeline;
  maxVus = 0;
  t0 = 0;
  stopping = false;
  readonly #gauges: MetricRegistry;
  readonly #stats = new Map<WorkerHandle, WorkerStats>();
  /** The Workers that reported since the last `vus` sample. */
  readonly #fresh = new Set<WorkerHandle>();
  #sampledVus = false;
  readonly #done = new Set<WorkerHandle>();
  readonly #finished = Promise.withResolvers<void>();
  readonly #budgets = new Map<string, { next: number; remaining: number; vus: number[] }>();
  readonly #scenarioWorkers = new Map<string, number>();
  readonly #timers: number[] = [];
  readonly #errors = new Set<string>();
  readonly #heard = new Map<WorkerHandle, number>();
  readonly #dead = new Set<WorkerHandle>();
  #watchdog: number | undefined;
  #lastWatch = performance.now();
  #writes: Promise<void> = Promise.resolve();
  #reason: StopReason | undefined;
  #onSignal = () => this.stop("signal");

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
    this.#gauges = new MetricRegistry({ recordPoints: (settings.out ?? []).length > 0 });
    defineBuiltins(this.#gauges);
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
      (w, error) => this.#lost(w, `Worker ${w.index} crashed: ${String(error)}`),
    );
    this.workers.push(handle);
    this.#heard.set(handle, performance.now());
    this.#watchdog ??= RAW_TIMERS.setInterval(() => this.#watch(), 1000);
    return handle;
  }

  /**
   * Whether a Worker is gone (crashed, or silent too long and terminated).
   *
   * @param w The Worker.
   * @returns True when it is.
   */
  isDead(w: WorkerHandle): boolean {
    return this.#dead.has(w);
  }

  /** Declares silent Workers dead. */
  #watch(): void {
    const limit = this.t0 === 0 ? SILENCE_MS.beforeStart : SILENCE_MS.running;
    const now = performance.now();
    const late = now - this.#lastWatch > 2000;
    this.#lastWatch = now;
    // A main thread that was itself blocked has not read the Workers' messages yet.
    if (late) return;
    for (const [w, at] of this.#heard) {
      if (this.#dead.has(w) || now - at < limit) continue;
      this.#lost(
        w,
        `Worker ${w.index} stopped responding for ${limit / 1000}s: a VU either blocks its ` +
          "thread (synchronous code that never returns) or ended it (Deno.exit(), close() or " +
          "process.exit() in the script); its VUs and their last second of metrics are lost",
      );
    }
  }

  /** A Worker is gone: say why, stop the test, and let nothing wait for it. */
  #lost(w: WorkerHandle, why: string): void {
    if (this.#dead.has(w)) return;
    this.#dead.add(w);
    this.log("ERRO", why);
    this.#reason ??= "crash";
    w.terminate();
    this.#markDone(w);
    if (this.t0 > 0) this.stop("crash", true);
  }

  /** Records which Workers run each scenario and sets the shared-iterations budgets. */
  planShared(plan: TestPlan, slots: ScenarioSlots[][]): void {
    for (const config of plan.scenarios) {
      const vus = slots.map((list) =>
        list.find((s) => s.config.name === config.name)?.planned ?? 0
      );
      this.#scenarioWorkers.set(config.name, vus.filter((n) => n > 0).length);
      const remaining = sharedBudget(config, plan.tuple);
      if (remaining !== undefined) this.#budgets.set(config.name, { next: 0, remaining, vus });
    }
  }

  /** How many Workers run a scenario. */
  workerCount(name: string): number {
    return this.#scenarioWorkers.get(name) ?? 0;
  }

  /** The test clock started: begin the periodic duties. */
  started(t0: number, plan: TestPlan): void {
    this.t0 = t0;
    if (this.settings.report !== undefined) this.timeline = new Timeline({ startMs: t0 });
    for (const w of this.#heard.keys()) this.#heard.set(w, performance.now());
    const tty = this.progress.tty;
    const every = (ms: number, fn: () => void) => this.#timers.push(RAW_TIMERS.setInterval(fn, ms));
    every(tty ? 200 : 1000, () => this.render(plan));
    every(1000, () => this.#sample());
    // A first `vus` sample once the VUs are running, for runs shorter than a second.
    this.#timers.push(RAW_TIMERS.setTimeout(() => this.#sample(), 100));
    if (plan.thresholds?.entries.some((e) => e.abortOnFail)) {
      every(2000, () => {
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
      });
    }
    // Never wait past the last scenario's hard end (plus slack for the last messages).
    const maxEnd = Math.max(0, ...plan.scenarios.map(scenarioMaxEndMs));
    this.#timers.push(RAW_TIMERS.setTimeout(() => {
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
    };
    for (const s of this.#stats.values()) {
      t.active += s.active;
      t.initialized += s.initialized;
      t.completed += s.completed;
      t.interrupted += s.interrupted;
      t.failed += s.failed;
      for (const [k, n] of Object.entries(s.scenarios)) t.scenarios[k] = (t.scenarios[k] ?? 0) + n;
      for (const k of s.finished) t.finished.set(k, (t.finished.get(k) ?? 0) + 1);
    }
    return t;
  }

  /** Stops the periodic duties and records the last gauges. */
  stopTicking(): void {
    for (const id of this.#timers) RAW_TIMERS.clearInterval(id);
    this.#timers.length = 0;
    this.#sample(true);
    this.settings.signal?.removeEventListener("abort", this.#onSignal);
  }

  /** Flushes and closes the outputs. */
  async closeOutputs(): Promise<void> {
    await this.#writes;
    for (const out of this.ndjson) await out.close();
  }

  /** Terminates the Workers and timers. */
  close(): void {
    for (const id of this.#timers) RAW_TIMERS.clearInterval(id);
    if (this.#watchdog !== undefined) RAW_TIMERS.clearInterval(this.#watchdog);
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
      scenarios: plan.scenarios.map((c) => {
        const done = total.finished.get(c.name) === this.workerCount(c.name);
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

  /**
   * Samples `vus` and `vus_max`. `vus` is the most VUs active at once per Worker since the last
   * sample, once every Worker still running has reported since then: Workers report every
   * second, each on its own phase, so a figure read between reports (or after the VUs ended)
   * would say 0 where k6 sees them running, and one Worker's fresh report beside another's from
   * before the start would undercount.
   */
  #sample(final = false): void {
    const t = this.totals();
    const fresh = this.#fresh;
    const ready = fresh.size > 0 &&
      (final || this.workers.every((w) => fresh.has(w) || this.#done.has(w)));
    if (ready) {
      let vus = 0;
      for (const s of this.#stats.values()) vus += s.peak;
      if (!final || vus > 0 || !this.#sampledVus) {
        this.#gauges.add("vus", vus);
        this.#sampledVus = true;
      }
      fresh.clear();
      for (const s of this.#stats.values()) s.peak = s.active;
    }
    this.#gauges.add("vus_max", t.initialized);
    this.#merge(this.#gauges.drain());
    const instance = {
      iterationsCompleted: t.completed,
      iterationsInterrupted: t.interrupted,
      vusActive: t.active,
      vusInitialized: t.initialized,
      scenarioIterations: t.scenarios,
    };
    for (const w of this.workers) w.send({ type: "tick", instance });
  }

  #merge(snapshot: Parameters<MetricRegistry["merge"]>[0]): void {
    this.registry.merge(snapshot);
    this.timeline?.record(snapshot, epochNow());
    if (this.ndjson.length > 0 && snapshot.points.length > 0) {
      const points = snapshot.points;
      this.#writes = this.#writes.then(() => Promise.all(this.ndjson.map((o) => o.write(points))))
        .then(() => {}, (e) => this.log("ERRO", `--out json: ${(e as Error).message}`));
    }
  }

  #markDone(w: WorkerHandle): void {
    this.#done.add(w);
    if (this.t0 > 0 && this.workers.every((x) => this.#done.has(x))) this.#finished.resolve();
  }

  #onMessage(w: WorkerHandle, m: Notification): void {
    this.#heard.set(w, performance.now());
    switch (m.type) {
      case "metrics":
        this.#merge(m.snapshot);
        // The peak since our last sample, across this Worker's reports in between.
        m.stats.peak = Math.max(m.stats.peak, this.#stats.get(w)?.peak ?? 0);
        this.#stats.set(w, m.stats);
        if (this.t0 > 0) this.#fresh.add(w);
        if (this.timeline !== undefined) {
          // Workers' figures arrive every second: the VUs chart follows them, not our ticks.
          const t = this.totals();
          this.timeline.gauge("vus", t.active, epochNow());
          this.timeline.gauge("vus_max", t.initialized, epochNow());
        }
        return;
      case "logs":
        for (const line of m.lines) {
          const text = this.script?.mapPaths(line.text) ?? line.text;
          if (line.level === "debug") continue;
          if (line.source.endsWith("source=stacktrace") || line.source === "") {
            // Workers log each error (and their own warnings) once; across Workers, once too.
            const key = text.split("\n", 1)[0];
            if (this.#errors.has(key)) continue;
            if (this.#errors.size < 1000) this.#errors.add(key);
          }
          this.log(LEVELS[line.level], text, line.source);
        }
        return;
      case "need":
        return this.#grant(w, m.scenario);
      case "done":
        return this.#markDone(w);
      case "abort":
        this.log("ERRO", m.reason);
        this.stop("script", true);
        return;
    }
  }

  #grant(w: WorkerHandle, scenario: string): void {
    const budget = this.#budgets.get(scenario);
    if (budget === undefined || this.stopping) {
      w.send({ type: "grant", scenario, from: 0, count: 0 });
      return;
    }
    const holders = budget.vus.filter((n) => n > 0).length;
    const count = Math.min(
      budget.remaining,
      Math.max(budget.vus[w.index] ?? 1, Math.ceil(budget.remaining / (4 * holders))),
    );
    w.send({ type: "grant", scenario, from: budget.next, count });
    budget.next += count;
    budget.remaining -= count;
  }
}
