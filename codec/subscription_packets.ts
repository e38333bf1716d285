/**
 * The packets of subscriptions (SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK) and a subscription's
 * options; the other packet types and the `Packet` union are in `packets.ts`, which
 * re-exports these.
 *
 * @module
 */

import type { Properties, QoSLevel } from "./packets.ts";

/**
 * One topic filter of a SUBSCRIBE with its options.
 *
 * @example Usage
 * ```ts
 * import type { Subscription } from "@mqload/mqload/codec";
 * const s: Subscription = { topicFilter: "sensors/#", qos: 2, noLocal: true };
 * ```
 */
export interface Subscription {
  /** Topic filter, wildcards allowed. */
  topicFilter: string;
  /** Maximum QoS asked for. */
  qos: QoSLevel;
  /** v5: do not receive own publications (not allowed on a shared subscription). */
  noLocal?: boolean | undefined;
  /** v5: keep the retain flag as published. */
  retainAsPublished?: boolean | undefined;
  /** v5: 0 send retained, 1 only for new subscriptions, 2 never. */
  retainHandling?: 0 | 1 | 2 | undefined;
}

/**
 * SUBSCRIBE.
 *
 * @example Usage
 * ```ts
 * import type { SubscribePacket } from "@mqload/mqload/codec";
 * const p: SubscribePacket = { type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: "a", qos: 0 }] };
 * ```
 */
export interface SubscribePacket {
  /** Discriminant. */
  type: "subscribe";
  /** Packet identifier. */
  packetId: number;
  /** At least one subscription. */
  subscriptions: Subscription[];
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}

/**
 * SUBACK: one granted QoS or failure/reason code per subscription.
 *
 * @example Usage
 * ```ts
 * import type { SubackPacket } from "@mqload/mqload/codec";
 * const p: SubackPacket = { type: "suback", packetId: 1, reasonCodes: [0] };
 * ```
 */
export interface SubackPacket {
  /** Discriminant. */
  type: "suback";
  /** Packet identifier. */
  packetId: number;
  /** Granted QoS (0–2) or failure: 0x80 in v3/v4, a v5 reason code ≥ 0x80. */
  reasonCodes: number[];
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}

/**
 * UNSUBSCRIBE.
 *
 * @example Usage
 * ```ts
 * import type { UnsubscribePacket } from "@mqload/mqload/codec";
 * const p: UnsubscribePacket = { type: "unsubscribe", packetId: 2, topicFilters: ["a"] };
 * ```
 */
export interface UnsubscribePacket {
  /** Discriminant. */
  type: "unsubscribe";
  /** Packet identifier. */
  packetId: number;
  /** At least one topic filter. */
  topicFilters: string[];
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}

/**
 * UNSUBACK.
 *
 * @example Usage
 * ```ts
 * import type { UnsubackPacket } from "@mqload/mqload/codec";
 * const p: UnsubackPacket = { type: "unsuback", packetId: 2 };
 * ```
 */
export interface UnsubackPacket {
  /** Discriminant. */
  type: "unsuback";
  /** Packet identifier. */
  packetId: number;
  /** v5 only: one reason code per topic filter. */
  reasonCodes?: number[] | undefined;
  /** MQTT 5 properties. */
  properties?: Properties | undefined;
}
