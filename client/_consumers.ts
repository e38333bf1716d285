// Who takes a received message besides the `on("message")` handler and listeners: the
// messages() iterator, the subscription() iterators, and the held messages no iterator takes,
// which wait (bounded) for one that does. Each gets its copy; a QoS 1/2 message is acknowledged
// once every consumer took it (see AckToken). Held messages wait unacknowledged while no
// iterator exists (the broker's window then paces a resumed session's queue until the service's
// first loop starts) and for CLAIM_GRACE_MS after the last iterator was made; then what none of
// them takes is claimed by nobody and is acknowledged as it is held, as a loop's buffer would be
// (a topic nobody iterates would otherwise fill the broker's window and stall every loop),
// except with manual_ack.

import type { PublishPacket, SubscribePacket } from "../codec/packets.ts";
import type { Connection } from "./_connection.ts";
import { type Acknowledger, AckToken, Inbox, ReceivedMessage } from "./_inbox.ts";
import type { Inbound } from "./_inbound.ts";
import type { MessageInfo } from "./events.ts";
import { SubscriptionIds } from "./_subscription_ids.ts";
import type { Clock } from "./clock.ts";

export const DEFAULT_CAPACITY = 1024;

/**
 * How long, once some iterator exists, messages no iterator takes wait unacknowledged for one
 * that does, counted from the last iterator made: a service that starts its loops one after
 * another still gets a resumed session's queue whole (the broker's window paces it meanwhile).
 * Then they are claimed by nobody (see the top of this file).
 */
export const CLAIM_GRACE_MS = 1000;

/** A `subscription()` iterator, as routing sees it (see SubscriptionInbox). */
interface FilteredInbox extends Inbox {
  readonly matches: (topic: string) => boolean;
  readonly filters: readonly string[];
  readonly subscriptionId?: number | undefined;
}

export class Consumers implements Acknowledger {
  /** Whether any iterator exists, or messages are held: the handlers-only path is the fast one. */
  any = false;
  /** Hold messages nobody consumes for the first iterator (off for the k6 runner). */
  hold = true;
  readonly manualAck: boolean;
  readonly #inbound: Inbound;
  stream: Inbox | undefined;
  readonly #subscriptions = new Set<FilteredInbox>();
  /** The identifiers of the subscription() iterators' SUBSCRIBEs (MQTT 5). */
  readonly ids: SubscriptionIds = new SubscriptionIds();
  #held: Inbox | undefined;
  /** The connection speaks MQTT 5: a copy without subscription identifiers tells something. */
  v5 = false;
  /**
   * The broker sent a copy with identifiers: it sends them (MQTT-3.3.4-3), so a copy without
   * any is a subscription's without one, this run's or a resumed session's earlier one.
   */
  #idsSeen = false;

  readonly #clock: Clock;
  /** The end of the grace before held messages are claimed by nobody. */
  #grace: unknown;

  constructor(inbound: Inbound, manualAck: boolean, clock: Clock) {
    this.#clock = clock;
    this.#inbound = inbound;
    this.manualAck = manualAck;
  }

  acknowledge(token: AckToken): void {
    this.#inbound.acknowledge(token.conn, token.qos, token.packetId);
  }

  /**
   * Gives a message to the iterators (or holds it when nobody consumes it), which then own its
   * acknowledgement; returns false when there are none, and the caller acknowledges it at once.
   */
  route(
    topic: string,
    payload: ArrayBuffer,
    info: MessageInfo,
    packet: PublishPacket,
    conn: Connection,
    handled: boolean,
  ): boolean {
    const targets: Inbox[] = [];
    if (this.stream !== undefined) targets.push(this.stream);
    const ids = packet.properties?.subscriptionIdentifiers;
    if (ids !== undefined) this.#idsSeen = true;
    for (const inbox of this.#subscriptions) {
      if (inbox.matches(topic) && this.#sentFor(inbox, topic, ids)) {
        targets.push(inbox);
      }
    }
    if (targets.length === 0) {
      if (handled || !this.hold) return false;
      targets.push(this.#hold());
      this.any = true;
    }
    const qos = packet.qos;
    const token = qos === 0 ? undefined : new AckToken(this, conn, qos, packet.packetId!);
    const bytes = new Uint8Array(payload);
    // One share more than the targets, released last: a target that hands the message over at
    // once must not complete the token before the others have their copies.
    if (token !== undefined) token.owners = targets.length + 1;
    for (const inbox of targets) {
      const message = new ReceivedMessage(
        topic,
        bytes,
        qos,
        info.retain,
        info.dup,
        info.packetId,
        info.properties,
        token,
      );
      if (!inbox.push(message) && token !== undefined) token.owners--;
    }
    token?.release();
    return true;
  }

  /** The hold, made when first needed, acknowledging what it holds while iterators exist. */
  #hold(): Inbox {
    const held = this.#held ??= new Inbox(DEFAULT_CAPACITY, true).holding();
    if (this.#grace === undefined && !held.unclaimed) this.#claimLater();
    return held;
  }

  /** Whether any iterator exists. */
  get #iterating(): boolean {
    return this.stream !== undefined || this.#subscriptions.size > 0;
  }

