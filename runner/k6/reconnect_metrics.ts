/**
 * The counts of a `k6/x/mqtt` client's own reconnections. xk6-mqtt counts none of them (Paho
 * reconnects on its own), so the runner's clients leave them out of `mqtt_errors` and
 * `mqtt_calls`; `mqload bench --reconnect`, which reports reconnections, counts them again.
 *
 * @module
 */

import { countReconnects } from "../../client/internal.ts";
import type { Client } from "./mqtt.ts";

/**
 * Counts `client`'s own reconnections again: a lost connection in
 * `mqtt_errors{method:connection}`, each failed attempt in `mqtt_errors{method:reconnect}`, each
 * made one in `mqtt_calls{method:connect}`.
 *
 * @param client A `k6/x/mqtt` client.
 */
export function countOwnReconnects(client: Client): void {
  countReconnects(client, true);
}
