// Operations awaiting the broker (publish at QoS 1/2, subscribe, unsubscribe): their records, and
// building them from the caller's arguments.

import type {
  Properties,
  ProtocolVersion,
  PublishPacket,
  SubscribePacket,
  Subscription,
  UnsubscribePacket,
} from "../codec/packets.ts";
import { encode } from "../codec/mod.ts";
import { filterProblem } from "../codec/internal.ts";
import { LATENCY_PROPERTY, stampPayload } from "./_latency_stamp.ts";
import { toBytes } from "./_settings.ts";
import { ObservedPromise } from "./_observed.ts";
import {
  checkKeys,
  checkMqttString,
  checkPacketProperties,
  checkQos,
  checkTags,
  checkType,
  describe,
} from "./_checks.ts";
import type { Payload, PublishOptions, SubscribeOptions, UnsubscribeOptions } from "./options.ts";
import { MqttClosedError, MqttError } from "./errors.ts";
import { errorMessage } from "./_connection.ts";

const EMPTY = new Uint8Array(0);

export interface OpBase<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  /** Started by a sync-named method: failures follow the `error` event policy. */
  sync: boolean;
  /** Started by the client itself (subscription restore): no caller awaits it. */
  internal?: boolean | undefined;
  /** Start time for duration metrics. */
  start: number;
  tags?: Record<string, string> | undefined;
}

export interface PublishOp extends OpBase<void> {
  method: "publish";
  packet: PublishPacket;
  /** QoS 2: PUBREC received, PUBREL sent, waiting for PUBCOMP. */
  released?: boolean | undefined;
  /** Connections that ended while this PUBLISH was written and unacknowledged. */
  losses?: number | undefined;
  /** Why the last of those connections ended. */
  lastLoss?: MqttError | undefined;
}
export interface SubscribeOp extends OpBase<number[]> {
  method: "subscribe";
  packet: SubscribePacket;
}
export interface UnsubscribeOp extends OpBase<number[]> {
  method: "unsubscribe";
  packet: UnsubscribePacket;
}
export type Op = PublishOp | SubscribeOp | UnsubscribeOp;

/** A granted subscription to restore when the broker forgets the session. */
export interface Restorable {
  subscription: Subscription;
  properties?: Properties | undefined;
}

/**
 * Builds the PUBLISH of `publish()`'s arguments; with `stamp`, carries that publish time for
 * `mqtt_message_latency`: in a user property (MQTT 5), or with `inPayload` as a payload trailer.
 */
