// One connection attempt to one server: credentials, CONNECT, transport, an MQTT 5 AUTH exchange
// and the wait for CONNACK, all under the connect timeout and abortable. The dialer hands it the
// packets that come before CONNACK; the lifecycle settles `handshake` once it accepts the CONNACK.

import { Decoder, encode } from "../codec/mod.ts";
import type {
  AuthPacket,
  ConnackPacket,
  ConnectPacket,
  Properties,
  ProtocolVersion,
} from "../codec/packets.ts";
import { Connection, type ConnectionHandler, errorMessage } from "./_connection.ts";
import type { ClientSettings, ConnectSettings } from "./_settings.ts";
import type { Clock } from "./clock.ts";
import { type DeadlineHeap, deadlineHeapOf, type Due } from "./_deadline_heap.ts";
import { MqttClosedError, MqttError, MqttProtocolError, MqttTimeoutError } from "./errors.ts";
import type { ConnectInfo } from "./events.ts";
import type { AuthChallenge, AuthHandler } from "./options.ts";
import { connectRefusal } from "./_reasons.ts";
import { toBytes } from "./_settings.ts";
import type { BrokerUrl } from "./url.ts";

const noop = () => {};

// How Deno (rustls) words a TLS alert or certificate failure on a connection already open.
const TLS_ALERT = /fatal alert|peer certificate/i;

export class Attempt implements Due {
  readonly url: BrokerUrl;
  readonly start: number;
  readonly handshake: PromiseWithResolvers<ConnectInfo> = Promise.withResolvers();
  conn?: Connection | undefined;
  /** The CONNECT sent, which the CONNACK answers (clean start, our Receive Maximum). */
  sent?: ConnectPacket | undefined;
  // The connect timeout is an entry of the clock's shared deadlines (see `Due`), not a timer.
  dueAt = 0;
  slot = -1;
  readonly #abort = new AbortController();
  readonly #deadlines: DeadlineHeap;
  readonly #timeout: number;
  #running?: Promise<ConnectInfo> | undefined;

  constructor(url: BrokerUrl, clock: Clock, timeout: number) {
    this.url = url;
    this.start = clock.now();
    this.#timeout = timeout;
    this.#deadlines = deadlineHeapOf(clock);
    this.handshake.promise.catch(() => {}); // Awaited in run(); may reject before that.
    if (timeout > 0) this.#deadlines.schedule(this, this.start + timeout);
  }

