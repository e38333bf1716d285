// The lifecycle of a client's connection: connecting (the Dialer walks the server list), CONNACK
// handling, reconnection with backoff, incoming packet dispatch, and end(). Calls puts the public
// API and events on top of it.

import { encodeDisconnect } from "../codec/internal.ts";
import type { ConnackPacket, Packet, PublishPacket } from "../codec/packets.ts";
import { asMqttError, type Attempt } from "./_attempt.ts";
import { checkSessionId, randomClientId } from "./_connect_packet.ts";
import { Dialer, type DialerHost } from "./_dialer.ts";
import { type Connection, unexpected } from "./_connection.ts";
import { IncomingAliases } from "./_aliases.ts";
import { asClosed, closeInfo, gaveUpError, serverDisconnect } from "./_reasons.ts";
import { closeAfter, type EndRequest, Lingering, untilReconnected } from "./_ending.ts";
import { Session, type SessionOwner } from "./_session.ts";
import type { ClientSettings, ConnectSettings } from "./_settings.ts";
import { Retry } from "./_retry.ts";
import { MqttClosedError, type MqttError, MqttProtocolError } from "./errors.ts";
import type { CloseInfo, ConnectInfo, ReconnectInfo } from "./events.ts";
import type { Metrics } from "./_metrics.ts";

export type State = "idle" | "connecting" | "connected" | "waiting" | "ending";

/** What the lifecycle tells the client that owns it (see Calls). */
export interface LifecycleOwner extends SessionOwner {
  connected(info: ConnectInfo): void;
  reconnecting(info: ReconnectInfo): void;
  message(topic: string, packet: PublishPacket, conn: Connection): void;
  closed(info: CloseInfo): void;
  /** A background failure no call is waiting for. */
  error(error: MqttError): void;
  /** Idle now: `ended`, a lost connection given up (fires `end`); else end() or failed `error`. */
  idle(ended: boolean, error?: MqttError): void;
  batchFailed(promise: Promise<void>, error: MqttError, sync: boolean): MqttError;
  readDone(): boolean;
}

export class Lifecycle implements DialerHost {
  readonly session: Session;
  readonly #settings: ClientSettings;
  readonly #owner: LifecycleOwner;
  readonly #metrics?: Metrics | undefined;
  #state: State = "idle";
  #connect?: ConnectSettings | undefined;
  #conn?: Connection | undefined;
  readonly #dialer: Dialer;
  readonly #retry: Retry;
  #clientId: string;
  #everConnected = false;
  #aliases = new IncomingAliases();
  #ending?: Promise<void> | undefined;
  /** Counts the calls that took over the connecting state: only the latest may settle the client. */
  #generation = 0;
  readonly #lingering = new Lingering();
  #force?: PromiseWithResolvers<void> | undefined; // Resolved by force().
  #reached?: PromiseWithResolvers<void> | undefined; // A drain's wait: connected, or idle.
  #automatic = false; // The attempt is the client's own reconnection, not a connect() call.

  constructor(settings: ClientSettings, owner: LifecycleOwner, metrics: Metrics | undefined) {
    this.#settings = settings;
    this.#owner = owner;
    this.#metrics = metrics;
    this.session = new Session(owner, settings.maxQueued);
    this.#clientId = settings.clientId;
    this.#retry = new Retry(settings.clock);
    this.#dialer = new Dialer(settings, this, metrics);
    // Metrics reported before any connection (a call on a client never connected) carry the
    // client's tags too; each attempt then adds its URL.
    const options = settings.connect;
    metrics?.connection(options.protocol_version ?? 4, this.#clientId, undefined, options.tags);
  }

  get state(): State {
    return this.#state;
  }

  get clientId(): string {
    return this.#clientId;
  }

  get settings(): ConnectSettings | undefined {
    return this.#connect;
  }

  /** Settles once every lost connection has released its transport. */
  released(): Promise<void> {
    return this.#lingering.released();
  }

  /** Connects with new settings, replacing any connection or attempt in progress. */
  async connect(settings: ConnectSettings): Promise<ConnectInfo> {
    checkSessionId(settings, this.#clientId);
    return await this.#restart("connect", () => {
      this.#connect = settings;
      this.#everConnected = false;
    });
  }

