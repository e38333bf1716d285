/**
 * The Worker module hosting VUs. Each Worker runs many VUs as concurrent async loops, each with
 * its own instance of the script's module scope; it aggregates their metrics in one registry
 * and sends a drained snapshot to the main thread every second, on the test clock's seconds
 * once it runs (`_drain_clock.ts`), with the clients connected now. The main thread's engine
 * drives it with the messages of `messages.ts`.
 *
 * @module
 */

import { ExecutionTuple } from "../segments/execution_tuple.ts";
import {
  parseExecutionSegment,
  parseExecutionSegmentSequence,
} from "../segments/execution_segment.ts";
import type { ScenarioConfig } from "../executors/mod.ts";
import { runScenario } from "../executors/mod.ts";
import {
  type InstanceInfo,
  RAW_TIMERS,
  type VuState,
  vuStorage,
  type WorkerServices,
} from "./vu_context.ts";
import { defineBuiltins, MetricRegistry, type Tags } from "../metrics/registry.ts";
import { METHOD_TAG } from "../metrics/live_window.ts";
import { thresholdTagKeys } from "../metrics/thresholds.ts";
import {
  type Command,
  errorInfo,
  type LogLine,
  type ProbeResult,
  type RequestEnvelope,
  SharedCounter,
  type WorkerMessage,
  type WorkerStats,
} from "./messages.ts";
import { type ScenarioHost, ScenarioRun } from "./scenario_run.ts";
import { installVuHooks, Vu } from "./vu.ts";
import { installBlockingHelpers } from "../k6/blocking_runtime.ts";
import { ScriptInstances } from "../script/loader.ts";
import { TestAbortedError } from "../k6/execution.ts";
import { DrainClock } from "./_drain_clock.ts";
import { installConsole } from "./_console.ts";
import { WORKER_LOOP_TURNS } from "./loop_turns.ts";
import { summaryOutputs } from "./_summary_outputs.ts";
import { type PoolSlot, VuPool } from "./_vu_pool.ts";

const scope = globalThis as unknown as {
  postMessage(message: WorkerMessage): void;
  addEventListener(type: "message", fn: (e: MessageEvent<RequestEnvelope | Command>) => void): void;
};
const post = (message: WorkerMessage) => scope.postMessage(message);