export function publishPacket(
  topic: string,
  payload: Payload,
  options: PublishOptions | undefined,
  stamp: number | undefined,
  inPayload = false,
): PublishPacket {
  if (typeof topic !== "string" || topic === "" || topic.includes("+") || topic.includes("#")) {
    const got = topic === ""
      ? "an empty string"
      : typeof topic === "string"
      ? `"${topic}"`
      : describe(topic);
    throw new TypeError(`Invalid topic: expected a non-empty string without wildcards, got ${got}`);
  }
  checkMqttString("topic", topic);
  const packet: PublishPacket = {
    type: "publish",
    topic,
    payload: toBytes("payload", payload),
    qos: 0,
    retain: false,
    dup: false,
  };
  let properties: Properties | undefined;
  if (options !== undefined) {
    checkKeys("publish", options);
    packet.qos = checkQos("qos", options.qos);
    packet.retain = checkType<boolean>("retain", options.retain, "boolean") ?? false;
    checkTags("tags", options.tags);
    properties = options.properties;
    if (properties !== undefined) {
      checkPacketProperties("properties", { ...packet, qos: 0, payload: EMPTY, properties });
    }
  }
  if (stamp !== undefined && inPayload) packet.payload = stampPayload(packet.payload, stamp);
  else if (stamp !== undefined) {
    const userProperties = properties?.userProperties ?? [];
    properties = {
      ...properties,
      userProperties: [...userProperties, [LATENCY_PROPERTY, String(stamp)]],
    };
  }
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

/** Builds a SUBSCRIBE operation from `subscribe()`'s arguments. */
export function subscribeOp(
  topic: string | string[] | Record<string, SubscribeOptions>,
  options: SubscribeOptions | undefined,
  sync: boolean,
  start: number,
): SubscribeOp {
  const subscriptions: Subscription[] = [];
  if (typeof topic === "string" || Array.isArray(topic)) {
    const base = subscription("", options);
    for (const filter of typeof topic === "string" ? [topic] : topic) {
      subscriptions.push({ ...base, topicFilter: checkFilter(filter) });
    }
  } else if (topic !== null && typeof topic === "object") {
    for (const [filter, own] of Object.entries(topic)) {
      if (own === null || typeof own !== "object" || Array.isArray(own)) {
        throw new TypeError(
          `Invalid options of topic filter "${filter}": expected an object, got ${describe(own)}`,
        );
      }
      subscriptions.push(subscription(checkFilter(filter), { ...options, ...own }));
    }
  } else {
    throw new TypeError(
      `Invalid topic: expected a string, array or object, got ${describe(topic)}`,
    );
  }
  if (subscriptions.length === 0) throw new TypeError("Invalid topic: no topic filter given");
  const { promise, resolve, reject } = ObservedPromise.withResolvers<number[]>();
  const op: SubscribeOp = {
    method: "subscribe",
    packet: { type: "subscribe", packetId: 0, subscriptions },
    promise,
    resolve,
    reject,
    sync,
    start,
    tags: checkTags("tags", options?.tags),
  };
  if (options?.properties !== undefined) {
    op.packet.properties = options.properties;
    const probe = { ...op.packet, packetId: 1, subscriptions: subscriptions.slice(0, 1) };
    checkPacketProperties("properties", probe);
  }
  return op;
}

/** Builds an UNSUBSCRIBE operation from `unsubscribe()`'s arguments. */
export function unsubscribeOp(
  topics: string | string[],
  options: UnsubscribeOptions | undefined,
  sync: boolean,
): UnsubscribeOp {
  checkKeys("unsubscribe", options);
  const topicFilters = typeof topics === "string" ? [topics] : topics;
  if (!Array.isArray(topicFilters) || topicFilters.length === 0) {
    throw new TypeError("Invalid topics: expected a string or a non-empty array");
  }
  topicFilters.forEach(checkFilter);
  const { promise, resolve, reject } = ObservedPromise.withResolvers<number[]>();
  const op: UnsubscribeOp = {
    method: "unsubscribe",
    packet: { type: "unsubscribe", packetId: 0, topicFilters },
    promise,
    resolve,
    reject,
    sync,
    start: 0,
    tags: checkTags("tags", options?.tags),
  };
  if (options?.properties !== undefined) {
    op.packet.properties = options.properties;
    const probe = { ...op.packet, packetId: 1, topicFilters: topicFilters.slice(0, 1) };
    checkPacketProperties("properties", probe);
  }
  return op;
}

/**
 * SUBSCRIBE operations that re-establish `subscriptions`: one packet per distinct properties
 * object (usually all undefined) and per 64 filters. Their failures go to `error` handlers only.
 */
export function restoreOps(subscriptions: Iterable<Restorable>): SubscribeOp[] {
  const groups = new Map<Properties | undefined, Subscription[]>();
  for (const { subscription, properties } of subscriptions) {
    const group = groups.get(properties) ?? [];
    group.push(subscription);
    groups.set(properties, group);
  }
  const ops: SubscribeOp[] = [];
  for (const [properties, list] of groups) {
    for (let i = 0; i < list.length; i += 64) {
      const { promise, resolve, reject } = ObservedPromise.withResolvers<number[]>();
      const op: SubscribeOp = {
        method: "subscribe",
        packet: { type: "subscribe", packetId: 0, subscriptions: list.slice(i, i + 64) },
        promise,
        resolve,
        reject,
        sync: true,
        internal: true,
        start: 0,
      };
      if (properties !== undefined) op.packet.properties = properties;
      ops.push(op);
    }
  }
  return ops;
}

/**
 * Why a publication fails that connections kept ending on, its oldest unacknowledged, `times`
 * times: the broker hanging up, or the client closing (a protocol error, no PINGRESP).
 */
export function poisonError(op: PublishOp, times: number): MqttError {
  const loss = op.lastLoss;
  const why = loss === undefined || loss instanceof MqttClosedError
    ? "the broker closed the connection"
    : `the connection was lost (last: ${loss.message})`;
  return new MqttError(
    `Cannot publish "${op.packet.topic}": ${why} each of the ${times} times it was ` +
      `sent, without acknowledging it (a message it will not take?)`,
    { code: "dropped", method: "publish", cause: loss },
  );
}

/**
 * A (un)subscription's packet, or why the codec refuses it (MQTT 5's rules of shared
 * subscriptions, checked once the version is known): that fails the call, not the connection
 * whose CONNACK is being handled when a call made while connecting is sent.
 */
export function encodeRequest(op: SubscribeOp | UnsubscribeOp, version: ProtocolVersion) {
  try {
    return encode(op.packet, version);
  } catch (error) {
    return new MqttError(`Cannot ${op.method}: ${errorMessage(error)}`, {
      code: "invalid",
      method: op.method,
      cause: error,
    });
  }
}

/**
 * A topic filter the protocol forbids (empty, a misplaced wildcard such as `a/#/b`), found when
 * the call is made rather than when its SUBSCRIBE is encoded: a call made while connecting would
 * otherwise fail in the middle of the CONNACK's handling. xk6-mqtt's calls report it as the
 * call's failure (see `Outcomes.guard`).
 */
export class InvalidFilterError extends TypeError {
  constructor(readonly filter: string, problem: string) {
    super(`Invalid topic filter: ${problem}`);
  }
}

function checkFilter(filter: unknown): string {
  if (typeof filter !== "string") {
    throw new TypeError(
      `Invalid topic filter: expected a non-empty string, got ${describe(filter)}`,
    );
  }
  if (filter === "") {
    throw new InvalidFilterError(filter, "expected a non-empty string, got an empty string");
  }
  // Shared subscriptions' own rules are MQTT 5's, checked once the version is known (encoding).
  const problem = filterProblem(filter, false);
  if (problem !== undefined) throw new InvalidFilterError(filter, problem);
  return checkMqttString("topic filter", filter);
}

function subscription(topicFilter: string, options: SubscribeOptions | undefined): Subscription {
  checkKeys("subscribe", options);
  const s: Subscription = { topicFilter, qos: checkQos("qos", options?.qos) };
  if (options?.no_local !== undefined) s.noLocal = options.no_local === true;
  if (options?.retain_as_published !== undefined) {
    s.retainAsPublished = options.retain_as_published === true;
  }
  if (options?.retain_handling !== undefined) {
    const handling = options.retain_handling;
    if (handling !== 0 && handling !== 1 && handling !== 2) {
      throw new RangeError(`Invalid option retain_handling: expected 0, 1 or 2, got ${handling}`);
    }
    s.retainHandling = handling;
  }
  return s;
}
