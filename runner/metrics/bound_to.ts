/**
 * A metric's binding to a series as the registry hands it out, which a per-message recorder can
 * extend (see {@linkcode BoundTo}).
 *
 * @module
 */

import { EMPTY_TAGS } from "./_series.ts";
import { type Binding, tagsOf } from "./_series_binding.ts";
import type { MetricTable, PendingSamples } from "./_metric_table.ts";
import type { BoundSeries, Tags } from "./types.ts";

/**
 * What {@linkcode MetricRegistry.bind} returns: the series as well, and for a counter the
 * samples added since its series were last read (see `MetricTable.later`). A recorder that adds
 * a sample per message can extend it and be bound itself (`bind`'s `into`): a sample then
 * touches one object of the recorder's, not two.
 *
 * @example Usage
 * ```ts
 * import { MetricRegistry } from "./registry.ts";
 * import { BoundTo } from "./bound_to.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry();
 * registry.define("bytes", "counter");
 * const own = new BoundTo();
 * registry.bind("bytes", Object.freeze({ page: "home" }), own);
 * registry.addBound(own, 10);
 * // Bound again to other tags: what was added stays with the first ones.
 * registry.bind("bytes", Object.freeze({ page: "faq" }), own);
 * registry.addBound(own, 5);
 * assert.equal(registry.select("bytes", { page: "home" })?.sum, 10);
 * assert.equal(registry.select("bytes", { page: "faq" })?.sum, 5);
 * ```
 */
export class BoundTo implements BoundSeries, PendingSamples {
  metric = "";
  /** The series' binding; set by `MetricRegistry.bind` before any sample. */
  binding!: Binding;

  /** The tags of the samples, sorted (none before the first binding). */
  get tags(): Tags {
    return this.binding === undefined ? EMPTY_TAGS : tagsOf(this.binding);
  }
  /** The table that reads the series, for a counter whose samples wait here; else undefined. */
  table: MetricTable | undefined;
  count = 0;
  sum = 0;

  /** Adds the waiting samples to the series (the metric table calls it before reading them). */
  settle(): void {
    this.binding.series.addCounts(this.count, this.sum);
    this.count = 0;
    this.sum = 0;
  }
}
