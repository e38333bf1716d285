// The write side of one connection: packets queued in a tick go out in one write, encoded into
// slabs of a pool that follows the traffic, and the callers waiting on a write batch.
// A chain of bound callbacks, not an async function: a write burst then costs no suspended
// generator nor a promise per microtask it waits.

import { BufferPool } from "../codec/internal.ts";
import { MqttClosedError, type MqttError } from "./errors.ts";
import type { Transport, TransportWriter } from "./transport/mod.ts";
import { ObservedPromise } from "./_observed.ts";

const settled = Promise.prototype.then;
const ignore = () => {};
const batchSettled = (promise: Promise<void>): Promise<void> =>
  settled.call(promise, ignore, ignore) as Promise<void>;

// Bounds of the encoding slab size, which follows the bytes of the previous write burst: light
// traffic gets small slabs, a stream gets large ones.
const MIN_SLAB = 512;
const MAX_SLAB = 65536;
// Microtasks a write may wait for its burst to finish (see #gather).
const MAX_GATHER_HOPS = 1024;
const EMPTY = new Uint8Array(0);

/**
 * A write batch and who waits on it: `sync` is undefined while no caller took it (only close()
 * waiting for the writes to drain, whose failure is nobody's), else whether one was sync-named.
 */
export type Batch = PromiseWithResolvers<void> & { sync?: boolean };

/** The connection the writes belong to. */
export interface WritesOwner {
  readonly closed: boolean;
  /** When the last bytes were handed to the transport, by the client's clock. */
  lastWrite: number;
  /** Bytes handed to the transport so far. */
  bytesSent: number;
  /** The client's clock (read once per read the connection handles). */
  now(): number;
  /** A write failed: the connection is lost. */
  fail(error: MqttError): void;
}

/** Who hears of the writes (the connection's handler). */
export interface WriteHooks {
  /** Optional wire byte counter. */
  bytesWritten?(n: number): void;
  /**
   * A batch its callers await failed: decides whether its rejection is handled, and returns
   * what they are failed with (`error`, or one naming their call).
   */
  batchFailed?(promise: Promise<void>, error: MqttError, sync: boolean): MqttError;
}

export class Writes {
  readonly #owner: WritesOwner;
  readonly #hooks: WriteHooks;
  readonly #transport: Transport;
  // The queue: its first part, then the others in an array made for the first burst of two
  // parts and reused while the writes go on (its first `#queued - 1` slots). Most bursts are
  // one part, so they cost no array, and an idle connection holds none.
  #first: Uint8Array = EMPTY;
  #rest?: Uint8Array[] | undefined;
  #queued = 0;
  #queuedBytes = 0;
  /** The gather before a write: queued bytes at the last hop, and hops taken. */
  #seen = -1;
  #hops = 0;
  /** The write in flight: its byte count and the batch it settles. */
  #writing = 0;
  #writingBatch?: Batch | undefined;
  #pool?: BufferPool | undefined;
  #slabSize = MIN_SLAB;
  #burstBytes = 0;
  #flushing = false;
  /** A read's packets are being handled: their burst is written once they all are. */
  #held = false;
  #batch?: Batch | undefined;

  constructor(owner: WritesOwner, hooks: WriteHooks, transport: Transport) {
    this.#owner = owner;
    this.#hooks = hooks;
    this.#transport = transport;
  }

  /** Whether bytes are queued (held ones too) or being written. */
  get flushing(): boolean {
    return this.#flushing || this.#queued > 0;
  }

