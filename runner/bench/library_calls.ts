/**
 * The library's own calls for the bench's generated scripts, without the `k6/x/mqtt` wrappers'
 * per-call work that only a user's script needs.
 *
 * @module
 */

import { Client as LibraryClient, type Payload, type PublishOptions } from "../../client/mod.ts";
import type { Client } from "../k6/mqtt.ts";
import { ABANDON, ABANDON_POLICY } from "../worker/vu_context.ts";

export { onMessageInRead } from "../k6/in_read_handler.ts";

/**
 * A bench publisher's publish call: the library's own, not the k6 wrapper's, which orders each
 * call behind the script's un-awaited sleeps (the bench's loop makes none) at a closure and an
 * option check per message.
 *
 * @param client The publisher's client.
 * @returns `publishAsync()` of the library, bound to `client`.
 *
 * @example Usage
 * ```ts ignore
 * import { libraryPublish } from "./library_calls.ts";
 * await libraryPublish(client)("bench/1", new Uint8Array(32), { qos: 1 });
 * ```
 */
export function libraryPublish(
  client: Client,
): (topic: string, payload: Payload, options: PublishOptions) => Promise<void> {
  return LibraryClient.prototype.publishAsync.bind(client);
}

/**
 * Ends a bench client at the run's end (or a stop), waiting at most `timeoutMs` for what it sent
 * to be acknowledged. What is acknowledged meanwhile counts as published; what is still
 * unacknowledged then is the bench's `pub_unacked`, not a failure: the client counts no
 * `mqtt_errors` while it ends, so that the run's exported metrics say what its summary says.
 *
 * @param client The client.
 * @param timeoutMs How long in-flight publications may still be acknowledged.
 * @returns Resolves once the client is closed.
 *
 * @example Usage
 * ```ts ignore
 * import { endAtStop } from "./library_calls.ts";
 * await endAtStop(client, 2000);
 * ```
 */
export function endAtStop(client: Client, timeoutMs: number): Promise<void> {
  return client[ABANDON](timeoutMs, true);
}

/**
 * Makes the runner end a stopped bench's clients (Ctrl+C, an interrupted iteration) counting
 * what completes meanwhile, as {@linkcode endAtStop} does at the run's end: a bench's `pub` and
 * `recv` then agree with what the broker took, and only failures go uncounted.
 *
 * @example Usage
 * ```ts ignore
 * import { countAtStop } from "./library_calls.ts";
 * countAtStop();
 * ```
 */
export function countAtStop(): void {
  ABANDON_POLICY.failuresOnly = true;
}
