// One live connection: the read loop feeding the decoder, coalesced writes, and its keepalive
// (see Keepalive).
// It knows nothing about sessions or QoS: decoded packets go to the handler as they arrive.

import type { Decoder } from "../codec/mod.ts";
import { type AckType, type BufferPool, encodeAck } from "../codec/internal.ts";
import type { Packet } from "../codec/packets.ts";
import type { Clock } from "./clock.ts";
import { MqttClosedError, MqttError, MqttProtocolError } from "./errors.ts";
import type { Transport, TransportReader } from "./transport/mod.ts";
import { Keepalive } from "./_keepalive.ts";
import { waitAtMost } from "./_wait_at_most.ts";
import { type WriteHooks, Writes } from "./_writes.ts";

// Reads are eager while acknowledgements are awaited (see `awaiting`), unless so many are in
// flight that the round trip no longer paces the sender: then the reads batch to save CPU.
const EAGER_MAX = 256;

export interface ConnectionHandler extends WriteHooks {
  /** Called synchronously for each decoded packet, in order. */
  onPacket(conn: Connection, packet: Packet): void;
  /** Called once when the connection dies by itself (not after `close()`). */
  onLost(conn: Connection, error: MqttError): void;
  /** Optional wire byte counter (written: see WriteHooks). */
  bytesRead?(n: number): void;
  /**
   * A read's packets were all handled: true when the application's iterators are behind, and
   * the next read should wait one turn of the event loop (their loops run first), not longer.
   */
  readDone?(): boolean;
  /** Bytes to write, if any, before closing because of `error` (a v5 DISCONNECT). */
  farewell?(error: MqttError): Uint8Array | undefined;
}

export class Connection {
  /** When the last bytes were handed to the transport, by the client's clock. */
  lastWrite: number;
  /** When the last bytes were read, by the client's clock (see Keepalive). */
  lastRead: number;
  /** Bytes handed to the transport so far (see Keepalive). */
  bytesSent = 0;
  /**
   * What the session awaits acknowledgements for: while it holds 1 to EAGER_MAX entries, reads
   * are eager (see `Transport.read`).
   */
  awaiting?: { readonly size: number } | undefined;
  readonly decoder: Decoder;
  readonly #transport: Transport;
  readonly #clock: Clock;
  readonly #handler: ConnectionHandler;
  readonly #writes: Writes;
  #closed = false;
  /** DISCONNECT is queued: nothing may follow it on this connection (MQTT-3.14.4-1). */
  #finished = false;
  // The read loop is a chain of bound callbacks, not an async function: an idle connection then
  // holds its pending read and nothing else (no suspended generator).
  #reading = false;
  #loopEnd?: PromiseWithResolvers<void> | undefined;
  /** Whole packets of the last chunk, for the transport's batching (see `Transport.read`). */
  #packets = 0;
  #released?: Promise<void> | undefined;
  /** The timer of a read that waits one turn for the application's iterators (see readDone). */
  #deferredRead: unknown;
  /** Made by the first keepalive set: a connection without one carries none. */
  #keepalive?: Keepalive | undefined;
  /** A read's packets are being handled: `now` reads the clock once for all of them. */
  #handlingRead = false;
  /**
   * The time of the read being handled, when first asked for: the transport's reading of it,
   * or the clock's (see `now`).
   */
  #readTime: number | undefined;

