/**
 * The per-VU state the k6 shims work with. Many VUs share one Worker and therefore one
 * instance of each shim module, so the shims find "their" VU through an `AsyncLocalStorage`
 * that the Worker enters around the VU's init context and each iteration. The context follows
 * every continuation started inside (promises, timers, socket reads of clients the VU opened,
 * event handlers), so a `message` handler of an xk6-mqtt client runs attributed to its VU.
 *
 * @module
 */

import type { LogLine } from "./messages.ts";
import { VuEventLoop } from "./event_loop.ts";
import { VuStorage } from "./vu_storage.ts";
import { NetTrail } from "./net_trail.ts";
import type { MetricRegistry, Tags } from "../metrics/registry.ts";
import { parseThresholds, type ThresholdsConfig } from "../metrics/thresholds.ts";

/** Timer functions with Deno's numeric ids. */
export interface Timers {
  /** `setTimeout`. */
  setTimeout(callback: () => void, ms?: number): number;
  /** `clearTimeout`. */
  clearTimeout(id?: number): void;
  /** `setInterval`. */
  setInterval(callback: () => void, ms?: number): number;
  /** `clearInterval`. */
  clearInterval(id?: number): void;
}

/** The timers of the Worker before the Worker wraps them to track VU timers. */
export const RAW_TIMERS: Timers = Object.freeze({
  setTimeout: globalThis.setTimeout.bind(globalThis) as unknown as Timers["setTimeout"],
  clearTimeout: globalThis.clearTimeout.bind(globalThis) as unknown as Timers["clearTimeout"],
  setInterval: globalThis.setInterval.bind(globalThis) as unknown as Timers["setInterval"],
  clearInterval: globalThis.clearInterval.bind(globalThis) as unknown as Timers["clearInterval"],
});

/** Where the current VU's state lives while its code runs. */
export const vuStorage: VuStorage<VuState> = new VuStorage<VuState>();

/** What a VU runs: its init context, setup, teardown, an iteration, handleSummary. */
export type VuPhase = "init" | "setup" | "teardown" | "iteration" | "summary" | "idle";

/**
 * The method of a tracked client that ends it at once, not after what the script's own
 * `end()` waits for (a pending connection attempt, an un-awaited `sleep()`).
 */
export const ABANDON: unique symbol = Symbol("mqload.abandon");

/**
 * How the runner ends an interrupted iteration's clients: silently, as k6 drops the samples of a
 * VU whose context ended; or, for `mqload bench`'s scripts (`failuresOnly`), counting what
 * completes while they end (acknowledgements the broker sends after a Ctrl+C) but no failure.
 */
export const ABANDON_POLICY: { failuresOnly: boolean } = { failuresOnly: false };

/** A client the iteration must wait for (k6's event-loop rule). */
export interface TrackedClient {
  /** Resolves once the client has nothing in flight. */
  idle(): Promise<void>;
  /** Ends the client (interrupted or failed iteration) when it has no {@linkcode ABANDON}. */
  endAsync(): Promise<void>;
  /**
   * Ends the client now, silently (or, with `failuresOnly`, counting no failures), waiting at
   * most `timeout` ms for what is in flight.
   */
  [ABANDON]?(timeout?: number, failuresOnly?: boolean): Promise<void>;
}

/** The scenario an iteration belongs to, as `k6/execution` shows it. */
export interface ScenarioInfo {
  /** Scenario name. */
  readonly name: string;
  /** Executor type. */
  readonly executor: string;
  /** When it started, ms since the epoch. */
  readonly startTime: number;
  /** Exported function it runs. */
  readonly exec: string;
  /** Tags of its samples (frozen): run tags, scenario tags, `scenario`. */
  readonly tags: Tags;
  /** `__ENV` for its VUs. */
  readonly env: Readonly<Record<string, string>>;
  /** Progress from 0 to 1. */
  progress(): number;
  /** Iterations this Worker started in it so far. */
  iterations: number;
}

/** Test-wide figures the main thread broadcasts (`k6/execution`'s `instance`). */
export interface InstanceInfo {
  /** Completed iterations. */
  iterationsCompleted: number;
  /** Interrupted iterations. */
  iterationsInterrupted: number;
  /** Active VUs. */
  vusActive: number;
  /** Initialized VUs. */
  vusInitialized: number;
  /** Completed iterations per scenario, over every Worker, as of the last tick. */
  scenarioIterations?: Readonly<Record<string, number>>;
}

