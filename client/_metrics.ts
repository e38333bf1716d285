// Metric reporting for one client. Tag objects are built once per connection and cached per topic,
// so a message costs a map lookup, not an object spread; the recorders of a message's samples are
// kept with them, so each sample is one call into the sink.

import type { Op } from "./_ops.ts";
import type { MetricRecorder, MetricsSink } from "./metrics_sink.ts";
import {
  DATA_RECEIVED,
  DATA_SENT,
  MQTT_BYTES_RECEIVED,
  MQTT_BYTES_SENT,
  MQTT_CALLS,
  MQTT_CONNECT_DURATION,
  MQTT_ERRORS,
  MQTT_MESSAGE_LATENCY,
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

// data_sent and data_received carry none of the client's tags: xk6-mqtt tags them with the VU's
// alone (the sink adds those), as k6's own protocols do, so they make a series per VU tag set,
// not one per connection.
const NO_TAGS: Tags = Object.freeze({});
// Per group path, the frozen `{ group }` of the calls a runner made in it (see groupOf).
const GROUPS = new Map<string, Tags>();

/**
 * The `group` a runner's call was made in, from its tags, alone: k6's calls block, so every
 * sample of one carries the VU's group then, while here they settle after `group()` returned.
 */
function groupOf(extra: Tags | undefined): Tags | undefined {
  const group = extra?.group;
  if (group === undefined) return undefined;
  let tags = GROUPS.get(group);
  if (tags === undefined) {
    if (GROUPS.size >= MAX_CACHED_EXTRAS) GROUPS.clear();
    GROUPS.set(group, tags = Object.freeze({ group }));
  }
  return tags;
}

/**
 * The cached tags of one topic (or of a topic and a call's frozen tags): its own, and per method
 * (`subscribe`, `message`, …); then the recorders of the per-message samples made with them.
 */
interface TopicTags {
  tags?: Tags | undefined;
  methods?: Record<string, Tags> | undefined;
  messageCalls?: MetricRecorder | undefined;
  received?: MetricRecorder | undefined;
  latency?: MetricRecorder | undefined;
  publishCalls?: MetricRecorder | undefined;
  sent?: MetricRecorder | undefined;
  duration?: MetricRecorder | undefined;
  /** `data_sent`, on the entry of a call's tags without a topic. */
  dataSent?: MetricRecorder | undefined;
}

/** The recorder of a sink without its own: each sample is an `add` with the tags. */
class SinkRecorder implements MetricRecorder {
  readonly #sink: MetricsSink;
  readonly #metric: string;
  readonly #tags: Tags;

  constructor(sink: MetricsSink, metric: string, tags: Tags) {
    this.#sink = sink;
    this.#metric = metric;
    this.#tags = tags;
  }

  add(value: number): void {
    this.#sink.add(this.#metric, value, this.#tags);
  }
}

// Plain objects, not Object.create(null) (V8 keeps those in dictionary mode, 160 bytes more).
const cached = (cache: Record<string, Tags>, method: string): Tags | undefined =>
  Object.hasOwn(cache, method) ? cache[method] : undefined;

export class Metrics {
  /**
   * Whether the client's own reconnections are counted: a lost connection and each failed
   * attempt in `mqtt_errors`, each one made in `mqtt_calls{method:connect}`. xk6-mqtt counts none
   * (Paho reconnects on its own, and only its calls reach `handleError` and `addCallMetrics`),
   * so the k6 runner's clients turn this off.
   */
  countReconnects = true;
  readonly #sink: MetricsSink;
  /** Whether samples carry their topic (the `topic_tags` option). */
  readonly #byTopic: boolean;
  #base: Tags = Object.freeze({});
  /** What the base tags were last made from (see `withoutClientId`). */
  #made?: { version: 3 | 4 | 5; url: string | undefined; tags: Tags | undefined } | undefined;
  // Created on first use, one map for every topic: thousands of clients in a runner Worker each
  // carry these caches, and a Map costs about 180 bytes even when it holds one entry.
  #byMethod?: Record<string, Tags> | undefined;
  #topics?: Map<string, TopicTags> | undefined;
  #extras?: Map<Tags, Map<string | undefined, TopicTags>> | undefined;
  // The connection's own recorders (wire bytes, payload bytes), made on first use.
  #bytesIn?: MetricRecorder | undefined;
  #bytesOut?: MetricRecorder | undefined;
  #dataIn?: MetricRecorder | undefined;
  #dataOut?: MetricRecorder | undefined;

  constructor(sink: MetricsSink, byTopic = true) {
    this.#sink = sink;
    this.#byTopic = byTopic;
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
    this.#made = { version, url, tags };
    this.#rebase({ ...base, ...tags });
  }

  /**
   * Drops the client id from the base tags until a connection attempt sets them again: xk6-mqtt
   * tags a client's samples with its id only once it dials (Paho's client is made then), so an
   * `end()` of a client never connected carries none. A `client_id` among the client's own tags
   * stays.
   */
  withoutClientId(): void {
    const made = this.#made;
    if (made !== undefined) this.connection(made.version, "", made.url, made.tags);
  }

  #rebase(base: Tags): void {
    // Frozen, like every cached tags object here: sinks may then key on identity alone.
    this.#base = Object.freeze(base);
    this.#byMethod = undefined;
    this.#topics = undefined;
    this.#extras = undefined;
    this.#bytesIn = undefined;
    this.#bytesOut = undefined;
    this.#dataIn = undefined;
    this.#dataOut = undefined;
  }

  #recorder(metric: string, tags: Tags): MetricRecorder {
    return this.#sink.recorder?.(metric, tags) ?? new SinkRecorder(this.#sink, metric, tags);
  }

  /** A connection was established: new base tags, the `connect` call and its duration. */
  connected(
    version: 3 | 4 | 5,
    clientId: string,
    url: string,
    tags: Record<string, string> | undefined,
    duration: number,
    automatic = false,
  ): void {
    this.connection(version, clientId, url, tags);
    if (!automatic || this.countReconnects) this.call("connect");
    this.#sink.add(MQTT_CONNECT_DURATION, duration, this.#base);
    this.#sink.connection?.(true);
  }

  /**
   * The client's own reconnection work: a connection lost (`connection`), an attempt failed or
   * given up (`reconnect`); counted in `mqtt_errors` unless `countReconnects` is off.
   */
  reconnectionError(method: "connection" | "reconnect"): void {
    if (this.countReconnects) this.error(method);
  }

  /** The connection opened by `connected()` is gone (ended, lost, replaced). */
  disconnected(): void {
    this.#sink.connection?.(false);
  }

  /** Wire bytes read. */
  bytesRead(n: number): void {
    (this.#bytesIn ??= this.#recorder(MQTT_BYTES_RECEIVED, this.#base)).add(n);
  }

  /** Wire bytes written. */
  bytesWritten(n: number): void {
    (this.#bytesOut ??= this.#recorder(MQTT_BYTES_SENT, this.#base)).add(n);
  }

  #topic(topic: string): TopicTags {
    // Without topic tags, every topic shares one entry: its tags are the client's own.
    if (!this.#byTopic) topic = "";
    const topics = this.#topics ??= new Map();
    let entry = topics.get(topic);
    if (entry === undefined) {
      if (topics.size >= MAX_CACHED_TOPICS) topics.clear();
      topics.set(topic, entry = {});
    }
    return entry;
  }

  #topicTags(topic: string): Record<string, string> {
    const entry = this.#topic(topic);
    return entry.tags ??= this.#byTopic ? Object.freeze({ ...this.#base, topic }) : this.#base;
  }

  methodTags(
    method: string,
    extra?: Record<string, string>,
    topic?: string,
  ): Record<string, string> {
    if (!this.#byTopic) topic = undefined;
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
    if (!this.#byTopic) topic = undefined;
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
    const own = topic === undefined || !this.#byTopic ? this.#base : this.#topicTags(topic);
    if (extra === undefined) return own;
    if (!Object.isFrozen(extra)) return { ...own, ...extra };
    return this.#withExtra(extra, topic).tags ??= Object.freeze({ ...own, ...extra });
  }

  /**
   * One publication accepted: call, message and payload bytes, tagged as xk6-mqtt tags them, and
   * at QoS 1 and 2 its acknowledgement's round trip. The call's own tags go on `mqtt_calls` (and
   * mqload's duration) alone: `mqtt_messages_sent` carries the client's and the topic's, and
   * `data_sent` the VU's (which the sink adds); both keep the `group` a runner's call was made in.
   */
  sent(topic: string, size: number, extra?: Tags, duration?: number): void {
    if (extra !== undefined && !Object.isFrozen(extra)) {
      // A call's own tags, not seen again: merged for its samples alone.
      const sink = this.#sink;
      sink.add(MQTT_CALLS, 1, this.methodTags("publish", extra, topic));
      if (duration !== undefined) {
        sink.add(MQTT_PUBLISH_DURATION, duration, this.#callTags(extra, topic));
      }
    } else {
      const entry = extra === undefined ? this.#topic(topic) : this.#withExtra(extra, topic);
      (entry.publishCalls ??= this.#recorder(MQTT_CALLS, this.methodTags("publish", extra, topic)))
        .add(1);
      if (duration !== undefined) {
        (entry.duration ??= this.#recorder(MQTT_PUBLISH_DURATION, this.#callTags(extra, topic)))
          .add(duration);
      }
    }
    const scope = groupOf(extra);
    if (scope === undefined) {
      (this.#topic(topic).sent ??= this.#recorder(MQTT_MESSAGES_SENT, this.#topicTags(topic)))
        .add(1);
      (this.#dataOut ??= this.#recorder(DATA_SENT, NO_TAGS)).add(size);
      return;
    }
    (this.#withExtra(scope, topic).sent ??= this.#recorder(
      MQTT_MESSAGES_SENT,
      this.#callTags(scope, topic),
    )).add(1);
    (this.#withExtra(scope, undefined).dataSent ??= this.#recorder(DATA_SENT, scope)).add(size);
  }

  /**
   * One message delivered: call `message`, message and payload bytes, like xk6-mqtt, and its
   * latency when it carried the publisher's stamp.
   */
  received(topic: string, size: number, latency?: number): void {
    const entry = this.#topic(topic);
    (entry.messageCalls ??= this.#recorder(
      MQTT_CALLS,
      this.methodTags("message", undefined, topic),
    )).add(1);
    (entry.received ??= this.#recorder(MQTT_MESSAGES_RECEIVED, this.#topicTags(topic))).add(1);
    (this.#dataIn ??= this.#recorder(DATA_RECEIVED, NO_TAGS)).add(size);
    if (latency !== undefined) {
      (entry.latency ??= this.#recorder(MQTT_MESSAGE_LATENCY, this.#topicTags(topic))).add(latency);
    }
  }

  /** An operation was acknowledged. */
  done(op: Op, now: number): void {
    if (op.internal) return;
    switch (op.method) {
      case "publish": {
        const packet = op.packet;
        const duration = packet.qos > 0 ? now - op.start : undefined;
        this.sent(packet.topic, packet.payload.length, op.tags, duration);
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
