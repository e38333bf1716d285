// The consumers' side of received messages: the message objects the iterators yield, the token
// that holds back a QoS 1/2 acknowledgement until every consumer had its copy, and the bounded
// buffer behind `messages()` and `subscription()`.
//
// When acknowledgements go: without manual_ack, as a message is buffered while its iterator has
// room (MQTT.js acknowledges on receipt too). Holding them until the loop takes each message
// stalled a loop that awaits its own publication against a broker with Nagle's algorithm on
// (mosquitto's default): its PUBACK waited ~40 ms for our delayed TCP ACK, which no data of ours
// carried; and after a resumed session the broker resent every buffered message. Past `capacity`
// they wait for the loop: the broker's flow control (Receive Maximum) counts unacknowledged
// messages, so that slows the broker instead of the socket reads. With manual_ack they wait for
// ack(). SUBACKs, PINGRESPs and the acknowledgements of our own publications always flow.

import type { Properties, QoSLevel } from "../codec/packets.ts";
import type { Connection } from "./_connection.ts";
import type { Message } from "./events.ts";
import type { MessageStream } from "./messages.ts";

const decoder = new TextDecoder();

/** Topics whose drops a hold counts apart (see `Inbox.holding`): a bound on its memory. */
const MAX_DROPPED_TOPICS = 1024;

/** Who sends the acknowledgement once a token is released by all its consumers. */
export interface Acknowledger {
  acknowledge(token: AckToken): void;
}

/** The held-back acknowledgement of one received QoS 1/2 PUBLISH, shared by its consumers. */
export class AckToken {
  /** Consumers that have not yet taken (or, with manual_ack, acknowledged) their copy. */
  owners = 0;
  readonly conn: Connection;
  readonly qos: QoSLevel;
  readonly packetId: number;
  readonly #by: Acknowledger;

  constructor(by: Acknowledger, conn: Connection, qos: QoSLevel, packetId: number) {
    this.#by = by;
    this.conn = conn;
    this.qos = qos;
    this.packetId = packetId;
  }

  release(): void {
    if (--this.owners === 0) this.#by.acknowledge(this);
  }
}

/** A message as an iterator yields it: a `Uint8Array` payload, text/JSON helpers, `ack()`. */
export class ReceivedMessage implements Message {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoSLevel;
  readonly retain: boolean;
  readonly dup: boolean;
  readonly packetId?: number | undefined;
  readonly properties?: Properties | undefined;
  #token: AckToken | undefined;

  constructor(
    topic: string,
    payload: Uint8Array,
    qos: QoSLevel,
    retain: boolean,
    dup: boolean,
    packetId: number | undefined,
    properties: Properties | undefined,
    token: AckToken | undefined,
  ) {
    this.topic = topic;
    this.payload = payload;
    this.qos = qos;
    this.retain = retain;
    this.dup = dup;
    if (packetId !== undefined) this.packetId = packetId;
    if (properties !== undefined) this.properties = properties;
    this.#token = token;
  }

  text(): string {
    return decoder.decode(this.payload);
  }

  json(): unknown {
    return JSON.parse(this.text());
  }

  /** Whether its acknowledgement is still held (QoS 1/2, neither taken nor acknowledged). */
  get unacknowledged(): boolean {
    return this.#token !== undefined;
  }

  /** Lets go of its acknowledgement unsent: the broker sends the message again (see dropResent). */
  forget(): void {
    this.#token = undefined;
  }

  ack(): void {
    const token = this.#token;
    this.#token = undefined;
    token?.release();
  }
}

/** A pending `next()` call. */
type Reader = PromiseWithResolvers<IteratorResult<Message, undefined>>;

