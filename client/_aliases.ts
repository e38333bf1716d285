// MQTT 5 topic aliases (§3.3.2.3.4): a number standing for a topic within one connection, chosen
// by the sender up to the receiver's Topic Alias Maximum.

import type { PublishPacket } from "../codec/packets.ts";
import { MqttProtocolError } from "./errors.ts";

/** The broker's topic aliases for one connection (MQTT 5 §3.3.2.3.4). */
export class IncomingAliases {
  #max = 0;
  #topics?: Map<number, string> | undefined;

  /** A new connection: no aliases yet, at most `max` (what we advertised in CONNECT). */
  reset(max: number): void {
    this.#max = max;
    this.#topics = undefined;
  }

  /** The topic of a PUBLISH, resolving or recording its alias; an error when the alias is bad. */
  topicOf(packet: PublishPacket): string | MqttProtocolError {
    const alias = packet.properties?.topicAlias;
    if (alias === undefined) return packet.topic;
    if (alias === 0 || alias > this.#max) {
      const allowed = this.#max === 0 ? "none allowed" : `allowed 1..${this.#max}`;
      return new MqttProtocolError(`Topic alias ${alias} invalid (${allowed})`, 0x94);
    }
    const topics = this.#topics ??= new Map();
    if (packet.topic !== "") {
      topics.set(alias, packet.topic);
      return packet.topic;
    }
    return topics.get(alias) ?? new MqttProtocolError(`Unknown topic alias ${alias}`, 0x82);
  }
}

/** Our aliases for one connection: assigned to topics in order of first use, never reassigned. */
export class OutgoingAliases {
  readonly #max: number;
  readonly #aliases = new Map<string, number>();
  /** The topic the last apply() gave a new alias, until the next apply(). */
  #added?: string | undefined;

  constructor(max: number) {
    this.#max = max;
  }

  /** The packet to encode: the topic on its alias's first use, then the alias alone. */
  apply(packet: PublishPacket): PublishPacket {
    this.#added = undefined;
    if (packet.properties?.topicAlias !== undefined) return packet; // The caller chose one.
    const known = this.#aliases.get(packet.topic);
    if (known !== undefined) {
      return { ...packet, topic: "", properties: { ...packet.properties, topicAlias: known } };
    }
    if (this.#aliases.size >= this.#max) return packet;
    const alias = this.#aliases.size + 1;
    this.#aliases.set(packet.topic, alias);
    this.#added = packet.topic;
    return { ...packet, properties: { ...packet.properties, topicAlias: alias } };
  }

  /**
   * Forgets the alias the last apply() assigned: its PUBLISH is not going to be sent (too large),
   * and the broker must not get that alias later without ever having seen its topic.
   */
  undo(): void {
    if (this.#added !== undefined) this.#aliases.delete(this.#added);
    this.#added = undefined;
  }
}
