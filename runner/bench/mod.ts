/**
 * What the scripts of `mqload bench` import (`@mqload/mqload/bench` in a script run by
 * `mqload run`): emqtt-bench's templates and payload headers, the per-stream counting of lost,
 * duplicated and out-of-order messages, the Worker's publish scheduler, and connecting with
 * emqtt-bench's retries. `mqload bench … --print-script` shows a script using them.
 *
 * @example Usage
 * ```ts ignore
 * import { Client, exec } from "@mqload/mqload/runner";
 * import { PayloadHeaders, WORKER_PACER } from "@mqload/mqload/bench";
 *
 * export default async function () {
 *   const client = new Client();
 *   await client.connect("mqtt://127.0.0.1:1883");
 *   const headers = new PayloadHeaders(["cnt64", "ts"]);
 *   const start = Date.now();
 *   for (let n = 0; n < 100; n++) {
 *     await WORKER_PACER.until(start + n * 10);
 *     client.publishAsync(`bench/${exec.vu.idInTest}`, headers.stamp(new Uint8Array(16)));
 *   }
 *   await client.end();
 * }
 * ```
 *
 * @module
 */

import type { Client } from "../k6/mqtt.ts";
import type { ConnectOptions } from "../../client/mod.ts";
import { StreamTracker } from "./stream_tracker.ts";
import { WORKER_PACER } from "./pacer.ts";
import { END_WAIT_MS } from "./config.ts";
import { vuStorage } from "../worker/vu_context.ts";
import { connectErrorReason, reasonTags } from "./connect_errors.ts";

export { Pacer, WORKER_PACER } from "./pacer.ts";
export {
  type HeaderValues,
  type PayloadHeader,
  PayloadHeaders,
  warnHeaderless,
} from "./payload_headers.ts";
export { type StreamEvent, StreamTracker } from "./stream_tracker.ts";
export {
  clientId,
  type ClientIdStyle,
  isRandomTopic,
  renderTopic,
  renderUsername,
  type TemplateValues,
} from "./templates.ts";
export { isChangingMessage, messageBody, systemTime } from "./payload_templates.ts";
export { BENCH_METRIC_NAMES } from "./metric_names.ts";
export { connectErrorReason, reasonTags } from "./connect_errors.ts";
export {
  type ConnectionWatchCounters,
  watchConnection,
  type WatchedClient,
} from "./connection_watch.ts";
export { type EventTimeGauge, EventWindow, workerEventWindow } from "./event_window.ts";
export { UnsentWatch } from "./unsent_watch.ts";
export { countAtStop, endAtStop, libraryPublish, onMessageInRead } from "./library_calls.ts";
export {
  type PaceHooks,
  type PaceResult,
  type PaceSpec,
  schedulePace,
} from "../worker/publish_scheduler.ts";

/**
 * The Worker's tracker for a shared subscription: its receivers each get some of a publisher's
 * messages, so they count them together (a bench with `--shared` and `cnt64` runs in one Worker).
 *
 * @example Usage
 * ```ts
 * import { WORKER_TRACKER } from "./mod.ts";
 * WORKER_TRACKER.receive("bench/1", 0);
 * ```
 */
export const WORKER_TRACKER: StreamTracker = new StreamTracker();

/**
 * The Worker's tracker for a shared subscription whose receivers expect every stream from 0
 * (`-L` given to sub).
 *
 * @example Usage
 * ```ts
 * import { WORKER_TRACKER_FROM_ZERO } from "./mod.ts";
 * WORKER_TRACKER_FROM_ZERO.receive("bench/1", 0);
 * ```
 */
export const WORKER_TRACKER_FROM_ZERO: StreamTracker = new StreamTracker(true);

/**
 * Resolves at an epoch time, through the Worker's one scheduler; never, for `Infinity` (a
 * client held until the run is stopped).
 *
 * @param epochMs When.
 * @returns Resolves then.
 *
 * @example Usage
 * ```ts
 * import { sleepUntil } from "./mod.ts";
 * await sleepUntil(Date.now() + 5);
 * ```
 */
