/**
 * `--out json=FILE`: k6's NDJSON stream of every sample ({@linkcode NdjsonOutput}) as an
 * {@linkcode Output}. FILE `-` (or none) is stdout; a `.gz` FILE is gzipped.
 *
 * @module
 */

import { NdjsonOutput } from "./ndjson.ts";
import type { Output, OutputParams, OutputType } from "./output.ts";
import type { MetricsSnapshot } from "../metrics/registry.ts";

class JsonOutput implements Output {
  readonly #out: NdjsonOutput;
  readonly #params: OutputParams;
  #writes: Promise<void> = Promise.resolve();
  /** Batches that could not be written: the first failure is said, the count at the end. */
  #failed = 0;

  constructor(out: NdjsonOutput, params: OutputParams) {
    this.#out = out;
    this.#params = params;
  }

  description(): string {
    return `json (${this.#params.arg})`;
  }

  start(): void {}

  addSamples(snapshot: MetricsSnapshot): void {
    if (snapshot.points.length === 0) return;
    const points = snapshot.points;
    this.#writes = this.#writes.then(() => this.#out.write(points)).catch((e) => {
      if (this.#failed++ === 0) this.#params.log(`--out json: ${(e as Error).message}`);
    });
  }

  async stop(): Promise<void> {
    await this.#writes;
    await this.#out.close();
    if (this.#failed > 1) {
      this.#params.log(`--out json: ${this.#failed} batches of points could not be written`);
    }
  }
}

/**
 * The `json` output's registry entry.
 *
 * @example Usage
 * ```ts
 * import { jsonOutput } from "./json.ts";
 * import { MetricRegistry } from "../metrics/registry.ts";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".ndjson" });
 * const metrics = new MetricRegistry({ recordPoints: true });
 * metrics.define("checks", "rate");
 * const out = await jsonOutput.create({
 *   arg: path, metrics, script: "t.js", options: {}, log: (text) => { throw new Error(text); },
 * });
 * assert.equal(out.description(), `json (${path})`);
 * metrics.add("checks", 1, {}, Date.UTC(2025, 0, 1));
 * out.addSamples(metrics.drain(), Date.now());
 * await out.stop({ summary: {} as never, thresholds: [] });
 * assert.match(await Deno.readTextFile(path), /"type":"Point"/);
 * await Deno.remove(path);
 * ```
 */
export const jsonOutput: OutputType = {
  usage: 'json=FILE         k6 NDJSON of every sample ("-": stdout; .gz)',
  points: true,
  async create(params: OutputParams): Promise<Output> {
    const out = await NdjsonOutput.open(params.arg, {
      metrics: params.metrics,
      thresholds: params.thresholds,
    });
    return new JsonOutput(out, params);
  },
};
