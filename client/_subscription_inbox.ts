// The iterator of `Client.subscription()`: an Inbox for the topics its filters match, with the
// SUBACK it waits for and the UNSUBSCRIBE that ends it.

import type { Calls } from "./_calls.ts";
import { Inbox } from "./_inbox.ts";
import { silence } from "./_observed.ts";
import { topicMatcher } from "./_topic_match.ts";
import type { TopicSubscription } from "./messages.ts";
import type { SubscribeOptions, UnsubscribeOptions } from "./options.ts";

export class SubscriptionInbox extends Inbox implements TopicSubscription {
  readonly filters: readonly string[];
  readonly granted: Promise<number[]>;
  readonly #calls: Calls;
  #unsubscribed = false;
  /** The SUBSCRIBE has not been answered (it may wait for a connect()). */
  #subscribing = true;

  constructor(
    calls: Calls,
    filters: readonly string[],
    suback: Promise<number[]>,
    capacity: number,
    manualAck: boolean,
    options: SubscribeOptions,
  ) {
    super(capacity, manualAck, topicMatcher(filters), () => this.#stopped(options));
    this.#calls = calls;
    this.filters = filters;
    this.granted = suback;
    // A refused SUBSCRIBE ends the iteration with the refusal: the loop hears it, so the
    // rejection counts as awaited.
    suback.then(() => {
      this.#subscribing = false;
    }, (error) => {
      this.#subscribing = false;
      calls.consumers.remove(this);
      this.close(error);
    });
  }

  unsubscribe(options?: UnsubscribeOptions): Promise<void> {
    this.#unsubscribed = true;
    this.#calls.consumers.remove(this);
    this.close();
    return this.#calls.unsubscribe(this.filters as string[], options, false);
  }

  /** The loop stopped: nobody iterates this filter any more, so the broker may stop sending. */
  #stopped(options: SubscribeOptions): void {
    this.#calls.consumers.remove(this);
    if (this.#unsubscribed) return;
    this.#unsubscribed = true;
    const state = this.#calls.lifecycle.state;
    if (state === "ending") return;
    // Idle: only a SUBSCRIBE that waits for the next connect() needs undoing, after it.
    const waiting = state === "idle";
    if (waiting && !this.#subscribing) return;
    const tags = options.tags === undefined ? undefined : { tags: options.tags };
    silence(this.#calls.unsubscribe(this.filters as string[], tags, false, waiting));
  }
}
