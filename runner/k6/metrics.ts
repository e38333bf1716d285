/**
 * The `k6/metrics` module: custom `Counter`, `Gauge`, `Rate` and `Trend` metrics, declared in
 * the init context, recorded in the Worker's registry with the VU's tags.
 *
 * @example Usage
 * ```ts ignore
 * import { Counter, Trend } from "k6/metrics";
 * const received = new Counter("handler_called");
 * const rtt = new Trend("round_trip", true);
 *
 * export default function () {
 *   received.add(1, { topic: "a" });
 *   rtt.add(12.5);
 * }
 * ```
 *
 * @module
 */

import type { MetricType } from "../metrics/registry.ts";
import type { BoundSeries, Tags } from "../metrics/types.ts";
import { currentVu } from "../worker/vu_context.ts";

/** A custom metric: what `Counter`, `Gauge`, `Rate` and `Trend` share. */
export class Metric {
  /** The metric's name. */
  readonly name: string;
  readonly #type: MetricType;
  /**
   * The series of the samples without tags of their own, and the VU tags it is bound for (each
   * VU has its own tags object, so a metric object shared by VUs binds again as they alternate).
   */
  #bound: BoundSeries | undefined;
  #boundTags: Tags | undefined;

  /**
   * Declares the metric in the VU's Worker (init context only).
   *
   * @param type Its type.
   * @param name Its name.
   * @param isTime Values are durations in ms.
   * @throws {TypeError} Outside the init context, or on a bad name or type clash.
   */
  constructor(type: MetricType, name: string, isTime: boolean) {
    const vu = currentVu(`new ${type[0].toUpperCase()}${type.slice(1)}()`);
    if (vu.phase !== "init") {
      throw new TypeError(`metric "${name}": metrics must be declared in the init context`);
    }
    vu.services.registry.define(name, type, isTime ? "time" : "default");
    this.name = name;
    this.#type = type;
  }

  /**
   * Adds a sample with the VU's tags and `tags`.
   *
   * @param value A number (booleans count as 1 and 0).
   * @param tags Extra tags.
   * @throws {TypeError} When the value is not a finite number, or outside a VU.
   */
  add(value: number | boolean, tags?: Record<string, string>): void {
    const vu = currentVu(`${this.#type}.add()`);
    const registry = vu.services.registry;
    const sample = typeof value === "boolean" ? Number(value) : value;
    if (tags === undefined || tags === null) {
      // The VU's own tags: bound once, again only when they change.
      const base = vu.tags;
      if (base !== this.#boundTags) {
        this.#bound = registry.bind(this.name, base, this.#bound);
        this.#boundTags = base;
      }
      registry.addBound(this.#bound!, sample);
      return;
    }
    const merged: Record<string, string> = { ...vu.tags };
    for (const [k, v] of Object.entries(tags)) merged[k] = String(v);
    registry.add(this.name, sample, merged);
  }
}

/** A cumulative sum (`count`, `rate` per second). */
export class Counter extends Metric {
  /**
   * Declares a counter (init context only).
   *
   * @param name Metric name.
   * @param isTime Values are durations in ms.
   * @throws {TypeError} Outside the init context, or on a bad name or type clash.
   */
  constructor(name: string, isTime = false) {
    super("counter", name, isTime);
  }
}

/** The latest value (`value`, `min`, `max`). */
export class Gauge extends Metric {
  /**
   * Declares a gauge (init context only).
   *
   * @param name Metric name.
   * @param isTime Values are durations in ms.
   * @throws {TypeError} Outside the init context, or on a bad name or type clash.
   */
  constructor(name: string, isTime = false) {
    super("gauge", name, isTime);
  }
}

/** The share of non-zero values (`rate`). */
export class Rate extends Metric {
  /**
   * Declares a rate (init context only).
   *
   * @param name Metric name.
   * @param isTime Ignored, as in k6.
   * @throws {TypeError} Outside the init context, or on a bad name or type clash.
   */
  constructor(name: string, isTime = false) {
    super("rate", name, isTime);
  }
}

/** A distribution (`avg`, `min`, `med`, `max`, `p(N)`). */
export class Trend extends Metric {
  /**
   * Declares a trend (init context only).
   *
   * @param name Metric name.
   * @param isTime Values are durations in ms.
   * @throws {TypeError} Outside the init context, or on a bad name or type clash.
   */
  constructor(name: string, isTime = false) {
    super("trend", name, isTime);
  }
}

export default { Counter, Gauge, Rate, Trend };