  constructor(transport: Transport, decoder: Decoder, clock: Clock, handler: ConnectionHandler) {
    this.#transport = transport;
    this.decoder = decoder;
    this.#clock = clock;
    this.#handler = handler;
    this.lastWrite = this.lastRead = clock.now();
    this.#writes = new Writes(this, handler, transport);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The clock's time, read once per read handled: its packets arrived together, and every
   * latency and write stamp of their handling shares one reading (a clock reading is an op).
   */
  now(): number {
    if (!this.#handlingRead) return this.#clock.now();
    return this.#readTime ??= this.#readClock();
  }

  /** The read's time: the transport's own reading of it when the clock can take it (an op less). */
  #readClock(): number {
    const at = this.#transport.readAt;
    const clock = this.#clock;
    return at === undefined || clock.fromPerformance === undefined
      ? clock.now()
      : clock.fromPerformance(at);
  }

  /** Settles once a failed connection has let go of its transport and stopped reading. */
  get released(): Promise<void> {
    return this.#released ?? Promise.resolve();
  }

  /** Starts reading. Packets go to the handler until the connection closes. */
  start(): void {
    if (this.#reading || this.#closed) return;
    this.#reading = true;
    this.#read();
  }

  /** Queues bytes; everything queued in one tick goes out in one write (see Writes). */
  send(bytes: Uint8Array): void {
    if (this.#closed || this.#finished) return;
    this.#writes.send(bytes);
  }

  /**
   * Like `send`, and resolves when the batch holding these bytes is written. Every caller in one
   * batch shares one promise, so a burst of QoS 0 publications costs one promise, not thousands.
   */
  sendAndWait(bytes: Uint8Array, sync = false): Promise<void> {
    if (this.#closed || this.#finished) return this.#writes.failed(sync);
    return this.#writes.sendAndWait(bytes, sync);
  }

  /** Room to encode the packets of this write burst into (see `Writes.pool`). */
  pool(): BufferPool {
    return this.#writes.pool();
  }

  /**
   * Queues the connection's last packet (DISCONNECT): what would be sent after it, such as the
   * acknowledgement of a message read while the writes drain or a PINGREQ, is dropped.
   */
  sendLast(bytes: Uint8Array): void {
    this.send(bytes);
    this.#finished = true;
  }

  /**
   * Queues an acknowledgement of `packetId`, encoded into this burst's slab (4 bytes; 5 with an
   * MQTT 5 reason code, which only a failure carries).
   */
  sendAck(type: AckType, packetId: number, reasonCode = 0): void {
    if (this.#closed || this.#finished) return;
    this.send(encodeAck(this.pool(), type, packetId, reasonCode));
  }

  /** Sets the keepalive (seconds; 0 turns it off) and arms its deadline. */
  setKeepalive(seconds: number): void {
    if (seconds === 0 && this.#keepalive === undefined) return;
    (this.#keepalive ??= new Keepalive(this, this.#clock)).set(seconds);
  }

  /** Notes a PINGRESP: the broker is alive, back to the normal keepalive rhythm. */
  pingResponse(): void {
    this.#keepalive?.pingResponse();
  }

  /**
   * Closes the connection on our side, first letting queued writes finish for up to `flushMs`
   * (a broker that stopped reading must not hold us forever; `Infinity` waits as long as it
   * takes). Settles once the transport is released and the read loop has stopped; the handler's
   * `lost` is not called.
   */
  async close(flushMs = 0): Promise<void> {
    if (!this.#closed && flushMs > 0 && this.#writes.flushing) {
      await waitAtMost(this.#clock, this.#drainWrites(), flushMs);
    }
    if (!this.#closed) {
      this.#shutdown(() => new MqttClosedError("Connection closed by the client"));
      await this.#transport.close();
    }
    await this.#loopStopped();
    await this.#released;
  }

  async #drainWrites(): Promise<void> {
    while (this.#writes.flushing && !this.#closed) await this.#writes.settled();
  }

  /** Fails the connection from inside (protocol error, timeout): closes it and reports `lost`. */
  fail(error: MqttError): void {
    if (this.#closed) return;
    this.#shutdown(error);
    const farewell = this.#handler.farewell?.(error);
    const transport = this.#transport;
    const closing = farewell === undefined
      ? transport.close()
      : transport.write(farewell).catch(() => {}).then(() => transport.close());
    this.#released = Promise.all([closing.catch(() => {}), this.#loopStopped()]).then(() => {});
    this.#handler.onLost(this, error);
  }

  // The error is made only when a pending write fails with it (an Error captures a stack trace).
  #shutdown(reason: MqttError | (() => MqttError)): void {
    this.#closed = true;
    if (this.#deferredRead !== undefined) {
      this.#clock.clearTimeout(this.#deferredRead);
      this.#deferredRead = undefined;
      this.#stopReading();
    }
    this.#keepalive?.stop();
    this.#writes.clear(reason);
  }

  /** Settles once no read is pending. */
  #loopStopped(): Promise<void> {
    if (!this.#reading) return Promise.resolve();
    return (this.#loopEnd ??= Promise.withResolvers<void>()).promise;
  }

  #stopReading(): void {
    this.#reading = false;
    const end = this.#loopEnd;
    this.#loopEnd = undefined;
    end?.resolve();
  }

  readonly #readLater = (): void => {
    this.#deferredRead = undefined;
    this.#read();
  };

  readonly #read = (): void => {
    if (this.#closed) return this.#stopReading();
    const awaiting = this.awaiting;
    const waiting = awaiting === undefined ? 0 : awaiting.size;
    const eager = waiting > 0 && waiting <= EAGER_MAX;
    const transport = this.#transport;
    if (transport.readTo !== undefined) transport.readTo(this.#reader, eager, this.#packets);
    else transport.read(eager, this.#packets).then(this.#onChunk, this.#onReadError);
  };

  readonly #onChunk = (chunk: Uint8Array | null): void => {
    if (this.#closed) return this.#stopReading();
    if (chunk === null) {
      this.#stopReading();
      this.fail(new MqttClosedError("Connection closed by the broker"));
      return;
    }
    const handler = this.#handler;
    const writes = this.#writes;
    this.#handlingRead = true;
    writes.hold();
    try {
      // For the keepalive only: a connection without one reads no clock for it.
      if (this.#keepalive !== undefined) this.lastRead = this.now();
      handler.bytesRead?.(chunk.length);
      const decoder = this.decoder;
      decoder.feed(chunk);
      let packet: Packet | undefined;
      let packets = 0;
      while (!this.#closed && (packet = decoder.next()) !== undefined) {
        packets++;
        handler.onPacket(this, packet);
      }
      this.#packets = packets;
      // Never paused for the application, so acknowledgements, SUBACKs and PINGRESPs are always
      // read (slow consumers hold back their messages' acknowledgements instead, see
      // Consumers); iterators that fell behind only get one turn of the event loop first.
      if (handler.readDone?.() === true) {
        this.#deferredRead = this.#clock.setTimeout(this.#readLater, 0);
        return;
      }
    } catch (cause) {
      this.#onReadError(cause);
      return;
    } finally {
      // The read's acknowledgements go out together, now, rather than after two microtasks.
      writes.release();
      this.#handlingRead = false;
      this.#readTime = undefined;
    }
    this.#read();
  };

  readonly #onReadError = (cause: unknown): void => {
    this.#stopReading();
    if (this.#closed) return;
    this.fail(
      cause instanceof MqttError
        ? cause
        : new MqttClosedError(`Connection lost: ${errorMessage(cause)}`, { cause }),
    );
  };

  /** Where a transport with `readTo()` hands the chunks (one object for the connection's life). */
  readonly #reader: TransportReader = { chunk: this.#onChunk, failed: this.#onReadError };
}

/** The packet a well-behaved broker never sends a client. */
export function unexpected(packet: Packet): MqttProtocolError {
  return new MqttProtocolError(`Unexpected ${packet.type.toUpperCase()} from the broker`, 0x82);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
