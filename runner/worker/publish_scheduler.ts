/**
 * The Worker's one scheduler of fixed-rate publications: every pace of every VU the Worker
 * hosts (a script's `publishEvery()`, a `mqload bench pub` publisher) shares one timer, armed for
 * the earliest publication due, instead of each VU looping over a publish and a sleep with a
 * timer, a promise and the call wrappers per message.
 *
 * @module
 */

import { Client as LibraryClient, type Payload, type PublishOptions } from "../../client/mod.ts";
import { TickTimer } from "./tick_timer.ts";
import { type VuState, vuStorage } from "./vu_context.ts";

/** What a pace did. */
export interface PaceResult {
  /** Publications done (QoS 0 written, QoS 1 and 2 acknowledged). */
  published: number;
  /** Publications that failed. */
  failed: number;
  /** Publications due that never went out: the window stayed full past the end (see `window`). */
  late: number;
}

/**
 * What a pace's owner makes and hears of at each publication, for publications that differ
 * (a bench publisher's stamped headers, its random topics) and counts of its own. They run as
 * the VU that scheduled the pace, so that its custom metrics work in them; for their synchronous
 * part only: the continuations they start do not (see `VuStorage.runSync`).
 */
export interface PaceHooks {
  /** The next publication's topic (default the pace's). */
  topic?(): string;
  /** The next publication's payload (default the pace's). */
  payload?(): Payload;
  /**
   * A publication is made. What it returns is handed to `failed` should the publication fail:
   * a closure per publication, so undefined for all but the few worth telling apart (made while
   * reconnecting, say).
   */
  made?(): number | undefined;
  /** A publication was done. */
  published?(): void;
  /** A publication failed with `error`; `mark` is what `made` returned for it. */
  failed?(mark: number | undefined, error: unknown): void;
  /** The pace ended with `count` publications due that never went out (see `window`). */
  late?(count: number): void;
}

/** A pace: what to publish, from when, how often, until when. */
export interface PaceSpec {
  /** A connected client (a `k6/x/mqtt` one is published through as the library's). */
  client: LibraryClient;
  topic: string;
  payload: Payload;
  options: PublishOptions;
  /** When the first publication is due (epoch ms). */
  start: number;
  /** Milliseconds between two publications (> 0). */
  every: number;
  /**
   * Ticks (ms; 0: none): a publication goes out at the first tick at or after it is due (and
   * never past `until`), so that many paces share wakeups.
   */
  tick: number;
  /** No publication is due at or after this time (epoch ms; Infinity: none). */
  until: number;
  /** Publications to make at most (Infinity: no limit). */
  count: number;
  /**
   * A wakeup this many ms past `until` or later publishes nothing more (default Infinity: what
   * was due before `until` goes out however late).
   */
  lateness?: number;
  /**
   * Whether the client, not connected, is reconnecting: the pace then goes on (the library
   * queues what it is given). By default it ends as soon as its client is not connected.
   */
  reconnecting?: (() => boolean) | undefined;
  /**
   * Publications handed to the client and not settled, at most (default Infinity): one due
   * while as many are pending waits for one to settle, in order, and goes out then, up to
   * `until` plus `lateness`; what still waits after that is never made (`late`). The client
   * then holds no queue past the window that would go out after the end.
   */
  window?: number | undefined;
  hooks?: PaceHooks | undefined;
}

interface Pace
  extends Required<Omit<PaceSpec, "hooks" | "start" | "count" | "reconnecting" | "window">> {
  hooks: PaceHooks | undefined;
  reconnecting: (() => boolean) | undefined;
  /** The VU the hooks run as (the timer fires outside any VU: see TickTimer). */
  vu: VuState | undefined;
  /** What the hooks made for the next publication (one object for the pace's life). */
  next: { topic: string; payload: Payload; mark: number | undefined };
  due: number;
  left: number;
  /** In the heap: more publications are due. */
  scheduled: boolean;
  pending: number;
  window: number;
  /** Publications due that wait for room in the window. */
  waiting: number;
  result: PaceResult;
  done: PromiseWithResolvers<PaceResult>;
  /** A publication's settling, made once per pace rather than per publication. */
  ok: () => void;
  failed: (error: unknown) => void;
}

/** The Worker's paces, a binary heap by `due`. */
const heap: Pace[] = [];
/** The Worker's one timer, armed for the first pace's next tick. */
const timer = new TickTimer(fire);

/**
 * Publishes as `spec` says, through the client's own connection, as the library's
 * `publishAsync()` would (the same metrics, the failures not as `error` events).
 *
 * @param spec What to publish, and when.
 * @returns Resolves once the last publication has settled, with the counts.
 *
 * @example Usage
 * ```ts ignore
 * import { schedulePace } from "./publish_scheduler.ts";
 * const start = Date.now();
 * const done = await schedulePace({
 *   client, topic: "t", payload: "x", options: { qos: 1 },
 *   start, every: 100, tick: 10, until: start + 1000, count: Infinity,
 * });
 * console.log(done.published, done.failed);
 * ```
 */
