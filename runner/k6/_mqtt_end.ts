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

/**
 * Ends `client` with `end`, unless it is idle (not connected): then fails as xk6-mqtt does.
 *
 * @param client The library client.
 * @param end Ends it (the library's `end()` or `endAsync()`).
 * @returns Settles as the end, or rejects with `MqttClosedError` "not connected".
 */
export function endIfConnected(client: object, end: () => Promise<void>): Promise<void> {
  if (!isIdle(client)) return end();
  return Promise.reject(new MqttClosedError("Cannot end: not connected", { method: "end" }));
}
