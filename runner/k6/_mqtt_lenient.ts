/**
 * What xk6-mqtt ignores or converts and the library refuses, for the `k6/x/mqtt` shim: unknown
 * option keys and event names, and a QoS given as a numeric string. k6 scripts written for
 * xk6-mqtt may carry some, so the shim drops them with a warning, or converts, instead of
 * failing.
 *
 * @module
 */

import { EVENT_NAMES, knownKeys } from "../../client/internal.ts";
import { warnScript } from "../worker/vu_context.ts";

/**
 * The options without the keys the library does not know for `kind`, each dropped with a
 * warning: xk6-mqtt ignores them (its Go structs take the keys they have), the library refuses
 * them to catch typos. A `qos` given as a numeric string (`{ qos: __ENV.QOS }`) becomes its
 * number, as xk6-mqtt's export of the options into a Go `byte` converts it (`ToNumber`); another
 * string is left for the library to refuse. Anything but a plain object is returned as is, for
 * the library to judge.
 */
export function knownOptions<T>(kind: string, options: T): T {
  if (options === null || typeof options !== "object" || Array.isArray(options)) return options;
  const keys = knownKeys(kind);
  let kept: Record<string, unknown> | undefined;
  for (const key of Object.keys(options)) {
    if (keys.has(key)) continue;
    warnScript(`k6/x/mqtt: unknown ${kind} option "${key}" ignored`);
    kept ??= { ...options } as Record<string, unknown>;
    delete kept[key];
  }
  const qos = (options as Record<string, unknown>).qos;
  if (
    keys.has("qos") && typeof qos === "string" && qos.trim() !== "" && Number.isFinite(Number(qos))
  ) {
    kept ??= { ...options } as Record<string, unknown>;
    kept.qos = Number(qos);
  }
  return (kept ?? options) as T;
}

/** Whether the client has the event; if not, warns that it is ignored, as xk6-mqtt ignores it. */
export function isKnownEvent(event: string): boolean {
  if (EVENT_NAMES.has(event)) return true;
  warnScript(`k6/x/mqtt: unknown event "${event}" ignored`);
  return false;
}