  /** Held messages are claimed by nobody after the grace, if iterators exist then. */
  #claimLater(): void {
    if (this.manualAck || !this.#iterating) return;
    this.#endGrace();
    this.#grace = this.#clock.setTimeout(() => {
      this.#grace = undefined;
      // The grace ends with its hold (see add), so what is held now is what it waited for.
      if (this.#held !== undefined && this.#iterating) this.#held.unclaimed = true;
    }, CLAIM_GRACE_MS);
  }

  #endGrace(): void {
    if (this.#grace === undefined) return;
    this.#clock.clearTimeout(this.#grace);
    this.#grace = undefined;
  }

  /** Whether a copy with subscription identifiers `ids` is `inbox`'s (see SubscriptionIds). */
  #sentFor(inbox: FilteredInbox, topic: string, ids: readonly number[] | undefined): boolean {
    const own = inbox.subscriptionId;
    if (own === undefined || (ids === undefined && !this.v5)) return true;
    // Without identifiers: a subscription without one's copy, if one takes the topic or the
    // broker sends identifiers; else perhaps a broker that leaves them out: by its topic.
    if (ids === undefined && !this.#idsSeen && !this.ids.plainFor(topic)) return true;
    return this.ids.takes(inbox.filters, own, ids);
  }

  /** A read was delivered: whether an iterator is behind (see Inbox.readDone). */
  readDone(): boolean {
    let behind = this.stream?.readDone() ?? false;
    for (const inbox of this.#subscriptions) if (inbox.readDone()) behind = true;
    // Held messages are bounded as an iterator's are (QoS 0 past `capacity` dropped), but nobody
    // consumes them: a full hold is no loop to wait for.
    this.#held?.readDone();
    return behind;
  }

  /** A new iterator: it gets the held messages it wants first. */
  add(inbox: Inbox): void {
    // An inbox with a filter test is a subscription() iterator (the only kind made with one).
    if (inbox.matches === undefined) this.stream = inbox;
    else this.#subscriptions.add(inbox as FilteredInbox);
    const held = this.#held;
    if (held !== undefined) {
      held.handOver(inbox, (topic) => inbox.matches === undefined || inbox.matches(topic));
      // No message left: the hold goes (kept, it would keep every message on the routing path),
      // and drops of other topics with it, to this iterator, as before they were kept by topic.
      if (held.size === 0) {
        inbox.dropped += held.dropped;
        this.#held = undefined;
        // The next hold's grace counts from its own first message.
        this.#endGrace();
      } else if (!held.unclaimed) this.#claimLater();
    }
    this.any = true;
  }

  remove(inbox: Inbox): void {
    if (this.stream === inbox) this.stream = undefined;
    this.#subscriptions.delete(inbox as FilteredInbox);
    const iterating = this.#iterating;
    if (this.#held !== undefined && !iterating) {
      this.#endGrace();
      this.#held.unclaimed = false;
    }
    this.any = iterating || this.#held !== undefined;
  }

  /**
   * A `subscribe()` call's SUBSCRIBE, on a connection of `version` (undefined before the first):
   * identifiers exist in MQTT 5 only, and 3.1.1 clients (the k6 runner's) keep no record of it.
   */
  subscribed(packet: SubscribePacket, version: number | undefined): void {
    if ((version ?? 5) === 5) this.ids.subscribed(packet);
  }

  /** `filters` less those a `subscription()` iterator still holds: what may be unsubscribed. */
  unheld(filters: readonly string[]): string[] {
    const held = new Set<string>();
    for (const inbox of this.#subscriptions) for (const filter of inbox.filters) held.add(filter);
    return filters.filter((filter) => !held.has(filter));
  }

  /**
   * A loop left with messages it never took: held for the next iterator, so that a loop
   * restarted (after a throw, a `break`) loses none. With manual_ack unacknowledged: dropped,
   * they would hold the broker's in-flight window on a live connection until the next
   * reconnection (a loop restarted after a throw got 10 of 50 new messages in 3 s).
   */
  keep(left: readonly ReceivedMessage[]): void {
    // Without a hold (the k6 runner's clients) they go, acknowledged; manual_ack's stay held.
    if (left.length === 0 || (!this.hold && !this.manualAck)) return;
    const held = this.#hold();
    for (const message of left) held.keepLeft(message);
    this.any = true;
  }

  /** A new connection resumed the session: drop the buffered copies the broker sends again. */
  resumed(): void {
    this.stream?.dropResent();
    for (const inbox of this.#subscriptions) inbox.dropResent();
    this.#held?.dropResent();
  }

  /** The client ended or gave up: every iterator ends after what it holds. */
  closeAll(): void {
    this.#endGrace();
    this.stream?.close();
    for (const inbox of this.#subscriptions) inbox.close();
    this.stream = undefined;
    this.#subscriptions.clear();
    this.#held = undefined;
    this.any = false;
  }
}
