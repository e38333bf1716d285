// A connection's keepalive: a PINGREQ when nothing was written for the keepalive interval
// (MQTT-3.1.2-23), or nothing was read for it (a client that keeps publishing QoS 0 to a broker
// gone silent would otherwise never ask), and the connection fails when no packet comes back
// within half the interval more: 1.5 times the keepalive after the last one heard, the
// broker's own limit (MQTT-3.1.2-24) and MQTT.js's. While the client writes fast, the wait
// starts again: its PINGREQ may sit behind megabytes in the socket that a loaded broker reads
// slowly. It is an entry of the clock's shared deadline heap, not a timer of its own.

import { PINGREQ_BYTES } from "../codec/internal.ts";
import type { Clock } from "./clock.ts";
import type { Connection } from "./_connection.ts";
import { type DeadlineHeap, deadlineHeapOf, type Due } from "./_deadline_heap.ts";
import { MqttTimeoutError } from "./errors.ts";

// How long a PINGREQ may wait for an answer, at most, before the connection is declared dead.
const MAX_PING_TIMEOUT = 30_000;
// A check this late means the event loop was blocked: what arrived meanwhile is read first.
const LATE_MS = 50;
// Bytes per ms (64 KB/s) we wrote while a PINGREQ waited that may hide it: it goes out behind
// what the socket still holds, which the broker reads first, seconds later from a loaded one.
const BACKLOG_RATE = 64;

export class Keepalive implements Due {
  /** The bookkeeping of the clock's shared deadlines. */
  dueAt = 0;
  slot = -1;
  readonly #conn: Connection;
  readonly #clock: Clock;
  #ms = 0;
  #heap?: DeadlineHeap | undefined;
  #pingSentAt = 0;
  /** When the pending check was due: a later wake is a blocked event loop's. */
  #armedFor = 0;
  /** The connection's `bytesSent` and the time at the last check while a PINGREQ waited. */
  #sentSeen = 0;
  #seenAt = 0;

  constructor(conn: Connection, clock: Clock) {
    this.#conn = conn;
    this.#clock = clock;
  }

  /** Sets the interval (seconds; 0 turns it off) and arms its deadline. */
  set(seconds: number): void {
    this.#ms = seconds * 1000;
    this.stop();
    if (this.#ms > 0 && !this.#conn.closed) {
      this.#heap ??= deadlineHeapOf(this.#clock);
      this.#arm(this.#ms);
    }
  }

  /** Notes a PINGRESP: the broker is alive, back to the normal keepalive rhythm. */
  pingResponse(): void {
    if (this.#pingSentAt === 0) return;
    this.#pingSentAt = 0;
    this.stop();
    this.#arm(Math.max(0, this.#pingDueAt() - this.#clock.now()));
  }

  /** Takes the deadline out of the heap (the connection closed, or a new one follows). */
  stop(): void {
    this.#heap?.cancel(this);
  }

  #arm(ms: number): void {
    this.#armedFor = this.#clock.now() + ms;
    this.#heap!.schedule(this, this.#armedFor);
  }

  /** When a PINGREQ is due: the keepalive after the last write or the last read, whichever is older. */
  #pingDueAt(): number {
    const conn = this.#conn;
    return Math.min(conn.lastWrite, conn.lastRead) + this.#ms;
  }

  /**
   * The keepalive is due (called by the clock's deadlines). Re-armed lazily: reads and writes
   * only move the connection's `lastRead` and `lastWrite`, and a check that comes early sleeps
   * again for the rest of the interval.
   */
  due(): void {
    const conn = this.#conn;
    const keepaliveMs = this.#ms;
    if (conn.closed || keepaliveMs === 0) return;
    const now = this.#clock.now();
    const wait = Math.min(keepaliveMs / 2, MAX_PING_TIMEOUT);
    if (this.#pingSentAt !== 0) {
      const waited = now - this.#pingSentAt;
      // Any packet since the PINGREQ shows the broker alive, its PINGRESP behind it.
      if (conn.lastRead >= this.#pingSentAt) this.#pingSentAt = 0;
      else if (now - this.#armedFor >= LATE_MS) {
        // Woken late (a blocked event loop): the reads that came meanwhile go first.
        this.#arm(0);
        return;
      } else if (conn.bytesSent - this.#sentSeen >= BACKLOG_RATE * (now - this.#seenAt)) {
        // We kept writing fast: the PINGREQ may wait behind a backlog in the socket that a
        // loaded broker reads slowly, and the wait starts again. A dead peer takes nothing once
        // the socket is full, and a silent broker fed slowly is found at 1.5x the keepalive.
        this.#sawWrites(now);
        this.#pingSentAt = now;
        this.#arm(wait);
        return;
      } else if (waited >= wait) {
        conn.fail(
          new MqttTimeoutError(`No PINGRESP within ${Math.round(waited)} ms`, { method: "ping" }),
        );
        return;
      } else {
        this.#arm(wait - waited);
        return;
      }
    }
    const dueAt = this.#pingDueAt();
    if (now >= dueAt) {
      this.#pingSentAt = now;
      this.#sawWrites(now);
      conn.send(PINGREQ_BYTES);
      this.#arm(wait);
    } else {
      this.#arm(dueAt - now);
    }
  }

  #sawWrites(now: number): void {
    this.#sentSeen = this.#conn.bytesSent;
    this.#seenAt = now;
  }
}
