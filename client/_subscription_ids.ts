// MQTT 5 subscription identifiers given to subscription() iterators. A broker may send a message
// that matches several subscriptions once per subscription (mosquitto does), each copy with the
// identifier of its own (MQTT-3.3.4-5): the identifiers let each iterator take its copy alone
// instead of every copy whose topic its filters match. Given only where the caller set none, and
// taken off again for a broker that supports none (rather than failing the SUBSCRIBE).

import type { SubscribePacket } from "../codec/packets.ts";

const MAX_ID = 268_435_455; // A Variable Byte Integer's largest value.
const AUTOMATIC = new WeakSet<SubscribePacket>();

/** The identifiers of one client's iterators, and which one each filter's subscription has now. */
export class SubscriptionIds {
  #last = 0;
  /** Per filter, the identifier of the last SUBSCRIBE of it: it replaced the ones before. */
  readonly #byFilter = new Map<string, number>();

  /** Gives `packet` the next identifier, unless it carries one; returns the one it was given. */
  assign(packet: SubscribePacket): number | undefined {
    if (packet.properties?.subscriptionIdentifiers !== undefined) return undefined;
    const id = this.#last = this.#last === MAX_ID ? 1 : this.#last + 1;
    packet.properties = { ...packet.properties, subscriptionIdentifiers: [id] };
    AUTOMATIC.add(packet);
    for (const { topicFilter } of packet.subscriptions) this.#byFilter.set(topicFilter, id);
    return id;
  }

  /**
   * Whether a copy that carries `ids` was sent for a subscription of `filters` (given `own`):
   * a later SUBSCRIBE of the same filter, by another iterator, replaced its identifier.
   */
  takes(filters: readonly string[], own: number, ids: readonly number[]): boolean {
    for (const filter of filters) {
      if (ids.includes(this.#byFilter.get(filter) ?? own)) return true;
    }
    return false;
  }
}

/** Takes an identifier the client gave off `packet` (for a broker without them): whether it did. */
export function dropAutomaticId(packet: SubscribePacket): boolean {
  if (!AUTOMATIC.has(packet)) return false;
  const { subscriptionIdentifiers: _, ...rest } = packet.properties!;
  packet.properties = Object.keys(rest).length === 0 ? undefined : rest;
  AUTOMATIC.delete(packet);
  return true;
}
