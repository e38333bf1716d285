/**
 * A bounded async iterator over received messages, returned by `Client.messages()`.
 *
 * @module
 */

import type { Message } from "./events.ts";

/**
 * Received messages as an async iterable. It holds at most `capacity` messages; when it is full,
 * the client stops reading from the broker until the consumer catches up (TCP back-pressure), so
 * nothing is dropped and memory stays bounded. It ends when the client ends or gives up on the
 * connection, or when the loop exits (`break`, `return()`, `await using`).
 *
 * @example Usage
 * ```ts
 * import { MessageStream } from "@mqload/mqload/client";
 * import assert from "node:assert/strict";
 * const stream = new MessageStream(2);
 * stream.push({ topic: "a", payload: new ArrayBuffer(0), qos: 0, retain: false, dup: false });
 * stream.close();
 * const topics = [];
 * for await (const message of stream) topics.push(message.topic);
 * assert.deepEqual(topics, ["a"]);
 * ```
 */
export class MessageStream implements AsyncIterableIterator<Message>, AsyncDisposable {
  readonly #capacity: number;
  readonly #onReturn?: () => void;
  #buffer: Message[] = [];
  #head = 0;
  #closed = false;
  #returned = false;
  #reader?: PromiseWithResolvers<IteratorResult<Message>>;
  #space?: PromiseWithResolvers<void>;

  /**
   * Creates a stream.
   *
   * @param capacity Messages held before back-pressure applies (≥ 1).
   * @param onReturn Called once when the consumer stops iterating.
   * @throws {RangeError} When `capacity` is not a positive integer.
   */
  constructor(capacity: number, onReturn?: () => void) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Invalid capacity: expected a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
    this.#onReturn = onReturn;
  }

  /** Whether the stream has ended (no more messages will be added). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the stream holds `capacity` messages. */
  get full(): boolean {
    return this.#buffer.length - this.#head >= this.#capacity;
  }

  /**
   * Adds a message (ignored once closed).
   *
   * @param message The message.
   */
  push(message: Message): void {
    if (this.#closed) return;
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.resolve({ value: message, done: false });
      return;
    }
    this.#buffer.push(message);
  }

  /**
   * Waits until the stream has room or is closed.
   *
   * @returns Resolves when a message can be pushed without exceeding `capacity`.
   */
  space(): Promise<void> {
    if (!this.full || this.#closed) return Promise.resolve();
    return (this.#space ??= Promise.withResolvers<void>()).promise;
  }

  /** Ends the stream: buffered messages are still yielded, then iteration finishes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reader?.resolve({ value: undefined, done: true });
    this.#reader = undefined;
    this.#releaseSpace();
  }

  /**
   * Yields the next message.
   *
   * @returns The next message, or `done` once the stream is closed and empty.
   * @throws {TypeError} When a previous `next()` is still pending.
   */
  next(): Promise<IteratorResult<Message>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head++];
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      this.#releaseSpace();
      return Promise.resolve({ value, done: false });
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    if (this.#reader !== undefined) {
      return Promise.reject(
        new TypeError("Cannot read messages: a next() call is already pending"),
      );
    }
    this.#reader = Promise.withResolvers();
    return this.#reader.promise;
  }

  /**
   * Stops iterating: closes the stream and drops what it holds.
   *
   * @returns A finished iterator result.
   */
  return(): Promise<IteratorResult<Message>> {
    this.close();
    this.#buffer = [];
    this.#head = 0;
    if (!this.#returned) {
      this.#returned = true;
      this.#onReturn?.();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  /**
   * Returns itself: the stream is its own iterator, and can be iterated once.
   *
   * @returns This stream.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Message> {
    return this;
  }

  /**
   * Same as `return()`, for `await using`.
   *
   * @returns Resolves once closed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  #releaseSpace(): void {
    if (this.#space !== undefined && (!this.full || this.#closed)) {
      this.#space.resolve();
      this.#space = undefined;
    }
  }
}
