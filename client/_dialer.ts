// Dialing: one Attempt per server, in the order the connect settings list them, until one
// accepts. The dialer holds the attempt in progress: it hands it the packets that come before
// CONNACK (the lifecycle accepts the CONNACK), and cancels it when connect(), reconnect() or
// end() takes over.

import type { Packet } from "../codec/packets.ts";
import { Attempt } from "./_attempt.ts";
import { connectPacket } from "./_connect_packet.ts";
import type { Connection, ConnectionHandler } from "./_connection.ts";
import type { Metrics } from "./_metrics.ts";
import type { ClientSettings, ConnectSettings } from "./_settings.ts";
import { type MqttError, MqttProtocolError } from "./errors.ts";
import type { ConnectInfo } from "./events.ts";
import type { BrokerUrl } from "./url.ts";

/** The lifecycle, as the dialer sees it: it hears every connection the attempts open. */
export interface DialerHost extends ConnectionHandler {
  /** Whether the connect call numbered `generation` still owns the connecting state. */
  connecting(generation: number): boolean;
}

export class Dialer {
  /** The attempt in progress, until it settles or the lifecycle accepts its CONNACK. */
  attempt?: Attempt | undefined;
  readonly #settings: ClientSettings;
  readonly #host: DialerHost;
  readonly #metrics?: Metrics | undefined;

  constructor(settings: ClientSettings, host: DialerHost, metrics: Metrics | undefined) {
    this.#settings = settings;
    this.#host = host;
    this.#metrics = metrics;
  }

  /**
   * Tries each server in order for the connect call numbered `generation`; the first that
   * accepts wins.
   */
  dial(
    cs: ConnectSettings,
    clientId: string,
    resume: boolean,
    generation: number,
  ): Promise<ConnectInfo> {
    const servers = cs.servers;
    // One server, the usual case: its attempt is the outcome, with no async frame held per
    // connecting client to wait for it (thousands of VUs connect at once).
    return servers.length === 1
      ? this.#attemptOn(servers[0]!, cs, clientId, resume)
      : this.#inTurn(cs, clientId, resume, generation);
  }

  /**
   * A packet other than CONNACK on a connection not established yet. On the attempt's own, an
   * AUTH goes on with the exchange and anything else breaks the protocol; on an older one (let
   * go of already), it is dropped.
   */
  beforeConnack(conn: Connection, packet: Packet, authMethod: string | undefined): void {
    const attempt = this.attempt;
    if (attempt?.conn !== conn) return;
    if (packet.type === "auth") {
      return attempt.authenticate(conn, packet, authMethod, this.#settings.auth);
    }
    conn.fail(new MqttProtocolError(`Expected CONNACK, got ${packet.type.toUpperCase()}`, 0x82));
  }

  /**
   * Cancels the attempt in progress, if any; settles once it has unwound. The reason is made
   * only when there is an attempt to cancel: an Error captures a stack trace, and every
   * connect() and end() passes here (thousands of VUs connect at once).
   */
  async cancel(reason: () => MqttError): Promise<void> {
    await this.attempt?.cancel(reason());
  }

  async #inTurn(
    cs: ConnectSettings,
    clientId: string,
    resume: boolean,
    generation: number,
  ): Promise<ConnectInfo> {
    let last: unknown;
    for (const url of cs.servers) {
      try {
        return await this.#attemptOn(url, cs, clientId, resume);
      } catch (error) {
        last = error;
        // Ended, or replaced by another connect(): the next server is not ours to try.
        if (!this.#host.connecting(generation)) break;
      }
    }
    throw last;
  }

  #attemptOn(
    url: BrokerUrl,
    cs: ConnectSettings,
    clientId: string,
    resume: boolean,
  ): Promise<ConnectInfo> {
    const s = this.#settings;
    // Tag the wire bytes of the handshake too; CONNACK may still change the client id.
    this.#metrics?.connection(cs.protocolVersion, clientId, url.href, cs.tags);
    const attempt = new Attempt(url, s.clock, cs.connectTimeout);
    this.attempt = attempt;
    const running = attempt.run(s, cs, connectPacket(s, cs, url, clientId, resume), this.#host);
    const settled = () => {
      if (this.attempt === attempt) this.attempt = undefined;
    };
    running.then(settled, settled);
    return running;
  }
}
