/**
 * The `k6/execution` module: who runs the calling code and where the test stands.
 *
 * | property | meaning |
 * |---|---|
 * | `vu.idInInstance` | the VU id (`__VU`), 1..this instance's initialized VUs |
 * | `vu.idInTest` | the VU's id across the test's execution segments (`__VU` without a segment) |
 * | `vu.iterationInInstance` | the VU's iteration over all scenarios (`__ITER`) |
 * | `vu.iterationInScenario` | the VU's iteration in the current scenario |
 * | `vu.tags`, `vu.metrics.tags` | tags added to the VU's samples (writable) |
 * | `scenario.name`, `.executor`, `.startTime`, `.progress` | the current scenario |
 * | `scenario.iterationInInstance` | the scenario's iteration number in this instance: 0, 1, 2… in the order iterations start, across Workers |
 * | `scenario.iterationInTest` | the same number across the test's execution segments (`iterationInInstance` without a segment): unique, 0..N-1 over the instances |
 * | `instance.iterationsCompleted`, `.iterationsInterrupted`, `.vusActive`, `.vusInitialized`, `.currentTestRunDuration` | test-wide figures: the running Worker's own counts as they are now, the other Workers' as of the last second |
 * | `test.abort(reason)`, `test.options` | abort the run (exit code 108); the consolidated options |
 * | `test.fail(reason)` | mark the run failed and go on: it exits with 110 unless it fails otherwise |
 *
 * @example Usage
 * ```ts ignore
 * import exec from "k6/execution";
 * export default function () {
 *   console.log(exec.vu.idInTest, exec.scenario.name, exec.scenario.iterationInTest);
 * }
 * ```
 *
 * @module
 */

import { currentVu, type VuState } from "../worker/vu_context.ts";
import { ExecutionTuple } from "../segments/execution_tuple.ts";
import {
  parseExecutionSegment,
  parseExecutionSegmentSequence,
} from "../segments/execution_segment.ts";

// The Worker's options (frozen once per run) → this instance's segment of the test.
const instanceTuples = new WeakMap<object, ExecutionTuple>();

/**
 * k6 numbers an instance's VUs 1, 2, 3… (`__VU`) and gives each the matching global number of
 * the segment's striping (`SegmentedIndex`), so the instances of a split test share no
 * `idInTest`.
 */
function idInTest(vu: VuState): number {
  if (vu.id === 0) return 0;
  const options = vu.services.options;
  let tuple = instanceTuples.get(options);
  if (tuple === undefined) {
    const { executionSegment: segment, executionSegmentSequence: sequence } = options;
    tuple = new ExecutionTuple(
      typeof segment === "string" && segment !== "" ? parseExecutionSegment(segment) : undefined,
      typeof sequence === "string" && sequence !== ""
        ? parseExecutionSegmentSequence(sequence)
        : undefined,
    );
    instanceTuples.set(options, tuple);
  }
  return tuple.globalIndex(vu.id - 1) + 1;
}

function inScenario(what: string): VuState & { scenario: NonNullable<VuState["scenario"]> } {
  const vu = currentVu(`exec.scenario.${what}`);
  if (vu.scenario === undefined) {
    throw new TypeError(
      `exec.scenario.${what}: getting scenario information outside of the VU context is not supported`,
    );
  }
  return vu as VuState & { scenario: NonNullable<VuState["scenario"]> };
}

function tagsProxy(vu: VuState): Record<string, string> {
  return new Proxy(vu.userTags, {
    get: (target, key) => typeof key === "string" ? target[key] ?? vu.tags[key] : undefined,
    set: (target, key, value) => {
      if (typeof key !== "string") return false;
      target[key] = String(value);
      vu.tagsChanged();
      return true;
    },
    deleteProperty: (target, key) => {
      if (typeof key === "string") delete target[key];
      vu.tagsChanged();
      return true;
    },
    ownKeys: (target) => [...new Set([...Object.keys(vu.tags), ...Object.keys(target)])],
    getOwnPropertyDescriptor: (target, key) => {
      const value = typeof key === "string" ? target[key] ?? vu.tags[key] : undefined;
      return value === undefined
        ? undefined
        : { value, writable: true, enumerable: true, configurable: true };
    },
  });
}

/** `exec.vu`: the calling VU. */
export interface ExecVu {
  /** The VU id in this instance. */
  readonly idInInstance: number;
  /** The VU id in the test. */
  readonly idInTest: number;
  /** The VU's iteration over all scenarios (`__ITER`). */
  readonly iterationInInstance: number;
  /** The VU's iteration in the current scenario. */
  readonly iterationInScenario: number;
  /** Tags added to the VU's samples (writable). */
  readonly tags: Record<string, string>;
  /** The VU's metric tags (writable) and metadata. */
  readonly metrics: {
    readonly tags: Record<string, string>;
    readonly metadata: Record<string, string>;
  };
}

