// Metric reporting for one client. Tag objects are built once per connection and cached per topic,
// so a message costs a map lookup, not an object spread.

import type { Op } from "./_ops.ts";
import type { MetricsSink } from "./metrics_sink.ts";
import {
  DATA_RECEIVED,
  DATA_SENT,
  MQTT_CALLS,
  MQTT_CONNECT_DURATION,
  MQTT_ERRORS,
  MQTT_MESSAGES_RECEIVED,
  MQTT_MESSAGES_SENT,
  MQTT_PUBLISH_DURATION,
  MQTT_SUBSCRIBE_DURATION,
} from "./metric_names.ts";

const PROTO = { 3: "MQTT/3.1", 4: "MQTT/3.1.1", 5: "MQTT/5.0" } as const;
export const MAX_CACHED_TOPICS = 1024;
// Distinct frozen per-call tag objects cached (a runner's group tags: one per group path).
const MAX_CACHED_EXTRAS = 64;

type Tags = Record<string, string>;

/** The cached tags of one topic: its own, and per method (`subscribe`, `message`, …). */
interface TopicTags {
  tags?: Tags | undefined;
  methods?: Record<string, Tags> | undefined;
}

// Plain objects, not Object.create(null) (V8 keeps those in dictionary mode, 160 bytes more).
const cached = (cache: Record<string, Tags>, method: string): Tags | undefined =>
  Object.hasOwn(cache, method) ? cache[method] : undefined;

export class Metrics {
  readonly #sink: MetricsSink;
  #base: Tags = Object.freeze({});
  // Created on first use, one map for every topic: thousands of clients in a runner Worker each
  // carry these caches, and a Map costs about 180 bytes even when it holds one entry.
  #byMethod?: Record<string, Tags> | undefined;
  #topics?: Map<string, TopicTags> | undefined;
  #extras?: Map<Tags, Map<string | undefined, TopicTags>> | undefined;

  constructor(sink: MetricsSink) {
    this.#sink = sink;
  }

  /** Rebuilds the base tags: protocol, client id, URL (without credentials), client tags. */
  connection(
    version: 3 | 4 | 5,
    clientId: string,
    url: string | undefined,
    tags: Record<string, string> | undefined,
  ): void {
    const base: Record<string, string> = { proto: PROTO[version] };
    if (clientId !== "") base.client_id = clientId;
    if (url !== undefined) base.url = url;
    // Frozen, like every cached tags object here: sinks may then key on identity alone.
    this.#base = Object.freeze({ ...base, ...tags });
    this.#byMethod = undefined;
    this.#topics = undefined;
    this.#extras = undefined;
  }

  /** A connection was established: new base tags, the `connect` call and its duration. */
  connected(
    version: 3 | 4 | 5,
    clientId: string,
    url: string,
    tags: Record<string, string> | undefined,
    duration: number,
  ): void {
    this.connection(version, clientId, url, tags);
    this.call("connect");
    this.#sink.add(MQTT_CONNECT_DURATION, duration, this.#base);
    this.#sink.connection?.(true);
  }

  /** The connection opened by `connected()` is gone (ended, lost, replaced). */
  disconnected(): void {
    this.#sink.connection?.(false);
  }

  /** Wire bytes read or written. */
  bytes(metric: string, n: number): void {
    this.#sink.add(metric, n, this.#base);
  }

  get base(): Record<string, string> {
    return this.#base;
  }

  add(metric: string, value: number, tags: Record<string, string>): void {
    this.#sink.add(metric, value, tags);
  }