/** What a Worker provides to the shims of all its VUs. */
export interface WorkerServices {
  /** The Worker's metrics, drained to the main thread every second. */
  readonly registry: MetricRegistry;
  /** Tags of every sample (the `tags` option). */
  readonly runTags: Tags;
  /** The consolidated options (`exec.test.options`), frozen. */
  readonly options: Readonly<Record<string, unknown>>;
  /** `__ENV` outside scenarios. */
  readonly env: Readonly<Record<string, string>>;
  /** Directory URL of the script, for `open()`. */
  readonly scriptBase: string;
  /** `k6/data` SharedArrays of this Worker, by name. */
  readonly sharedArrays: Map<string, unknown>;
  /** When the test started (ms since the epoch), 0 before. */
  testStart(): number;
  /** Test-wide execution figures. */
  instance(): InstanceInfo;
  /** `exec.test.abort()`. */
  abort(reason: string): void;
  /** `exec.test.fail()`: logs `message` and marks the run failed. */
  markFailed(message: string): void;
  /** Receives errors a VU's code raised outside an iteration (late callbacks). */
  strayError(error: unknown, vu?: VuState): void;
  /**
   * Says what a shim found about the script (an ignored option, a Promise checked), once: the
   * Worker says each text once, and the main thread once across Workers.
   */
  warn(text: string): void;
  /** Logs a line of the run's own log (k6's logger: `httpDebug`), not the console's. */
  log?(line: LogLine): void;
  /** A VU's client connection opened or closed: the Worker counts those open now. */
  connection?(open: boolean): void;
}

// Registry → the options whose threshold tags it already keeps (once per Worker and options).
const preservedFor = new WeakMap<MetricRegistry, object>();

/**
 * A Worker's registry folds tag sets past its series cap (a client id per iteration gets there
 * fast), keeping only the tags it was told to preserve. The main thread evaluates submetric
 * thresholds on what the Workers ship, so the tags those thresholds filter on must survive the
 * fold here too, or `mqtt_calls{method:publish}` undercounts.
 */
function preserveThresholdTags(services: WorkerServices): void {
  const { registry, options } = services;
  if (preservedFor.get(registry) === options) return;
  preservedFor.set(registry, options);
  const config = options.thresholds;
  if (config === undefined || config === null) return;
  try {
    registry.preserveTags(parseThresholds(config as ThresholdsConfig).tagKeys());
  } catch {
    // Invalid thresholds: the main thread reports them (exit 104) before any VU runs.
  }
}

/** A VU's mutable state; one per VU, the value of {@linkcode vuStorage}. */
export class VuState {
  /** `__VU`: 0 in setup/teardown, from 1 in VUs. */
  readonly id: number;
  /** The Worker's services. */
  readonly services: WorkerServices;
  /** `k6/http`'s traffic since the VU's last iteration (setup, teardown) ended. */
  readonly net: NetTrail = new NetTrail();
  /** What the VU runs now. */
  phase: VuPhase = "init";
  /** `__ITER`: iterations this VU started, over all scenarios (the current one's number). */
  iteration = -1;
  /** The VU's iteration number in the current scenario. */
  iterationInScenario = -1;
  /** The scenario's iteration number in this instance (`exec.scenario.iterationInInstance`). */
  iterationInInstance = -1;
  /** The scenario's iteration number in the whole test (`exec.scenario.iterationInTest`). */
  iterationInTest = -1;
  /** The current scenario, during iterations. */
  scenario: ScenarioInfo | undefined;
  /** Tags set with `exec.vu.tags`. */
  readonly userTags: Record<string, string> = {};
  /** Receives errors thrown by the VU's code outside the iteration's own promise. */
  onAsyncError: (error: unknown) => void;
  /**
   * The runner ended the VU's clients and timers (an interrupted or failed iteration) and the
   * iteration's code, still running, sees its calls fail: not failures of the system under test.
   * Cleared as the next iteration starts.
   */
  abandoned = false;
  /** Where chained, not awaited `sleep()` calls end (performance.now() ms). */
  sleepEnd = 0;
  /** Settles when the last un-awaited `sleep()` ends; calls made meanwhile start then, in order. */
  sleepGate: Promise<void> | undefined;
  #loop: VuEventLoop | undefined;
  readonly #clients = new Map<TrackedClient, number>();
  readonly #timers = new Set<number>();
  #timersIdle: PromiseWithResolvers<void> | undefined;
  #tags: Tags | undefined;
  #tagsFor: ScenarioInfo | undefined;
  #group = "";
  #checkTags = new Map<string, Tags>();

  /**
   * @param id The VU id.
   * @param services The Worker's services.
   */
  constructor(id: number, services: WorkerServices) {
    this.id = id;
    this.services = services;
    this.onAsyncError = this.#stray;
    preserveThresholdTags(services);
  }

  /** Sends later errors back to the Worker (between iterations). */
  resetAsyncError(): void {
    this.onAsyncError = this.#stray;
  }

  #stray = (error: unknown): void => this.services.strayError(error, this);

  /** `__ENV` of the VU: the scenario's, else the test's. */
  get env(): Readonly<Record<string, string>> {
    return this.scenario?.env ?? this.services.env;
  }

  /** The current group path (`""` for the root, `"::a::b"`): k6 tags every VU sample with it. */
  get group(): string {
    return this.#group;
  }

  set group(path: string) {
    if (path !== this.#group) {
      this.#group = path;
      this.#tags = undefined;
    }
  }

