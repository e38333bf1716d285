/**
 * Whether a failed publication was ever sent. A publication made while its client is
 * reconnecting waits in the client's queue, and goes out once the client is connected again;
 * one that fails before that (the run stopped, the client gave up) never reached the broker: not
 * in flight, but failed. The closing clients of a stopped run report no failures, so the bench
 * script counts these itself (`bench_pub_unsent`).
 *
 * @module
 */

import type { Client } from "../k6/mqtt.ts";

/** The mark of a publication made while connected: sent at once (or behind the window). */
const MADE_CONNECTED = -1;

/**
 * Follows a client's connections, to tell a failed publication that was never sent.
 *
 * @example Usage
 * ```ts ignore
 * import { Client, Counter } from "@mqload/mqload/runner";
 * import { UnsentWatch } from "@mqload/mqload/bench";
 *
 * const unsent = new Counter("bench_pub_unsent");
 * export default async function () {
 *   const client = new Client({ reconnect: { max_attempts: 10 } });
 *   await client.connectAsync("mqtt://127.0.0.1:1883");
 *   const watch = new UnsentWatch(client);
 *   const mark = watch.mark();
 *   await client.publishAsync("t", "m", { qos: 1 }).catch(() => {
 *     if (watch.neverSent(mark)) unsent.add(1);
 *   });
 *   await client.endAsync();
 * }
 * ```
 */
export class UnsentWatch {
  readonly #client: Client;
  /** Connections made since the watch began. */
  #connects = 0;

  /** @param client The client, connected. */
  constructor(client: Client) {
    this.#client = client;
    // A listener of the library's, called as the connection is made (a k6 `on()` handler runs
    // later, on the VU's event loop): what waited in the queue goes out in the same step.
    client.addEventListener("connect", () => this.#connects++);
  }

  /**
   * Marks a publication as it is made.
   *
   * @returns Its mark, for {@linkcode neverSent}.
   */
  mark(): number {
    return this.#client.connected ? MADE_CONNECTED : this.#connects;
  }

  /**
   * Whether the publication marked `mark` was made while connected: its failure is never one
   * of the unsent (see {@linkcode neverSent}).
   *
   * @param mark What {@linkcode mark} returned as the publication was made.
   * @returns True when the client was connected then.
   */
  madeConnected(mark: number): boolean {
    return mark === MADE_CONNECTED;
  }

  /**
   * Whether a publication that failed was never sent: made while the client was not connected,
   * and failed before it was connected again.
   *
   * @param mark Its mark.
   * @returns Whether it never reached the broker.
   */
  neverSent(mark: number): boolean {
    return mark !== MADE_CONNECTED && mark === this.#connects;
  }
}