/** A bounded queue of messages for one consumer, and its async iterator. */
export class Inbox implements MessageStream {
  /** QoS 0 messages dropped because the buffer was full. */
  dropped = 0;
  /** The topic filter test of a subscription's inbox (messages() takes every topic). */
  readonly matches: ((topic: string) => boolean) | undefined;
  readonly #capacity: number;
  readonly #manualAck: boolean;
  readonly #onReturn: ((left: readonly ReceivedMessage[]) => void) | undefined;
  #buffer: ReceivedMessage[] = [];
  #head = 0;
  #closed = false;
  #returned = false;
  #failure: unknown;
  #reader: Reader | undefined;
  /** `next()` calls made while one was pending, served in order after it (as a generator's). */
  #queued: Reader[] | undefined;
  /** Messages buffered when the current read's first QoS 0 message came; -1 before it. */
  #burstStart = -1;
  /**
   * A hold's drops by topic (see `holding`), so that each iterator that takes held messages
   * counts only the drops of its own topics; past MAX_DROPPED_TOPICS topics, the rest go to
   * the first iterator, as `dropped` would.
   */
  #droppedBy: Map<string, number> | undefined;
  /**
   * A hold's messages are claimed by nobody while iterators exist (see `Consumers`): they are
   * acknowledged as an iterator's buffer would, and past `capacity` dropped (counted), so that
   * a subscribed topic no iterator takes cannot fill the broker's window and stall the others.
   */
  #unclaimed = false;

