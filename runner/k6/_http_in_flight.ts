/**
 * A VU's `k6/http` requests in flight, tracked as its iteration's pending work (k6's event-loop
 * rule), and its response callback.
 *
 * @module
 */

import type { ResponseCallback } from "./_http_params.ts";
import { ABANDON, type TrackedClient, type VuState } from "../worker/vu_context.ts";

/** A VU's requests in flight: the iteration waits for them, an abandoned one aborts them. */
export class InFlightRequests implements TrackedClient {
  count = 0;
  abort = new AbortController();
  #idle: PromiseWithResolvers<void> | undefined;
  /** The VU's callback (`setResponseCallback`); undefined until set. */
  callback: ResponseCallback | null | undefined;

  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return (this.#idle ??= Promise.withResolvers<void>()).promise;
  }

  done(): void {
    if (--this.count === 0) {
      this.#idle?.resolve();
      this.#idle = undefined;
    }
  }

  endAsync(): Promise<void> {
    return this[ABANDON]();
  }

  [ABANDON](): Promise<void> {
    this.abort.abort();
    this.abort = new AbortController();
    return this.idle();
  }
}

const inFlight = new WeakMap<VuState, InFlightRequests>();
export function requestsOf(vu: VuState): InFlightRequests {
  let r = inFlight.get(vu);
  if (r === undefined) inFlight.set(vu, r = new InFlightRequests());
  return r;
}
