/**
 * xk6-mqtt's per-client event loop, which runs a client's handlers: it stops for good at the
 * client's first `end()` (after firing `end`) and at a `connect()` or `reconnect()` of a client
 * that had connected before (its `disconnect()` stops it). From then on xk6-mqtt's `fire()` gives
 * up, so no handler of that client runs again, messages are still counted, and a failure an
 * `error` handler would have taken is thrown to the call (grafana/xk6-mqtt `client_on.go`,
 * `client_end.go`, `client_connect.go`). A script that reuses a client across iterations so
 * sees its handlers once, in k6 and here. The library's own client fires every event.
 *
 * @module
 */

import { type VuState, vuStorage } from "../worker/vu_context.ts";
import type { Muted } from "./_mqtt_metrics.ts";

/** One k6 client's event loop. */
export class Xk6EventLoop {
  /** Stopped: no handler of the client runs again. */
  stopped = false;
  /** `end()` was called: only its `end` event still fires. */
  #ending = false;
  /** A connection was dialed since the client was made. */
  #dialed = false;

  /** A `connect()` or `reconnect()` call: it stops the loop when a connection was dialed. */
  dialing(): void {
    if (this.#dialed) this.stopped = true;
  }

  /** Its arguments were good: the connection is dialed (a call refused at once dials none). */
  dialed(): void {
    this.#dialed = true;
  }

  /** An `end()` call: the loop stops once its `end` event fired (or at once, if none will). */
  ending(): void {
    this.#ending = true;
  }

  /** No handler runs any more but the `end` of an `end()` under way: xk6-mqtt's `stopLoop()`. */
  get silent(): boolean {
    return this.stopped || this.#ending;
  }

  /**
   * A handler as xk6-mqtt's loop runs it: not once the loop stopped; `end` at most once, which
   * stops it.
   *
   * @param event The event.
   * @param handler The script's handler (or `null`).
   * @returns The handler, silent once the loop stopped.
   */
  wrap<H>(event: string, handler: H): H {
    if (typeof handler !== "function") return handler;
    const call = handler as (...args: unknown[]) => unknown;
    if (event === "end") {
      return ((...args: unknown[]) => {
        if (this.stopped) return;
        this.stopped = true;
        return call(...args);
      }) as H;
    }
    return ((...args: unknown[]) => {
      if (this.stopped || this.#ending) return;
      return call(...args);
    }) as H;
  }
}

/**
 * A handler as k6 runs it: queued on its VU's event loop (see `VuEventLoop`), so that it runs
 * only while the script is not blocked in a call, and attributed to the VU even when the event
 * comes from outside it (the runner ending the clients of an interrupted iteration), so that
 * `check()` and custom metrics work in it.
 *
 * @param vu The client's VU (none: the handler runs as given).
 * @param muted Set while the runner closes the client (see `ABANDON`).
 * @param event The event.
 * @param handler The script's handler.
 * @returns What the client calls.
 */
export function inVuHandler<H>(
  vu: VuState | undefined,
  muted: Muted,
  event: string,
  handler: H,
): H {
  if (vu === undefined || typeof handler !== "function") return handler;
  const loop = vu.loop;
  const callback = handler as (...args: unknown[]) => unknown;
  // `message` events always come from the VU's own reads, and run while the runner closes.
  if (event === "message") return ((...args: unknown[]) => loop.post(callback, args)) as H;
  return ((...args: unknown[]) => {
    if (muted.muted) return; // The runner is closing the client (see ABANDON).
    if (vuStorage.getStore() === undefined) vuStorage.run(vu, () => loop.post(callback, args));
    else loop.post(callback, args);
  }) as H;
}
