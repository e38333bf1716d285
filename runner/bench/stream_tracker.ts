/**
 * Counts what a receiver got of each publisher's numbered stream (the `cnt64` payload header):
 * messages lost (a gap in the counter), duplicated (a counter seen before) and out of order (a
 * counter that fills an earlier gap, which then no longer counts as lost). A stream is a
 * publisher's topic: give each publisher a topic of its own (`-t 'bench/%i'`).
 *
 * @module
 */

/** Changes to the counts that one message made. */
export interface StreamEvent {
  /** Messages newly missing (positive), or found again (negative). */
  lost: number;
  /** 1 when the message was a duplicate. */
  duplicated: number;
  /** 1 when it filled an earlier gap. */
  outOfOrder: number;
}

interface Stream {
  /** The counter expected next. */
  next: number;
  /** Counters skipped and not yet seen (bounded: past the bound a late one reads as a duplicate). */
  missing: Set<number>;
}

/** Gaps remembered per stream, so that memory stays bounded whatever the loss. */
const MAX_MISSING = 100_000;

const NOTHING: StreamEvent = Object.freeze({ lost: 0, duplicated: 0, outOfOrder: 0 });

/**
 * The streams of one receiver (or of a shared subscription's receivers in one Worker).
 *
 * @example Usage
 * ```ts
 * import { StreamTracker } from "./stream_tracker.ts";
 * import assert from "node:assert/strict";
 *
 * const tracker = new StreamTracker();
 * tracker.receive("bench/1", 0);
 * assert.deepEqual(tracker.receive("bench/1", 3), { lost: 2, duplicated: 0, outOfOrder: 0 });
 * assert.deepEqual(tracker.receive("bench/1", 1), { lost: -1, duplicated: 0, outOfOrder: 1 });
 * assert.deepEqual(tracker.receive("bench/1", 1), { lost: 0, duplicated: 1, outOfOrder: 0 });
 * assert.deepEqual(tracker.missing("bench/1", 5), 2); // 2, and 4 after the last one seen
 *
 * // A receiver that was there first expects each stream from 0.
 * const early = new StreamTracker(true);
 * assert.deepEqual(early.receive("bench/2", 2), { lost: 2, duplicated: 0, outOfOrder: 0 });
 * ```
 */
export class StreamTracker {
  readonly #streams = new Map<string, Stream>();
  readonly #fromZero: boolean;

  /**
   * @param fromZero Every stream is expected from counter 0 (the receiver was there before the
   * publishers started): a first message past 0 counts those before it as lost.
   */
  constructor(fromZero = false) {
    this.#fromZero = fromZero;
  }

  /**
   * Takes a message in. Unless streams are expected from 0, a stream's first message starts
   * it, whatever its counter (a receiver may start after the publisher).
   *
   * @param stream The publisher's stream (its topic).
   * @param count The message's counter.
   * @returns What changed.
   */
  receive(stream: string, count: number): StreamEvent {
    let s = this.#streams.get(stream);
    if (s === undefined) {
      if (!this.#fromZero || count === 0) {
        this.#streams.set(stream, { next: count + 1, missing: new Set() });
        return NOTHING;
      }
      this.#streams.set(stream, s = { next: 0, missing: new Set() });
    }
    if (count === s.next) {
      s.next++;
      return NOTHING;
    }
    if (count > s.next) {
      for (let c = s.next; c < count && s.missing.size < MAX_MISSING; c++) s.missing.add(c);
      const lost = count - s.next;
      s.next = count + 1;
      return { lost, duplicated: 0, outOfOrder: 0 };
    }
    if (s.missing.delete(count)) return { lost: -1, duplicated: 0, outOfOrder: 1 };
    return { lost: 0, duplicated: 1, outOfOrder: 0 };
  }

  /**
   * Messages of a stream still missing, counting those after the last one received when the
   * publisher's total is known.
   *
   * @param stream The stream.
   * @param total Messages the publisher sent (`-L`), or undefined when unknown.
   * @returns Messages missing (0 for a stream never seen).
   */
  missing(stream: string, total?: number): number {
    const s = this.#streams.get(stream);
    if (s === undefined) return 0;
    return s.missing.size + (total === undefined ? 0 : Math.max(0, total - s.next));
  }

  /**
   * The messages missing after each stream's last one, given what each publisher sent; said
   * once per stream (the stream then counts as complete), so that receivers sharing a tracker
   * report them once.
   *
   * @param total Messages each publisher sent (`-L`).
   * @returns Each stream with messages missing at its end, and how many.
   */
  takeTails(total: number): Array<[string, number]> {
    const tails: Array<[string, number]> = [];
    for (const [name, s] of this.#streams) {
      if (total > s.next) tails.push([name, total - s.next]);
      s.next = Math.max(s.next, total);
    }
    return tails;
  }

  /** The streams seen so far. */
  streams(): string[] {
    return [...this.#streams.keys()];
  }
}