  constructor(
    capacity: number,
    manualAck: boolean,
    matches?: (topic: string) => boolean,
    onReturn?: (left: readonly ReceivedMessage[]) => void,
  ) {
    this.#capacity = capacity;
    this.#manualAck = manualAck;
    this.matches = matches;
    this.#onReturn = onReturn;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Messages buffered. */
  get size(): number {
    return this.#buffer.length - this.#head;
  }

  /**
   * Takes a message: straight to a waiting `next()`, else into the buffer. QoS 1/2 ones always
   * fit: past `capacity` their acknowledgements wait, for the broker's flow control. A QoS 0 one
   * is dropped (counted) when the loop had left `capacity` messages untaken by the time the read it
   * came in began: a loop that keeps up loses nothing to a burst, one that falls behind holds at
   * most `capacity` plus one read's worth. Returns whether it was taken.
   */
  push(message: ReceivedMessage): boolean {
    if (this.#closed) return false;
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = this.#queued?.shift();
      this.#handed(message);
      reader.resolve({ value: message, done: false });
      return true;
    }
    if (message.qos === 0) {
      if (this.#burstStart < 0) this.#burstStart = this.size;
      if (this.#burstStart >= this.#capacity) {
        this.#countDrop(message.topic);
        return false;
      }
    } else if ((!this.#manualAck || this.#unclaimed) && this.size < this.#capacity) {
      // Acknowledged as it is buffered while there is room (see the top of this file).
      message.ack();
    } else if (this.#unclaimed) {
      this.#countDrop(message.topic);
      return false;
    }
    this.#buffer.push(message);
    return true;
  }

  /**
   * Takes a message a left loop had buffered (see `Consumers.keep`): kept past `capacity`, as
   * it was the loop's, and without manual_ack already acknowledged.
   */
  keepLeft(message: ReceivedMessage): void {
    if (!this.#closed) this.#buffer.push(message);
  }

  #countDrop(topic: string): void {
    this.dropped++;
    const by = this.#droppedBy;
    if (by !== undefined && (by.size < MAX_DROPPED_TOPICS || by.has(topic))) {
      by.set(topic, (by.get(topic) ?? 0) + 1);
    }
  }

  /**
   * Whether a hold's messages are claimed by nobody (iterators exist, none takes them): then
   * they are acknowledged as held, and those past `capacity` that come later are dropped and
   * counted; else they wait unacknowledged. What it holds when claimed stays, left loops'
   * messages included.
   */
  get unclaimed(): boolean {
    return this.#unclaimed;
  }

  set unclaimed(unclaimed: boolean) {
    if (this.#unclaimed === unclaimed) return;
    this.#unclaimed = unclaimed;
    if (!unclaimed) return;
    for (let i = this.#head; i < this.#buffer.length; i++) this.#buffer[i]!.ack();
  }

  /**
   * The broker resumed the session on a new connection: it sends again every QoS 1/2 message it
   * has no acknowledgement for, so the buffered copies still unacknowledged go, their resends
   * taking their place; the rest stay.
   */
  dropResent(): void {
    const kept: ReceivedMessage[] = [];
    for (let i = this.#head; i < this.#buffer.length; i++) {
      const message = this.#buffer[i]!;
      if (message.unacknowledged) message.forget();
      else kept.push(message);
    }
    this.#buffer = kept;
    this.#head = 0;
  }

  /**
   * A read's packets were all delivered. Returns whether the loop is behind (holds `capacity`
   * messages), for the connection to let it run before reading on.
   */
  readDone(): boolean {
    this.#burstStart = -1;
    return this.size >= this.#capacity;
  }

  /** Makes this inbox a hold: messages for no iterator yet, handed over by topic. */
  holding(): this {
    this.#droppedBy = new Map();
    return this;
  }

  /**
   * Moves the buffered messages whose topic `takes` into `to` (an iterator made while messages
   * are held), and what was dropped of those topics while held to its count; a hold that did not
   * keep its drops by topic (or dropped more topics than it keeps) gives them all to `to`.
   */
  handOver(to: Inbox, takes: (topic: string) => boolean): void {
    // What stays: the drops counted for topics `to` does not take.
    let keptDrops = 0;
    for (const [topic, count] of this.#droppedBy ?? []) {
      if (takes(topic)) this.#droppedBy!.delete(topic);
      else keptDrops += count;
    }
    const moved = this.dropped - keptDrops;
    to.dropped += moved;
    this.dropped -= moved;
    const kept: ReceivedMessage[] = [];
    for (let i = this.#head; i < this.#buffer.length; i++) {
      const message = this.#buffer[i]!;
      if (takes(message.topic)) to.push(message);
      else kept.push(message);
    }
    this.#buffer = kept;
    this.#head = 0;
  }

  /** Ends the stream: buffered messages are still yielded, then iteration finishes. */
  close(failure?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failure = failure;
    const reader = this.#reader;
    const queued = this.#queued;
    this.#reader = this.#queued = undefined;
    if (reader === undefined) return;
    if (failure === undefined) reader.resolve({ value: undefined, done: true });
    else {
      // The first pending call gets the failure, as a generator's; the ones behind it the end.
      this.#failure = undefined;
      reader.reject(failure);
    }
    for (const later of queued ?? []) later.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<Message, undefined>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head++]!;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      this.#handed(value);
      return Promise.resolve({ value, done: false });
    }
    if (this.#closed) {
      const failure = this.#failure;
      this.#failure = undefined;
      return failure === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(failure);
    }
    const reader: Reader = Promise.withResolvers();
    if (this.#reader === undefined) this.#reader = reader;
    else (this.#queued ??= []).push(reader);
    return reader.promise;
  }

  /**
   * Stops iterating. What the buffer still holds was never handed over: it goes to `onReturn`,
   * for the next iterator (see Consumers.keep). Without manual_ack acknowledged now, as the loop
   * chose to stop (the broker would otherwise hold them in its window); with manual_ack
   * unacknowledged, for the next loop to `ack()`.
   */
  return(): Promise<IteratorResult<Message, undefined>> {
    this.close();
    const left = this.#buffer.slice(this.#head);
    this.#buffer = [];
    this.#head = 0;
    if (!this.#manualAck) { for (const message of left) message.ack(); }
    if (!this.#returned) {
      this.#returned = true;
      this.#onReturn?.(left);
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /** Handed to the consumer: without manual_ack, that is when it is acknowledged. */
  #handed(message: ReceivedMessage): void {
    if (!this.#manualAck) message.ack();
  }
}
