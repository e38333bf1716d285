/**
 * A bench's failures counted by reason, as emqtt-bench prints them: failed connects
 * (`client(N): connect error - Reason`), lost connections (`client(N): EXIT for Reason`) and
 * failed reconnects. Each reason keeps the first client known to have failed so, and the lines
 * print the first few clients of each reason (as many as each Worker names, `NAMED_PER_REASON`):
 * the rest are counted.
 *
 * @module
 */

import { NAMED_PER_REASON } from "./connect_errors.ts";

/** What failed: a connect, a connection (lost), a reconnect attempt, a publication, a SUBSCRIBE. */
export type ReasonKind = "connect" | "lost" | "reconnect" | "publish" | "subscribe";

/** The failures of one reason. */
export interface ReasonCount {
  /** How many. */
  count: number;
  /** The number of the first client (`client(N)`) that failed so, when known. */
  client?: number;
  /** The clients named in lines so far. */
  named?: Set<number>;
}

/** A reason not printed yet. */
export interface NewReason {
  /** What failed. */
  kind: ReasonKind;
  /** Why. */
  reason: string;
  /** The client that failed so, when named. */
  client?: number;
}

/**
 * Failures by kind and reason, in the order the reasons came.
 *
 * @example Usage
 * ```ts
 * import { ReasonTally } from "./reason_tally.ts";
 * import assert from "node:assert/strict";
 *
 * const reasons = new ReasonTally();
 * reasons.add("lost", "Connection reset", "3", 1);
 * assert.equal(reasons.lost.get("Connection reset")?.client, 3);
 * assert.deepEqual(reasons.takeNew(), [{ kind: "lost", reason: "Connection reset", client: 3 }]);
 * ```
 */
export class ReasonTally {
  /** Failed connects by reason. */
  readonly connect: Map<string, ReasonCount> = new Map();
  /** Lost connections by reason. */
  readonly lost: Map<string, ReasonCount> = new Map();
  /** Failed reconnect attempts by reason. */
  readonly reconnect: Map<string, ReasonCount> = new Map();
  /** Failed publications by reason. */
  readonly publish: Map<string, ReasonCount> = new Map();
  /** Refused subscriptions by reason. */
  readonly subscribe: Map<string, ReasonCount> = new Map();
  #unshown: NewReason[] = [];

  /**
   * Counts failures.
   *
   * @param kind What failed.
   * @param reason Why.
   * @param client The failing client's number, when the series names one.
   * @param count How many.
   */
  add(kind: ReasonKind, reason: string, client: string | undefined, count: number): void {
    const map = this[kind];
    let entry = map.get(reason);
    const n = client === undefined ? NaN : Number(client);
    if (entry === undefined) {
      entry = { count: 0 };
      map.set(reason, entry);
      // A reason without a client named prints once, as `client(?)`.
      if (Number.isNaN(n)) this.#unshown.push({ kind, reason });
    }
    entry.count += count;
    if (Number.isNaN(n)) return;
    if (!(n >= (entry.client ?? Infinity))) entry.client = n;
    const named = entry.named ??= new Set();
    if (named.size < NAMED_PER_REASON && !named.has(n)) {
      named.add(n);
      this.#unshown.push({ kind, reason, client: n });
    }
  }

  /**
   * The reasons not taken yet, each once.
   *
   * @returns The reasons new since the last call.
   */
  takeNew(): NewReason[] {
    // A reason is printed without its client only when no client of it was named.
    const reasons = this.#unshown.filter((r) =>
      r.client !== undefined || this[r.kind].get(r.reason)?.named === undefined
    );
    this.#unshown = [];
    return reasons;
  }
}