/** `exec.scenario`: the scenario of the calling iteration. */
export interface ExecScenario {
  /** Scenario name. */
  readonly name: string;
  /** Executor type. */
  readonly executor: string;
  /** Start, in ms since the epoch. */
  readonly startTime: number;
  /** Progress from 0 to 1. */
  readonly progress: number;
  /** Scenario-wide iteration number in this instance. */
  readonly iterationInInstance: number;
  /** Scenario-wide iteration number in the test. */
  readonly iterationInTest: number;
}

/** `exec.instance`: test-wide figures of this instance. */
export interface ExecInstance {
  /** Completed iterations. */
  readonly iterationsCompleted: number;
  /** Interrupted iterations. */
  readonly iterationsInterrupted: number;
  /** Active VUs. */
  readonly vusActive: number;
  /** Initialized VUs. */
  readonly vusInitialized: number;
  /** Time since the test started, in ms. */
  readonly currentTestRunDuration: number;
}

/** `exec.test`: the test run. */
export interface ExecTest {
  /** Aborts the test (exit code 108); throws to end the calling iteration. */
  abort(reason?: string): never;
  /**
   * Marks the test failed and logs why; the run goes on and exits with 110 (k6's
   * `MarkedAsFailed`) unless it fails otherwise (aborted, a script error).
   */
  fail(reason?: string): void;
  /** The consolidated options. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** The `k6/execution` module's default export. */
export interface Execution {
  /** The calling VU. */
  readonly vu: ExecVu;
  /** The current scenario. */
  readonly scenario: ExecScenario;
  /** This instance. */
  readonly instance: ExecInstance;
  /** The test run. */
  readonly test: ExecTest;
}

/** The calling VU. */
export const vu: ExecVu = Object.freeze({
  get idInInstance() {
    return currentVu("exec.vu").id;
  },
  get idInTest() {
    return idInTest(currentVu("exec.vu"));
  },
  get iterationInInstance() {
    return Math.max(0, currentVu("exec.vu").iteration);
  },
  get iterationInScenario() {
    return Math.max(0, currentVu("exec.vu").iterationInScenario);
  },
  get tags() {
    return tagsProxy(currentVu("exec.vu.tags"));
  },
  get metrics() {
    const state = currentVu("exec.vu.metrics");
    return { tags: tagsProxy(state), metadata: {} };
  },
});

/** The scenario of the calling iteration. */
export const scenario: ExecScenario = Object.freeze({
  get name() {
    return inScenario("name").scenario.name;
  },
  get executor() {
    return inScenario("executor").scenario.executor;
  },
  get startTime() {
    return inScenario("startTime").scenario.startTime;
  },
  get progress() {
    return inScenario("progress").scenario.progress();
  },
  get iterationInInstance() {
    return inScenario("iterationInInstance").iterationInInstance;
  },
  get iterationInTest() {
    return inScenario("iterationInTest").iterationInTest;
  },
});

/** Test-wide figures of this instance. */
export const instance: ExecInstance = Object.freeze({
  get iterationsCompleted() {
    return currentVu("exec.instance").services.instance().iterationsCompleted;
  },
  get iterationsInterrupted() {
    return currentVu("exec.instance").services.instance().iterationsInterrupted;
  },
  get vusActive() {
    return currentVu("exec.instance").services.instance().vusActive;
  },
  get vusInitialized() {
    return currentVu("exec.instance").services.instance().vusInitialized;
  },
  get currentTestRunDuration() {
    const start = currentVu("exec.instance").services.testStart();
    return start === 0 ? 0 : Date.now() - start;
  },
});

/** The test run. */
export const test: ExecTest = Object.freeze({
  abort(reason?: string): never {
    const state = currentVu("exec.test.abort()");
    const message = `test aborted${reason ? `: ${reason}` : ""}`;
    state.services.abort(message);
    throw new TestAbortedError(message);
  },
  fail(reason?: string): void {
    const state = currentVu("exec.test.fail()");
    // As k6, where the init context has no VU state to mark.
    if (state.phase === "init") {
      throw new TypeError("execution.test.fail() called outside of VU context");
    }
    const nullish = reason === undefined || reason === null;
    state.services.markFailed(`test marked as failed${nullish ? "" : `: ${reason}`}`);
  },
  get options() {
    return currentVu("exec.test.options").services.options;
  },
});

/** What `exec.test.abort()` throws to end the iteration at once. */
export class TestAbortedError extends Error {
  /** @param message The reason. */
  constructor(message: string) {
    super(message);
    this.name = "TestAbortedError";
  }
}

/** For `import exec from "k6/execution"`. */
const exec: Execution = Object.freeze({ vu, scenario, instance, test });
export default exec;
