/**
 * xk6-mqtt's `end()` on a client that is not connected: it fails with "not connected", fires no
 * `end` event and counts no `mqtt_calls{method:end}` (grafana/xk6-mqtt `client_end.go`). The
 * library's own `end()` resolves on an idle client and fires `end`, which a k6 script calling
 * `end()` in each `message` handler would see once per message, not once per client.
 *
 * @module
 */

import { MqttClosedError } from "../../client/mod.ts";
import { isIdle } from "../../client/internal.ts";

const notConnected = () => new MqttClosedError("Cannot end: not connected", { method: "end" });

/**
 * Throws where `end()` or `endAsync()` is called on an idle client, as xk6-mqtt's do (they
 * return the error to the script, not to its `error` handler): unless a blocking `connect()`
 * is still under way, which the end waits for (then {@linkcode endIfConnected} decides).
 *
 * @param client The library client.
 * @param connecting Whether a blocking `connect()` of the script is under way.
 * @throws {MqttClosedError} "not connected".
 */
export function refuseIdleEnd(client: object, connecting: boolean): void {
  if (!connecting && isIdle(client)) throw notConnected();
}

/**
 * Ends `client` with `end`, unless it is idle (not connected): then fails as xk6-mqtt does.
 *
 * @param client The library client.
 * @param end Ends it (the library's `end()` or `endAsync()`).
 * @returns Settles as the end, or rejects with `MqttClosedError` "not connected".
 */
export function endIfConnected(client: object, end: () => Promise<void>): Promise<void> {
  return isIdle(client) ? Promise.reject(notConnected()) : end();
}
