/**
 * A virtual user: its own instance of the script's module scope (the init context, run once)
 * and the iteration runner that applies k6's event-loop rule — an iteration ends when its
 * function has settled, every client it opened is idle and every timer it started has fired —
 * bounded by the scenario's hard stop.
 *
 * @module
 */

import type { RunnableVu } from "../executors/mod.ts";
import { RAW_TIMERS, type VuPhase, VuState, vuStorage, type WorkerServices } from "./vu_context.ts";
import type { ScriptInstances } from "../script/loader.ts";
import {
  Ending,
  IterationDeadlines,
  type IterationOutcome,
  type IterationRequest,
  unwatchStops,
  waitUnlessStopped,
  watchStops,
} from "./iteration_end.ts";

import { parseDuration } from "../config/duration.ts";

export { IterationDeadlines };
export type { IterationOutcome, IterationRequest };

/** A VU hosted by a Worker. */
export class Vu implements RunnableVu {
  /** `__VU`. */
  readonly id: number;
  /** The state the k6 shims see. */
  readonly state: VuState;
  /** True while an iteration runs. */
  busy = false;
  readonly #module: Record<string, unknown>;
  #dataJson: string | undefined;
  #data: unknown;
  /** k6's `minIterationDuration` in ms (0 when unset): a shorter full iteration waits the rest. */
  readonly #minIterationMs: number;

  private constructor(state: VuState, module: Record<string, unknown>) {
    this.id = state.id;
    this.state = state;
    this.#module = module;
    const min = state.services.options.minIterationDuration;
    this.#minIterationMs = min === undefined || min === null
      ? 0
      : parseDuration(min as string) ?? 0;
  }

  /**
   * Creates a VU: imports its instance of the script, running the init context.
   *
   * @param id The VU id (0 for the setup/teardown VU).
   * @param services The Worker's services.
   * @param script The Worker's instances of the prepared script.
   * @returns The VU.
   * @throws Whatever the init context throws (a script error).
   */
  static async create(
    id: number,
    services: WorkerServices,
    script: ScriptInstances,
  ): Promise<Vu> {
    const state = new VuState(id, services);
    const module = await vuStorage.run(state, () => script.create(id));
    state.phase = "idle";
    return new Vu(state, module);
  }

  /** The script's `options` export. */
  get options(): unknown {
    return this.#module.options;
  }

  /** Names of the script's exported functions. */
  functions(): string[] {
    return Object.entries(this.#module).filter(([, v]) => typeof v === "function").map(([k]) => k);
  }

  /**
   * Calls a lifecycle function (setup, teardown, handleSummary) and waits for the event loop
   * rule, within a time limit.
   *
   * @param name The export's name.
   * @param args Its arguments.
   * @param phase The phase it runs in.
   * @param timeoutMs Time limit (Infinity for none).
   * @returns What it returned.
   * @throws What it threw; a `TimeoutError` DOMException past the limit.
   */
  async call(name: string, args: unknown[], phase: VuPhase, timeoutMs: number): Promise<unknown> {
    const fn = this.#module[name] as (...a: unknown[]) => unknown;
    const state = this.state;
    state.phase = phase;
    state.group = phase === "summary" ? "" : `::${phase}`;
    const failure = Promise.withResolvers<never>();
    state.onAsyncError = (error) => failure.reject(error);
    let timer: number | undefined;
    const timeout = new Promise<never>((_, reject) => {
      if (Number.isFinite(timeoutMs)) {
        timer = RAW_TIMERS.setTimeout(
          () => reject(new DOMException(`${name}() timed out`, "TimeoutError")),
          timeoutMs,
        );
      }
    });
    try {
      const run = vuStorage.run(state, async () => {
        const value = await fn(...args);
        await state.quiescent();
        return value;
      });
      return await Promise.race([run, failure.promise, timeout]);
    } finally {
      RAW_TIMERS.clearTimeout(timer);
      await state.abandon();
      // As k6's runs of them: their traffic, under the group `::setup` / `::teardown` (k6's
      // runner adds iteration_duration only for iterations).
      if (phase === "setup" || phase === "teardown") {
        state.net.end(state.services.registry, state.tags);
      }
      state.phase = "idle";
      state.group = "";
      state.resetAsyncError();
    }
  }

  /**
   * Runs one iteration of `scenario.exec`.
   *
   * @param req The iteration.
   * @returns How it ended.
   */
  iterate(req: IterationRequest): Promise<IterationOutcome> {
    const state = this.state;
    const fn = this.#module[req.scenario.exec] as (data: unknown) => unknown;
    this.busy = true;
    state.phase = "iteration";
    state.scenario = req.scenario;
    state.iteration++;
    state.iterationInScenario = req.iterationInScenario;
    state.iterationInInstance = req.iterationInInstance;
    state.iterationInTest = req.iterationInTest;
    state.group = "";
    state.sleepEnd = 0;
    state.sleepGate = undefined;
    state.abandoned = false;
    state.resumeLoop();
    const data = this.#setupData(req.setupData);
    const ending = new Ending(req);
    state.onAsyncError = ending.failed;
    watchStops(req, ending.deadlines, ending);
    vuStorage.run(state, runBody, fn, data, state).then(ending.completed, ending.failed);
    return ending.settled.then((kind) => this.#ended(ending, kind));
  }

  #ended(ending: Ending, kind: IterationOutcome["kind"]): Promise<IterationOutcome> {
    const state = this.state;
    unwatchStops(ending.req, ending.deadlines, ending);
    state.resetAsyncError();
    const durationMs = performance.now() - ending.start;
    const tags = state.tags;
    const outcome: IterationOutcome = kind === "failed"
      ? { kind, error: ending.error, durationMs, tags }
      : { kind, durationMs, tags };
    // As k6's VU after a full iteration (an exception too) shorter than `minIterationDuration`:
    // it waits for the rest before its next one, unless stopped, busy meanwhile; the iteration's
    // samples and its duration leave the wait out.
    const rest = kind === "interrupted" ? 0 : this.#minIterationMs - durationMs;
    const idle = (): IterationOutcome => {
      state.phase = "idle";
      if (rest <= 0) this.busy = false;
      else {
        outcome.pause = waitUnlessStopped(ending.req, rest).then(() => {
          this.busy = false;
        });
      }
      return outcome;
    };
    return kind === "completed" ? Promise.resolve(idle()) : state.abandon().then(idle);
  }

  #setupData(json: string | undefined): unknown {
    if (json !== this.#dataJson) {
      this.#dataJson = json;
      this.#data = json === undefined ? undefined : JSON.parse(json);
    }
    return this.#data;
  }
}

