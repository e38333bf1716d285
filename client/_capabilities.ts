// What the broker's CONNACK says it supports (MQTT 5 §3.2.2.3), and the checks that keep the
// client's packets within it. MQTT 3.1.1 brokers send none of these: everything is allowed.

import type {
  Properties,
  ProtocolVersion,
  PublishPacket,
  SubscribePacket,
} from "../codec/packets.ts";
import { hasWildcard, isShared } from "../codec/internal.ts";
import { MqttError } from "./errors.ts";
import { dropAutomaticId } from "./_subscription_ids.ts";

/** An operation as the checks see it. */
export type Checked =
  | { readonly method: "publish"; readonly packet: PublishPacket }
  | { readonly method: "subscribe"; readonly packet: SubscribePacket }
  | { readonly method: "unsubscribe" };

export class BrokerCapabilities {
  /** Maximum Packet Size (Infinity when the broker set none). */
  maxPacketSize = Infinity;
  /** Receive Maximum: QoS 1 and 2 publications the broker takes in flight at once. */
  receiveMaximum = 65535;
  #version: ProtocolVersion = 4;
  #maximumQoS = 2;
  #retainAvailable = true;
  #wildcards = true;
  #shared = true;
  #subscriptionIds = true;
  #topicAliasMaximum = 0;

  /** Topic Alias Maximum: the highest alias the broker takes (0: none). */
  get topicAliasMaximum(): number {
    return this.#topicAliasMaximum;
  }

  /** Takes the capabilities of a new connection from its CONNACK's properties. */
  take(version: ProtocolVersion, p: Properties | undefined): void {
    this.#version = version;
    this.receiveMaximum = p?.receiveMaximum ?? 65535;
    this.maxPacketSize = p?.maximumPacketSize ?? Infinity;
    this.#maximumQoS = p?.maximumQoS ?? 2;
    this.#retainAvailable = p?.retainAvailable ?? true;
    this.#wildcards = p?.wildcardSubscriptionAvailable ?? true;
    this.#shared = p?.sharedSubscriptionAvailable ?? true;
    this.#subscriptionIds = p?.subscriptionIdentifiersAvailable ?? true;
    this.#topicAliasMaximum = p?.topicAliasMaximum ?? 0;
  }

  /**
   * Why the broker's capabilities forbid sending `op`, if they do: a publication above its
   * Maximum QoS or retained without Retain Available (MQTT-3.2.2-11, -14), a Topic Alias of the
   * caller's above its Topic Alias Maximum (MQTT-3.3.2-9), a subscription to a wildcard, shared
   * or identified subscription it does not support (which it may answer by closing the
   * connection with 0xA2, 0x9E or 0xA1: the error carries that code).
   */
  refusal(op: Checked): MqttError | undefined {
    return op.method === "publish"
      ? this.publishRefusal(op.packet)
      : op.method === "subscribe"
      ? this.#subscribeRefusal(op.packet)
      : undefined;
  }

  /** Why the broker's capabilities forbid sending `packet`, if they do (see `refusal`). */
  publishRefusal(packet: PublishPacket): MqttError | undefined {
    // The common case, on the QoS 0 fast path for every message: nothing to look up.
    if (!packet.retain && packet.properties === undefined && packet.qos <= this.#maximumQoS) {
      return undefined;
    }
    let what: string | undefined;
    if (packet.retain && !this.#retainAvailable) what = "retained messages";
    else if (packet.qos > this.#maximumQoS) {
      what = `QoS ${packet.qos} (maximum ${this.#maximumQoS})`;
    } else {
      const alias = packet.properties?.topicAlias;
      if (this.#version === 5 && alias !== undefined && alias > this.#topicAliasMaximum) {
        what = `topic alias ${alias} (maximum ${this.#topicAliasMaximum})`;
      }
    }
    return what === undefined ? undefined : new MqttError(
      `Cannot publish to "${packet.topic}": the broker does not support ${what}`,
      { code: "unsupported", method: "publish" },
    );
  }

  #subscribeRefusal(packet: SubscribePacket): MqttError | undefined {
    let code: number | undefined;
    let what = "";
    if (
      !this.#subscriptionIds && packet.properties?.subscriptionIdentifiers !== undefined &&
      !dropAutomaticId(packet)
    ) {
      code = 0xa1;
      what = "subscription identifiers";
    }
    for (const { topicFilter } of packet.subscriptions) {
      if (code !== undefined) break;
      if (!this.#shared && isShared(topicFilter)) {
        code = 0x9e;
        what = `shared subscriptions ("${topicFilter}")`;
      } else if (!this.#wildcards && hasWildcard(topicFilter)) {
        code = 0xa2;
        what = `wildcard subscriptions ("${topicFilter}")`;
      }
    }
    return code === undefined ? undefined : new MqttError(
      `Cannot subscribe: the broker does not support ${what}`,
      { code: "unsupported", reasonCode: code, method: "subscribe" },
    );
  }

  /** Why a packet of `size` bytes may not be sent: above the broker's Maximum Packet Size. */
  sizeRefusal(method: string, size: number): MqttError | undefined {
    const limit = this.maxPacketSize;
    return size <= limit ? undefined : new MqttError(
      `Cannot ${method}: packet of ${size} bytes exceeds the broker's maximum of ${limit}`,
      { code: "packet_too_large", reasonCode: 0x95, method },
    );
  }
}