/** The Worker's state (one per Worker: this module is the Worker's entry). */
class WorkerRuntime implements WorkerServices, ScenarioHost {
  registry = new MetricRegistry();
  runTags: Tags = Object.freeze({});
  options: Readonly<Record<string, unknown>> = Object.freeze({});
  env: Record<string, string> = {};
  scriptBase = "";
  script = new ScriptInstances("");
  readonly sharedArrays = new Map<string, unknown>();
  readonly stats: WorkerStats = {
    active: 0,
    peak: 0,
    initialized: 0,
    completed: 0,
    interrupted: 0,
    failed: 0,
    scenarios: {},
    finished: [],
    connections: 0,
  };
  readonly drains: DrainClock = new DrainClock(() => this.flushMetrics());
  readonly runs = new Map<string, ScenarioRun>();
  control?: Vu;
  lastYield = 0;
  #t0 = 0;
  #instance: InstanceInfo = {
    iterationsCompleted: 0,
    iterationsInterrupted: 0,
    vusActive: 0,
    vusInitialized: 0,
  };
  #logs: LogLine[] = [];
  #seen = new Set<string>();
  readonly #warned = new Set<string>();
  #slots: Array<
    { config: ScenarioConfig; slots: PoolSlot[]; planned: number; iterations: SharedCounter }
  > = [];
  #vuIds = new SharedCounter(SharedCounter.buffer());
  readonly #pool = new VuPool(() =>
    Vu.create(this.#vuIds.next() + 1, this, this.script).then((created) => {
      this.stats.initialized++;
      return created;
    })
  );
  #segment = new ExecutionTuple();
  #local = new ExecutionTuple();

  testStart = () => this.#t0;
  /** `k6/execution`'s test-wide figures: the other Workers' as of the last tick, and ours now. */
  instance = (): InstanceInfo => {
    const others = this.#instance;
    const s = this.stats;
    const scenarios: Record<string, number> = { ...others.scenarioIterations };
    for (const [k, n] of Object.entries(s.scenarios)) scenarios[k] = (scenarios[k] ?? 0) + n;
    return {
      iterationsCompleted: others.iterationsCompleted + s.completed,
      iterationsInterrupted: others.iterationsInterrupted + s.interrupted,
      vusActive: others.vusActive + s.active,
      vusInitialized: others.vusInitialized + s.initialized,
      scenarioIterations: scenarios,
    };
  };
  #aborted = false;
  abort = (reason: string) => {
    if (this.#aborted) return;
    this.#aborted = true;
    post({ type: "abort", reason });
  };

  #markedFailed = false;
  markFailed = (message: string) => {
    // No source: the main thread says each reason once across Workers.
    this.log({ level: "error", text: message, source: "" });
    if (this.#markedFailed) return;
    this.#markedFailed = true;
    this.flushLogs();
    post({ type: "failed" });
  };

  strayError = (error: unknown, vu?: VuState) => {
    this.#logError(error, vu ? `vu=${vu.id} source=stacktrace` : "source=stacktrace");
  };

  iterationError(error: unknown, vu: Vu, scenario: ScenarioConfig): void {
    this.#logError(
      error,
      `executor=${scenario.executor} scenario=${scenario.name} vu=${vu.id} source=stacktrace`,
    );
  }

  connection(open: boolean): void {
    this.stats.connections += open ? 1 : -1;
  }

  need(scenario: string): void {
    post({ type: "need", scenario });
  }

  warn(text: string): void {
    if (this.#warned.has(text)) return;
    if (this.#warned.size < 1000) this.#warned.add(text);
    // No source: the main thread says such lines once across Workers.
    this.log({ level: "warn", text, source: "" });
  }

  log(line: LogLine): void {
    this.#logs.push(line);
    if (this.#logs.length >= 200) this.flushLogs();
  }

  flushLogs(): void {
    if (this.#logs.length === 0) return;
    post({ type: "logs", lines: this.#logs });
    this.#logs = [];
  }

  flushMetrics(): void {
    this.flushLogs();
    const stats = {
      ...this.stats,
      scenarios: { ...this.stats.scenarios },
      finished: [...this.stats.finished],
    };
    post({ type: "metrics", snapshot: this.drains.stamp(this.registry.drain()), stats });
    this.stats.peak = this.stats.active;
  }

  #logError(error: unknown, source: string): void {
    if (error instanceof TestAbortedError) return; // the main thread reports the abort
    const text = error instanceof Error
      ? cleanStack(error.stack ?? `${error.name}: ${error.message}`)
      : String(error);
    // Once per distinct message: a failing iteration repeats its error thousands of times.
    const key = error instanceof Error ? error.message : text;
    if (this.#seen.has(key)) return;
    if (this.#seen.size < 1000) this.#seen.add(key);
    this.log({ level: "error", text, source });
  }

  configure(req: Extract<RequestEnvelope, { type: "configure" }>): void {
    this.script = new ScriptInstances(req.scriptUrl);
    this.scriptBase = req.originalUrl;
    this.env = req.env;
    this.registry = new MetricRegistry({
      recordPoints: req.recordPoints,
      onWarning: (text) => this.log({ level: "warn", text, source: "" }),
    });
    defineBuiltins(this.registry);
    // Folded series keep the failing call's method (the live lines tell connect failures apart)
    // and expected_response (the summary's http_req_duration{expected_response:true}).
    this.registry.preserveTags([METHOD_TAG, "expected_response"]);
  }

  async probe(): Promise<ProbeResult> {
    this.control = await Vu.create(0, this, this.script);
    let options: Record<string, unknown>;
    try {
      options = JSON.parse(JSON.stringify(this.control.options ?? {}));
    } catch (e) {
      throw new TypeError(`the options export cannot be serialized: ${(e as Error).message}`);
    }
    return { options, functions: this.control.functions(), metrics: this.registry.metrics() };
  }

  async init(req: Extract<RequestEnvelope, { type: "init" }>) {
    this.options = Object.freeze(req.options);
    // The tags submetric thresholds filter on survive folds here as on the main thread, and a
    // per-connection one (`client_id`) a threshold names splits series again.
    this.registry.preserveTags(thresholdTagKeys(req.options.thresholds));
    this.runTags = Object.freeze({ ...req.runTags });
    this.#segment = new ExecutionTuple(
      parseExecutionSegment(req.segment),
      parseExecutionSegmentSequence(req.sequence),
    );
    this.#local = new ExecutionTuple(
      parseExecutionSegment(req.local),
      parseExecutionSegmentSequence(req.localSequence),
    );
    this.#vuIds = new SharedCounter(req.vuIds);
    await this.#pool.fill(req.vus.planned, req.vus.possible);
    for (const { config, count, planned } of req.scenarios) {
      const slots = Array.from({ length: count }, (_, i) => this.#pool.slot(i < planned));
      const iterations = new SharedCounter(req.iterations[config.name]);
      this.#slots.push({ config, slots, planned, iterations });
    }
    return { metrics: this.registry.metrics() };
  }

  start(cmd: Extract<Command, { type: "start" }>): void {
    this.#t0 = cmd.t0;
    this.drains.align(cmd.t0);
    const runs = this.#slots.map(({ config, slots, planned, iterations }) => {
      const run = new ScenarioRun(
        config,
        this.#segment,
        this.#local,
        cmd.t0,
        slots,
        planned,
        iterations,
        cmd.setupData,
        this,
      );
      this.runs.set(config.name, run);
      return runScenario(run).finally(() => {
        this.stats.finished.push(config.name);
        this.#pool.giveBack(slots);
      });
    });
    Promise.allSettled(runs).then((results) => {
      for (const r of results) if (r.status === "rejected") this.strayError(r.reason);
      this.flushMetrics();
      post({ type: "done" });
    });
  }

  tick(instance: InstanceInfo): void {
    this.#instance = instance;
  }
}

const host = new WorkerRuntime();

installVuHooks((error) => host.strayError(error));
installBlockingHelpers();
installConsole(host);
installGlobals(host);
host.drains.everySecond();
WORKER_LOOP_TURNS.watch();
RAW_TIMERS.setInterval(() => host.flushLogs(), 200);

async function handle(req: RequestEnvelope): Promise<unknown> {
  switch (req.type) {
    case "configure":
      return host.configure(req);
    case "probe":
      return await host.probe();
    case "init":
      return await host.init(req);
    case "setup": {
      const vu = host.control!;
      if (!vu.functions().includes("setup")) return undefined;
      const data = await vu.call("setup", [], "setup", req.timeoutMs);
      return data === undefined ? undefined : JSON.stringify(data);
    }
    case "teardown": {
      const vu = host.control!;
      if (!vu.functions().includes("teardown")) return undefined;
      const data = req.data === undefined ? undefined : JSON.parse(req.data);
      await vu.call("teardown", [data], "teardown", req.timeoutMs);
      return undefined;
    }
    case "summary": {
      const vu = host.control!;
      if (!vu.functions().includes("handleSummary")) return undefined;
      const result = await vu.call("handleSummary", [req.data], "summary", Infinity);
      return summaryOutputs(result);
    }
    case "finish":
      for (const run of host.runs.values()) run.interrupt();
      return undefined;
  }
}

const PACKAGE = new URL("../../", import.meta.url).href;
const INTERNAL = [`${PACKAGE}runner/`, `${PACKAGE}client/`, `${PACKAGE}codec/`, "ext:"];

/** Keeps the script's frames of a stack trace, without mqload's own and the `?vu=N` queries. */
function cleanStack(stack: string): string {
  return stack.split("\n").filter((line) =>
    !/^\s+at /.test(line) ||
    (!INTERNAL.some((p) => line.includes(p)) && !/at async Promise\.all/.test(line))
  ).join("\n").replace(/\?vu=\d+/g, "");
}

scope.addEventListener("message", (event) => {
  const msg = event.data;
  switch (msg.type) {
    case "start":
      return host.start(msg);
    case "grant":
      return host.runs.get(msg.scenario)?.granted(msg.from, msg.count);
    case "stop":
      for (const run of host.runs.values()) run.stop();
      return;
    case "interrupt":
      for (const run of host.runs.values()) run.interrupt();
      return;
    case "tick":
      return host.tick(msg.instance);
  }
  const req = msg as RequestEnvelope;
  handle(req).then(
    (value) => {
      host.flushMetrics();
      post({ type: "reply", id: req.id, ok: true, value });
    },
    (error) => {
      const timeout = error instanceof DOMException && error.name === "TimeoutError";
      host.flushMetrics();
      post({
        type: "reply",
        id: req.id,
        ok: false,
        error: errorInfo(error),
        code: timeout ? "timeout" : "script",
      });
    },
  );
});

/** `__VU`, `__ITER`, `__ENV` and `open()`, as k6 scripts expect them; no `Deno.exit()`. */
function installGlobals(host: WorkerRuntime): void {
  const define = (name: string, get: () => unknown) =>
    Object.defineProperty(globalThis, name, { get, configurable: true });
  define("__VU", () => vuStorage.getStore()?.id ?? 0);
  define("__ITER", () => Math.max(0, vuStorage.getStore()?.iteration ?? 0));
  define("__ENV", () => vuStorage.getStore()?.env ?? host.env);
  Object.defineProperty(globalThis, "open", {
    configurable: true,
    value: (path: string, mode?: string): string | ArrayBuffer => {
      const vu = vuStorage.getStore();
      if (vu !== undefined && vu.phase !== "init") {
        throw new TypeError("open() can only be called from the init context");
      }
      const url = new URL(path, host.scriptBase);
      return mode === "b" ? Deno.readFileSync(url).buffer : Deno.readTextFileSync(url);
    },
  });
  // Either would end this Worker and every VU it hosts, leaving the run to notice the silence.
  // In a VU they fail the iteration instead and say what to use.
  const refuse = (call: string) => () => {
    throw new Error(
      `${call} is not available in a VU: it would end the Worker hosting it; ` +
        `use fail() to end the iteration or exec.test.abort() to stop the test`,
    );
  };
  Object.defineProperty(Deno, "exit", { configurable: true, value: refuse("Deno.exit()") });
  Object.defineProperty(globalThis, "close", { configurable: true, value: refuse("close()") });
}