export function schedulePace(spec: PaceSpec): Promise<PaceResult> {
  // Text is encoded once, not at every publication.
  const payload = typeof spec.payload === "string"
    ? new TextEncoder().encode(spec.payload)
    : spec.payload;
  const pace: Pace = {
    client: spec.client,
    topic: spec.topic,
    payload,
    options: spec.options,
    every: spec.every,
    tick: spec.tick,
    until: spec.until,
    lateness: spec.lateness ?? Infinity,
    reconnecting: spec.reconnecting,
    hooks: spec.hooks,
    vu: spec.hooks === undefined ? undefined : vuStorage.getStore(),
    // Filled before each publication.
    next: { topic: spec.topic, payload, mark: undefined },
    due: spec.start,
    left: spec.count,
    scheduled: false,
    pending: 0,
    window: spec.window ?? Infinity,
    waiting: 0,
    result: { published: 0, failed: 0, late: 0 },
    done: Promise.withResolvers(),
    ok: () => settled(pace, true, undefined),
    failed: (error: unknown) => settled(pace, false, undefined, error),
  };
  if (pace.left <= 0 || pace.due >= pace.until) pace.done.resolve(pace.result);
  else schedule(pace);
  return pace.done.promise;
}

function schedule(pace: Pace): void {
  push(pace);
  if (tickOf(heap[0]) < timer.armedFor) arm();
}

/** When a pace's next publication goes out: its due time, up to its tick, never past the end. */
function tickOf(pace: Pace): number {
  if (pace.tick <= 0) return pace.due;
  return Math.min(Math.ceil(pace.due / pace.tick) * pace.tick, pace.until);
}

/** Arms the timer for the first pace's next tick; `woke`: when the wakeup arming it began. */
function arm(woke?: number): void {
  if (heap.length === 0) return timer.stop();
  const first = heap[0];
  const at = tickOf(first);
  // A tick cut short by the pace's end is off the grid: a timeout for it, not the interval,
  // whose next wakeup would come a whole tick later, past the end.
  const onGrid = first.tick > 0 && at % first.tick === 0;
  timer.arm(at, first.tick, onGrid ? woke : undefined);
}

function fire(woke: number): void {
  // Timers may fire a little early: what was armed for is due.
  const now = Math.max(woke, timer.armedFor);
  while (heap.length > 0 && heap[0].due <= now) {
    const pace = pop();
    const client = pace.client;
    // Ended by the script or the runner (an interrupted iteration), or gone for good: the pace
    // ends with it. So does one whose wakeup came too late past its end.
    if (
      (!client.connected && pace.reconnecting?.() !== true) ||
      woke >= pace.until + pace.lateness
    ) {
      settleIfIdle(pace);
      continue;
    }
    if (pace.pending < pace.window) publishOne(pace);
    else pace.waiting++;
    pace.left--;
    pace.due += pace.every;
    if (pace.left > 0 && pace.due < pace.until) push(pace);
    else settleIfIdle(pace);
  }
  arm(woke);
}

function publishOne(pace: Pace): void {
  const next = pace.next;
  if (pace.hooks === undefined) {
    next.topic = pace.topic;
    next.payload = pace.payload;
    next.mark = undefined;
  } else asVu(pace, makeNext, pace);
  const mark = next.mark;
  pace.pending++;
  // The library's call, outside the hooks' VU: the k6 wrapper's ordering behind sleeps and
  // connects is the script's await of the pace itself.
  const sent = LibraryClient.prototype.publishAsync.call(
    pace.client,
    next.topic,
    next.payload,
    pace.options,
  );
  if (mark === undefined) sent.then(pace.ok, pace.failed);
  else sent.then(pace.ok, (error) => settled(pace, false, mark, error));
}

/** The hooks' topic, payload and mark of the next publication, into `pace.next`. */
function makeNext(pace: Pace): void {
  const hooks = pace.hooks!;
  const next = pace.next;
  next.topic = hooks.topic === undefined ? pace.topic : hooks.topic();
  next.payload = hooks.payload === undefined ? pace.payload : hooks.payload();
  next.mark = hooks.made === undefined ? undefined : hooks.made();
}

function settled(pace: Pace, ok: boolean, mark: number | undefined, error?: unknown): void {
  const hooks = pace.hooks;
  if (ok) {
    pace.result.published++;
    if (hooks?.published !== undefined) asVu(pace, published, hooks);
  } else {
    pace.result.failed++;
    if (hooks?.failed !== undefined) asVu(pace, () => hooks.failed!(mark, error), hooks);
  }
  pace.pending--;
  if (pace.waiting > 0) sendWaiting(pace);
  settleIfIdle(pace);
}

/** Room in the window: what waits goes out, unless it is too late or the client is gone. */
function sendWaiting(pace: Pace): void {
  const client = pace.client;
  if (
    Date.now() >= pace.until + pace.lateness ||
    (!client.connected && pace.reconnecting?.() !== true)
  ) return;
  while (pace.waiting > 0 && pace.pending < pace.window) {
    pace.waiting--;
    publishOne(pace);
  }
}

const published = (hooks: PaceHooks) => hooks.published!();

/** Calls a hook as the pace's VU: for its synchronous part only (see `VuStorage.runSync`). */
function asVu<A>(pace: Pace, fn: (arg: A) => void, arg: A): void {
  if (pace.vu === undefined) fn(arg);
  else vuStorage.runSync(pace.vu, fn, arg);
}

/**
 * Resolves a pace that is no longer scheduled once its last publication settled: what still
 * waits for the window then never goes out.
 */
function settleIfIdle(pace: Pace): void {
  if (pace.pending !== 0 || pace.scheduled) return;
  const late = pace.waiting;
  if (late > 0) {
    pace.waiting = 0;
    pace.result.late += late;
    const hooks = pace.hooks;
    if (hooks?.late !== undefined) asVu(pace, () => hooks.late!(late), hooks);
  }
  pace.done.resolve(pace.result);
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
