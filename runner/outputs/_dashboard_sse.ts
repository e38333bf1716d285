/**
 * Server-Sent Events for the web dashboard: the wire form of one event
 * ({@linkcode encodeSseEvent}) and the set of connected browsers ({@linkcode SseHub}), bounded
 * twice: at most `maxClients` streams, and at most `maxQueuedBytes` waiting for each one. A
 * browser that does not read is dropped, never buffered for.
 *
 * @module
 */

/** One event on a `text/event-stream`. */
export interface SseEvent {
  /** Event name (`snapshot`, `stop`). */
  event: string;
  /** The data, sent as one or more `data:` lines. */
  data: string;
  /** Event id (`Last-Event-ID` when the browser reconnects). */
  id?: number;
  /** How long the browser waits before reconnecting, in ms. */
  retryMs?: number;
}

const encoder = new TextEncoder();

/**
 * Encodes an event as the `text/event-stream` format says: `field: value` lines and a blank
 * line; a line break in the data starts another `data:` line.
 *
 * @param e The event.
 * @returns Its UTF-8 bytes.
 *
 * @example Usage
 * ```ts
 * import { encodeSseEvent } from "./_dashboard_sse.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeSseEvent({ event: "snapshot", data: '{"a":1}', id: 3 });
 * assert.equal(new TextDecoder().decode(bytes), 'id: 3\nevent: snapshot\ndata: {"a":1}\n\n');
 * ```
 */
export function encodeSseEvent(e: SseEvent): Uint8Array<ArrayBuffer> {
  let text = "";
  if (e.id !== undefined) text += `id: ${e.id}\n`;
  if (e.retryMs !== undefined) text += `retry: ${Math.max(0, Math.round(e.retryMs))}\n`;
  text += `event: ${e.event.replace(/[\r\n]/g, "")}\n`;
  for (const line of e.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return encoder.encode(text + "\n");
}

/** Limits of an {@linkcode SseHub}. */
export interface SseHubOptions {
  /** Most streams open at once (default 16); more are refused with 503. */
  maxClients?: number;
  /** Most bytes queued for one stream (default 4 MiB); past it the stream is dropped. */
  maxQueuedBytes?: number;
}

interface Stream {
  controller: ReadableStreamDefaultController<Uint8Array>;
}

/** An event stream's response headers (also `HEAD /events`'s, which opens no stream). */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream",
  "cache-control": "no-store",
  "x-accel-buffering": "no",
});

/**
 * The open event streams, each a `Response` body.
 *
 * @example Usage
 * ```ts
 * import { SseHub } from "./_dashboard_sse.ts";
 * import assert from "node:assert/strict";
 *
 * const hub = new SseHub({ maxClients: 1 });
 * const response = hub.open(() => ({ event: "snapshot", data: "{}" }));
 * assert.equal(response.headers.get("content-type"), "text/event-stream");
 * assert.equal(hub.open(() => ({ event: "snapshot", data: "{}" })).status, 503);
 * const reader = response.body!.getReader();
 * assert.match(new TextDecoder().decode((await reader.read()).value), /event: snapshot/);
 * hub.close();
 * assert.equal((await reader.read()).done, true);
 * ```
 */
export class SseHub {
  readonly #streams = new Set<Stream>();
  readonly #maxClients: number;
  readonly #maxQueued: number;
  #closed = false;
  #id = 0;
  /** Streams dropped because their browser did not read fast enough. */
  dropped = 0;

  /**
   * Makes an empty hub.
   *
   * @param options Limits.
   */
  constructor(options: SseHubOptions = {}) {
    this.#maxClients = options.maxClients ?? 16;
    this.#maxQueued = options.maxQueuedBytes ?? 4 << 20;
  }

  /** Number of open streams. */
  get size(): number {
    return this.#streams.size;
  }

  /**
   * Opens a stream whose first event is `first()`'s (everything so far).
   *
   * @param first Makes the first event, when the stream is accepted.
   * @returns The `text/event-stream` response, or 503 when the hub is full or closed.
   */
  open(first: () => SseEvent): Response {
    if (this.#closed || this.#streams.size >= this.#maxClients) {
      return new Response("too many dashboard connections\n", {
        status: 503,
        headers: { "retry-after": "10" },
      });
    }
    const streams = this.#streams;
    let stream: Stream | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        stream = { controller };
        streams.add(stream);
        this.#send(stream, encodeSseEvent({ ...first(), id: ++this.#id }));
      },
      cancel: () => {
        if (stream) streams.delete(stream);
      },
    }, new ByteLengthQueuingStrategy({ highWaterMark: this.#maxQueued }));
    return new Response(body, { headers: SSE_HEADERS });
  }

  /**
   * Sends an event to every open stream (encoded once).
   *
   * @param event The event.
   */
  broadcast(event: SseEvent): void {
    if (this.#streams.size === 0) return;
    const bytes = encodeSseEvent({ ...event, id: ++this.#id });
    for (const s of this.#streams) this.#send(s, bytes);
  }

  /** Ends every stream and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const s of this.#streams) this.#end(s);
  }

  #send(s: Stream, bytes: Uint8Array): void {
    const room = s.controller.desiredSize ?? 0;
    if (room < bytes.byteLength) {
      // The browser reads slower than we write: let it go rather than queue without bound.
      this.dropped++;
      this.#streams.delete(s);
      s.controller.error(new Error("the browser reads too slowly"));
      return;
    }
    s.controller.enqueue(bytes);
  }

  #end(s: Stream): void {
    this.#streams.delete(s);
    try {
      s.controller.close();
    } catch { /* already closed or cancelled */ }
  }
}
