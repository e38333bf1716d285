/**
 * The `k6/execution` module: who runs the calling code and where the test stands.
 *
 * | property | meaning |
 * |---|---|
 * | `vu.idInInstance`, `vu.idInTest` | the VU id (`__VU`) |
 * | `vu.iterationInInstance` | the VU's iteration over all scenarios (`__ITER`) |
 * | `vu.iterationInScenario` | the VU's iteration in the current scenario |
 * | `vu.tags`, `vu.metrics.tags` | tags added to the VU's samples (writable) |
 * | `scenario.name`, `.executor`, `.startTime`, `.progress` | the current scenario |
 * | `scenario.iterationInInstance`, `.iterationInTest` | the scenario-wide iteration number (unique, not always sequential across Workers) |
 * | `instance.iterationsCompleted`, `.iterationsInterrupted`, `.vusActive`, `.vusInitialized`, `.currentTestRunDuration` | test-wide figures (updated every second) |
 * | `test.abort(reason)`, `test.options` | abort the run (exit code 108); the consolidated options |
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

import { currentVu, type VuState } from "./_context.ts";

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

/** The calling VU. */
export const vu: {
  readonly idInInstance: number;
  readonly idInTest: number;
  readonly iterationInInstance: number;
  readonly iterationInScenario: number;
  readonly tags: Record<string, string>;
  readonly metrics: {
    readonly tags: Record<string, string>;
    readonly metadata: Record<string, string>;
  };
} = Object.freeze({
  get idInInstance() {
    return currentVu("exec.vu").id;
  },
  get idInTest() {
    return currentVu("exec.vu").id;
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
export const scenario: {
  readonly name: string;
  readonly executor: string;
  readonly startTime: number;
  readonly progress: number;
  readonly iterationInInstance: number;
  readonly iterationInTest: number;
} = Object.freeze({
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
    return inScenario("iterationInInstance").iterationInTest;
  },
  get iterationInTest() {
    return inScenario("iterationInTest").iterationInTest;
  },
});

/** Test-wide figures of this instance. */
export const instance: {
  readonly iterationsCompleted: number;
  readonly iterationsInterrupted: number;
  readonly vusActive: number;
  readonly vusInitialized: number;
  readonly currentTestRunDuration: number;
} = Object.freeze({
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
export const test: {
  abort(reason?: string): never;
  readonly options: Readonly<Record<string, unknown>>;
} = Object.freeze({
  abort(reason?: string): never {
    const state = currentVu("exec.test.abort()");
    const message = `test aborted${reason ? `: ${reason}` : ""}`;
    state.services.abort(message);
    throw new TestAbortedError(message);
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
const exec: {
  readonly vu: typeof vu;
  readonly scenario: typeof scenario;
  readonly instance: typeof instance;
  readonly test: typeof test;
} = Object.freeze({ vu, scenario, instance, test });
export default exec;
