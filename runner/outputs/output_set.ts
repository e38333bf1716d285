/**
 * The outputs of one run, side by side: made from `--out` values through the registry, each
 * given every snapshot and status, and each failing alone — the run and the other outputs go on.
 * An output reports its own problems (an unreachable server once a push interval, with what it
 * dropped); an exception one of its methods throws is reported here, each distinct one once.
 * Every output opened is stopped exactly once, however the run ends: with the summary at its end
 * ({@linkcode OutputSet.stop}), else without one ({@linkcode OutputSet.close}, and when a later
 * output cannot be opened).
 *
 * @module
 */

import type { MetricsSnapshot } from "../metrics/registry.ts";
import { InvalidConfigError } from "../config/options.ts";
import type { Output, OutputParams, RunStatus, TestEnd } from "./output.ts";
import { type OutputSpec, outputType, unknownOutput, wantsPoints } from "./registry.ts";

/** What every output of the run is made with, besides its own argument. */
export type OutputSetParams = Omit<OutputParams, "arg" | "log"> & {
  /** Reports an output's problem. */
  log(text: string): void;
};

/**
 * Every output of a run.
 *
 * @example Usage
 * ```ts
 * import { OutputSet } from "./output_set.ts";
 * import { MetricRegistry } from "../metrics/registry.ts";
 * import assert from "node:assert/strict";
 *
 * const outputs = await OutputSet.open([], {
 *   metrics: new MetricRegistry(), script: "t.js", options: {}, log: () => {},
 * });
 * assert.equal(outputs.wantPoints, false);
 * assert.deepEqual(outputs.descriptions(), []);
 * await outputs.close();
 * ```
 */
export class OutputSet {
  readonly #outputs: Output[];
  readonly #log: (text: string) => void;
  /** The one stop of the outputs, once begun. */
  #stopped: Promise<void> | undefined;
  /** Whether any output wants every sample as a point (the Workers then keep them). */
  readonly wantPoints: boolean;

  private constructor(outputs: Output[], wantPoints: boolean, log: (text: string) => void) {
    this.#outputs = outputs;
    this.wantPoints = wantPoints;
    this.#log = log;
  }

  /**
   * Makes the outputs, in order. When one cannot be made, those already open are stopped
   * (without a summary) before the error goes on.
   *
   * @param specs The `--out` values taken apart.
   * @param params What every output is made with.
   * @param made Outputs the caller made already, first in the set.
   * @returns The set.
   * @throws {InvalidConfigError} For an unknown name, or an output that cannot be opened.
   */
  static async open(
    specs: readonly OutputSpec[],
    params: OutputSetParams,
    made: readonly Output[] = [],
  ): Promise<OutputSet> {
    const log = once(params.log);
    const outputs: Output[] = [...made];
    try {
      for (const spec of specs) {
        const type = outputType(spec.name);
        if (type === undefined) {
          throw new InvalidConfigError([unknownOutput(spec.name)]);
        }
        outputs.push(await type.create({ ...params, arg: spec.arg }));
      }
    } catch (e) {
      await stopAll(outputs, undefined, log);
      throw e;
    }
    return new OutputSet(outputs, wantsPoints(specs), log);
  }

  /** The banner's text of each output. */
  descriptions(): string[] {
    return this.#outputs.map((o) => o.description());
  }

  /** Tells every output the test clock started. */
  start(startMs: number): void {
    this.#each((o) => o.start(startMs));
  }

  /** Gives every output a merged snapshot. */
  addSamples(snapshot: MetricsSnapshot, atMs: number): void {
    this.#each((o) => o.addSamples(snapshot, atMs));
  }

  /** Gives the outputs that want them the VU figures. */
  addStatus(status: RunStatus): void {
    this.#each((o) => o.addStatus?.(status));
  }

  /**
   * Stops every output at once (each waits for its servers within its own bound), with the
   * summary. Only the first call stops them; a later one waits for that stop.
   *
   * @param end The summary and the verdicts; undefined when the run ended without a summary.
   * @returns Resolves when every output is stopped (a failure is logged, not thrown).
   */
  stop(end?: TestEnd): Promise<void> {
    return this.#stopped ??= stopAll(this.#outputs, end, this.#log);
  }

  /**
   * Stops the outputs without a summary unless {@linkcode OutputSet.stop} already did: for a
   * run that ends before its end (the `setup()` timeout, a script error, Workers that cannot
   * start).
   *
   * @returns Resolves when every output is stopped.
   */
  close(): Promise<void> {
    return this.stop();
  }

  #each(fn: (o: Output) => void): void {
    for (const o of this.#outputs) {
      try {
        fn(o);
      } catch (e) {
        this.#log(`${o.description()}: ${(e as Error).message}`);
      }
    }
  }
}

/** Stops outputs concurrently; each failure is logged (once per distinct text), none thrown. */
async function stopAll(
  outputs: readonly Output[],
  end: TestEnd | undefined,
  log: (text: string) => void,
): Promise<void> {
  const results = await Promise.allSettled(outputs.map(async (o) => await o.stop(end)));
  results.forEach((r, i) => {
    if (r.status === "rejected") log(`${outputs[i].description()}: ${message(r.reason)}`);
  });
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A log that says each distinct text once (an output throwing every second says it once). */
function once(log: (text: string) => void): (text: string) => void {
  const said = new Set<string>();
  return (text) => {
    if (said.has(text)) return;
    if (said.size < 100) said.add(text);
    log(text);
  };
}
