// When to reconnect after a lost connection: attempts counted against max_attempts, the backoff
// delay before each, the one pending timer, and the last failure (reported with the next attempt).
//
// A connection lost soon after its CONNACK does not reset the backoff: two clients sharing a
// client id take the session from each other, and a broker may accept and then drop a client it
// cannot serve. Resetting on every CONNACK would reconnect them every initial_delay forever.

import type { ReconnectOptions } from "./backoff.ts";
import { backoffDelay } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import type { MqttError } from "./errors.ts";
import type { ReconnectInfo } from "./events.ts";

export type ReconnectPolicy = Readonly<Required<ReconnectOptions>> | false;

export class Retry {
  /** Failed attempts since the last established connection. */
  failures = 0;
  /** Why the connection was lost, or why the last attempt failed. */
  lastError?: MqttError | undefined;
  readonly #clock: Clock;
  #timer: unknown;
  #waking: (() => void) | undefined;
  /** Consecutive connections lost before they lasted max_delay: they raise the backoff. */
  #flaps = 0;
  #connectedAt = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether `policy` allows another attempt. */
  allowed(policy: ReconnectPolicy | undefined): boolean {
    return policy !== undefined && policy !== false && this.failures < policy.max_attempts;
  }

  /** Whether a failed first connect() is tried again: retry_first_connect, within the policy. */
  retriesFirst(
    settings: { retryFirstConnect: boolean; reconnect: ReconnectPolicy },
    failure: MqttError,
  ): boolean {
    return settings.retryFirstConnect && !permanent(failure) && this.allowed(settings.reconnect);
  }

  /** A connection was established: attempts count from zero again. */
  connected(): void {
    this.failures = 0;
    this.#connectedAt = this.#clock.now();
  }

  /** The established connection was lost: a short-lived one raises the next delays. */
  lost(policy: ReconnectPolicy | undefined): void {
    const lived = this.#clock.now() - this.#connectedAt;
    const stable = policy === undefined || policy === false || lived >= policy.max_delay;
    this.#flaps = stable ? 0 : this.#flaps + 1;
  }

  /** Starts over, as a new connect() or reconnect() call does. */
  reset(): void {
    this.failures = 0;
    this.#flaps = 0;
  }

  /** Calls `attempt` after the backoff delay of the next attempt. */
  schedule(policy: ReconnectPolicy, attempt: () => void): void {
    if (policy === false) return;
    // The first short-lived connection is forgiven: a broker restart often looks like one.
    const exponent = this.failures + Math.max(0, this.#flaps - 1);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      attempt();
    }, backoffDelay(exponent, policy));
  }

  /** Counts the attempt about to start; what its `reconnect` event tells. */
  next(): ReconnectInfo {
    this.failures++;
    const info: ReconnectInfo = { attempt: this.failures };
    if (this.failures > 1 && this.lastError) info.error = this.lastError;
    return info;
  }

  /** Waits the backoff delay of the next attempt after `failure`; `wake()` ends it early. */
  wait(policy: ReconnectPolicy, failure: MqttError): Promise<void> {
    this.lastError = failure;
    return new Promise((resolve) => {
      this.#waking = resolve;
      this.schedule(policy, resolve);
    });
  }

  /** Ends a `wait()` now, and cancels its timer. */
  wake(): void {
    this.cancel();
    const waking = this.#waking;
    this.#waking = undefined;
    waking?.();
  }

  /** Cancels the pending attempt, if any. */
  cancel(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}

// A broker's refusal of these credentials: 3.1.1's 4 and 5, MQTT 5's 0x86, 0x87, 0x8C.
const CREDENTIALS_REFUSED = new Set([4, 5, 0x86, 0x87, 0x8c]);

/**
 * A first connect's failure that trying again cannot cure, so retry_first_connect does not hide
 * it behind endless attempts: bad options, a TLS handshake that failed (an untrusted or
 * misnamed certificate, a client certificate refused), credentials the broker refused.
 */
function permanent(failure: MqttError): boolean {
  return failure.code === "invalid" || failure.code === "tls" ||
    (failure.code === "refused" && CREDENTIALS_REFUSED.has(failure.reasonCode ?? -1));
}
