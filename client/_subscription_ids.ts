// MQTT 5 subscription identifiers given to subscription() iterators. A broker may send a message
// that matches several subscriptions once per subscription (mosquitto does), each copy with the
// identifier of its own (MQTT-3.3.4-5), or once with the identifiers of all (MQTT-3.3.4-4): the
// identifiers let each iterator take its copy alone instead of every copy whose topic its
// filters match, and a copy with none is for a subscription without one (a plain subscribe() of
// an overlapping filter). Given only where the caller set none (the caller's own count as the
// iterator's), and taken off again for a broker that supports none (rather than failing the
// SUBSCRIBE).

import type { SubscribePacket } from "../codec/packets.ts";
import { topicMatcher } from "./_topic_match.ts";

const MAX_ID = 268_435_455; // A Variable Byte Integer's largest value.
/** A subscription without an identifier. */
const NONE = 0;
/** SUBSCRIBEs given an identifier by the client, and whose identifiers they are. */
const AUTOMATIC = new WeakMap<SubscribePacket, SubscriptionIds>();

/** The identifiers of one client's iterators, and which one each filter's subscription has now. */
export class SubscriptionIds {
  #last = 0;
  /** Per filter, the identifier of the last SUBSCRIBE of it: it replaced the ones before. */
  // Made when first needed: every client has these, most never use them (10,000 VUs' memory).
  #byFilter: Map<string, number> | undefined;
  /** Identifiers the caller chose, which the client's own skip. */
  #chosen: Set<number> | undefined;
  /** Filters subscribed without an identifier, and their topic tests once made. */
  #plain: Map<string, ((topic: string) => boolean) | undefined> | undefined;

  /**
   * An iterator's SUBSCRIBE: gives `packet` the next identifier unless it carries one; returns
   * the one it carries.
   */
  assign(packet: SubscribePacket): number | undefined {
    const given = packet.properties?.subscriptionIdentifiers;
    if (given !== undefined) {
      this.#record(packet, given[0] ?? NONE);
      if (given[0] !== undefined) (this.#chosen ??= new Set()).add(given[0]);
      return given[0];
    }
    let id = this.#last;
    do id = id === MAX_ID ? 1 : id + 1; while (this.#chosen?.has(id));
    this.#last = id;
    packet.properties = { ...packet.properties, subscriptionIdentifiers: [id] };
    AUTOMATIC.set(packet, this);
    this.#record(packet, id);
    return id;
  }

  /**
   * A `subscribe()` call's SUBSCRIBE: where it replaces an iterator's subscription of the same
   * filter, that subscription's copies now carry its identifier, or none.
   */
  subscribed(packet: SubscribePacket): void {
    const id = packet.properties?.subscriptionIdentifiers?.[0] ?? NONE;
    if (id !== NONE) (this.#chosen ??= new Set()).add(id);
    for (const { topicFilter } of packet.subscriptions) {
      if (this.#byFilter?.has(topicFilter)) this.#byFilter.set(topicFilter, id);
      this.#setPlain(topicFilter, id);
    }
  }

  /** An UNSUBSCRIBE of `filters`: their subscriptions are gone. */
  unsubscribed(filters: readonly string[]): void {
    for (const filter of filters) {
      this.#byFilter?.delete(filter);
      this.#plain?.delete(filter);
    }
  }

  /**
   * Whether a subscription without an identifier takes `topic`. A copy without identifiers that
   * none takes was sent for an identified one by a broker that leaves them out (against
   * MQTT-3.3.4-3): it goes by its topic then, rather than to nobody.
   */
  plainFor(topic: string): boolean {
    const plain = this.#plain;
    if (plain === undefined) return false;
    for (const [filter, test] of plain) {
      const matches = test ?? topicMatcher([filter]);
      if (test === undefined) plain.set(filter, matches);
      if (matches(topic)) return true;
    }
    return false;
  }

  #record(packet: SubscribePacket, id: number): void {
    for (const { topicFilter } of packet.subscriptions) {
      (this.#byFilter ??= new Map()).set(topicFilter, id);
      this.#setPlain(topicFilter, id);
    }
  }

  #setPlain(filter: string, id: number): void {
    if (id !== NONE) this.#plain?.delete(filter);
    else if (this.#plain?.has(filter) !== true) (this.#plain ??= new Map()).set(filter, undefined);
  }

  /**
   * Whether a copy that carries `ids` (none: undefined) was sent for a subscription of
   * `filters` (given `own`): a later SUBSCRIBE of the same filter, by another iterator or a
   * `subscribe()`, replaced its identifier.
   */
  takes(filters: readonly string[], own: number, ids: readonly number[] | undefined): boolean {
    for (const filter of filters) {
      const current = this.#byFilter?.get(filter) ?? own;
      if (ids === undefined ? current === NONE : ids.includes(current)) return true;
    }
    return false;
  }
}

/** Takes an identifier the client gave off `packet` (for a broker without them): whether it did. */
export function dropAutomaticId(packet: SubscribePacket): boolean {
  const ids = AUTOMATIC.get(packet);
  if (ids === undefined) return false;
  const { subscriptionIdentifiers: _, ...rest } = packet.properties!;
  packet.properties = Object.keys(rest).length === 0 ? undefined : rest;
  AUTOMATIC.delete(packet);
  ids.subscribed(packet);
  return true;
}
