// The iterator of `Client.subscription()`: an Inbox for the topics its filters match, with the
// SUBACK it waits for and the UNSUBSCRIBE that ends it. A filter another iterator still holds is
// not unsubscribed, and a persistent session keeps its subscriptions when a loop is left (only
// `unsubscribe()` drops them): what is published while a service is down, or while its loop is
// restarted after a throw, waits in the session for the next iterator.

import type { Calls } from "./_calls.ts";
import { Inbox } from "./_inbox.ts";
import { topicMatcher } from "./_topic_match.ts";
import type { TopicSubscription } from "./messages.ts";
import type { SubscribeOptions, UnsubscribeOptions } from "./options.ts";
import type { ConnectSettings } from "./_settings.ts";

export class SubscriptionInbox extends Inbox implements TopicSubscription {
  readonly filters: readonly string[];
  readonly granted: Promise<number[]>;
  /** The MQTT 5 subscription identifier its SUBSCRIBE carries, when the client gave it one. */
  subscriptionId: number | undefined;
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
    super(capacity, manualAck, topicMatcher(filters), (left) => {
      this.#stopped(options);
      calls.consumers.keep(left);
    });
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
    const calls = this.#calls;
    calls.consumers.remove(this);
    this.close();
    const filters = calls.consumers.unheld(this.filters);
    // Named like the client's unsubscribe(): a failure nobody awaits goes to `error` handlers.
    return filters.length === 0 ? Promise.resolve() : calls.unsubscribe(filters, options, true);
  }

  /** The loop stopped: nobody iterates this filter any more, so the broker may stop sending. */
  #stopped(options: SubscribeOptions): void {
    this.#calls.consumers.remove(this);
    if (this.#unsubscribed) return;
    this.#unsubscribed = true;
    const { lifecycle, consumers } = this.#calls;
    const state = lifecycle.state;
    if (state === "ending" || persistent(lifecycle.settings)) return;
    // Idle: only a SUBSCRIBE that waits for the next connect() needs undoing, after it.
    const waiting = state === "idle";
    if (waiting && !this.#subscribing) return;
    const filters = consumers.unheld(this.filters);
    if (filters.length === 0) return;
    const tags = options.tags === undefined ? undefined : { tags: options.tags };
    // Not the application's call: its failure (the client ended before the UNSUBACK, a broker
    // that never answers) is counted in mqtt_errors, not reported as a call nobody awaited.
    this.#calls.unsubscribe(filters, tags, false, waiting).catch(() => {});
  }
}

/** Whether the broker keeps the session, and so its subscriptions, past this connection. */
function persistent(settings: ConnectSettings | undefined): boolean {
  if (settings === undefined || settings.cleanStart) return false;
  return settings.protocolVersion !== 5 || (settings.sessionExpiryInterval ?? 0) > 0;
}
