// One live connection: the read loop feeding the decoder, coalesced writes, and keepalive.
// It knows nothing about sessions or QoS: decoded packets go to the handler as they arrive.

import type { Decoder } from "../codec/mod.ts";
import type { Packet } from "../codec/packets.ts";
import type { Clock } from "./clock.ts";
import { MqttClosedError, MqttError, MqttProtocolError, MqttTimeoutError } from "./errors.ts";
import type { Transport } from "./transport.ts";

const PINGREQ = new Uint8Array([0xc0, 0x00]);
// How long a PINGREQ may wait for its PINGRESP before the connection is declared dead.
const MAX_PING_TIMEOUT = 30_000;

export interface ConnectionHandler {
  /** Called synchronously for each decoded packet, in order. */
  onPacket(conn: Connection, packet: Packet): void;
  /** Called once when the connection dies by itself (not after `close()`). */
  onLost(conn: Connection, error: MqttError): void;
  /** Optional wire byte counters. */
  bytesRead?(n: number): void;
  bytesWritten?(n: number): void;
  /** Returns a promise to wait on before the next read, to let a slow consumer catch up. */
  backpressure?(): Promise<void> | undefined;
  /** Bytes to write, if any, before closing because of `error` (a v5 DISCONNECT). */
  farewell?(error: MqttError): Uint8Array | undefined;
  /** A batch awaited by a sync-named call failed: decide whether its rejection is handled. */
  batchFailed?(promise: Promise<void>, error: MqttError): void;
}

type Batch = PromiseWithResolvers<void> & { sync?: boolean };

export class Connection {
  /** When the last bytes were handed to the transport, by the client's clock. */
  lastWrite: number;
  readonly decoder: Decoder;
  readonly #transport: Transport;
  readonly #clock: Clock;
  readonly #handler: ConnectionHandler;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #flushing = false;
  #batch?: Batch;
  #closed = false;
  #loop?: Promise<void>;
  #released?: Promise<void>;
  #keepaliveMs = 0;
  #timer: unknown;
  #pingSentAt = 0;
  readonly #onTimer = () => this.#keepaliveTick();

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
    this.#loop ??= this.#readLoop();
  }

  /** Queues bytes; everything queued in one tick goes out in one write. */
  send(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#queue.push(bytes);
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
    if (this.#closed) {
      const failed: Batch = Promise.withResolvers<void>();
      failed.sync = sync;
      this.#rejectBatch(failed, new MqttClosedError("Connection is closed"));
      return failed.promise;
    }
    this.send(bytes);
    const batch: Batch = this.#batch ??= Promise.withResolvers<void>();
    if (sync) batch.sync = true;
    return batch.promise;
  }

  /** Sets the keepalive (seconds; 0 turns it off) and arms the single keepalive timer. */
  setKeepalive(seconds: number): void {
    this.#keepaliveMs = seconds * 1000;
    this.#clearTimer();
    if (this.#keepaliveMs > 0 && !this.#closed) this.#arm(this.#keepaliveMs);
  }

  /** Notes a PINGRESP: the broker is alive, back to the normal keepalive rhythm. */
  pingResponse(): void {
    if (this.#pingSentAt === 0) return;
    this.#pingSentAt = 0;
    this.#clearTimer();
    const idle = this.#clock.now() - this.lastWrite;
    this.#arm(Math.max(0, this.#keepaliveMs - idle));
  }

  /**
   * Closes the connection on our side, first letting queued writes finish for up to `flushMs`
   * (a broker that stopped reading must not hold us forever; `Infinity` waits as long as it
   * takes). Settles once the transport is released and the read loop has stopped; the handler's
   * `lost` is not called.
   */
  async close(flushMs = 0): Promise<void> {
    if (!this.#closed && flushMs > 0 && this.#flushing) {
      let timer: unknown;
      const timeout = new Promise<void>((resolve) => {
        if (flushMs !== Infinity) timer = this.#clock.setTimeout(resolve, flushMs);
      });
      await Promise.race([this.#drainWrites(), timeout]);
      if (timer !== undefined) this.#clock.clearTimeout(timer);
    }
    if (!this.#closed) {
      this.#shutdown(new MqttClosedError("Connection closed by the client"));
      await this.#transport.close();
    }
    await this.#loop;
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
    this.#released = Promise.all([closing.catch(() => {}), this.#loop]).then(() => {});
    this.#handler.onLost(this, error);
  }

  #waitFlush(): Promise<void> {
    return (this.#batch ??= Promise.withResolvers<void>()).promise.catch(() => {});
  }

  #shutdown(error: MqttError): void {
    this.#closed = true;
    this.#clearTimer();
    this.#queue = [];
    this.#queuedBytes = 0;
    const batch = this.#batch;
    this.#batch = undefined;
    if (batch) this.#rejectBatch(batch, error);
  }

  #rejectBatch(batch: Batch, error: MqttError): void {
    if (batch.sync) this.#handler.batchFailed?.(batch.promise, error);
    batch.reject(error);
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const parts = this.#queue;
      const size = this.#queuedBytes;
      const batch = this.#batch;
      this.#queue = [];
      this.#queuedBytes = 0;
      this.#batch = undefined;
      let bytes = parts[0];
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
      batch?.resolve();
    }
    this.#flushing = false;
    // A waiter that arrived while the last write was in flight, with nothing new queued.
    const batch = this.#batch;
    if (batch !== undefined && this.#queue.length === 0) {
      this.#batch = undefined;
      if (this.#closed) this.#rejectBatch(batch, new MqttClosedError("Connection is closed"));
      else batch.resolve();
    }
  }

  async #readLoop(): Promise<void> {
    const handler = this.#handler;
    const decoder = this.decoder;
    try {
      while (!this.#closed) {
        const chunk = await this.#transport.read();
        if (this.#closed) return;
        if (chunk === null) {
          this.fail(new MqttClosedError("Connection closed by the broker"));
          return;
        }
        handler.bytesRead?.(chunk.length);
        decoder.feed(chunk);
        let packet: Packet | undefined;
        while (!this.#closed && (packet = decoder.next()) !== undefined) {
          handler.onPacket(this, packet);
        }
        const wait = handler.backpressure?.();
        if (wait) await wait;
      }
    } catch (cause) {
      if (this.#closed) return;
      this.fail(
        cause instanceof MqttError
          ? cause
          : new MqttClosedError(`Connection lost: ${errorMessage(cause)}`, { cause }),
      );
    }
  }

  #arm(ms: number): void {
    this.#timer = this.#clock.setTimeout(this.#onTimer, ms);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  // One timer per connection, re-armed lazily: writes only move `lastWrite`, and the timer, when
  // it fires early, sleeps again for the rest of the interval.
  #keepaliveTick(): void {
    this.#timer = undefined;
    if (this.#closed || this.#keepaliveMs === 0) return;
    const now = this.#clock.now();
    if (this.#pingSentAt !== 0) {
      this.fail(
        new MqttTimeoutError(`No PINGRESP within ${now - this.#pingSentAt} ms`, {
          method: "ping",
        }),
      );
      return;
    }
    const idle = now - this.lastWrite;
    if (idle >= this.#keepaliveMs) {
      this.#pingSentAt = now;
      this.send(PINGREQ);
      this.#arm(Math.min(this.#keepaliveMs, MAX_PING_TIMEOUT));
    } else {
      this.#arm(this.#keepaliveMs - idle);
    }
  }
}

/** The packet a well-behaved broker never sends a client. */
export function unexpected(packet: Packet): MqttProtocolError {
  return new MqttProtocolError(`Unexpected ${packet.type.toUpperCase()} from the broker`, 0x82);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
