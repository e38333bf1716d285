/**
 * Internals of the metric registry: which series a sample's tags land in. A tags object is
 * bound to its series through caches (by identity, then by content; a frozen object new by
 * content by its indexed tags) so that `add()` costs a few property reads; non-indexed tags
 * (`vu`, `iter`) do not split series; past the series cap, new tag sets fold into a series
 * that keeps only the preserved tags, or none.
 *
 * @module
 */

import { EMPTY_TAGS, type MetricState, Series } from "./_series.ts";
import type { Tags } from "./types.ts";

/**
 * How a tag object maps to a series. `tags` is our own sorted copy of the sample's tags, what
 * points carry to the outputs (sorted, as k6's outputs write them); for a frozen object it is
 * made from `source` when first asked for (see {@linkcode tagsOf}): most runs stream no points.
 */
export interface Binding {
  series: Series;
  tags: Tags | undefined;
  /** The tags object bound (frozen), or the sorted copy. */
  source: Tags;
  size: number;
}

/** The sorted tags of a binding's samples, copied from the bound object on first use. */
export function tagsOf(binding: Binding): Tags {
  return binding.tags ??= sortedCopy(binding.source);
}

/** Binds tags objects to the series of a registry's metrics, under one series cap. */
export class SeriesBinder {
  readonly #maxSeries: number;
  readonly #nonIndexed: Set<string>;
  /** Per-connection tags: non-indexed until preserved (a threshold filters on them). */
  readonly #perConnection: ReadonlySet<string>;
  /** k6's checks carry `check` and `group`: the summary's check list needs them. */
  readonly #preserved = new Set<string>(["check", "group"]);
  readonly #onWarning: (message: string) => void;
  #warnedFold = false;

  constructor(
    maxSeries: number,
    nonIndexed: readonly string[],
    perConnection: readonly string[],
    onWarning: (message: string) => void,
  ) {
    this.#maxSeries = maxSeries;
    this.#nonIndexed = new Set([...nonIndexed, ...perConnection]);
    this.#perConnection = new Set(perConnection);
    this.#onWarning = onWarning;
  }

