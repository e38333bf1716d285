/**
 * The tags on a `k6/x/mqtt` client's samples: the VU's current tags, added by the sink the
 * client reports to, and the `group` a call was made in.
 *
 * @module
 */

import type { MetricRecorder, MetricsSink } from "../../client/mod.ts";
import { MAX_CACHED_TOPICS } from "../../client/internal.ts";
import { MQTT_ERRORS } from "../../client/metric_names.ts";
import type { MetricRegistry, Tags } from "../metrics/registry.ts";
import { BoundTo } from "../metrics/bound_to.ts";
import type { VuState } from "../worker/vu_context.ts";

/** Whether a client reports nothing: true while the runner closes it (see `ABANDON`). */
export interface Muted {
  muted: boolean;
  /** Whether it counts no failures (`mqtt_errors`): while a bench ends it at the run's end. */
  failures?: boolean;
}

// A client's cached tag objects: its base, one per method, and per topic (up to the client's
// MAX_CACHED_TOPICS) the topic's own and one per method used on it.
const MAX_CACHED_TAGS = 8 * MAX_CACHED_TOPICS;

/**
 * A sink adding the VU's current tags to one client's samples. The client's own tag objects are
 * frozen and cached for its life, so each sample with one of them goes to a recorder cached by
 * that object's identity and the metric (a plain map, per client), which binds the series once
 * and again only when the VU's tags change: a sample then costs a map lookup, not the
 * registry's lookups of metric and tags. The client asks for the recorders of its per-message
 * samples itself (`recorder`) and keeps them. An unfrozen tags object, made for one call
 * (per-call tags), is merged each time, as it is not seen again. The client's connections
 * opening and closing go to the Worker's count of open connections.
 */
export function vuSink(vu: VuState, muted: Muted): MetricsSink {
  let cache: Map<Tags, Record<string, VuRecorder>> | undefined;
  return {
    add(metric, value, tags) {
      if (muted.muted || muted.failures === true && metric === MQTT_ERRORS) return;
      if (!Object.isFrozen(tags)) {
        vu.services.registry.add(metric, value, { ...vu.tags, ...tags });
        return;
      }
      cache ??= new Map();
      let recorders = cache.get(tags);
      if (recorders === undefined) {
        if (cache.size >= MAX_CACHED_TAGS) cache.clear();
        cache.set(tags, recorders = {});
      }
      (recorders[metric] ??= new VuRecorder(vu, muted, metric, tags)).add(value);
    },
    recorder: (metric, tags) => new VuRecorder(vu, muted, metric, tags),
    // Counted even while muted: an abandoned client's connection closes all the same.
    connection: (open) => vu.services.connection?.(open),
  };
}

/**
 * One series of a client's per-message samples (a topic's messages, the connection's bytes):
 * bound to the registry with the VU's tags once, again only when those tags change, so a
 * sample is an identity check and an add.
 */
class VuRecorder extends BoundTo implements MetricRecorder {
  readonly #vu: VuState;
  readonly #registry: MetricRegistry;
  readonly #muted: Muted;
  readonly #name: string;
  readonly #own: Tags;
  #base: Tags | undefined;

  constructor(vu: VuState, muted: Muted, metric: string, tags: Tags) {
    super();
    this.#vu = vu;
    this.#registry = vu.services.registry;
    this.#muted = muted;
    this.#name = metric;
    this.#own = tags;
  }

  add(value: number): void {
    if (this.#muted.muted) return;
    const current = this.#vu.tags;
    if (current !== this.#base) {
      this.#base = current;
      this.#registry.bind(this.#name, Object.freeze({ ...current, ...this.#own }), this, true);
    }
    this.#registry.addBound(this, value);
  }
}

const GROUP_TAGS = new Map<string, Readonly<Record<string, string>>>();

/** The frozen `{ group }` tags of a group path, one object per path (few per script). */
function groupTags(group: string): Readonly<Record<string, string>> {
  let tags = GROUP_TAGS.get(group);
  if (tags === undefined) GROUP_TAGS.set(group, tags = Object.freeze({ group }));
  return tags;
}

/**
 * A call's options tagged with the group it is made in: k6's calls block, so their samples
 * carry the group they were made in, while here most settle after `group()` has returned.
 *
 * @param group The group path; `""` (the root) or `undefined` (no VU) returns the options as they are.
 * @param options The call's options.
 */
export function withGroupTag<T extends { tags?: Record<string, string> }>(
  group: string | undefined,
  options: T | undefined,
): T | undefined {
  if (!group) return options;
  // Frozen and shared per group, so the metric caches keyed by tag objects keep working; a
  // call with tags of its own is merged each time, as such tags are anyway.
  const tags = options?.tags === undefined ? groupTags(group) : { group, ...options.tags };
  return { ...(options as T), tags };
}