  /**
   * The tags of the VU's samples, as k6 sets them: run and scenario tags, `scenario`, `group`,
   * then tags set with `exec.vu.tags` (frozen, cached until one of them changes).
   */
  get tags(): Tags {
    if (this.#tagsFor !== this.scenario) {
      this.#tagsFor = this.scenario;
      this.#tags = undefined;
      this.#checkTags.clear();
    }
    if (this.#tags === undefined) {
      const base = this.scenario?.tags ?? this.services.runTags;
      this.#tags = Object.freeze({ ...base, group: this.#group, ...this.userTags });
    }
    return this.#tags;
  }

  /** Forgets cached tags (after `exec.vu.tags` changes). */
  tagsChanged(): void {
    this.#tags = undefined;
    this.#checkTags.clear();
  }

  /** The tags of a `check` sample in the current group (cached). */
  checkTags(name: string): Tags {
    const key = this.#group + "\u0000" + name;
    let tags = this.#checkTags.get(key);
    if (tags === undefined) {
      tags = Object.freeze({ ...this.tags, check: name });
      if (this.#checkTags.size > 1000) this.#checkTags.clear();
      this.#checkTags.set(key, tags);
    }
    return tags;
  }

  /** The VU's event loop: its blocking calls and the event callbacks held back for them. */
  get loop(): VuEventLoop {
    return this.#loop ??= new VuEventLoop(
      (run) => vuStorage.run(this, run),
      (error) => this.onAsyncError(error),
    );
  }

  /** Registers a client the current iteration must wait for (again after each connect). */
  track(client: TrackedClient): void {
    this.#clients.set(client, (this.#clients.get(client) ?? 0) + 1);
  }

  /**
   * Waits `ms` on a timer of the runner's own (a `sleep()`): the iteration waits for it, but its
   * end is not an event callback, so it is never held back by the VU's event loop.
   *
   * @param ms How long.
   * @returns Resolves after `ms`.
   */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const id = RAW_TIMERS.setTimeout(() => {
        this.timerDone(id);
        resolve();
      }, ms);
      this.timerStarted(id);
    });
  }

  /** Registers a pending timer of the current iteration. */
  timerStarted(id: number): void {
    this.#timers.add(id);
  }

  /** A timer fired or was cleared. */
  timerDone(id: number): void {
    if (this.#timers.delete(id) && this.#timers.size === 0) {
      this.#timersIdle?.resolve();
      this.#timersIdle = undefined;
    }
  }

  /**
   * Resolves once every client the VU opened is idle and no timer it started is pending: k6's
   * rule for the end of an iteration.
   */
  async quiescent(): Promise<void> {
    const loop = this.#loop;
    while (this.#clients.size > 0 || this.#timers.size > 0 || loop?.quiet === false) {
      if (loop?.quiet === false) {
        await loop.idle();
      } else if (this.#clients.size > 0) {
        const batch = [...this.#clients];
        await Promise.all(batch.map(([client]) => client.idle()));
        // A client connected again meanwhile stays tracked.
        for (const [client, generation] of batch) {
          if (this.#clients.get(client) === generation) this.#clients.delete(client);
        }
      } else {
        await (this.#timersIdle ??= Promise.withResolvers<void>()).promise;
      }
    }
  }

  /** The next iteration starts: its callbacks run, whatever failed before it (see VuEventLoop). */
  resumeLoop(): void {
    this.#loop?.resume();
  }

  /** Ends every tracked client and cancels every pending timer (interrupted or failed iteration). */
  async abandon(): Promise<void> {
    this.abandoned = true;
    this.#loop?.clear();
    this.sleepGate = undefined;
    this.sleepEnd = 0;
    for (const id of this.#timers) RAW_TIMERS.clearTimeout(id);
    this.#timers.clear();
    this.#timersIdle?.resolve();
    this.#timersIdle = undefined;
    const clients = [...this.#clients.keys()];
    this.#clients.clear();
    const failuresOnly = ABANDON_POLICY.failuresOnly;
    await Promise.all(
      clients.map((c) => (c[ABANDON]?.(undefined, failuresOnly) ?? c.endAsync()).catch(() => {})),
    );
  }
}

// What shims said outside any VU (a plain program importing them): once per text, here.
const saidOutsideVus = new Set<string>();

/**
 * Says once what a shim found about the script: through the current VU's Worker (see
 * {@linkcode WorkerServices.warn}), or, outside a VU, on the console once per text.
 *
 * @param text The warning.
 *
 * @example Usage
 * ```ts
 * import { warnScript } from "./vu_context.ts";
 * warnScript("k6/x/mqtt: unknown client option \"x\" ignored"); // outside a VU: console, once
 * ```
 */
export function warnScript(text: string): void {
  const state = vuStorage.getStore();
  if (state !== undefined) return state.services.warn(text);
  if (saidOutsideVus.has(text)) return;
  saidOutsideVus.add(text);
  console.warn(text);
}

/**
 * The state of the VU running the calling code.
 *
 * @param what What needs it, for the error message.
 * @returns The state.
 * @throws {TypeError} When called outside a VU (not under `mqload run`).
 */
export function currentVu(what: string): VuState {
  const state = vuStorage.getStore();
  if (state === undefined) {
    throw new TypeError(`${what} can only be used in a script run by \`mqload run\``);
  }
  return state;
}
