// What the public calls do (publish, subscribe, unsubscribe, end, messages) on top of the
// connection's lifecycle, and what happens when the lifecycle reports an outcome, an event or a
// state change. One object with prototype methods, so a client costs no closures.

import type { PublishPacket } from "../codec/packets.ts";
import type { Lifecycle, LifecycleOwner } from "./_lifecycle.ts";
import { deliver, type DeliveryHost } from "./_deliver.ts";
import { type Consumers, DEFAULT_CAPACITY } from "./_consumers.ts";
import type { Connection } from "./_connection.ts";
import { Inbox } from "./_inbox.ts";
import { ObservedPromise } from "./_observed.ts";
import { abortedError, onAbort, withoutSignal } from "./_abort.ts";
import { SubscriptionInbox } from "./_subscription_inbox.ts";
import type { Listeners } from "./_listeners.ts";
import type { Metrics } from "./_metrics.ts";
import { type Op, publishPacket, subscribeOp, unsubscribeOp } from "./_ops.ts";
import { Outcomes } from "./_outcomes.ts";
import { ofMethod } from "./_reasons.ts";
import type { Clock } from "./clock.ts";
import { MqttClosedError, type MqttError } from "./errors.ts";
import {
  type CloseInfo,
  type ConnectInfo,
  MqttCloseEvent,
  MqttConnectEvent,
  MqttReconnectEvent,
  type ReconnectInfo,
} from "./events.ts";
import type { MessageStream, MessageStreamOptions, SubscriptionOptions } from "./messages.ts";
import {
  checkEncodable,
  checkInteger,
  checkKeys,
  checkPacketProperties,
  checkTags,
} from "./_checks.ts";
import { connectArguments } from "./_settings.ts";
import type {
  ConnectOptions,
  EndOptions,
  Payload,
  PublishOptions,
  SubscribeOptions,
  UnsubscribeOptions,
} from "./options.ts";

const connectEvent = (info: ConnectInfo) => new MqttConnectEvent(info);
const reconnectEvent = (info: ReconnectInfo) => new MqttReconnectEvent(info);
const closeEvent = (info: CloseInfo) => new MqttCloseEvent(info);
const endEvent = () => new Event("end");
export class Calls implements LifecycleOwner, DeliveryHost {
  readonly events: Listeners;
  readonly outcomes: Outcomes;
  readonly metrics: Metrics | undefined;
  readonly clock: Clock;
  lifecycle!: Lifecycle;
  /** The iterators, and the messages held for the first one. */
  consumers!: Consumers;
  /** `on()` handler exceptions go to reportError, as k6 reports a script's exceptions. */
  reportHandlerErrors = false;
  /** An end() in progress. */
  ending?: Promise<void> | undefined;
  #idle?: PromiseWithResolvers<void> | undefined;
  /**
   * Why the client last went idle with nothing pending (undefined: asked to, by end() or an
   * aborted connect()), whether it had a connection it then lost or ended (`final`: iterators
   * end), and who waits for it.
   */
  #closedWith: { error: MqttError | undefined; final: boolean } | undefined;
  #closed?: PromiseWithResolvers<MqttError | undefined> | undefined;

  constructor(events: Listeners, clock: Clock, metrics: Metrics | undefined) {
    this.events = events;
    this.clock = clock;
    this.metrics = metrics;
    this.outcomes = new Outcomes(this.events, metrics);
  }

