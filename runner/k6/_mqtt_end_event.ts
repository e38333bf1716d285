/**
 * xk6-mqtt's `end` event: once per client. Its first `end()`, connected or not, fires `end` and
 * stops the client's event loop for good, so later `end()` calls count `mqtt_calls{method:end}`
 * and return, firing nothing and throwing nothing (grafana/xk6-mqtt `client_end.go`, whose
 * `fire()` gives up once `stopLoop()` ran). The library's own `end()` fires `end` each time.
 *
 * @module
 */

/**
 * The `end` handler as xk6-mqtt calls it: at most once for the client that `ended` belongs to.
 *
 * @param handler The script's handler (or `null`).
 * @param ended The client's flag, shared by every handler it is given.
 * @returns The handler, silent after its client's first `end`.
 */
export function once<H>(handler: H, ended: { fired: boolean }): H {
  if (typeof handler !== "function") return handler;
  return ((...args: unknown[]) => {
    if (ended.fired) return;
    ended.fired = true;
    return (handler as (...args: unknown[]) => unknown)(...args);
  }) as H;
}
