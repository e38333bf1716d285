// One live connection: the read loop feeding the decoder, coalesced writes, and its keepalive
// (see Keepalive).
// It knows nothing about sessions or QoS: decoded packets go to the handler as they arrive.

import type { Decoder } from "../codec/mod.ts";
import { type AckType, BufferPool, encodeAck } from "../codec/internal.ts";
import type { Packet } from "../codec/packets.ts";
import type { Clock } from "./clock.ts";
import { MqttClosedError, MqttError, MqttProtocolError } from "./errors.ts";
import type { Transport } from "./transport/mod.ts";
import { Keepalive } from "./_keepalive.ts";
import { waitAtMost } from "./_wait_at_most.ts";
import { ObservedPromise } from "./_observed.ts";

const settled = Promise.prototype.then;
const ignore = () => {};
const batchSettled = (promise: Promise<void>): Promise<void> =>
  settled.call(promise, ignore, ignore) as Promise<void>;

// Bounds of the encoding slab size, which follows the bytes of the previous flush loop: light
// traffic gets small slabs, a stream gets large ones.
const MIN_SLAB = 512;
const MAX_SLAB = 65536;
// Reads are eager while acknowledgements are awaited (see `awaiting`), unless so many are in
// flight that the round trip no longer paces the sender: then the reads batch to save CPU.
const EAGER_MAX = 256;
// Microtasks a write may wait for its burst to finish (see #flush).
const MAX_GATHER_HOPS = 1024;

export interface ConnectionHandler {
  /** Called synchronously for each decoded packet, in order. */
  onPacket(conn: Connection, packet: Packet): void;
  /** Called once when the connection dies by itself (not after `close()`). */
  onLost(conn: Connection, error: MqttError): void;
  /** Optional wire byte counters. */
  bytesRead?(n: number): void;
  bytesWritten?(n: number): void;
  /**
   * A read's packets were all handled: true when the application's iterators are behind, and
   * the next read should wait one turn of the event loop (their loops run first), not longer.
   */
  readDone?(): boolean;
  /** Bytes to write, if any, before closing because of `error` (a v5 DISCONNECT). */
  farewell?(error: MqttError): Uint8Array | undefined;
  /** A batch awaited by a sync-named call failed: decide whether its rejection is handled. */
  batchFailed?(promise: Promise<void>, error: MqttError, sync: boolean): void;
}

/**
 * A write batch and who waits on it: `sync` is undefined while no caller took it (only close()
 * waiting for the writes to drain, whose failure is nobody's), else whether one was sync-named.
 */
type Batch = PromiseWithResolvers<void> & { sync?: boolean };

export class Connection {
  /** When the last bytes were handed to the transport, by the client's clock. */
  lastWrite: number;
  /**
   * What the session awaits acknowledgements for: while it holds 1 to EAGER_MAX entries, reads
   * are eager (see `Transport.read`).
   */
  awaiting?: { readonly size: number } | undefined;
  readonly decoder: Decoder;
  readonly #transport: Transport;
  readonly #clock: Clock;
  readonly #handler: ConnectionHandler;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #pool?: BufferPool | undefined;
  #slabSize = MIN_SLAB;
  #loopBytes = 0;
  #flushing = false;
  #batch?: Batch | undefined;
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

  constructor(transport: Transport, decoder: Decoder, clock: Clock, handler: ConnectionHandler) {
    this.#transport = transport;
    this.decoder = decoder;
    this.#clock = clock;
    this.#handler = handler;
    this.lastWrite = clock.now();
  }

