// The last moments of connections. The one end() closes: in-flight acknowledgements are awaited,
// then DISCONNECT is written last and the connection closed, each wait bounded so that a broker
// that stopped answering or reading cannot hold the client, and cut short by a forced end (a
// second end(), an aborted signal). Lost ones: their transports let go.

import type { Connection } from "./_connection.ts";
import { waitAtMost } from "./_wait_at_most.ts";
import type { Clock } from "./clock.ts";

export async function closeAfter(
  conn: Connection,
  clock: Clock,
  settled: Promise<void>,
  disconnect: Uint8Array,
  limit: number,
  forced: Promise<void>,
): Promise<void> {
  await waitAtMost(clock, Promise.race([settled, forced]), limit);
  conn.sendLast(disconnect);
  await Promise.race([conn.close(limit), forced.then(() => conn.close(0))]);
}

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
