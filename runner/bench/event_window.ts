/**
 * When each counter of a bench first and last moved, for the summary's rates: a phase shorter
 * than a few seconds (500 connects at 500/s, 6 messages 100 ms apart) spans partial seconds, and
 * only its own window gives its rate. Each Worker reports its first event of a counter, and its
 * latest at most every {@linkcode LAST_EVERY_MS}, as a `bench_event_time` gauge (epoch ms, tagged
 * `counter` and `edge`): the main thread takes the smallest first and the largest last.
 *
 * @module
 */

/** The least time between two reports of a counter's latest event, ms (the window's precision). */
export const LAST_EVERY_MS = 10;

/** Where the times go (a k6 `Gauge`). */
export interface EventTimeGauge {
  /** Adds a time, tagged with its counter and edge. */
  add(value: number, tags?: Record<string, string>): void;
}

/**
 * The first and latest event of each counter (a Worker's: see {@linkcode workerEventWindow}).
 *
 * @example Usage
 * ```ts
 * import { EventWindow } from "./event_window.ts";
 * import assert from "node:assert/strict";
 *
 * const seen: Array<[number, Record<string, string> | undefined]> = [];
 * const window = new EventWindow({ add: (v, tags) => seen.push([v, tags]) });
 * window.note("pub");
 * assert.deepEqual(seen.map(([, tags]) => tags?.edge), ["first", "last"]);
 * ```
 */
export class EventWindow {
  readonly #gauge: EventTimeGauge;
  readonly #reported = new Map<string, number>();
  readonly #latest = new Map<string, number>();

  /** @param gauge The `bench_event_time` gauge. */
  constructor(gauge: EventTimeGauge) {
    this.#gauge = gauge;
  }

  /**
   * A counter moved now.
   *
   * @param counter Such as `pub`, `recv`, `connect_succ`.
   * @param now The time, epoch ms (default now): a caller that has read the clock passes it.
   */
  note(counter: string, now: number = Date.now()): void {
    const reported = this.#reported.get(counter);
    if (reported === undefined) this.#gauge.add(now, { counter, edge: "first" });
    this.#latest.set(counter, now);
    if (reported === undefined || now - reported >= LAST_EVERY_MS) {
      this.#gauge.add(now, { counter, edge: "last" });
      this.#reported.set(counter, now);
    }
  }

  /** Reports the latest events not reported yet (at the end of an iteration). */
  flush(): void {
    for (const [counter, latest] of this.#latest) {
      if (latest !== this.#reported.get(counter)) {
        this.#gauge.add(latest, { counter, edge: "last" });
        this.#reported.set(counter, latest);
      }
    }
  }
}

let workerWindow: EventWindow | undefined;

/**
 * The Worker's one window, which its VUs share: each VU's own would report its latest event
 * every {@linkcode LAST_EVERY_MS}, a sample per message when each VU publishes (or receives)
 * that often, as 100 publishers at 100/s or 1,000 subscribers at 50/s do.
 *
 * @param gauge Where the times go: the first caller's gauge serves every VU (a k6 `Gauge` adds
 * with the calling VU's tags, whichever VU's object it is).
 * @returns The Worker's window.
 *
 * @example Usage
 * ```ts
 * import { workerEventWindow } from "./event_window.ts";
 * import assert from "node:assert/strict";
 *
 * const gauge = { add() {} };
 * assert.equal(workerEventWindow(gauge), workerEventWindow({ add() {} }));
 * ```
 */
export function workerEventWindow(gauge: EventTimeGauge): EventWindow {
  return workerWindow ??= new EventWindow(gauge);
}
