/**
 * A Worker's share of one scenario: the {@linkcode ScenarioRuntime} executors drive, with the
 * Worker's VUs, clock, iteration bookkeeping, interruption and the shared-iterations budget.
 *
 * @module
 */

import type { ExecutionTuple } from "../segments/execution_tuple.ts";
import type { RunnableVu, ScenarioConfig, ScenarioRuntime, VuSlot } from "../executors/mod.ts";
import { iterationTuple, scenarioProgress } from "../executors/mod.ts";
import { type InstanceInfo, RAW_TIMERS, type ScenarioInfo } from "./vu_context.ts";
import type { MetricRegistry, Tags } from "../metrics/registry.ts";
import { IterationDeadlines, type IterationOutcome, type Vu } from "./vu.ts";
import { epochNow, type SharedCounter } from "./messages.ts";
import { DROPPED_ITERATIONS, ITERATION_DURATION, ITERATIONS } from "../metrics/builtin.ts";

/** What a scenario run needs from its Worker. */
export interface ScenarioHost {
  /** The Worker's metrics. */
  registry: MetricRegistry;
  /** Counts iterations and active VUs. */
  stats: {
    active: number;
    peak: number;
    completed: number;
    interrupted: number;
    failed: number;
    scenarios: Record<string, number>;
  };
  /** `__ENV` of the test. */
  env: Record<string, string>;
  /** Tags of every sample. */
  runTags: Tags;
  /** Reports an iteration's exception. */
  iterationError(error: unknown, vu: Vu, scenario: ScenarioConfig): void;
  /** Asks the main thread for more shared iterations. */
  need(scenario: string): void;
  /** Logs a runner warning (`WARN`, no `source=console`), once per text. */
  warn(text: string): void;
  /** When the Worker last let its event loop run (performance.now() ms). */
  lastYield: number;
  /** The test-wide figures: the other Workers' as of the last tick, this Worker's now. */
  instance(): InstanceInfo;
}

/** Longest stretch of iterations that never wait (synchronous ones) before the Worker yields. */
const MAX_BUSY_MS = 10;

/**
 * Lets the Worker's event loop run (messages, timers) once: iterations that never wait resolve
 * as microtasks only and would otherwise starve it. A MessageChannel avoids timer clamping.
 */
function macrotask(): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
    port2.close();
  });
}

/** One scenario as run by one Worker. */
export class ScenarioRun implements ScenarioRuntime<ScenarioConfig> {
  readonly config: ScenarioConfig;
  readonly segment: ExecutionTuple;
  readonly local: ExecutionTuple;
  readonly startAt: number;
  readonly slots: readonly VuSlot[];
  readonly planned: number;
  /** The scenario as `k6/execution` shows it. */
  readonly info: ScenarioInfo;
  readonly #host: ScenarioHost;
  readonly #setupData: string | undefined;
  readonly #iterations: SharedCounter;
  readonly #numbering: ExecutionTuple;
  readonly #perVu = new Map<number, number>();
  readonly #tags: Tags;
  readonly #interrupt = new AbortController();
  readonly #wakers = new Set<() => void>();
  readonly #deadlines = new IterationDeadlines();
  #running = true;
  #ranges: Array<[number, number]> = [];
  #exhausted = false;
  #grant: PromiseWithResolvers<void> | undefined;

  /**
   * @param config The scenario.
   * @param segment The process's execution segment.
   * @param local The Worker's share of the process.
   * @param t0 The test start, in ms since the epoch.
   * @param slots The Worker's VU slots for the scenario.
   * @param planned How many slots are planned.
   * @param iterations The scenario's iteration counter, shared by the process's Workers.
   * @param setupData `setup()`'s result as JSON.
   * @param host The Worker.
   */
  constructor(
    config: ScenarioConfig,
    segment: ExecutionTuple,
    local: ExecutionTuple,
    t0: number,
    slots: VuSlot[],
    planned: number,
    iterations: SharedCounter,
    setupData: string | undefined,
    host: ScenarioHost,
  ) {
    this.config = config;
    this.segment = segment;
    this.local = local;
    this.startAt = t0 + config.startTime;
    this.slots = slots;
    this.planned = planned;
    this.#host = host;
    this.#setupData = setupData;
    this.#iterations = iterations;
    this.#numbering = iterationTuple(config, segment);
    this.#tags = Object.freeze({ ...host.runTags, ...config.tags, scenario: config.name });
    const startAt = this.startAt;
    this.info = {
      name: config.name,
      executor: config.executor,
      startTime: startAt,
      exec: config.exec,
      tags: this.#tags,
      env: Object.freeze({ ...host.env, ...config.env }),
      progress: () => {
        // As k6: the share of the iterations done, for executors that count them. Ours are
        // counted now, the others' as of the last tick (every second), so this never runs ahead.
        const done = host.instance().scenarioIterations?.[config.name] ?? 0;
        const { fraction } = scenarioProgress(config, segment, {
          sinceMs: epochNow() - startAt,
          iterationsDone: done,
        });
        return Math.min(1, Math.max(0, fraction));
      },
      iterations: 0,
    };
  }

