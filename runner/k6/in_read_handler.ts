/**
 * A message handler the library runs as it reads: synchronously, in the read that brought the
 * message, still in the VU's context, and given the payload as a view into the read buffer
 * instead of a copy. For the runner's own counting handlers (`mqload bench sub`), which read a
 * few header bytes and keep nothing.
 *
 * @module
 */

import { Client as LibraryClient } from "../../client/mod.ts";
import { READ_VIEW } from "../../client/internal.ts";
import type { Client } from "./mqtt.ts";

/**
 * Sets `client`'s `message` handler as the library runs one: synchronously, in the read that
 * brought the message. A script's `on("message")` handler is queued on its VU's event loop
 * instead, a task per message (k6 runs handlers only while the script is not blocked in a
 * call), which a counting handler does not need. `payload` is valid only during the call:
 * its bytes are the read buffer's, which the next read overwrites.
 *
 * @param client The subscriber's client.
 * @param handler Gets each message's topic and payload.
 *
 * @example Usage
 * ```ts ignore
 * import { onMessageInRead } from "./in_read_handler.ts";
 * onMessageInRead(client, (topic, payload) => console.log(topic, payload.byteLength));
 * ```
 */
export function onMessageInRead(
  client: Client,
  handler: (topic: string, payload: Uint8Array) => void,
): void {
  const inRead = Object.assign((topic: string, payload: Uint8Array) => handler(topic, payload), {
    [READ_VIEW]: true,
  });
  // `on()` types its handler with the copied ArrayBuffer, which READ_VIEW replaces by the view.
  LibraryClient.prototype.on.call(
    client,
    "message",
    inRead as unknown as (topic: string, payload: ArrayBuffer) => void,
  );
}