  /** Tag keys that survive a fold (besides `check` and `group`); per-connection ones split series. */
  preserve(keys: Iterable<string>): void {
    for (const key of keys) {
      this.#preserved.add(key);
      if (this.#perConnection.has(key)) this.#nonIndexed.delete(key);
    }
  }

  /**
   * The binding of `tags` for `metric`, creating (or folding) its series when new. `once`: the
   * object is bound this once (made for the caller's binding, which the caller keeps), so it is
   * not cached by identity: a WeakMap entry costs about 2 µs to make, more than the binding.
   */
  bind(metric: MetricState, tags: Tags, once = false): Binding {
    let binding = metric.lastTags === tags ? metric.lastBinding : metric.byObject.get(tags);
    if (binding !== undefined && (Object.isFrozen(tags) || sameTags(binding, tags))) {
      metric.lastTags = tags;
      metric.lastBinding = binding;
      return binding;
    }
    if (binding === undefined && Object.isFrozen(tags)) return this.#bindFrozen(metric, tags, once);
    let key = "";
    for (const k in tags) key += k + "\u0000" + tags[k] + "\u0001";
    binding = metric.byKey.get(key);
    if (binding === undefined) {
      const copy = sortedCopy(tags);
      binding = { series: this.#seriesFor(metric, copy), tags: copy, source: copy, size: 0 };
      for (const _ in copy) binding.size++;
      // Bounded: tag sets past the series cap (unique ids…) would otherwise pile up here.
      if (metric.byKey.size >= this.#maxSeries * 4) metric.byKey.clear();
      metric.byKey.set(key, binding);
    }
    if (!once) metric.byObject.set(tags, binding);
    metric.lastTags = tags;
    metric.lastBinding = binding;
    return binding;
  }

  /**
   * Binds a frozen tags object seen for the first time: a VU's or a connection's own, whose
   * `vu`, `iter` or `client_id` make its content new too, so the content cache would only miss
   * and grow. Its series is found by its indexed tags in the object's own key order (objects
   * built alike share it); the sorted copy the outputs' points need is made when one is
   * recorded (`tagsOf`). No content key, no copy for a run without such outputs.
   */
  #bindFrozen(metric: MetricState, tags: Tags, once: boolean): Binding {
    const nonIndexed = this.#nonIndexed;
    let indexedKey = "";
    let size = 0;
    let strings = true;
    for (const k in tags) {
      const value = tags[k];
      size++;
      if (typeof value !== "string") strings = false;
      if (!nonIndexed.has(k)) indexedKey += k + "\u0000" + value + "\u0001";
    }
    let series = metric.byIndexed.get(indexedKey);
    // Values other than strings are made strings now: the series' tags must be.
    const copy = strings ? undefined : sortedCopy(tags);
    if (series === undefined) {
      series = this.#seriesFor(metric, copy ?? sortedCopy(tags));
      // Bounded: past the series cap, tag sets with a value per call would pile up here.
      if (metric.byIndexed.size >= this.#maxSeries * 4) metric.byIndexed.clear();
      metric.byIndexed.set(indexedKey, series);
    }
    const binding: Binding = { series, tags: copy, source: copy ?? tags, size };
    if (!once) metric.byObject.set(tags, binding);
    metric.lastTags = tags;
    metric.lastBinding = binding;
    return binding;
  }

  /** The series for the (sorted) tags, creating or folding it. */
  #seriesFor(metric: MetricState, tags: Tags): Series {
    let indexed = tags;
    if (this.#nonIndexed.size > 0) {
      for (const k in tags) {
        if (this.#nonIndexed.has(k)) {
          indexed = {};
          for (const j in tags) if (!this.#nonIndexed.has(j)) indexed[j] = tags[j];
          break;
        }
      }
    }
    const key = tagKey(indexed);
    let series = metric.series.get(key);
    if (series !== undefined) return series;
    if (metric.series.size < this.#maxSeries || key === "") {
      series = new Series(indexed === tags ? Object.freeze(tags) : indexed, metric.kind);
      metric.series.set(key, series);
      return series;
    }
    // Past the cap: keep only the preserved tags (bounded by their own cardinality,
    // allowed up to twice the cap), else fold into the untagged series.
    const kept: Tags = {};
    for (const k in indexed) if (this.#preserved.has(k)) kept[k] = indexed[k];
    let foldKey = tagKey(kept);
    if (metric.series.size >= this.#maxSeries * 2 && !metric.series.has(foldKey)) foldKey = "";
    if (!metric.folded) {
      metric.folded = true;
      // One warning per registry: a tag with a value per iteration folds many metrics at once.
      if (!this.#warnedFold) {
        this.#warnedFold = true;
        const keep = [...this.#preserved].sort().join(", ") || "none";
        this.#onWarning(
          `Metric "${metric.name}" (and any other past the cap) has more than ` +
            `${this.#maxSeries} tag sets, e.g. a tag with a value per iteration: samples with new tag ` +
            `sets are aggregated keeping only the tags used by thresholds (${keep}). ` +
            "Totals are exact; points streamed to outputs keep all their tags.",
        );
      }
    }
    series = metric.series.get(foldKey);
    if (series === undefined) {
      series = new Series(foldKey === "" ? EMPTY_TAGS : kept, metric.kind);
      metric.series.set(foldKey, series);
    }
    return series;
  }
}

function sameTags(binding: Binding, tags: Tags): boolean {
  const own = tagsOf(binding);
  let n = 0;
  for (const k in tags) {
    if (own[k] !== tags[k]) return false;
    n++;
  }
  return n === binding.size;
}

function sortedCopy(tags: Tags): Tags {
  const copy: Tags = {};
  for (const k of Object.keys(tags).sort()) copy[k] = String(tags[k]);
  return copy;
}

/** Canonical key of sorted tags. */
function tagKey(tags: Tags): string {
  let key = "";
  for (const k in tags) key += k + "\u0000" + tags[k] + "\u0001";
  return key;
}
