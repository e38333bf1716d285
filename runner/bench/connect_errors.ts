/**
 * Why a bench client could not connect, in a few words fit to count by (emqtt-bench's
 * `client(N): connect error - Reason`): the broker's CONNACK refusal with its reason code, a
 * refused or reset connection, a certificate the client did not trust. The URL and anything
 * client-specific are left out, so that every client failing alike counts under one reason; the
 * password never appears.
 *
 * @module
 */

/**
 * What the client's connect, publish and subscribe errors start with, before the reason: the URL
 * and the topic (`%i` topics would make each client's failures a reason of their own).
 */
const PREFIX = /^Cannot (?:connect(?: to \S+?)?|publish|subscribe)(?: "(?:[^"\\]|\\.)*")?: /;

/** Longest reason kept (a broker's v5 reason string can be long). */
const MAX_LENGTH = 160;

/**
 * The reason of a failed connect (or publication).
 *
 * @param error What `connectAsync` (or the publication) threw.
 * @param secret The password, to blank out should a message ever quote it.
 * @returns Such as `broker refused with 0x87 Not authorized` or `Connection refused (os error
 * 111)`.
 *
 * @example Usage
 * ```ts
 * import { connectErrorReason } from "./connect_errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new Error("Cannot connect to mqtt://127.0.0.1:1883: Connection refused (os error 111)");
 * assert.equal(connectErrorReason(error), "Connection refused (os error 111)");
 * const refused = new Error('Cannot publish "t/1": broker refused with 0x87 Not authorized');
 * assert.equal(connectErrorReason(refused), "broker refused with 0x87 Not authorized");
 * ```
 */
export function connectErrorReason(error: unknown, secret?: string): string {
  let reason = error instanceof Error ? error.message : String(error);
  reason = reason.replace(PREFIX, "").split("\n")[0].trim() || "unknown error";
  if (secret !== undefined && secret !== "") reason = reason.replaceAll(secret, "***");
  if (/certificate/i.test(reason)) {
    reason += " (verify with --cacertfile <the broker's CA>)";
  } else if (/\(os error (?:16|22|24)\)/.test(reason)) reason += descriptorHint();
  return reason.length > MAX_LENGTH ? reason.slice(0, MAX_LENGTH - 1) + "…" : reason;
}

/** The process's limit of open files, read while descriptors are left to read it with. */
const FILE_LIMIT = (() => {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    return Number(/Max open files\s+(\d+)/.exec(limits)?.[1]) || undefined;
  } catch {
    return undefined;
  }
})();

/**
 * Why a connect failed with EMFILE, or with the odd errors Deno gives when a name lookup finds no
 * descriptor left (EINVAL, EBUSY): the process has run out of file descriptors. Said only when
 * nearly all are open (or none is left to count them with), in words the same for every such
 * failure, so that they count as one reason.
 */
function descriptorHint(): string {
  // Counting the open descriptors reads a directory of as many entries: once a second at most.
  const now = Date.now();
  if (now - hinted.at < 1000) return hinted.hint;
  hinted.at = now;
  return hinted.hint = countedHint();
}

const hinted = { at: -Infinity, hint: "" };

function countedHint(): string {
  const hint =
    ` (out of file descriptors: the limit is ${FILE_LIMIT ?? "reached"}; raise it with ` +
    "ulimit -n)";
  let open = 0;
  try {
    for (const _ of Deno.readDirSync("/proc/self/fd")) open++;
  } catch (error) {
    return /os error 24/.test(String(error)) ? hint : "";
  }
  return FILE_LIMIT !== undefined && open >= FILE_LIMIT * 0.9 ? hint : "";
}

/** Clients a Worker names for each reason (`client(N): …` lines); the rest are counted. */
export const NAMED_PER_REASON = 3;

/** How many clients this Worker named, by kind and reason. */
const NAMED = new Map<string, number>();

/**
 * The tags of a failure's count: its reason, and for the first few of each reason in this
 * Worker, the failing client's number (each its own series: a few per reason, not per client).
 *
 * @param kind What failed, such as `connect`, `lost`, `reconnect`.
 * @param reason Why (see {@linkcode connectErrorReason}).
 * @param seq The client's number, when known.
 * @returns `{ reason }` or `{ reason, client }`.
 *
 * @example Usage
 * ```ts
 * import { reasonTags } from "./connect_errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(reasonTags("example", "Connection reset", 7), {
 *   reason: "Connection reset",
 *   client: "7",
 * });
 * ```
 */
export function reasonTags(
  kind: string,
  reason: string,
  seq: number | undefined,
): Record<string, string> {
  if (seq === undefined) return { reason };
  const key = `${kind}\n${reason}`;
  const named = NAMED.get(key) ?? 0;
  if (named >= NAMED_PER_REASON) return { reason };
  NAMED.set(key, named + 1);
  return { reason, client: String(seq) };
}