  /** Drops the current connection (if any) and connects again with the last settings. */
  async reconnect(): Promise<ConnectInfo> {
    if (this.#connect === undefined) {
      throw new MqttClosedError("Cannot reconnect: connect() was never called", {
        method: "reconnect",
      });
    }
    return await this.#restart("reconnect", () => this.#owner.reconnecting({ attempt: 1 }));
  }

  /** Stops what runs, then (unless an end() came meanwhile) `prepare`s and connects. */
  async #restart(method: string, prepare: () => void): Promise<ConnectInfo> {
    // Busy from this very call: idle() must not resolve, and calls made now must wait.
    this.#state = "connecting";
    const generation = ++this.#generation;
    const stopping = this.#stop();
    if (stopping !== undefined) await stopping;
    // An end() called while the previous connection was being stopped wins over this call.
    if (this.#state !== "connecting") {
      throw new MqttClosedError("Client ended before connecting", { method });
    }
    this.#retry.reset();
    prepare();
    return await this.#first(method, generation);
  }

  /**
   * Disconnects once in-flight work settles (at most `timeout`, default connect_timeout). With
   * `drain`, a connection being re-established is waited for first, within the same `timeout`:
   * what is queued for it goes out then, rather than failing now.
   */
  end(request: EndRequest = {}): Promise<void> {
    if (this.#state === "idle") return Promise.resolve();
    if (!request.drain) this.#retry.wake();
    return this.#ending ??= this.#end(request).finally(() => this.#ending = undefined);
  }

  /** An end() in progress stops waiting for acknowledgements and writes, and closes now. */
  force(): void {
    this.#force?.resolve();
  }

  async #first(method: string, generation: number): Promise<ConnectInfo> {
    this.#state = "connecting";
    this.#automatic = false;
    for (;;) {
      try {
        return await this.#open(generation);
      } catch (error) {
        const failure = asMqttError(error, method);
        // Tried again as a lost connection is, until end() or another connect() takes over.
        const cs = this.#connect!;
        if (this.#retry.retriesFirst(cs, failure) && this.connecting(generation)) {
          this.#state = "waiting";
          this.#metrics?.error(method);
          await this.#retry.wait(cs.reconnect, failure);
          if (this.#state === "waiting" && generation === this.#generation) {
            this.#state = "connecting";
            this.#owner.reconnecting(this.#retry.next());
            continue;
          }
        }
        // A connect() or reconnect() that replaced this one owns the connecting state now.
        if (this.connecting(generation)) {
          this.#toIdle(failure);
          this.#settled(false, failure);
        }
        throw failure;
      }
    }
  }

  /** Dials the servers with the last connect settings, and the client id as it stands now. */
  #open(generation: number): Promise<ConnectInfo> {
    const cs = this.#connect!;
    const v = cs.protocolVersion;
    // MQTT 3.1 brokers refuse empty client ids; 3.1.1 and 5 assign one.
    if (v === 3 && this.#clientId === "") this.#clientId = randomClientId();
    // Resume the session on reconnect when it outlives the connection (MQTT 5 expiry > 0).
    const resume = v === 5 && this.#everConnected && (cs.sessionExpiryInterval ?? 0) > 0;
    return this.#dialer.dial(cs, this.#clientId, resume, generation);
  }

  /** Whether the connect call numbered `generation` still owns the connecting state. */
  connecting(generation: number): boolean {
    return this.#state === "connecting" && generation === this.#generation;
  }

  // ConnectionHandler: the lifecycle itself hears every connection the dialer opens, no closures.
  // Bytes to send before closing on a violation: MQTT 5 wants a DISCONNECT with the reason.
  farewell(error: MqttError): Uint8Array | undefined {
    return this.#connect?.protocolVersion === 5 && error instanceof MqttProtocolError
      ? encodeDisconnect(5, error.reasonCode)
      : undefined;
  }

  bytesRead(n: number): void {
    this.#metrics?.bytesRead(n);
  }

  bytesWritten(n: number): void {
    this.#metrics?.bytesWritten(n);
  }

  batchFailed(promise: Promise<void>, error: MqttError, sync: boolean): MqttError {
    return this.#owner.batchFailed(promise, error, sync);
  }

  readDone(): boolean {
    return this.#owner.readDone(); // Whether the application's iterators are behind.
  }

  onPacket(conn: Connection, packet: Packet): void {
    if (conn !== this.#conn) {
      if (packet.type !== "connack") {
        const method = this.#connect?.properties?.authenticationMethod;
        return this.#dialer.beforeConnack(conn, packet, method);
      }
      const attempt = this.#dialer.attempt;
      if (attempt?.conn === conn) this.#established(attempt, conn, packet);
      return;
    }
    switch (packet.type) {
      case "publish":
        this.#onPublish(conn, packet);
        return;
      case "pingresp":
        conn.pingResponse();
        return;
      case "disconnect":
        conn.fail(serverDisconnect(packet));
        return;
      default:
        if (!this.session.handle(packet)) conn.fail(unexpected(packet));
    }
  }

  #onPublish(conn: Connection, packet: PublishPacket): void {
    const topic = this.#aliases.topicOf(packet);
    if (typeof topic !== "string") return conn.fail(topic);
    const accepted = this.session.inbound.receive(conn, packet, topic);
    if (accepted === true) this.#owner.message(topic, packet, conn);
    else if (accepted !== false) conn.fail(accepted);
  }

  #established(attempt: Attempt, conn: Connection, received: ConnackPacket): void {
    const cs = this.#connect!;
    const connack = attempt.accept(conn, received, cs.protocolVersion);
    if (connack === undefined) return;
    const sent = attempt.sent!;
    this.#dialer.attempt = undefined;
    const properties = connack.properties;
    if (properties?.assignedClientIdentifier) {
      this.#clientId = properties.assignedClientIdentifier;
    }
    this.#conn = conn;
    this.#retry.connected();
    this.#everConnected = true;
    this.#aliases.reset(cs.protocolVersion === 5 ? cs.properties?.topicAliasMaximum ?? 0 : 0);
    this.#state = "connected";
    this.#reached?.resolve();
    conn.setKeepalive(properties?.serverKeepAlive ?? cs.keepalive);
    const url = attempt.url.href;
    const took = this.#settings.clock.now() - attempt.start;
    const automatic = this.#automatic;
    this.#metrics?.connected(cs.protocolVersion, this.#clientId, url, cs.tags, took, automatic);
    this.session.attach(conn, connack, cs, sent.properties?.receiveMaximum);
    const info = attempt.connectInfo(this.#clientId, connack);
    this.#owner.connected(info);
    attempt.handshake.resolve(info);
  }

  onLost(conn: Connection, error: MqttError): void {
    const attempt = this.#dialer.attempt;
    if (attempt?.conn === conn) return attempt.lost(error);
    if (conn !== this.#conn) return;
    this.#drop();
    this.session.detach(error);
    this.#lingering.add(conn);
    this.#metrics?.reconnectionError("connection");
    const info = closeInfo(error);
    if (this.#state === "ending") {
      this.session.failAll(new MqttClosedError("Connection lost while ending", { cause: error }));
      this.#owner.closed(info);
    } else if (this.#retry.allowed(this.#connect?.reconnect)) {
      this.#retry.lost(this.#connect?.reconnect);
      info.reconnecting = true;
      this.#retry.lastError = error;
      this.#schedule();
      this.#owner.closed(info);
    } else {
      this.#toIdle(error);
      this.#owner.closed(info);
      this.#settled(true, error);
    }
  }

  #schedule(): void {
    this.#state = "waiting";
    this.#retry.schedule(this.#connect!.reconnect, () => this.#reconnectNow());
  }

  async #reconnectNow(): Promise<void> {
    this.#state = "connecting";
    const generation = ++this.#generation;
    const retry = this.#retry;
    this.#owner.reconnecting(retry.next());
    this.#automatic = true;
    try {
      await this.#open(generation);
    } catch (error) {
      // Ended or replaced meanwhile.
      if (!this.connecting(generation)) return;
      const failure = asMqttError(error, "reconnect");
      retry.lastError = failure;
      if (retry.allowed(this.#connect?.reconnect)) {
        this.#metrics?.reconnectionError("reconnect");
        this.#schedule();
        return;
      }
      // The last attempt's failure is counted once, with the give-up (see Outcomes.background).
      const gaveUp = gaveUpError(retry.failures, failure);
      this.#toIdle(gaveUp);
      this.#owner.closed({ error: gaveUp, reconnecting: false });
      this.#settled(true, gaveUp);
      this.#owner.error(gaveUp);
    }
  }

  /**
   * Quietly drops the connection, attempt or pending retry, keeping the session's operations.
   * With none of them (a first connect, a reconnection scheduled), nothing to wait for.
   */
  #stop(): Promise<void> | undefined {
    this.#retry.wake(); // Cancels a pending retry, and wakes a first connect() waiting for one.
    if (
      this.#ending === undefined && this.#dialer.attempt === undefined && this.#conn === undefined
    ) {
      this.session.detach();
      return undefined;
    }
    return this.#stopAll();
  }

  async #stopAll(): Promise<void> {
    if (this.#ending) await this.#ending;
    await this.#dialer.cancel(() => new MqttClosedError("Connection attempt replaced"));
    const conn = this.#drop();
    this.session.detach();
    if (conn !== undefined) {
      conn.sendLast(encodeDisconnect(this.#connect!.protocolVersion));
      await conn.close(this.#connect!.connectTimeout || Infinity);
    }
  }

  async #end({ reasonCode = 0, properties, timeout, drain }: EndRequest): Promise<void> {
    const force = this.#force = Promise.withResolvers<void>();
    const clock = this.#settings.clock;
    if (drain && (this.#state === "waiting" || this.#state === "connecting")) {
      const reached = this.#reached = Promise.withResolvers<void>();
      timeout = await untilReconnected(clock, reached.promise, force.promise, timeout);
      this.#reached = undefined;
      if ((this.#state as State) === "idle") return; // Given up: nothing left to end.
    }
    this.#state = "ending";
    this.#retry.cancel();
    await this.#dialer.cancel(() => new MqttClosedError("Client ended before connecting"));
    const conn = this.#conn;
    if (conn !== undefined && !conn.closed) {
      // DISCONNECT goes out even after the timeout, so that the broker does not publish the will.
      const bytes = encodeDisconnect(this.#connect!.protocolVersion, reasonCode, properties);
      const limit = timeout ?? (this.#connect!.connectTimeout || Infinity);
      await closeAfter(conn, clock, this.session.drained(), bytes, limit, force.promise);
    }
    this.#force = undefined;
    this.#drop();
    this.session.detach();
    this.session.subscriptions.clear();
    this.#toIdle(() => new MqttClosedError("Client ended"));
    this.#settled(false);
  }

  /** Forgets the connection; the sink hears that one fewer is open. */
  #drop(): Connection | undefined {
    const conn = this.#conn;
    if (conn !== undefined) this.#metrics?.disconnected();
    this.#conn = undefined;
    return conn;
  }

  #toIdle(reason: MqttError | (() => MqttError)): void {
    this.#state = "idle";
    this.#reached?.resolve();
    this.session.failAll(() => asClosed(typeof reason === "function" ? reason() : reason));
  }

  /** Tells the client it went idle, unless a handler already started something new. */
  #settled(ended: boolean, error?: MqttError): void {
    if (this.#state === "idle") this.#owner.idle(ended, error);
  }
}
