// The Deno transport's callback paths (readTo, writeTo) against the promise paths (read, write),
// over an in-memory connection that writes at most a few bytes per call, as a full socket does.

import assert from "node:assert/strict";
import { type DenoConnLike, denoTransport } from "./deno.ts";
import type { TransportReader, TransportWriter } from "./transport.ts";

/** A connection whose writes take at most `perWrite` bytes, and whose reads are fed by hand. */
class TrickleConn implements DenoConnLike {
  readonly written: number[] = [];
  writeCalls = 0;
  #pending?: { buffer: Uint8Array; resolve(n: number | null): void; reject(e: unknown): void };
  failWrites?: Error;

  constructor(readonly perWrite: number) {}

  read(buffer: Uint8Array): Promise<number | null> {
    const { promise, resolve, reject } = Promise.withResolvers<number | null>();
    this.#pending = { buffer, resolve, reject };
    return promise;
  }

  /** Answers the pending read with `bytes`, `null` (end of stream) or an error. */
  feed(bytes: Uint8Array | null | Error): void {
    const pending = this.#pending!;
    this.#pending = undefined;
    if (bytes instanceof Error) return pending.reject(bytes);
    if (bytes === null) return pending.resolve(null);
    pending.buffer.set(bytes);
    pending.resolve(bytes.length);
  }

  write(bytes: Uint8Array): Promise<number> {
    this.writeCalls++;
    if (this.failWrites !== undefined) return Promise.reject(this.failWrites);
    const n = Math.min(this.perWrite, bytes.length);
    this.written.push(...bytes.subarray(0, n));
    return Promise.resolve(n);
  }

  close(): void {
    this.#pending?.reject(new Error("closed"));
  }
}

function recordingWriter() {
  const events: string[] = [];
  const done = Promise.withResolvers<void>();
  const writer: TransportWriter = {
    written: () => {
      events.push("written");
      done.resolve();
    },
    failed: (error) => {
      events.push(`failed: ${(error as Error).message}`);
      done.resolve();
    },
  };
  return { events, writer, done: done.promise };
}

function recordingReader() {
  const events: string[] = [];
  let next = Promise.withResolvers<void>();
  const reader: TransportReader = {
    chunk: (chunk) => {
      events.push(chunk === null ? "end" : `chunk ${[...chunk].join(",")}`);
      next.resolve();
    },
    failed: (error) => {
      events.push(`failed: ${(error as Error).message}`);
      next.resolve();
    },
  };
  return {
    events,
    reader,
    nextEvent: async () => {
      await next.promise;
      next = Promise.withResolvers<void>();
    },
  };
}

Deno.test("deno transport: writeTo() finishes a short write before calling back once", async () => {
  const conn = new TrickleConn(3);
  const transport = denoTransport(conn);
  const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);
  const { events, writer, done } = recordingWriter();
  transport.writeTo!(bytes, writer);
  await done;
  assert.deepEqual(conn.written, [...bytes]);
  assert.equal(conn.writeCalls, 4);
  assert.deepEqual(events, ["written"]);
  // The next write goes out whole too, and the promise path does the same.
  const second = recordingWriter();
  transport.writeTo!(Uint8Array.of(20, 21, 22, 23), second.writer);
  await second.done;
  await transport.write(Uint8Array.of(30, 31, 32, 33, 34));
  assert.deepEqual(conn.written.slice(10), [20, 21, 22, 23, 30, 31, 32, 33, 34]);
  assert.deepEqual(second.events, ["written"]);
});

Deno.test("deno transport: writeTo() reports a failed write to the writer", async () => {
  const conn = new TrickleConn(3);
  conn.failWrites = new Error("broken pipe");
  const transport = denoTransport(conn);
  const { events, writer, done } = recordingWriter();
  transport.writeTo!(Uint8Array.of(1, 2, 3, 4), writer);
  await done;
  assert.deepEqual(events, ["failed: broken pipe"]);
  await assert.rejects(transport.write(Uint8Array.of(1)), /broken pipe/);
});

Deno.test("deno transport: readTo() hands chunks, the end of the stream, and errors", async () => {
  const conn = new TrickleConn(64);
  const transport = denoTransport(conn);
  const { events, reader, nextEvent } = recordingReader();
  transport.readTo!(reader);
  conn.feed(Uint8Array.of(1, 2, 3));
  await nextEvent();
  transport.readTo!(reader);
  conn.feed(Uint8Array.of(4));
  await nextEvent();
  transport.readTo!(reader);
  conn.feed(new Error("reset by peer"));
  await nextEvent();
  transport.readTo!(reader);
  conn.feed(null);
  await nextEvent();
  assert.deepEqual(events, ["chunk 1,2,3", "chunk 4", "failed: reset by peer", "end"]);
});

Deno.test("deno transport: a read pending at close() ends the stream instead of failing", async () => {
  const conn = new TrickleConn(64);
  const transport = denoTransport(conn);
  const { events, reader, nextEvent } = recordingReader();
  transport.readTo!(reader);
  await transport.close();
  await nextEvent();
  // After close, both paths answer the end of the stream without touching the connection.
  transport.readTo!(reader);
  await nextEvent();
  assert.equal(await transport.read(), null);
  assert.deepEqual(events, ["end", "end"]);
});