  /** The connect timeout passed: the attempt fails and what it opened closes. */
  due(): void {
    this.#stop(
      new MqttTimeoutError(
        `Cannot connect to ${this.url.href}: no CONNACK within ${this.#timeout} ms`,
        { method: "connect" },
      ),
    );
  }

  /** Stops the connect timer (CONNACK arrived). */
  clearTimer(): void {
    this.#deadlines.cancel(this);
  }

  /** The connection died before CONNACK: the attempt fails as a timeout or a closed connection. */
  lost(error: MqttError): void {
    // Bytes that do not even parse, where a CONNACK is due: most often another server's port.
    const hint = error instanceof MqttProtocolError && error.reasonCode === 0x81
      ? " (not an MQTT broker at this address?)"
      : "";
    const message = `Cannot connect to ${this.url.href}: ${error.message}${hint}`;
    const options = { method: "connect", cause: error };
    // A broker breaking the protocol (an AUTH or PUBLISH before CONNACK, Session Present after a
    // clean start) stays a protocol error, with its reason code, not a mere closed connection.
    // A TLS alert before CONNACK (TLS 1.3 servers refuse a missing client certificate after the
    // handshake completed on our side): a TLS failure, as one in the handshake.
    const tls = this.url.transport !== "tcp" && TLS_ALERT.test(error.message);
    this.handshake.reject(
      error instanceof MqttProtocolError
        ? new MqttProtocolError(message, error.reasonCode, options)
        : error.code === "auth" || tls
        ? new MqttError(message, { ...options, code: tls ? "tls" : "auth" })
        : error instanceof MqttTimeoutError
        ? new MqttTimeoutError(message, options)
        : new MqttClosedError(message, options),
    );
  }

  /** Abandons the attempt; settles once it has unwound and closed what it opened. */
  cancel(reason: MqttError): Promise<void> {
    this.#stop(reason);
    return this.#running === undefined ? Promise.resolve() : this.#running.then(noop, noop);
  }

  /**
   * Runs the attempt: credentials, transport, CONNECT; resolves on CONNACK. The credentials
   * provider and the transport's opening run under the connect timeout too.
   */
  run(
    s: ClientSettings,
    cs: ConnectSettings,
    packet: ConnectPacket | Promise<ConnectPacket>,
    handler: ConnectionHandler,
  ): Promise<ConnectInfo> {
    return this.#running = this.#run(s, cs, packet, handler);
  }

  /**
   * Judges the CONNACK: a refusal rejects the handshake and closes the connection, a Session
   * Present the broker must not claim fails it; else the connect timer stops and the CONNACK to
   * go on with is returned.
   */
  accept(
    conn: Connection,
    connack: ConnackPacket,
    version: ProtocolVersion,
  ): ConnackPacket | undefined {
    if (connack.reasonCode !== 0) {
      this.handshake.reject(connectRefusal(this.url.href, connack.reasonCode, connack.properties));
      conn.close().catch(() => {});
      return undefined;
    }
    if (connack.sessionPresent && this.sent!.cleanStart && version !== 5) {
      // MQTT 3.1.1 (§3.2.2.2) lets the client proceed, and brokers do send this (AWS IoT, hmq,
      // MQTTnet 3.0): refusing them would fail every connect. What we asked for is a clean
      // session, so it is taken as one (subscriptions restored, nothing stale resent).
      connack = { ...connack, sessionPresent: false };
    } else if (connack.sessionPresent && this.sent!.cleanStart) {
      // We hold no session after a clean start, and the broker must not claim one
      // (MQTT-3.2.2-2): the client MUST close the connection (MQTT-3.2.2-4).
      conn.fail(
        new MqttProtocolError(
          "Protocol error: CONNACK has Session Present set in reply to a clean start",
          0x82,
        ),
      );
      return undefined;
    }
    this.clearTimer();
    return connack;
  }

  /** What connect() resolves with and the `connect` event tells, once `connack` is accepted. */
  connectInfo(clientId: string, connack: ConnackPacket): ConnectInfo {
    const info: ConnectInfo = {
      url: this.url.href,
      clientId,
      sessionPresent: connack.sessionPresent,
    };
    if (connack.properties !== undefined) info.properties = connack.properties;
    return info;
  }

  /**
   * MQTT 5 enhanced authentication (§4.12): an AUTH 0x18 before CONNACK, with the method of our
   * CONNECT, is answered with AUTH 0x18 carrying the `auth` handler's data. Any other AUTH is a
   * protocol error (MQTT-4.12.0-6: none without a method of ours; -4.12.0-2: the same method).
   */
  authenticate(
    conn: Connection,
    packet: AuthPacket,
    method: string | undefined,
    auth: AuthHandler | undefined,
  ): void {
    const theirs = packet.properties?.authenticationMethod;
    const code = packet.reasonCode ?? 0;
    if (method === undefined || code !== 0x18 || theirs !== method) {
      const why = method === undefined
        ? "the CONNECT had no authentication method"
        : code !== 0x18
        ? `reason code 0x${code.toString(16)} instead of 0x18`
        : `method "${theirs}" instead of "${method}"`;
      return conn.fail(new MqttProtocolError(`Protocol error: unexpected AUTH (${why})`, 0x82));
    }
    if (auth === undefined) {
      return conn.fail(
        new MqttError(`the broker asks to continue "${method}" authentication: no auth option`, {
          code: "auth",
          method: "connect",
        }),
      );
    }
    const challenge: AuthChallenge = { method, reasonCode: code };
    if (packet.properties?.authenticationData !== undefined) {
      challenge.data = packet.properties.authenticationData.slice();
    }
    if (packet.properties !== undefined) challenge.properties = packet.properties;
    Promise.resolve().then(() => auth(challenge)).then((reply) => {
      const properties: Properties = { authenticationMethod: method };
      if (reply !== undefined && reply !== null) {
        properties.authenticationData = toBytes("auth reply", reply);
      }
      conn.send(encode({ type: "auth", reasonCode: 0x18, properties }, 5));
    }).catch((cause) => {
      conn.fail(
        new MqttError(`auth handler failed: ${errorMessage(cause)}`, {
          code: "auth",
          method: "connect",
          cause,
        }),
      );
    });
  }

  // The handshake is rejected first, then the signal aborts what is in progress (a transport
  // opening, a credentials provider): their failures then lose the race to the reason given here.
  #stop(reason: MqttError): void {
    this.handshake.reject(reason);
    this.#abort.abort(reason);
  }

  async #run(
    s: ClientSettings,
    cs: ConnectSettings,
    pending: ConnectPacket | Promise<ConnectPacket>,
    handler: ConnectionHandler,
  ): Promise<ConnectInfo> {
    const signal = this.#abort.signal;
    try {
      const packet = pending instanceof Promise
        ? await Promise.race([pending, this.handshake.promise as never])
        : pending;
      signal.throwIfAborted();
      this.sent = packet;
      const opening = s.transport({ url: this.url, tls: cs.tls, signal, clock: s.clock });
      // A transport that opens after the attempt was abandoned must still be closed.
      opening.then((t) => {
        if (signal.aborted && this.conn === undefined) t.close();
      }, noop);
      const transport = await Promise.race([opening, this.handshake.promise as never]);
      if (signal.aborted) {
        await transport.close();
        signal.throwIfAborted();
      }
      const decoder = new Decoder({
        protocolVersion: cs.protocolVersion,
        maximumPacketSize: cs.maxPacketSize,
      });
      const conn = new Connection(transport, decoder, s.clock, handler);
      this.conn = conn;
      conn.start();
      conn.send(encode(packet, cs.protocolVersion));
      return await this.handshake.promise;
    } catch (error) {
      await this.conn?.close().catch(noop);
      throw asMqttError(error, "connect", this.url);
    } finally {
      this.clearTimer();
    }
  }
}

/** Any failure as an MqttError naming the method (and server) it happened in. */
export function asMqttError(error: unknown, method: string, url?: BrokerUrl): MqttError {
  if (error instanceof MqttError) return error;
  if (error instanceof TypeError || error instanceof RangeError) {
    return new MqttError(error.message, { code: "invalid", method, cause: error });
  }
  const where = url === undefined ? "" : ` to ${url.href}`;
  return new MqttClosedError(`Cannot ${method}${where}: ${errorMessage(error)}`, {
    method,
    cause: error,
  });
}
