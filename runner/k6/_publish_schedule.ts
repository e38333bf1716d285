/**
 * Fixed-rate publications paced by one scheduler per Worker: every `publishEvery()` of every VU
 * the Worker hosts shares one timer, armed for the earliest publication due, instead of each VU
 * looping over `publish()` and `sleep()` with a timer, a promise and the `k6/x/mqtt` call
 * wrappers per message.
 *
 * @module
 */

import { Client as LibraryClient, type Payload, type PublishOptions } from "../../client/mod.ts";
import { vuStorage } from "../worker/vu_context.ts";
import { TickTimer } from "../worker/tick_timer.ts";
import { withGroupTag } from "./_mqtt_metrics.ts";

/** Options of {@linkcode publishEvery}: the pace, the end, and the publications' options. */
export interface PublishEveryOptions extends PublishOptions {
  /** Milliseconds between two publications (required, > 0). */
  every: number;
  /** When the first publication is due, in ms since the epoch (default now). */
  start?: number;
  /** No publication is due at or after this time, in ms since the epoch. */
  until?: number;
  /** Publications to make at most. One of `until` and `count` is required. */
  count?: number;
  /**
   * Milliseconds of the Worker's publishing ticks (default 10; 0 publishes each at its due
   * time): a publication goes out at the first tick at or after it is due, ticks aligned on the
   * clock (within half a tick), so the publications of many VUs, and their acknowledgements,
   * share the wakeups of the runner's and the broker's event loops. The rate stays exact; each
   * publication is late by about a tick at most.
   */
  tick?: number;
}

/** What a {@linkcode publishEvery} call did. */
export interface PublishEveryResult {
  /** Publications done (QoS 0 written, QoS 1 and 2 acknowledged). */
  published: number;
  /** Publications that failed (each also counted in `mqtt_errors`). */
  failed: number;
}

interface Pace {
  client: LibraryClient;
  topic: string;
  payload: Payload;
  options: PublishOptions;
  due: number;
  every: number;
  tick: number;
  until: number;
  left: number;
  /** In the heap: more publications are due. */
  scheduled: boolean;
  pending: number;
  result: PublishEveryResult;
  done: PromiseWithResolvers<PublishEveryResult>;
  /** A publication's settling, made once per pace rather than per publication. */
  ok: () => void;
  failed: () => void;
}

// Publishing at each VU's exact due time costs a wakeup of the event loop per publication:
// 100 publishers at 10/s on a raw Deno program took 149 µs of CPU per message, and 69 µs with
// a 10 ms tick (mosquitto 57 -> 33 µs: the broker gets batches too).
const DEFAULT_TICK_MS = 10;

/** The Worker's paces, a binary heap by `due`. */
const heap: Pace[] = [];
/** The Worker's one timer, armed for the first pace's next tick. */
const timer = new TickTimer(fire);

/**
 * Publishes `payload` to `topic` every `options.every` ms from `options.start` until
 * `options.until` or `options.count` publications, through the client's own connection, as
 * `publishAsync()` would (the same metrics, the failures not as `error` events). The Worker's
 * scheduler makes the publications: the script awaits one promise for all of them.
 *
 * @param client A connected `k6/x/mqtt` client (or the library's).
 * @param topic The topic.
 * @param payload Text, an ArrayBuffer or a Uint8Array, the same for every publication.
 * @param options The pace and end, and the publications' QoS, retain, properties and tags.
 * @returns Resolves once the last publication has settled, with the counts.
 * @throws {TypeError} On a pace that is not a positive number, or no end.
 */
export function publishEvery(
  client: LibraryClient,
  topic: string,
  payload: Payload,
  options: PublishEveryOptions,
): Promise<PublishEveryResult> {
  const { every, start, until, count, tick = DEFAULT_TICK_MS, ...publish } = options ?? {};
  if (typeof every !== "number" || !(every > 0)) {
    throw new TypeError(`Invalid publishEvery() every: expected a positive number of ms`);
  }
  if (typeof tick !== "number" || !(tick >= 0)) {
    throw new TypeError(`Invalid publishEvery() tick: expected a number of ms >= 0`);
  }
  if (until === undefined && count === undefined) {
    throw new TypeError("Invalid publishEvery(): give `until` (epoch ms) or `count`");
  }
  const vu = vuStorage.getStore();
  const pace: Pace = {
    client,
    topic,
    // Text is encoded once, not at every publication.
    payload: typeof payload === "string" ? new TextEncoder().encode(payload) : payload,
    // Tagged with the group it is called in, once: every publication shares the options.
    options: withGroupTag(vu?.group, publish) ?? publish,
    due: start ?? Date.now(),
    every,
    tick,
    until: until ?? Infinity,
    left: count ?? Infinity,
    scheduled: false,
    pending: 0,
    result: { published: 0, failed: 0 },
    done: Promise.withResolvers(),
    ok: () => settled(pace, true),
    failed: () => settled(pace, false),
  };
  if (pace.left <= 0 || pace.due >= pace.until) pace.done.resolve(pace.result);
  else schedule(pace);
  return pace.done.promise;
}

function schedule(pace: Pace): void {
  push(pace);
  if (tickOf(heap[0]) < timer.armedFor) arm();
}

/** When the first pace's next publication goes out: its due time, rounded up to its tick. */
function tickOf(pace: Pace): number {
  return pace.tick > 0 ? Math.ceil(pace.due / pace.tick) * pace.tick : pace.due;
}

/** Arms the timer for the first pace's next tick; `woke`: when the wakeup arming it began. */
function arm(woke?: number): void {
  if (heap.length === 0) return timer.stop();
  timer.arm(tickOf(heap[0]), heap[0].tick, woke);
}

function fire(woke: number): void {
  // Timers may fire a little early: what was armed for is due.
  const now = Math.max(woke, timer.armedFor);
  while (heap.length > 0 && heap[0].due <= now) {
    const pace = pop();
    // Ended by the script or the runner (an interrupted iteration): the pace ends with it.
    if (!pace.client.connected) {
      settleIfIdle(pace);
      continue;
    }
    publishOne(pace);
    pace.left--;
    pace.due += pace.every;
    if (pace.left > 0 && pace.due < pace.until) push(pace);
    else settleIfIdle(pace);
  }
  arm(woke);
}

function publishOne(pace: Pace): void {
  pace.pending++;
  // The library's call: the k6 wrapper's ordering behind sleeps and connects is the script's
  // await of publishEvery() itself.
  LibraryClient.prototype.publishAsync.call(pace.client, pace.topic, pace.payload, pace.options)
    .then(pace.ok, pace.failed);
}

function settled(pace: Pace, ok: boolean): void {
  if (ok) pace.result.published++;
  else pace.result.failed++;
  pace.pending--;
  settleIfIdle(pace);
}

/** Resolves a pace that is no longer scheduled once its last publication settled. */
function settleIfIdle(pace: Pace): void {
  if (pace.pending === 0 && !pace.scheduled) pace.done.resolve(pace.result);
}

function push(pace: Pace): void {
  pace.scheduled = true;
  heap.push(pace);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent].due <= pace.due) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = pace;
}

function pop(): Pace {
  const top = heap[0];
  top.scheduled = false;
  const last = heap.pop()!;
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right].due < heap[left].due ? right : left;
      if (heap[child].due >= last.due) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
  }
  return top;
}
