// What the public calls do (publish, subscribe, unsubscribe, end, messages) on top of the
// connection's lifecycle, and what happens when the lifecycle reports an outcome, an event or a
// state change. One object with prototype methods, so a client costs no closures.

import type { PublishPacket } from "../codec/packets.ts";
import type { Lifecycle, LifecycleOwner } from "./_lifecycle.ts";
import { deliver } from "./_deliver.ts";
import type { Listeners } from "./_listeners.ts";
import type { Metrics } from "./_metrics.ts";
import { type Op, publishPacket, subscribeOp, unsubscribeOp } from "./_ops.ts";
import { Outcomes } from "./_outcomes.ts";
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
import { MessageStream } from "./messages.ts";
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
const noop = () => {};

export class Calls implements LifecycleOwner {
  readonly events: Listeners;
  readonly outcomes: Outcomes;
  readonly metrics?: Metrics;
  readonly clock: Clock;
  lifecycle!: Lifecycle;
  /** The active messages() iterator. */
  stream?: MessageStream;
  /** An end() in progress. */
  ending?: Promise<void>;
  #idle?: PromiseWithResolvers<void>;

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
  end(options: EndOptions | undefined, sync: boolean): Promise<void> {
    checkKeys("end", options);
    const tags = checkTags("tags", options?.tags);
    const reasonCode = checkInteger("reason_code", options?.reason_code, 0, 255) ?? 0;
    const properties = options?.properties;
    // Checked now: the DISCONNECT is only encoded once in-flight work has settled.
    checkPacketProperties("properties", { type: "disconnect", properties });
    checkEncodable("option reason_code", { type: "disconnect", reasonCode });
    if (this.ending !== undefined) return this.ending;
    if (this.lifecycle.state === "idle") {
      this.#closeStream(); // An iterator made before a connect() that never came.
      // Nothing to close, but xk6-mqtt counts and fires `end` for every end() call.
      this.metrics?.call("end", tags);
      this.events.emit("end", undefined, endEvent);
      return Promise.resolve();
    }
    const ending = this.lifecycle.end(reasonCode, properties).then(() => this.#ended(tags));
    this.ending = ending;
    return this.outcomes.call(ending, "end", sync, tags);
  }

  /** Connects with the call's URL and options over the client's `defaults`. */
  connect(
    defaults: ConnectOptions,
    url: unknown,
    options: ConnectOptions | undefined,
    sync: boolean,
  ): Promise<ConnectInfo> {
    const settings = connectArguments(defaults, url, options);
    return this.outcomes.call(this.lifecycle.connect(settings), "connect", sync);
  }

  /** Subscribes: the SUBSCRIBE waits for the connection and resolves with the granted QoS. */
  subscribe(
    topic: string | string[] | Record<string, SubscribeOptions>,
    options: SubscribeOptions | undefined,
    sync: boolean,
  ): Promise<number[]> {
    const op = subscribeOp(topic, options, sync, this.startTime());
    this.#submit(op);
    return op.promise;
  }

  /** Unsubscribes: the UNSUBSCRIBE waits for the connection. */
  unsubscribe(
    topics: string | string[],
    options: UnsubscribeOptions | undefined,
    sync: boolean,
  ): Promise<void> {
    const op = unsubscribeOp(topics, options, sync);
    this.#submit(op);
    return op.promise.then(noop);
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
    const packet = publishPacket(topic, payload, options, stamp, inPayload);
    const tags = options?.tags;
    if (packet.qos === 0) {
      const written = this.#publishNow(packet, sync);
      if (written !== undefined) {
        metrics?.sent(topic, packet.payload.length, tags);
        return written;
      }
    }
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const start = this.startTime();
    this.#submit({ method: "publish", packet, promise, resolve, reject, sync, start, tags });
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

  /** Starts an operation, or fails it at once when there is no connection to wait for. */
  #submit(op: Op): void {
    const state = this.lifecycle.state;
    if (state === "idle" || state === "ending") {
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
  messages(capacity: number): MessageStream {
    if (this.stream !== undefined) {
      throw new TypeError("Cannot iterate messages: another messages() iterator is active");
    }
    const stream = new MessageStream(capacity, () => {
      if (this.stream === stream) this.stream = undefined;
    });
    // A client idle after a connection (ended, lost, refused) has nothing more to give.
    if (this.lifecycle.state === "idle" && this.ending === undefined && this.lifecycle.settings) {
      stream.close();
    } else this.stream = stream;
    return stream;
  }

  /** end() completed: its `end` event, then idle. */
  #ended(tags: Record<string, string> | undefined): void {
    this.ending = undefined;
    this.metrics?.call("end", tags);
    this.events.emit("end", undefined, endEvent);
    this.#becameIdle();
  }

  done(op: Op, result?: number[]): void {
    this.metrics?.done(op, this.clock.now());
    op.resolve(result as never);
  }

  failed(op: Op, error: MqttError): void {
    this.outcomes.fail(op, error);
  }

  connected(info: ConnectInfo): void {
    this.events.emit("connect", info, connectEvent);
  }

  reconnecting(info: ReconnectInfo): void {
    this.events.emit("reconnect", info, reconnectEvent);
  }

  closed(info: CloseInfo): void {
    this.events.emit("close", info, closeEvent);
  }

  message(topic: string, packet: PublishPacket): void {
    const inPayload = this.lifecycle.settings?.latencyStamp === "payload";
    deliver(topic, packet, this.events, this.stream, this.metrics, this.clock, inPayload);
  }

  error(error: MqttError): void {
    this.outcomes.background(error);
  }

  idle(ended: boolean): void {
    if (ended) this.events.emit("end", undefined, endEvent);
    this.#becameIdle();
  }

  backpressure(): Promise<void> | undefined {
    const stream = this.stream;
    return stream !== undefined && stream.full ? stream.space() : undefined;
  }

  batchFailed(promise: Promise<void>, error: MqttError): void {
    this.outcomes.batchFailed(promise, error);
  }

  #closeStream(): void {
    this.stream?.close();
    this.stream = undefined;
  }

  #becameIdle(): void {
    if (this.ending !== undefined) return; // end() finishes the job after its `end` event.
    if (this.lifecycle.state !== "idle") return; // An `end` handler connected again.
    this.#closeStream();
    const idle = this.#idle;
    this.#idle = undefined;
    if (idle !== undefined) this.lifecycle.released().then(idle.resolve);
  }
}
