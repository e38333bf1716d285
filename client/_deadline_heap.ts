// One timer per clock for the deadlines of every client (keepalive, connect timeout), not one per
// connection: thousands of connections in a process would otherwise each hold a runtime timer
// (about 1.5 KiB apiece with its callback, and a Node-style Timeout is allocated per call).
// Entries sit in a binary min-heap by due time; the clock's single timer is armed for the earliest.

import type { Clock } from "./clock.ts";

/** Something with a due time: the heap keeps `slot` up to date (-1 when not scheduled). */
export interface Due {
  /** Whole milliseconds from the heap's origin (owned by `DeadlineHeap`; start it at 0). */
  dueAt: number;
  slot: number;
  /** Called once when `dueAt` has passed (the entry is out of the heap by then). */
  due(): void;
}

export class DeadlineHeap {
  readonly #clock: Clock;
  // Due times are kept as whole milliseconds since the heap was made, not as clock times:
  // small integers stay unboxed, where an epoch-based time is a heap number that unoptimized
  // code allocates at every comparison of the heap's sifting.
  readonly #origin: number;
  readonly #heap: Due[] = [];
  #timer: unknown;
  #timerAt = Infinity;
  readonly #onTimer = () => this.#fire();

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#origin = clock.now();
  }

  /** Schedules `entry` at `at` (by the clock), moving it if already scheduled. */
  schedule(entry: Due, at: number): void {
    if (entry.slot >= 0) this.cancel(entry);
    entry.dueAt = Math.max(0, Math.ceil(at - this.#origin));
    const heap = this.#heap;
    entry.slot = heap.length;
    heap.push(entry);
    this.#up(entry.slot);
    if (entry.dueAt < this.#timerAt) this.#arm(entry.dueAt);
  }

  /** Takes `entry` out of the heap; the timer stops with the last entry. */
  cancel(entry: Due): void {
    const i = entry.slot;
    if (i < 0) return;
    entry.slot = -1;
    const heap = this.#heap;
    const last = heap.pop()!;
    if (i < heap.length) {
      heap[i] = last;
      last.slot = i;
      this.#down(i);
      this.#up(last.slot);
    }
    if (heap.length === 0) this.#disarm();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const heap = this.#heap;
    const now = this.#clock.now() - this.#origin;
    const due: Due[] = [];
    while (heap.length > 0 && heap[0]!.dueAt <= now) {
      const top = heap[0]!;
      this.cancel(top);
      due.push(top);
    }
    // Re-armed before the callbacks, which may schedule again (earlier entries re-arm).
    if (heap.length > 0) this.#arm(heap[0]!.dueAt);
    for (const entry of due) entry.due();
  }

  #arm(at: number): void {
    this.#disarm();
    this.#timerAt = at;
    const ms = at - (this.#clock.now() - this.#origin);
    this.#timer = this.#clock.setTimeout(this.#onTimer, Math.max(0, ms));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #up(i: number): void {
    const heap = this.#heap;
    const entry = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.dueAt <= entry.dueAt) break;
      heap[i] = p;
      p.slot = i;
      i = parent;
    }
    heap[i] = entry;
    entry.slot = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const entry = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1]!.dueAt < heap[child]!.dueAt) child++;
      const c = heap[child]!;
      if (c.dueAt >= entry.dueAt) break;
      heap[i] = c;
      c.slot = i;
      i = child;
    }
    heap[i] = entry;
    entry.slot = i;
  }
}

// Shared by every client on the same clock (the system clock, or a runner Worker's): keyed
// weakly, so a clock that goes away takes its deadlines along. They hold no client's data once
// that client's deadlines are met or cancelled.
const byClock = new WeakMap<Clock, DeadlineHeap>();

/** The heap of deadlines of every client on `clock`. */
export function deadlineHeapOf(clock: Clock): DeadlineHeap {
  let deadlines = byClock.get(clock);
  if (deadlines === undefined) byClock.set(clock, deadlines = new DeadlineHeap(clock));
  return deadlines;
}