  /** Resolves once idle: no connection, attempt, scheduled reconnection or end() under way. */
  idleness(): Promise<void> {
    if (this.lifecycle.state === "idle" && this.ending === undefined) {
      return this.lifecycle.released();
    }
    return (this.#idle ??= Promise.withResolvers<void>()).promise;
  }

  /** Ends the client once: DISCONNECT, then the `end` event, then idle (an idle one: the event). */
  end(options: EndOptions | undefined, sync: boolean, wait = -1): Promise<void> {
    checkKeys("end", options);
    const tags = checkTags("tags", options?.tags);
    const reasonCode = checkInteger("reason_code", options?.reason_code, 0, 255) ?? 0;
    const timeout = checkInteger("timeout", options?.timeout, 0, Infinity) ??
      (wait >= 0 ? wait : undefined);
    const signal = options?.signal;
    const properties = options?.properties;
    // Checked now: the DISCONNECT is only encoded once in-flight work has settled.
    checkPacketProperties("properties", { type: "disconnect", properties });
    checkEncodable("option reason_code", { type: "disconnect", reasonCode });
    if (this.ending !== undefined) {
      // A second end() does not wait any longer: the connection closes now.
      this.lifecycle.force();
      return this.ending;
    }
    if (this.lifecycle.state === "idle") {
      this.#closeStreams(); // Iterators made before a connect() that never came.
      // Subscriptions made before it: their SUBSCRIBE waited for that connect().
      this.lifecycle.session.failAll(() => new MqttClosedError("Client ended"));
      this.#closedFor(undefined, false); // Iterators made later wait for a connect().
      // Nothing to close, but xk6-mqtt counts and fires `end` for every end() call.
      this.metrics?.call("end", tags);
      this.events.emit("end", undefined, endEvent);
      return Promise.resolve();
    }
    const drain = wait === Infinity;
    const ending = this.lifecycle.end({ reasonCode, properties, timeout, drain }).then(() =>
      this.#ended(tags)
    );
    this.ending = ending;
    if (signal !== undefined) onAbort(signal, () => this.lifecycle.force(), ending);
    return this.outcomes.call(ending, "end", sync, tags);
  }

  /** Resolves once the client closed: with undefined when asked to (end()), else the error. */
  whenClosed(): Promise<MqttError | undefined> {
    if (this.lifecycle.state === "idle" && this.ending === undefined && this.#closedWith) {
      return Promise.resolve(this.#closedWith.error);
    }
    return (this.#closed ??= Promise.withResolvers()).promise;
  }

  #closedFor(error: MqttError | undefined, final: boolean): void {
    this.#closedWith = { error, final };
    const closed = this.#closed;
    this.#closed = undefined;
    closed?.resolve(error);
  }

  /** Connects with the call's URL and options over the client's `defaults`. */
  connect(
    defaults: ConnectOptions,
    url: unknown,
    options: ConnectOptions | undefined,
    sync: boolean,
  ): Promise<ConnectInfo> {
    const signal = (typeof url === "object" && url !== null ? url as ConnectOptions : options)
      ?.signal;
    const settings = connectArguments(defaults, url, options);
    this.#closedWith = undefined;
    const connecting = this.lifecycle.connect(settings);
    if (signal === undefined) return this.outcomes.call(connecting, "connect", sync);
    // Aborting gives up connecting (and retrying), as end() would; the call fails as aborted.
    let aborted = false;
    onAbort(signal, () => {
      if (this.lifecycle.state === "connected") return;
      aborted = true;
      this.lifecycle.end({ timeout: 0 });
    }, connecting);
    const outcome = connecting.catch((error) => {
      throw aborted ? abortedError("connect", signal) : error;
    });
    return this.outcomes.call(outcome, "connect", sync);
  }

  /** Subscribes: the SUBSCRIBE waits for the connection and resolves with the granted QoS. */
  subscribe(
    topic: string | string[] | Record<string, SubscribeOptions>,
    options: SubscribeOptions | undefined,
    sync: boolean,
  ): Promise<number[]> {
    return this.outcomes.guard("subscribe", sync, options?.tags, () => {
      const op = subscribeOp(topic, withoutSignal(options), sync, this.startTime());
      this.consumers.subscribed(op.packet, this.lifecycle.settings?.protocolVersion);
      this.#submit(op, options?.signal);
      return op.promise;
    });
  }

  /** An iterable subscription, registered before its SUBSCRIBE is sent. */
  subscription(
    topic: string | string[],
    options: SubscriptionOptions | undefined,
  ): SubscriptionInbox {
    const { capacity, signal, ...subscribe } = options ?? {};
    const size = checkInteger("capacity", capacity, 1, Infinity) ?? DEFAULT_CAPACITY;
    const op = subscribeOp(topic, subscribe, false, this.startTime());
    const filters = op.packet.subscriptions.map((s) => s.topicFilter);
    const manualAck = this.consumers.manualAck;
    const inbox = new SubscriptionInbox(this, filters, op.promise, size, manualAck, subscribe);
    inbox.subscriptionId = this.consumers.ids.assign(op.packet);
    this.consumers.add(inbox);
    this.#submit(op, signal, true);
    if (signal !== undefined) onAbort(signal, () => inbox.return());
    return inbox;
  }

  /** Unsubscribes: the UNSUBSCRIBE waits for the connection (`untilConnect`: see #submit). */
  unsubscribe(
    topics: string | string[],
    options: UnsubscribeOptions | undefined,
    sync: boolean,
    untilConnect = false,
  ): Promise<void> {
    return this.outcomes.guard("unsubscribe", sync, options?.tags, () => {
      const op = unsubscribeOp(topics, withoutSignal(options), sync);
      this.consumers.ids.unsubscribed(op.packet.topicFilters);
      this.#submit(op, options?.signal, untilConnect);
      return op.promise as Promise<unknown> as Promise<void>;
    });
  }

  /**
   * Publishes: QoS 0 straight into the write batch when nothing waits before it, anything else
   * through the session (in-flight window, queue while (re)connecting).
   */
  publish(
    topic: string,
    payload: Payload,
    options: PublishOptions | undefined,
    sync: boolean,
  ): Promise<void> {
    const { lifecycle, metrics } = this;
    // The latency stamp is the send time: read before anything else. A user property (MQTT 5)
    // only when metrics are collected; a payload trailer whenever asked for.
    const settings = lifecycle.settings;
    const inPayload = settings?.latencyStamp === "payload";
    const stamp = inPayload ||
        (metrics !== undefined && settings?.latencyStamp === "property" &&
          settings.protocolVersion === 5)
      ? this.clock.now()
      : undefined;
    const signal = options?.signal;
    const packet = publishPacket(topic, payload, withoutSignal(options), stamp, inPayload);
    const tags = options?.tags;
    if (packet.qos === 0 && signal === undefined) {
      const written = this.#publishNow(packet, sync);
      if (written !== undefined) {
        metrics?.sent(topic, packet.payload.length, tags);
        return written;
      }
    }
    const { promise, resolve, reject } = ObservedPromise.withResolvers<void>();
    const start = this.startTime();
    this.#submit(
      { method: "publish", packet, promise, resolve, reject, sync, start, tags },
      signal,
    );
    return promise;
  }

  /** Sends a QoS 0 publication straight to the write batch when nothing is queued before it. */
  #publishNow(packet: PublishPacket, sync: boolean): Promise<void> | undefined {
    const lifecycle = this.lifecycle;
    const session = lifecycle.session;
    const conn = session.connection;
    if (conn === undefined || lifecycle.state !== "connected" || session.queued > 0) {
      return undefined;
    }
    const bytes = session.publishBytes(packet);
    // Refused by the broker's CONNACK (Retain Available 0, a caller's topic alias over the
    // maximum, Maximum Packet Size): the slow path, which runs the same checks, reports it.
    if (!(bytes instanceof Uint8Array)) return undefined;
    return conn.sendAndWait(bytes, sync);
  }

