/**
 * TCP and TLS transports over `Deno.connect` / `Deno.connectTls` (the only file of the client that calls them).
 *
 * @module
 */

import type { Transport, TransportOptions, TransportReader, TransportWriter } from "./transport.ts";
import { type Clock, SYSTEM_CLOCK } from "../clock.ts";
import { MqttError } from "../errors.ts";

// Memory per connection matters (thousands of idle subscribers per process), so reads start in a
// small buffer and it doubles, up to MAX_READ_BUFFER, only while reads keep filling it.
const INITIAL_READ_BUFFER = 1024;
const MAX_READ_BUFFER = 65536;
// Reads that return within BUSY_READ_MS of the one before, short of a full buffer, mean data
// trickles in: each read then costs a wakeup for a packet or two. After BUSY_STREAK such reads in
// a row (a sustained stream, not a short burst), pausing one timer tick (about 1 ms) before the
// next read lets hundreds of packets gather and cuts CPU per message several times. A read that
// had to wait means a quiet link: it resets the streak, so light traffic gets no added latency.
// An eager read (the client awaits acknowledgements, which pace a publisher's in-flight window)
// never pauses.
const BUSY_READ_MS = 0.2;
const BUSY_STREAK = 3;
// A pause must gather: a peer that waits for our answer before it sends again (ejabberd keeps
// one QoS 1/2 message in flight per subscriber; any broker does for `receive_maximum: 1`) sends
// nothing more during the tick, which then only slows every round trip (ejabberd delivered 470
// messages/s instead of 14,000). A pause after which the read completed a single packet
// gathered nothing: it doubles the streak the next pause needs, up to MAX_STREAK; a pause that
// gathers resets it. Packets, not bytes: reads of the same flow differ in size (a PUBLISH, then
// a PUBREL), and a broker's in-flight window caps what a pause gathers at what an eager read
// may also get.
const MAX_STREAK = 1024;
// A pause adds up to a timer tick (1-3 ms under load) to the latency of what it gathers, so it
// is only worth it when reading packet by packet costs real CPU: when the connections of this
// isolate together read at least PAUSE_MIN_RATE packets per ms, whether one fast stream or many
// moderate subscribers (50 subscribers at 7,000 msg/s each: 1.8-2.1 instead of 3 µs of CPU per
// message with pauses). Measured over windows of at least RATE_WINDOW_MS, so a burst of a paced
// sender does not count as a stream. At 10,000 msg/s (20 packets per ms with the
// acknowledgements), where a read per packet costs a few percent of a core, a pause put 2.4 ms
// on the p90 of `mqtt_message_latency`.
const PAUSE_MIN_RATE = 50;
const RATE_WINDOW_MS = 10;

/** Packets read by the isolate's connections: the window being counted, the last rate. */
const traffic = { since: 0, packets: 0, rate: 0 };

/** Counts the packets of a read that arrived at `now` (performance.now() ms). */
function countPackets(packets: number, now: number): void {
  traffic.packets += packets;
  const elapsed = now - traffic.since;
  if (elapsed >= RATE_WINDOW_MS) {
    traffic.rate = traffic.packets / elapsed;
    traffic.packets = 0;
    traffic.since = now;
  }
}

/**
 * Opens a TCP (`tcp`) or TLS (`tls`) connection with `TCP_NODELAY`.
 *
 * @param options URL, TLS settings and abort signal.
 * @returns The open transport. Rejects with a `TypeError` when `tls.server_name` is combined
 * with a client certificate (Deno's `startTls`, the only way to verify another name, takes none);
 * `Client.connect()` reports that as an `MqttError` with code `"invalid"`, and does not retry it.
 *
 * @example Usage
 * ```ts ignore
 * import { connectTcp } from "@mqload/mqload/client";
 * ```
 */
export async function connectTcp(options: TransportOptions): Promise<Transport> {
  const { url, tls, signal, clock = SYSTEM_CLOCK } = options;
  signal.throwIfAborted();
  let conn: Deno.Conn;
  if (url.transport === "tcp") {
    const tcp = await Deno.connect({ hostname: url.hostname, port: url.port, signal });
    tcp.setNoDelay(true);
    conn = tcp;
  } else {
    const caCerts = tls?.ca === undefined ? undefined : [tls.ca].flat();
    const common: { caCerts?: string[]; alpnProtocols?: string[] } & {
      unsafelyDisableHostnameVerification: boolean;
    } = { unsafelyDisableHostnameVerification: tls?.insecure_skip_verify === true };
    if (caCerts !== undefined) common.caCerts = caCerts;
    if (tls?.alpn_protocols !== undefined) common.alpnProtocols = tls.alpn_protocols;
    if (tls?.server_name !== undefined) {
      if (tls.cert !== undefined || tls.key !== undefined) {
        throw new TypeError(
          "Cannot connect with TLS: server_name cannot be combined with cert/key in Deno",
        );
      }
      const tcp = await Deno.connect({ hostname: url.hostname, port: url.port, signal });
      tcp.setNoDelay(true);
      conn = await Deno.startTls(tcp, { ...common, hostname: tls.server_name });
    } else {
      const certified = tls?.cert !== undefined && tls.key !== undefined
        ? { cert: tls.cert, key: tls.key }
        : {};
      conn = await Deno.connectTls({
        ...common,
        ...certified,
        hostname: url.hostname,
        port: url.port,
      });
    }
    try {
      // Surface certificate problems here, as a connect failure, not on the first read.
      await (conn as Deno.TlsConn).handshake();
    } catch (error) {
      conn.close();
      // Its own code: a certificate nobody trusts is not a broker that is down, and a caller
      // (or retry_first_connect) must not take it for one.
      const why = error instanceof Error ? error.message : String(error);
      throw new MqttError(`Cannot connect to ${url.href}: TLS handshake failed: ${why}`, {
        code: "tls",
        method: "connect",
        cause: error,
      });
    }
  }
  if (signal.aborted) {
    conn.close();
    signal.throwIfAborted();
  }
  return new DenoTransport(conn, clock);
}

