/**
 * What becomes of a bench client's connection once it is up: lost (emqtt-bench's
 * `client(N): EXIT for Reason`), and with `--reconnect` made again, or not, and why each
 * reconnect attempt failed. Counted by reason as the failed connects are, the first few of each
 * reason in a Worker naming their clients, so that a broker gone mid-run shows on the console.
 *
 * @module
 */

import type { Client } from "../k6/mqtt.ts";
import { countOwnReconnects } from "../k6/reconnect_metrics.ts";
import { connectErrorReason, reasonTags } from "./connect_errors.ts";

/** Counters the watch reports to (k6 `Counter`s). */
export interface ConnectionWatchCounters {
  /** `bench_conn_lost`, tagged `reason` (and `client` for the first of a reason). */
  lost: { add(value: number, tags?: Record<string, string>): void };
  /** `bench_reconnected`: connections made again. */
  reconnected: { add(value: number): void };
  /** `bench_reconnect_error`, tagged `reason` (and `client` for the first of a reason). */
  reconnectErrors: { add(value: number, tags?: Record<string, string>): void };
  /** `bench_reconnect_gave_up`: clients that gave up reconnecting. */
  gaveUp: { add(value: number): void };
  /** Notes when reconnects succeeded, for the summary's rate. */
  events?: { note(counter: string): void };
}

/** Who is watched: its number, and its password, never to appear in a reason. */
export interface WatchedClient {
  /** Its sequence number (`client(N)`). */
  seq: number;
  /** Its password. */
  secret?: string | undefined;
}

/**
 * Watches a connected client until it ends: sets its `close` handler, and with reconnection
 * its `connect`, `reconnect` and `error` handlers (a k6 client has one handler per event).
 *
 * @param client The connected client.
 * @param counters Where losses, reconnects and their failures go.
 * @param who The client's number and password.
 * @param reconnecting Whether the client reconnects (`--reconnect`).
 *
 * @example Usage
 * ```ts ignore
 * import { Client, Counter } from "@mqload/mqload/runner";
 * import { watchConnection } from "@mqload/mqload/bench";
 *
 * const counters = {
 *   lost: new Counter("bench_conn_lost"),
 *   reconnected: new Counter("bench_reconnected"),
 *   reconnectErrors: new Counter("bench_reconnect_error"),
 *   gaveUp: new Counter("bench_reconnect_gave_up"),
 * };
 * export default async function () {
 *   const client = new Client({ reconnect: { max_attempts: 3 } });
 *   await client.connectAsync("mqtt://127.0.0.1:1883");
 *   watchConnection(client, counters, { seq: 1 }, true);
 * }
 * ```
 */
export function watchConnection(
  client: Client,
  counters: ConnectionWatchCounters,
  who: WatchedClient,
  reconnecting: boolean,
): void {
  const tagged = (kind: string, error: unknown) =>
    reasonTags(kind, connectErrorReason(error, who.secret), who.seq);
  client.on("close", (info: { error?: { method?: string } }) => {
    // Giving up reconnecting closes the client again: no second loss (counted as gave up).
    if (info?.error?.method === "reconnect") return;
    counters.lost.add(1, tagged("lost", info?.error ?? "connection lost"));
    counters.events?.note("disconnected");
  });
  if (!reconnecting) return;
  // Its reconnections are what --reconnect reports (reconnect_fail), unlike a k6 script's.
  countOwnReconnects(client);
  client.on("connect", () => {
    counters.reconnected.add(1);
    counters.events?.note("reconnect_succ");
  });
  // The reason of the previous attempt comes with the next one; the last one's with the error.
  client.on("reconnect", (info: { error?: unknown }) => {
    if (info?.error !== undefined) {
      counters.reconnectErrors.add(1, tagged("reconnect", info.error));
      counters.events?.note("reconnect_fail");
    }
  });
  client.on("error", (error: { method?: string; cause?: unknown }) => {
    if (error?.method !== "reconnect") return;
    // The give-up carries the last attempt's failure: its reason, as the others'.
    counters.reconnectErrors.add(1, tagged("reconnect", error.cause ?? error));
    counters.events?.note("reconnect_fail");
    counters.gaveUp.add(1);
  });
}