  /**
   * Starts an operation, or fails it at once when there is no connection to wait for; with
   * `untilConnect` (a subscription's), an idle client not closed for good queues it for the next
   * connect(). An abort of `signal` fails it (code `"aborted"`); what was already sent is not
   * taken back.
   */
  #submit(op: Op, signal?: AbortSignal, untilConnect = false): void {
    if (signal !== undefined) {
      const abort = () => this.failed(op, abortedError(op.method, signal));
      if (signal.aborted) return abort();
      onAbort(signal, abort, op.promise);
    }
    const state = this.lifecycle.state;
    const waits = untilConnect && state === "idle" && this.#closedWith?.final !== true;
    if ((state === "idle" && !waits) || state === "ending") {
      const why = state === "idle" ? "not connected" : "the client is ending";
      this.failed(op, new MqttClosedError(`Cannot ${op.method}: ${why}`, { method: op.method }));
      return;
    }
    this.lifecycle.session.submit(op);
  }

  /** Start time for duration metrics: only read the clock when someone measures. */
  startTime(): number {
    return this.metrics === undefined ? 0 : this.clock.now();
  }

  /**
   * A new messages() iterator; closed at once on a client idle after a connect(). Made before the
   * first connect(), it waits for the connection: messages that come in the CONNACK's read (a
   * resumed session's queue) are delivered before connect() resolves, so only an iterator made
   * earlier sees them.
   */
  messages(options: MessageStreamOptions | undefined): MessageStream {
    checkKeys("messages", options);
    const capacity = checkInteger("capacity", options?.capacity, 1, Infinity) ?? DEFAULT_CAPACITY;
    const consumers = this.consumers;
    if (consumers.stream !== undefined) {
      throw new TypeError("Cannot iterate messages: another messages() iterator is active");
    }
    const stream: Inbox = new Inbox(capacity, consumers.manualAck, undefined, (left) => {
      consumers.remove(stream);
      consumers.keep(left);
    });
    // A client closed for good (ended, or lost and not reconnected) has nothing more to give.
    if (this.lifecycle.state === "idle" && this.ending === undefined && this.#closedWith?.final) {
      stream.close();
    } else consumers.add(stream);
    if (options?.signal !== undefined) onAbort(options.signal, () => stream.return());
    return stream;
  }

  /** end() completed: its `end` event, then idle. */
  #ended(tags: Record<string, string> | undefined): void {
    this.ending = undefined;
    this.metrics?.call("end", tags);
    this.events.emit("end", undefined, endEvent);
    this.#closedFor(undefined, true);
    this.#closeStreams();
    this.#becameIdle();
  }

  done(op: Op, result?: number[]): void {
    this.metrics?.done(op, this.clock.now());
    op.resolve((op.method === "unsubscribe" ? undefined : result) as never);
  }

  failed(op: Op, error: MqttError): void {
    this.outcomes.fail(op, ofMethod(error, op.method));
  }

  connected(info: ConnectInfo): void {
    this.consumers.v5 = this.lifecycle.settings?.protocolVersion === 5;
    if (info.sessionPresent && this.consumers.any) this.consumers.resumed();
    this.events.emit("connect", info, connectEvent);
  }

  reconnecting(info: ReconnectInfo): void {
    this.events.emit("reconnect", info, reconnectEvent);
  }

  closed(info: CloseInfo): void {
    this.events.emit("close", info, closeEvent);
  }

  message(topic: string, packet: PublishPacket, conn: Connection): void {
    const inPayload = this.lifecycle.settings?.latencyStamp === "payload";
    deliver(this, topic, packet, conn, this.lifecycle.session.inbound, inPayload);
  }

  handlerFailed(error: unknown, event = "message"): void {
    if (this.reportHandlerErrors) reportError(error);
    // An `error` handler that throws is not given its own exception again.
    else if (event === "error") console.error("mqload: the error handler threw:", error);
    else this.outcomes.handlerFailed(event, error);
  }

  error(error: MqttError): void {
    this.outcomes.background(error);
  }

  idle(ended: boolean, error?: MqttError): void {
    if (ended) {
      this.events.emit("end", undefined, endEvent);
      this.#closedFor(error, true);
      if (this.lifecycle.state === "idle") this.#closeStreams();
    } else if (this.ending === undefined) {
      // A connect() failed for good, or was aborted (no error): nothing pending, nothing to
      // retry, so closed() resolves; iterators wait for the next connect(). An end() under way
      // resolves it itself, after its `end` event.
      this.#closedFor(error, false);
    }
    this.#becameIdle();
  }

  readDone(): boolean {
    const consumers = this.consumers;
    return consumers.any && consumers.readDone();
  }

  batchFailed(promise: Promise<void>, error: MqttError, sync: boolean): MqttError {
    return this.outcomes.batchFailed(promise, error, sync);
  }

  #closeStreams(): void {
    this.consumers.closeAll();
  }

  #becameIdle(): void {
    if (this.ending !== undefined) return; // end() finishes the job after its `end` event.
    if (this.lifecycle.state !== "idle") return; // An `end` handler connected again.
    const idle = this.#idle;
    this.#idle = undefined;
    if (idle !== undefined) this.lifecycle.released().then(idle.resolve);
  }
}