  get closed(): boolean {
    return this.#closed;
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

  /** Queues bytes; everything queued in one tick goes out in one write. */
  send(bytes: Uint8Array): void {
    if (this.#closed || this.#finished) return;
    const queue = this.#queue;
    const n = queue.length;
    const last = n === 0 ? undefined : queue[n - 1];
    if (
      last !== undefined && last.buffer === bytes.buffer &&
      last.byteOffset + last.length === bytes.byteOffset
    ) {
      // Packets encoded one after the other into the same slab go out as one view, uncopied.
      queue[n - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + bytes.length);
    } else queue.push(bytes);
    this.#queuedBytes += bytes.length;
    if (!this.#flushing) {
      this.#flushing = true;
      queueMicrotask(() => this.#flush());
    }
  }

  /**
   * Like `send`, and resolves when the batch holding these bytes is written. Every caller in one
   * batch shares one promise, so a burst of QoS 0 publications costs one promise, not thousands.
   */
  sendAndWait(bytes: Uint8Array, sync = false): Promise<void> {
    if (this.#closed || this.#finished) {
      const failed: Batch = ObservedPromise.withResolvers<void>();
      failed.sync = sync;
      this.#rejectBatch(failed, new MqttClosedError("Connection is closed"));
      return failed.promise;
    }
    this.send(bytes);
    const batch: Batch = this.#batch ??= ObservedPromise.withResolvers<void>();
    batch.sync = sync || batch.sync === true;
    return batch.promise;
  }

  /**
   * Room to encode the packets of this write burst into (see `send`): slabs instead of an
   * ArrayBuffer per packet. Let go when the writes stop, so an idle connection holds none.
   */
  pool(): BufferPool {
    return this.#pool ??= new BufferPool(this.#slabSize);
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
    if (!this.#closed && flushMs > 0 && this.#flushing) {
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
    while (this.#flushing && !this.#closed) await this.#waitFlush();
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

  #waitFlush(): Promise<void> {
    // Not through the batch's own then: waiting here is not a caller awaiting the batch.
    const batch = this.#batch ??= ObservedPromise.withResolvers<void>();
    return batchSettled(batch.promise);
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
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#pool = undefined;
    const batch = this.#batch;
    this.#batch = undefined;
    if (batch) this.#rejectBatch(batch, typeof reason === "function" ? reason() : reason);
  }

  #rejectBatch(batch: Batch, error: MqttError): void {
    // A batch no caller took fails nobody's call: the end() that closed it asked for that.
    if (batch.sync === undefined) batchSettled(batch.promise);
    else this.#handler.batchFailed?.(batch.promise, error, batch.sync);
    batch.reject(error);
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      // Let the burst finish before writing: code that awaits between publications (a loop
      // keeping a window of pending publishes) queues one packet per microtask, and writing at
      // the first left 3-4 packets per syscall. Wait one microtask at a time while the queue
      // keeps growing; a lone packet waits two.
      let seen = -1;
      for (let hop = 0; hop < MAX_GATHER_HOPS; hop++) {
        const queued = this.#queuedBytes;
        if (queued === seen || queued >= MAX_SLAB) break;
        seen = queued;
        await undefined;
      }
      if (this.#closed) break;
      const parts = this.#queue;
      const size = this.#queuedBytes;
      const batch = this.#batch;
      this.#queue = [];
      this.#queuedBytes = 0;
      this.#batch = undefined;
      let bytes = parts[0]!;
      if (parts.length > 1) {
        bytes = new Uint8Array(size);
        let offset = 0;
        for (const part of parts) {
          bytes.set(part, offset);
          offset += part.length;
        }
      }
      this.lastWrite = this.#clock.now();
      try {
        await this.#transport.write(bytes);
      } catch (cause) {
        const error = new MqttClosedError("Connection lost while writing", { cause });
        if (batch) this.#rejectBatch(batch, error);
        this.fail(error);
        break;
      }
      this.#handler.bytesWritten?.(size);
      this.#loopBytes += size;
      batch?.resolve();
    }
    this.#flushing = false;
    this.#slabSize = Math.min(MAX_SLAB, Math.max(MIN_SLAB, this.#loopBytes * 2));
    this.#loopBytes = 0;
    // Every byte encoded into it is written: its slabs serve the next burst of any connection.
    this.#pool?.release();
    this.#pool = undefined;
    // A waiter that arrived while the last write was in flight, with nothing new queued.
    const batch = this.#batch;
    if (batch !== undefined && this.#queue.length === 0) {
      this.#batch = undefined;
      if (this.#closed) this.#rejectBatch(batch, new MqttClosedError("Connection is closed"));
      else batch.resolve();
    }
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
    this.#transport.read(waiting > 0 && waiting <= EAGER_MAX, this.#packets).then(
      this.#onChunk,
      this.#onReadError,
    );
  };

  readonly #onChunk = (chunk: Uint8Array | null): void => {
    if (this.#closed) return this.#stopReading();
    if (chunk === null) {
      this.#stopReading();
      this.fail(new MqttClosedError("Connection closed by the broker"));
      return;
    }
    const handler = this.#handler;
    try {
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
}

/** The packet a well-behaved broker never sends a client. */
export function unexpected(packet: Packet): MqttProtocolError {
  return new MqttProtocolError(`Unexpected ${packet.type.toUpperCase()} from the broker`, 0x82);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
