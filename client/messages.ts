/**
 * The async iterators over received messages: {@linkcode MessageStream}, which
 * `Client.messages()` returns, and {@linkcode TopicSubscription}, which `Client.subscription()`
 * returns.
 *
 * @module
 */

import type { Message } from "./events.ts";
import type { SubscribeOptions, UnsubscribeOptions } from "./options.ts";

/**
 * Received messages as an async iterable, bounded. The client never stops reading from the
 * broker for it (acknowledgements, SUBACKs and PINGRESPs keep flowing); instead:
 *
 * - a QoS 1/2 message is acknowledged (PUBACK, PUBREC) as it is buffered while fewer than
 *   `capacity` are, as MQTT.js acknowledges on receipt; past that when the loop takes it; with
 *   `manual_ack`, when the code calls `message.ack()`. Acknowledgements held back bound what the
 *   broker has in flight to this client (MQTT 5 Receive Maximum), not what it sends: it does not
 *   slow the publishers, it queues the rest for the client, within its own limits, and past
 *   them drops messages, QoS 1/2 too, without telling the client (mosquitto:
 *   `max_queued_messages`, default 1000, and `max_queued_bytes`; it logs "Outgoing messages are
 *   being dropped"). The client cannot see such drops (`dropped` does not count them). For no
 *   loss with a loop that may fall behind, raise the broker's queue limits (mosquitto
 *   `max_queued_messages 0`: unbounded) or consume faster;
 * - a QoS 0 message is dropped (counted in `dropped`) when the loop had left `capacity` messages
 *   untaken when the read it came in began: a loop that keeps up loses nothing to a burst, one
 *   that falls behind holds at most `capacity` messages plus one read's worth.
 *
 * It ends when the client ends (`end()`) or gives up on a connection it had, or when the loop
 * exits (`break`, `return()`, `await using`); an aborted `signal` ends it too.
 *
 * @example Usage
 * ```ts
 * import { Client, type MessageStream } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 * const client = new Client();
 * const stream: MessageStream = client.messages({ capacity: 256 });
 * await client.end(); // ends the stream
 * for await (const message of stream) console.log(message.topic);
 * assert.equal(stream.closed, true);
 * ```
 */
export interface MessageStream extends AsyncIterableIterator<Message>, AsyncDisposable {
  /** Whether the stream has ended (no more messages will be added). */
  readonly closed: boolean;
  /** QoS 0 messages dropped because the loop had left `capacity` messages untaken. */
  readonly dropped: number;
  /**
   * The next message, once there is one. Calls made while one is pending are served in order
   * after it, as a generator's: a `next()` left behind by `Promise.race()` with a timeout
   * still takes (and, without `manual_ack`, acknowledges) the next message.
   *
   * @returns The message, or `done` once the stream ended and is empty.
   */
  next(): Promise<IteratorResult<Message, undefined>>;
  /**
   * Stops iterating (what `break` and an aborted `signal` call): what the stream still holds goes
   * to the client's next iterator of those messages. Without `manual_ack` it was acknowledged as
   * it was buffered (a process that ends first loses it, a persistent session included); with
   * `manual_ack` it stays unacknowledged for that iterator to `ack()`.
   *
   * @returns A finished result.
   */
  return(): Promise<IteratorResult<Message, undefined>>;
}

/**
 * Options of `Client.messages()` and of the iteration of `Client.subscription()`.
 *
 * @example Usage
 * ```ts
 * import type { MessageStreamOptions } from "@mqload/mqload";
 * const options: MessageStreamOptions = { capacity: 64, signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface MessageStreamOptions {
  /** Messages held for the loop; past it, QoS 0 messages are dropped (default 1024). */
  capacity?: number | undefined;
  /** Ends the iteration when aborted. */
  signal?: AbortSignal | undefined;
}

/**
 * Options of `Client.subscription()`: those of `subscribe()` and of the iteration.
 *
 * @example Usage
 * ```ts
 * import { QoS, type SubscriptionOptions } from "@mqload/mqload";
 * const options: SubscriptionOptions = { qos: QoS.AtLeastOnce, capacity: 128 };
 * ```
 */
export interface SubscriptionOptions extends SubscribeOptions, MessageStreamOptions {}

/**
 * One subscription's messages as an async iterable: registered before its SUBSCRIBE is sent, so
 * nothing the broker sends for it (retained messages, a resumed session's queue) goes past it.
 * Made before `connect()` or while (re)connecting, its SUBSCRIBE goes out once connected (after
 * the session's queue, which it already receives) and `granted` settles then; it fails when that
 * connection fails for good, or on `end()`. Bounded and acknowledged as
 * {@linkcode MessageStream}. Leaving the loop unsubscribes the filters no other
 * `subscription()` iterates, unless the session is persistent (`clean_session: false`; with MQTT
 * 5, a `session_expiry_interval` too): then the broker keeps them, and what it sends meanwhile waits
 * for the next iterator, and `unsubscribe()` is the way to drop them. The iteration fails with the
 * broker's refusal when the SUBACK refuses the filter, or with the failure of its SUBSCRIBE.
 *
 * @example Usage
 * ```ts ignore
 * import { Client, QoS } from "@mqload/mqload";
 * const client = new Client();
 * await client.connect("mqtt://127.0.0.1:1883");
 * const sensors = client.subscription("sensors/+/temperature", { qos: QoS.AtLeastOnce });
 * await sensors.granted;
 * for await (const message of sensors) {
 *   console.log(message.topic, message.text());
 * }
 * ```
 */
export interface TopicSubscription extends MessageStream {
  /** The topic filters it iterates. */
  readonly filters: readonly string[];
  /** Resolves with the granted QoS per filter on SUBACK; rejects when refused. */
  readonly granted: Promise<number[]>;
  /**
   * Unsubscribes and ends the iteration (after what it holds).
   *
   * @param options MQTT 5 properties, metric tags, `signal`.
   * @returns Resolves on UNSUBACK.
   */
  unsubscribe(options?: UnsubscribeOptions): Promise<void>;
}