  /** Queues bytes; everything queued in one tick goes out in one write. */
  send(bytes: Uint8Array): void {
    const n = this.#queued;
    if (n === 0) {
      this.#first = bytes;
      this.#queued = 1;
    } else {
      const last = n === 1 ? this.#first : this.#rest![n - 2]!;
      if (last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
        // Packets encoded one after the other into the same slab go out as one view, uncopied.
        const joined = new Uint8Array(last.buffer, last.byteOffset, last.length + bytes.length);
        if (n === 1) this.#first = joined;
        else this.#rest![n - 2] = joined;
      } else {
        (this.#rest ??= [])[n - 1] = bytes;
        this.#queued = n + 1;
      }
    }
    this.#queuedBytes += bytes.length;
    if (!this.#flushing && !this.#held) {
      this.#flushing = true;
      this.#seen = -1;
      this.#hops = 0;
      queueMicrotask(this.#gather);
    }
  }

  /**
   * Holds what is queued until `release`: the connection handles a read's packets, and their
   * acknowledgements (and what handlers send) make one burst that is complete when it is done.
   */
  hold(): void {
    this.#held = true;
  }

  /** The held burst is complete: written at once, without waiting microtasks for more. */
  release(): void {
    this.#held = false;
    // A write in flight takes what is queued when it is done.
    if (this.#queued === 0 || this.#flushing) return;
    this.#flushing = true;
    this.#write();
  }

  /**
   * Like `send`, and resolves when the batch holding these bytes is written. Every caller in one
   * batch shares one promise, so a burst of QoS 0 publications costs one promise, not thousands.
   */
  sendAndWait(bytes: Uint8Array, sync: boolean): Promise<void> {
    this.send(bytes);
    const batch: Batch = this.#batch ??= ObservedPromise.withResolvers<void>();
    batch.sync = sync || batch.sync === true;
    return batch.promise;
  }

  /** A batch failed at once, for a call made on a closed connection. */
  failed(sync: boolean): Promise<void> {
    const failed: Batch = ObservedPromise.withResolvers<void>();
    failed.sync = sync;
    this.#rejectBatch(failed, new MqttClosedError("Connection is closed"));
    return failed.promise;
  }

  /**
   * Room to encode the packets of this write burst into (see `send`): slabs instead of an
   * ArrayBuffer per packet. Its slabs are let go when the writes stop, so an idle connection
   * holds none.
   */
  pool(): BufferPool {
    return this.#pool ??= new BufferPool(this.#slabSize);
  }

  /** Settles when the write in flight and what is queued are written (or fail). */
  settled(): Promise<void> {
    // Not through the batch's own then: waiting here is not a caller awaiting the batch.
    const batch = this.#batch ??= ObservedPromise.withResolvers<void>();
    return batchSettled(batch.promise);
  }

  /** The connection closed: drops what is queued and fails the batch waiting for it. */
  clear(reason: MqttError | (() => MqttError)): void {
    this.#clearQueue();
    this.#pool = undefined;
    const batch = this.#batch;
    this.#batch = undefined;
    if (batch) this.#rejectBatch(batch, typeof reason === "function" ? reason() : reason);
  }

  #rejectBatch(batch: Batch, error: MqttError): void {
    // A batch no caller took fails nobody's call: the end() that closed it asked for that.
    if (batch.sync === undefined) batchSettled(batch.promise);
    else error = this.#hooks.batchFailed?.(batch.promise, error, batch.sync) ?? error;
    batch.reject(error);
  }

  // Lets the burst finish before writing: code that awaits between publications (a loop keeping
  // a window of pending publishes) queues one packet per microtask, and writing at the first
  // left 3-4 packets per syscall. Waits one microtask at a time while the queue keeps growing;
  // a lone packet waits two.
  readonly #gather = (): void => {
    if (this.#owner.closed) return this.#stopped();
    const queued = this.#queuedBytes;
    if (queued !== this.#seen && queued < MAX_SLAB && this.#hops < MAX_GATHER_HOPS) {
      this.#seen = queued;
      this.#hops++;
      queueMicrotask(this.#gather);
      return;
    }
    this.#write();
  };

  /** Writes everything queued, as one buffer. */
  #write(): void {
    const n = this.#queued;
    const size = this.#queuedBytes;
    let bytes = this.#first;
    if (n > 1) {
      const rest = this.#rest!;
      bytes = new Uint8Array(size);
      bytes.set(this.#first, 0);
      let offset = this.#first.length;
      for (let i = 0; i < n - 1; i++) {
        bytes.set(rest[i]!, offset);
        offset += rest[i]!.length;
      }
    }
    this.#clearQueue();
    this.#writing = size;
    this.#writingBatch = this.#batch;
    this.#batch = undefined;
    this.#owner.lastWrite = this.#owner.now();
    this.#owner.bytesSent += size;
    const transport = this.#transport;
    if (transport.writeTo !== undefined) transport.writeTo(bytes, this.#writer);
    else transport.write(bytes).then(this.#written, this.#writeFailed);
  }

  /** Empties the queue, letting go of the views it held. */
  #clearQueue(): void {
    this.#first = EMPTY;
    const rest = this.#rest;
    if (rest !== undefined) { for (let i = 0; i < this.#queued - 1; i++) rest[i] = EMPTY; }
    this.#queued = 0;
    this.#queuedBytes = 0;
  }

  readonly #written = (): void => {
    const size = this.#writing;
    const batch = this.#writingBatch;
    this.#writingBatch = undefined;
    this.#hooks.bytesWritten?.(size);
    this.#burstBytes += size;
    batch?.resolve();
    if (this.#queued > 0 && !this.#owner.closed) {
      // More was queued while the write was in flight: gather it as a new burst.
      this.#seen = -1;
      this.#hops = 0;
      this.#gather();
    } else this.#stopped();
  };

  readonly #writeFailed = (cause: unknown): void => {
    const batch = this.#writingBatch;
    this.#writingBatch = undefined;
    const error = new MqttClosedError("Connection lost while writing", { cause });
    if (batch) this.#rejectBatch(batch, error);
    this.#owner.fail(error);
    this.#stopped();
  };

  /** Where a transport with `writeTo()` reports (one object for the connection's life). */
  readonly #writer: TransportWriter = { written: this.#written, failed: this.#writeFailed };

  /** The writes stopped: size the next burst's slabs, free this one's, settle a late waiter. */
  #stopped(): void {
    this.#flushing = false;
    if (this.#queued <= 1) this.#rest = undefined;
    this.#slabSize = Math.min(MAX_SLAB, Math.max(MIN_SLAB, this.#burstBytes * 2));
    this.#burstBytes = 0;
    // Every byte encoded into it is written: its slabs serve the next burst of any connection,
    // and the pool, holding none, stays for this connection's next burst.
    this.#pool?.release(this.#slabSize);
    // A waiter that arrived while the last write was in flight, with nothing new queued.
    const batch = this.#batch;
    if (batch !== undefined && this.#queued === 0) {
      this.#batch = undefined;
      if (this.#owner.closed) this.#rejectBatch(batch, new MqttClosedError("Connection is closed"));
      else batch.resolve();
    }
  }
}