export function sleepUntil(epochMs: number): Promise<void> {
  if (epochMs === Infinity) return new Promise(() => {});
  return WORKER_PACER.until(epochMs);
}

/** Counters a connect with retries reports to. */
export interface ConnectCounters {
  /** Adds to `bench_connect_retried`. */
  retried: { add(value: number): void };
  /** Adds to `bench_connect_failed` (a client that gave up). */
  failed: { add(value: number): void };
  /** Adds to `bench_connect_error`, tagged with the failure's reason. */
  errors?: { add(value: number, tags?: Record<string, string>): void };
  /** Adds to `bench_connect_unfinished` (the script: clients whose turn came after the end). */
  unfinished?: { add(value: number): void };
  /** Notes when connects succeeded and failed (`connect_succ`, `connect_fail`). */
  events?: { note(counter: string): void };
}

/** Who is connecting, for the reasons of its failures. */
export interface ConnectingClient {
  /** Its sequence number (`client(N)` of the first failure of each reason). */
  seq: number;
  /** Its password, never to appear in a reason. */
  secret?: string | undefined;
}

/**
 * Connects as emqtt-bench does with `--num-retry-connect N`: up to N more attempts a second
 * apart after a failure, each counted as a retry; a client that gives up counts as failed.
 * Failed attempts themselves are `mqtt_errors{method:connect}`, as for any client.
 *
 * @param client The client.
 * @param url The broker.
 * @param options Connect options.
 * @param retries `--num-retry-connect`.
 * @param counters Where retries and give-ups go.
 * @param deadline No retry starts past this epoch time.
 * @param who The client's number and password, for the reasons of its failures.
 * @returns Whether the client connected.
 *
 * @example Usage
 * ```ts ignore
 * import { Client, Counter } from "@mqload/mqload/runner";
 * import { connectWithRetry } from "@mqload/mqload/bench";
 *
 * const retried = new Counter("bench_connect_retried");
 * const failed = new Counter("bench_connect_failed");
 * export default async function () {
 *   const client = new Client();
 *   if (await connectWithRetry(client, "mqtt://127.0.0.1:1883", {}, 3, { retried, failed })) {
 *     await client.end();
 *   }
 * }
 * ```
 */
export async function connectWithRetry(
  client: Client,
  url: string,
  options: ConnectOptions,
  retries: number,
  counters: ConnectCounters,
  deadline: number = Infinity,
  who?: ConnectingClient,
): Promise<boolean> {
  // Past the deadline a broker gets END_WAIT_MS to answer, not the connect timeout: then the
  // connect fails, as one the broker refused.
  const wait = deadline + END_WAIT_MS - Date.now();
  const late = Number.isFinite(wait) ? AbortSignal.timeout(Math.max(0, wait)) : undefined;
  const bounded = late === undefined ? options : { ...options, signal: late };
  for (let attempt = 0;; attempt++) {
    try {
      await client.connectAsync(url, bounded);
      counters.events?.note("connect_succ");
      return true;
    } catch (error) {
      // Ended by the runner as the run stopped (Ctrl+C in the connects): no failure of the broker.
      if (vuStorage.getStore()?.abandoned) return false;
      // Given up past the deadline: a failure of the broker, which never answered.
      const unanswered = late?.aborted === true;
      if (counters.errors !== undefined) {
        const reason = unanswered
          ? `no CONNACK ${END_WAIT_MS / 1000} s past --duration's end`
          : connectErrorReason(error, who?.secret);
        // The first few failures of each reason name their clients; the rest are counted.
        counters.errors.add(1, reasonTags("connect", reason, who?.seq));
      }
      if (attempt >= retries || Date.now() + 1000 >= deadline) {
        counters.failed.add(1);
        counters.events?.note("connect_fail");
        return false;
      }
      counters.retried.add(1);
      counters.events?.note("connect_retried");
      await sleepUntil(Date.now() + 1000);
    }
  }
}
