/**
 * The `vus` and `vus_max` gauges, sampled on the main thread from the Workers' reports.
 *
 * `vus` is the most VUs active at once per Worker since the last sample, once every Worker still
 * running has reported since then: Workers report every second, each on its own phase, so a
 * figure read between reports (or after the VUs ended) would say 0 where k6 sees them running,
 * and one Worker's fresh report beside another's from before the start would undercount.
 *
 * @module
 */

import {
  defineBuiltins,
  MetricRegistry,
  type MetricsSnapshot,
  type Tags,
} from "../metrics/registry.ts";
import type { WorkerStats } from "../worker/messages.ts";
import type { WorkerHandle } from "./worker_pool.ts";
import { VUS, VUS_MAX } from "../metrics/builtin.ts";

/** Samples the VU gauges into a registry of their own, drained at each sample. */
export class VusGauges {
  readonly #gauges: MetricRegistry;
  /** The Workers that reported since the last `vus` sample. */
  readonly #fresh = new Set<WorkerHandle>();
  #sampledVus = false;

  /** The run's tags (`--tag`, `options.tags`): k6 gives them to `vus` and `vus_max`. */
  readonly #tags: Tags;

  /**
   * @param recordPoints Whether an output wants every sample as a point.
   * @param runTags The run's tags.
   */
  constructor(recordPoints: boolean, runTags: Tags = {}) {
    this.#gauges = new MetricRegistry({ recordPoints });
    defineBuiltins(this.#gauges);
    this.#tags = Object.freeze({ ...runTags });
  }

  /** A Worker reported while the test runs. */
  reported(w: WorkerHandle): void {
    this.#fresh.add(w);
  }

  /**
   * Samples the gauges.
   *
   * @param stats Each Worker's latest figures (their `peak` is reset to `active` once sampled).
   * @param running The Workers still running their scenarios.
   * @param initialized The VUs initialized so far.
   * @param final The last sample of the run: take what reported.
   * @returns The gauges' snapshot, to merge.
   */
  sample(
    stats: ReadonlyMap<WorkerHandle, WorkerStats>,
    running: readonly WorkerHandle[],
    initialized: number,
    final: boolean,
  ): MetricsSnapshot {
    const fresh = this.#fresh;
    const ready = fresh.size > 0 && (final || running.every((w) => fresh.has(w)));
    if (ready) {
      let vus = 0;
      for (const s of stats.values()) vus += s.peak;
      if (!final || vus > 0 || !this.#sampledVus) {
        this.#gauges.add(VUS, vus, this.#tags);
        this.#sampledVus = true;
      }
      fresh.clear();
      for (const s of stats.values()) s.peak = s.active;
    }
    this.#gauges.add(VUS_MAX, initialized, this.#tags);
    return this.#gauges.drain();
  }
}
