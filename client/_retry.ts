// When to reconnect after a lost connection: attempts counted against max_attempts, the backoff
// delay before each, the one pending timer, and the last failure (reported with the next attempt).

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
  lastError?: MqttError;
  readonly #clock: Clock;
  #timer: unknown;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether `policy` allows another attempt. */
  allowed(policy: ReconnectPolicy | undefined): boolean {
    return policy !== undefined && policy !== false && this.failures < policy.max_attempts;
  }

  /** Calls `attempt` after the backoff delay of the next attempt. */
  schedule(policy: ReconnectPolicy, attempt: () => void): void {
    if (policy === false) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      attempt();
    }, backoffDelay(this.failures, policy));
  }

  /** Counts the attempt about to start; what its `reconnect` event tells. */
  next(): ReconnectInfo {
    this.failures++;
    const info: ReconnectInfo = { attempt: this.failures };
    if (this.failures > 1 && this.lastError) info.error = this.lastError;
    return info;
  }

  /** Cancels the pending attempt, if any. */
  cancel(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