/** An iteration's body: the function, then k6's event-loop rule (a chain, not a suspended frame). */
function runBody(
  fn: (data: unknown) => unknown,
  data: unknown,
  state: VuState,
): Promise<void> {
  let result: unknown;
  try {
    result = fn(data);
  } catch (error) {
    return Promise.reject(error);
  }
  return Promise.resolve(result).then(() => state.quiescent());
}

/**
 * Makes the Worker's global timers count, per VU, as pending work of the running iteration (k6's
 * event loop waits for them too) and run their callbacks on the VU's event loop, and routes
 * uncaught errors and unhandled rejections to the VU whose code raised them, so that they fail that
 * iteration instead of the Worker.
 *
 * @param onStray Receives errors raised outside any VU.
 */
export function installVuHooks(onStray: (error: unknown) => void): void {
  const owners = new Map<number, VuState>();
  const g = globalThis as unknown as Record<string, unknown>;
  const wrap =
    (raw: (cb: () => void, ms?: number) => number, repeat: boolean) =>
    (callback: unknown, ms?: number, ...args: unknown[]): number => {
      const state = vuStorage.getStore();
      if (typeof callback !== "function") return raw(() => {}, ms);
      if (state === undefined || state.phase !== "iteration") {
        return raw(() => callback(...args), ms);
      }
      // k6 queues a timer's callback on the VU's event loop: it waits while the VU is blocked,
      // does not run once the timer is cleared, and an interval does not pile up its ticks.
      let queued = false;
      const run = () => {
        queued = false;
        if (!owners.has(id)) return undefined;
        if (!repeat) {
          owners.delete(id);
          state.timerDone(id);
        }
        return callback(...args);
      };
      const id: number = raw(() => {
        if (queued) return;
        queued = true;
        state.loop.post(run, []);
      }, ms);
      owners.set(id, state);
      state.timerStarted(id);
      return id;
    };
  const clear = (id?: number) => {
    if (id === undefined) return;
    RAW_TIMERS.clearTimeout(id);
    const state = owners.get(id);
    if (state !== undefined) {
      owners.delete(id);
      state.timerDone(id);
    }
  };
  g.setTimeout = wrap(RAW_TIMERS.setTimeout as never, false);
  g.setInterval = wrap(RAW_TIMERS.setInterval as never, true);
  g.clearTimeout = clear;
  g.clearInterval = clear;
  const route = (error: unknown) => {
    const state = vuStorage.getStore();
    if (state === undefined) onStray(error);
    else state.onAsyncError(error);
  };
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    route(e.reason);
  });
  globalThis.addEventListener("error", (e) => {
    e.preventDefault();
    route(e.error ?? e.message);
  });
}
