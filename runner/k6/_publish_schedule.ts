/**
 * Fixed-rate publications for scripts: `publishEvery()` hands them to the Worker's one scheduler
 * (`../worker/publish_scheduler.ts`), whose timer serves every VU's, instead of each VU looping
 * over `publish()` and `sleep()` with a timer, a promise and the `k6/x/mqtt` call wrappers per
 * message.
 *
 * @module
 */

import type { Client as LibraryClient, Payload, PublishOptions } from "../../client/mod.ts";
import { vuStorage } from "../worker/vu_context.ts";
import { type PaceResult, schedulePace } from "../worker/publish_scheduler.ts";
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

/**
 * What a {@linkcode publishEvery} call did: publications done (QoS 0 written, QoS 1 and 2
 * acknowledged) and failed (each also counted in `mqtt_errors`); `late` is always 0 here (the
 * client queues what its in-flight window cannot take yet).
 */
export type PublishEveryResult = PaceResult;

// Publishing at each VU's exact due time costs a wakeup of the event loop per publication:
// 100 publishers at 10/s on a raw Deno program took 149 µs of CPU per message, and 69 µs with
// a 10 ms tick (mosquitto 57 -> 33 µs: the broker gets batches too).
const DEFAULT_TICK_MS = 10;

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
  return schedulePace({
    client,
    topic,
    payload,
    // Tagged with the group it is called in, once: every publication shares the options.
    options: withGroupTag(vu?.group, publish) ?? publish,
    start: start ?? Date.now(),
    every,
    tick,
    until: until ?? Infinity,
    count: count ?? Infinity,
  });
}
