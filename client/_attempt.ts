// One connection attempt to one server: credentials, CONNECT, transport, and the wait for CONNACK,
// all under the connect timeout and abortable. The lifecycle settles `handshake` when CONNACK comes.

import { Decoder, encode } from "../codec/mod.ts";
import type { ConnectPacket } from "../codec/packets.ts";
import { Connection, type ConnectionHandler, errorMessage } from "./_connection.ts";
import type { ClientSettings, ConnectSettings } from "./_settings.ts";
import type { Clock } from "./clock.ts";
import { type DeadlineHeap, deadlineHeapOf, type Due } from "./_deadline_heap.ts";
import { MqttClosedError, MqttError, MqttProtocolError, MqttTimeoutError } from "./errors.ts";
import type { ConnectInfo } from "./events.ts";
import type { CredentialsProvider } from "./options.ts";
import type { BrokerUrl } from "./url.ts";

const encoder = new TextEncoder();
const noop = () => {};

export class Attempt implements Due {
  readonly url: BrokerUrl;
  readonly start: number;
  readonly handshake: PromiseWithResolvers<ConnectInfo> = Promise.withResolvers();
  conn?: Connection;
  /** The CONNECT sent, which the CONNACK answers (clean start, our Receive Maximum). */
  sent?: ConnectPacket;
  // The connect timeout is an entry of the clock's shared deadlines (see `Due`), not a timer.
  dueAt = 0;
  slot = -1;
  readonly #abort = new AbortController();
  readonly #deadlines: DeadlineHeap;
  readonly #timeout: number;
  #running?: Promise<ConnectInfo>;

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
    const message = `Cannot connect to ${this.url.href}: ${error.message}`;
    const options = { method: "connect", cause: error };
    // A broker breaking the protocol (an AUTH or PUBLISH before CONNACK, Session Present after a
    // clean start) stays a protocol error, with its reason code, not a mere closed connection.
    this.handshake.reject(
      error instanceof MqttProtocolError
        ? new MqttProtocolError(message, error.reasonCode, options)
        : error.code === "auth"
        ? new MqttError(message, { ...options, code: "auth" })
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
      const opening = s.transport({ url: this.url, tls: cs.tls, signal });
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

/**
 * The CONNECT packet of an attempt, with fresh credentials: at once, or once the credentials
 * provider has answered.
 */
export function connectPacket(
  s: ClientSettings,
  cs: ConnectSettings,
  url: BrokerUrl,
  clientId: string,
  resume: boolean,
): ConnectPacket | Promise<ConnectPacket> {
  const provider = s.credentialsProvider;
  if (provider !== undefined) {
    return provided(provider).then(({ username, password }) =>
      connectWith(s, cs, clientId, resume, username, password)
    );
  }
  return url.username !== undefined
    ? connectWith(s, cs, clientId, resume, url.username, url.password)
    : connectWith(s, cs, clientId, resume, s.username, s.password);
}

async function provided(
  provider: CredentialsProvider,
): Promise<{ username: string; password?: string }> {
  let credentials: unknown;
  try {
    credentials = await provider();
  } catch (cause) {
    throw new MqttError(`Cannot connect: credentials provider failed: ${errorMessage(cause)}`, {
      code: "credentials",
      method: "connect",
      cause,
    });
  }
  const c = credentials as { username?: unknown; password?: unknown } | null;
  // A user name alone is fine (xk6-mqtt reads a missing password as none).
  if (
    typeof c?.username !== "string" ||
    (c.password !== undefined && typeof c.password !== "string")
  ) {
    throw new MqttError(
      "Cannot connect: credentials provider must return { username: string, password?: string }",
      { code: "credentials", method: "connect" },
    );
  }
  return { username: c.username, password: c.password as string | undefined };
}

function connectWith(
  s: ClientSettings,
  cs: ConnectSettings,
  clientId: string,
  resume: boolean,
  username: string | undefined,
  password: string | undefined,
): ConnectPacket {
  const v = cs.protocolVersion;
  const packet: ConnectPacket = {
    type: "connect",
    protocolVersion: v,
    clientId,
    cleanStart: resume ? false : cs.cleanStart,
    keepalive: cs.keepalive,
  };
  if (username !== undefined) packet.username = username;
  if (password !== undefined) packet.password = encoder.encode(password);
  if (s.will !== undefined) packet.will = s.will;
  if (v === 5) {
    const properties = { ...cs.properties };
    if (cs.sessionExpiryInterval !== undefined) {
      properties.sessionExpiryInterval = cs.sessionExpiryInterval;
    }
    if (cs.receiveMaximum !== undefined) properties.receiveMaximum = cs.receiveMaximum;
    if (cs.maxPacketSize !== undefined) properties.maximumPacketSize = cs.maxPacketSize;
    if (Object.keys(properties).length > 0) packet.properties = properties;
  }
  return packet;
}

/** A client id for MQTT 3.1 brokers, which refuse empty ones: at most 23 characters. */
export function randomClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `mqload${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
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
