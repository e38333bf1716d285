// A wait bounded by the client's clock, for the waits on the way out (end() for in-flight
// acknowledgements, Connection.close for queued writes): a broker that stopped answering or
// reading must not hold the client forever.

import type { Clock } from "./clock.ts";

/**
 * Waits until `promise` settles or `ms` milliseconds pass on `clock`, whichever comes first;
 * `Infinity` waits as long as it takes. The timer is cleared once `promise` wins.
 */
export async function waitAtMost(clock: Clock, promise: Promise<void>, ms: number): Promise<void> {
  let timer: unknown;
  const timeout = new Promise<void>((resolve) => {
    if (ms !== Infinity) timer = clock.setTimeout(resolve, ms);
  });
  await Promise.race([promise, timeout]);
  if (timer !== undefined) clock.clearTimeout(timer);
}
