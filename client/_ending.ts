// The last moments of connections. The one end() closes: in-flight acknowledgements are awaited,
// then DISCONNECT is written last and the connection closed, each wait bounded so that a broker
// that stopped answering or reading cannot hold the client, and cut short by a forced end (a
// second end(), an aborted signal). Lost ones: their transports let go.

import type { Properties } from "../codec/packets.ts";
import type { Connection } from "./_connection.ts";
import { waitAtMost } from "./_wait_at_most.ts";
import type { Clock } from "./clock.ts";

/** How an end goes: its DISCONNECT's reason and properties, its bound, and whether it drains. */
export interface EndRequest {
  reasonCode?: number | undefined;
  properties?: Properties | undefined;
  /**
   * Bounds the wait for acknowledgements and the DISCONNECT's write together (default:
   * connect_timeout), giving the write at least 100 ms.
   */
  timeout?: number | undefined;
  /** drain(): a connection being re-established is waited for, within the same timeout. */
  drain?: boolean | undefined;
}

/**
 * A drain()'s wait for a connection being re-established, so that what is queued for it goes out
 * rather than failing: until `reached` (connected, or the reconnection given up) or a forced end,
 * within `timeout`. Returns what is left of `timeout`.
 */
export async function untilReconnected(
  clock: Clock,
  reached: Promise<void>,
  forced: Promise<void>,
  timeout: number | undefined,
): Promise<number | undefined> {
  const since = clock.now();
  await waitAtMost(clock, Promise.race([reached, forced]), timeout ?? Infinity);
  return timeout === undefined ? undefined : Math.max(0, timeout - (clock.now() - since));
}

export async function closeAfter(
  conn: Connection,
  clock: Clock,
  settled: Promise<void>,
  disconnect: Uint8Array,
  limit: number,
  forced: Promise<void>,
): Promise<void> {
  const since = clock.now();
  await waitAtMost(clock, Promise.race([settled, forced]), limit);
  conn.sendLast(disconnect);
  // One bound for both waits: what the acknowledgements left of it, and a moment for the
  // DISCONNECT if they took it all (a writable socket takes it at once).
  const left = Math.max(limit - (clock.now() - since), Math.min(limit, LAST_WRITE_MS));
  await Promise.race([conn.close(left), forced.then(() => conn.close(0))]);
}

/** The least an end's DISCONNECT is given to be written, within its bound. */
const LAST_WRITE_MS = 100;

/** Lost connections still letting go of their transports, which idle() waits for. */
export class Lingering {
  #releasing: Set<Promise<void>> | undefined;

  add(conn: Connection): void {
    const releasing = this.#releasing ??= new Set();
    const released = conn.released.then(() => {
      releasing.delete(released);
    });
    releasing.add(released);
  }

  /** Settles once every lost connection has released its transport. */
  released(): Promise<void> {
    const releasing = this.#releasing;
    return releasing === undefined || releasing.size === 0
      ? Promise.resolve()
      : Promise.all(releasing).then(() => {});
  }
}