  #topic(topic: string): TopicTags {
    const topics = this.#topics ??= new Map();
    let entry = topics.get(topic);
    if (entry === undefined) {
      if (topics.size >= MAX_CACHED_TOPICS) topics.clear();
      topics.set(topic, entry = {});
    }
    return entry;
  }

  topicTags(topic: string): Record<string, string> {
    const entry = this.#topic(topic);
    return entry.tags ??= Object.freeze({ ...this.#base, topic });
  }

  methodTags(
    method: string,
    extra?: Record<string, string>,
    topic?: string,
  ): Record<string, string> {
    if (extra === undefined && topic === undefined) {
      const byMethod = this.#byMethod ??= {};
      return cached(byMethod, method) ??
        (byMethod[method] = Object.freeze({ ...this.#base, method }));
    }
    if (extra === undefined) {
      const methods = this.#topic(topic!).methods ??= {};
      return cached(methods, method) ??
        (methods[method] = Object.freeze({ ...this.#base, method, topic: topic! }));
    }
    const entry = Object.isFrozen(extra) ? this.#withExtra(extra, topic) : undefined;
    if (entry !== undefined) {
      const methods = entry.methods ??= {};
      const hit = cached(methods, method);
      if (hit !== undefined) return hit;
    }
    const tags: Record<string, string> = { ...this.#base, method, ...extra };
    if (topic !== undefined) tags.topic = topic;
    if (entry !== undefined) entry.methods![method] = Object.freeze(tags);
    return tags;
  }

  /**
   * Tags made with a frozen per-call `extra` (a runner's group tags, shared by every call in the
   * group), cached by its identity like the client's own: a sample then costs lookups, and sinks
   * keyed on identity keep working. Other per-call tags are merged each time.
   */
  #withExtra(extra: Tags, topic: string | undefined): TopicTags {
    const byExtra = this.#extras ??= new Map();
    let topics = byExtra.get(extra);
    if (topics === undefined) {
      if (byExtra.size >= MAX_CACHED_EXTRAS) byExtra.clear();
      byExtra.set(extra, topics = new Map());
    }
    let entry = topics.get(topic);
    if (entry === undefined) {
      if (topics.size >= MAX_CACHED_TOPICS) topics.clear();
      topics.set(topic, entry = {});
    }
    return entry;
  }

  call(method: string, extra?: Record<string, string>, topic?: string): void {
    this.#sink.add(MQTT_CALLS, 1, this.methodTags(method, extra, topic));
  }

  error(method: string, extra?: Record<string, string>, topic?: string): void {
    this.#sink.add(MQTT_ERRORS, 1, this.methodTags(method, extra, topic));
  }

  /**
   * The client's tags (and the topic's) with a call's own `extra` tags: every sample of a call
   * carries the tags given to it, so a threshold on `mqtt_publish_duration{kind:x}` sees the
   * calls tagged so. A frozen `extra` is cached by identity, as in `methodTags`.
   */
  #callTags(extra: Tags | undefined, topic?: string): Tags {
    const own = topic === undefined ? this.#base : this.topicTags(topic);
    if (extra === undefined) return own;
    if (!Object.isFrozen(extra)) return { ...own, ...extra };
    return this.#withExtra(extra, topic).tags ??= Object.freeze({ ...own, ...extra });
  }

  /**
   * One publication accepted: call, message and payload bytes, like xk6-mqtt.
   *
   * @returns The topic's tags with the call's, for the call's other samples.
   */
  sent(topic: string, size: number, extra?: Record<string, string>): Tags {
    const sink = this.#sink;
    const tags = this.#callTags(extra, topic);
    sink.add(MQTT_CALLS, 1, this.methodTags("publish", extra, topic));
    sink.add(MQTT_MESSAGES_SENT, 1, tags);
    sink.add(DATA_SENT, size, this.#callTags(extra));
    return tags;
  }

  /** One message delivered: call `message`, message and payload bytes, like xk6-mqtt. */
  received(topic: string, size: number): void {
    const sink = this.#sink;
    const tags = this.topicTags(topic);
    sink.add(MQTT_CALLS, 1, this.methodTags("message", undefined, topic));
    sink.add(MQTT_MESSAGES_RECEIVED, 1, tags);
    sink.add(DATA_RECEIVED, size, this.#base);
  }

  /** An operation was acknowledged. */
  done(op: Op, now: number): void {
    if (op.internal) return;
    switch (op.method) {
      case "publish": {
        const packet = op.packet;
        const tags = this.sent(packet.topic, packet.payload.length, op.tags);
        if (packet.qos > 0) this.#sink.add(MQTT_PUBLISH_DURATION, now - op.start, tags);
        return;
      }
      case "subscribe":
        for (const s of op.packet.subscriptions) this.call("subscribe", op.tags, s.topicFilter);
        this.#sink.add(MQTT_SUBSCRIBE_DURATION, now - op.start, this.#callTags(op.tags));
        return;
      case "unsubscribe":
        for (const filter of op.packet.topicFilters) this.call("unsubscribe", op.tags, filter);
        return;
    }
  }
}