/** What a transport needs of a Deno connection (a bench hands it one in memory). */
export type DenoConnLike = Pick<Deno.Conn, "read" | "write" | "close">;

/**
 * The transport over an open connection (`connectTcp` opens one).
 *
 * @param conn The connection.
 * @param clock Where its timers go (default: the global timers).
 * @returns The transport.
 */
export function denoTransport(conn: DenoConnLike, clock: Clock = SYSTEM_CLOCK): Transport {
  return new DenoTransport(conn, clock);
}

class DenoTransport implements Transport {
  #conn: DenoConnLike;
  readonly #clock: Clock;
  #buffer = new Uint8Array(INITIAL_READ_BUFFER);
  #closed = false;
  #streak = 0;
  #needed = BUSY_STREAK;
  #paused = false;
  /**
   * When the last read returned (performance.now() ms, one reading per read), or a pause ended:
   * the next read's wait is measured from it. It includes the handling of the last read's
   * packets, a few µs each, so a trickle still reads as one.
   */
  #readAt = -Infinity;
  #pause?: { timer: unknown; resolve: () => void } | undefined;

  constructor(conn: DenoConnLike, clock: Clock) {
    this.#conn = conn;
    this.#clock = clock;
  }

  /** When the chunk being handled was read (see `Transport.readAt`). */
  get readAt(): number {
    return this.#readAt;
  }

  /** Where `readTo()` hands its chunks, and `writeTo()` reports (set by their first call). */
  #reader?: TransportReader | undefined;
  #writer?: TransportWriter | undefined;
  /** What `writeTo()` is writing: the rest is written if the socket took only part of it. */
  #writing: Uint8Array | undefined;

  // Promise chains with bound methods, not async functions: an idle connection then holds no
  // suspended generator, only its pending read.
  read(eager?: boolean, packets = 0): Promise<Uint8Array | null> {
    return this.#next(eager, packets).then(this.#onRead, this.#onError);
  }

  readTo(reader: TransportReader, eager?: boolean, packets = 0): void {
    this.#reader = reader;
    this.#next(eager, packets).then(this.#handRead, this.#handError);
  }

  readonly #handRead = (n: number | null): void => {
    this.#reader!.chunk(this.#onRead(n));
  };

  readonly #handError = (error: unknown): void => {
    if (this.#closed) this.#reader!.chunk(null);
    else this.#reader!.failed(error);
  };

  /** The socket's next read (after a pause, when one is due): the bytes read, or null. */
  #next(eager: boolean | undefined, packets: number): Promise<number | null> {
    countPackets(packets, this.#readAt);
    if (this.#paused) {
      // The previous read followed a pause: did it gather?
      this.#paused = false;
      if (packets > 1) this.#needed = BUSY_STREAK;
      else {
        this.#needed = Math.min(this.#needed * 2, MAX_STREAK);
        this.#streak = 0;
      }
    }
    if (eager || this.#streak < this.#needed || traffic.rate < PAUSE_MIN_RATE) {
      return this.#readNow();
    }
    this.#paused = true;
    return new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(() => {
        this.#pause = undefined;
        this.#readAt = performance.now();
        resolve();
      }, 0);
      this.#pause = { timer, resolve };
    }).then(this.#readNow);
  }

  readonly #readNow = (): Promise<number | null> => {
    if (this.#closed) return Promise.resolve(null);
    return this.#conn.read(this.#buffer);
  };

  readonly #onRead = (n: number | null): Uint8Array | null => {
    if (n === null) return null;
    const now = performance.now();
    const busy = n < this.#buffer.length && now - this.#readAt < BUSY_READ_MS;
    this.#readAt = now;
    this.#streak = busy ? this.#streak + 1 : 0;
    const chunk = this.#buffer.subarray(0, n);
    if (n === this.#buffer.length && n < MAX_READ_BUFFER) {
      // The caller is done with `chunk` before its next read, so the old buffer can go then.
      this.#buffer = new Uint8Array(n * 2);
    }
    return chunk;
  };

  readonly #onError = (error: unknown): null => {
    if (this.#closed) return null;
    throw error;
  };

  // A promise chain, not an async function: one write is one op, and a suspended generator per
  // write costs more than the closure that finishes a short write.
  write(bytes: Uint8Array): Promise<void> {
    return this.#conn.write(bytes).then((n) =>
      n < bytes.length ? this.write(bytes.subarray(n)) : undefined
    );
  }

  writeTo(bytes: Uint8Array, writer: TransportWriter): void {
    this.#writer = writer;
    this.#writing = bytes;
    this.#conn.write(bytes).then(this.#wrote, this.#writeFailed);
  }

  readonly #wrote = (n: number): void => {
    const bytes = this.#writing!;
    if (n < bytes.length) {
      this.#writing = bytes.subarray(n);
      this.#conn.write(this.#writing).then(this.#wrote, this.#writeFailed);
      return;
    }
    this.#writing = undefined;
    this.#writer!.written();
  };

  readonly #writeFailed = (error: unknown): void => {
    this.#writing = undefined;
    this.#writer!.failed(error);
  };

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      if (this.#pause !== undefined) {
        this.#clock.clearTimeout(this.#pause.timer);
        this.#pause.resolve();
        this.#pause = undefined;
      }
      try {
        this.#conn.close();
      } catch {
        // Already closed by the peer: nothing left to release.
      }
    }
    return Promise.resolve();
  }
}