  get running(): boolean {
    return this.#running;
  }

  now(): number {
    return epochNow();
  }

  waitUntil(at: number): Promise<boolean> {
    if (!this.#running) return Promise.resolve(false);
    const ms = at - epochNow();
    if (ms <= 0) return Promise.resolve(true);
    // Timers may fire up to a millisecond before `at` (their delay is rounded): wait the rest.
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        RAW_TIMERS.clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve(this.#running);
      };
      const timer = RAW_TIMERS.setTimeout(wake, ms);
      this.#wakers.add(wake);
    }).then((running) => running && this.waitUntil(at));
  }

  async iterate(vu: RunnableVu, hardAt: number): Promise<void> {
    if (performance.now() - this.#host.lastYield > MAX_BUSY_MS) {
      await macrotask();
      this.#host.lastYield = performance.now();
    }
    const v = vu as Vu;
    const inScenario = this.#perVu.get(v.id) ?? 0;
    this.#perVu.set(v.id, inScenario + 1);
    this.info.iterations++;
    // As k6: the process's n-th start of the scenario, the test's n-th of this segment's share.
    const inInstance = this.#iterations.next();
    const outcome: IterationOutcome = await v.iterate({
      scenario: this.info,
      iterationInInstance: inInstance,
      iterationInTest: this.#numbering.globalIndex(inInstance),
      iterationInScenario: inScenario,
      setupData: this.#setupData,
      hardAt,
      signal: this.#interrupt.signal,
      deadlines: this.#deadlines,
    });
    const stats = this.#host.stats;
    const tags = outcome.tags ?? this.#tags;
    // As k6's dialer trail: every iteration's, interrupted ones' too.
    v.state.net.end(this.#host.registry, tags);
    if (outcome.kind === "interrupted") {
      stats.interrupted++;
      return;
    }
    stats.completed++;
    stats.scenarios[this.config.name] = (stats.scenarios[this.config.name] ?? 0) + 1;
    if (outcome.kind === "failed") {
      stats.failed++;
      this.#host.iterationError(outcome.error, v, this.config);
    }
    this.#host.registry.add(ITERATIONS, 1, tags);
    this.#host.registry.add(ITERATION_DURATION, outcome.durationMs, tags);
    // The VU's next iteration waits for minIterationDuration's rest.
    if (outcome.pause !== undefined) await outcome.pause;
  }

  warn(text: string): void {
    this.#host.warn(text);
  }

  dropped(): void {
    this.#host.registry.add(DROPPED_ITERATIONS, 1, this.#tags);
  }

  active(delta: number): void {
    const stats = this.#host.stats;
    stats.active += delta;
    if (stats.active > stats.peak) stats.peak = stats.active;
  }

  async take(): Promise<number | undefined> {
    for (;;) {
      if (!this.#running) return undefined;
      const range = this.#ranges[0];
      if (range !== undefined) {
        const n = range[0]++;
        if (range[0] >= range[1]) this.#ranges.shift();
        return n;
      }
      if (this.#exhausted) return undefined;
      if (this.#grant === undefined) {
        this.#grant = Promise.withResolvers<void>();
        this.#host.need(this.config.name);
      }
      await this.#grant.promise;
    }
  }

  /**
   * Receives shared iterations from the main thread.
   *
   * @param from The first iteration number.
   * @param count How many (0: the budget is spent).
   */
  granted(from: number, count: number): void {
    if (count === 0) this.#exhausted = true;
    else this.#ranges.push([from, from + count]);
    const grant = this.#grant;
    this.#grant = undefined;
    grant?.resolve();
  }

  /** Starts no new iteration; interrupts running ones after `gracefulStop`. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const wake of [...this.#wakers]) wake();
    this.#grant?.resolve();
    const interrupt = this.#interrupt;
    RAW_TIMERS.setTimeout(() => interrupt.abort(), this.config.gracefulStop);
  }

  /** Interrupts running iterations now. */
  interrupt(): void {
    this.stop();
    this.#interrupt.abort();
  }
}
