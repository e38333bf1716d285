// AbortSignal support of the calls: what an abort does, the error of an aborted call, and the
// options without `signal`.

import { MqttError } from "./errors.ts";

const settled = Promise.prototype.then;

/** Calls `abort` when `signal` aborts, until `until` settles (the listener is then removed). */
export function onAbort(signal: AbortSignal, abort: () => void, until?: Promise<unknown>): void {
  if (signal.aborted) return abort();
  signal.addEventListener("abort", abort, { once: true });
  if (until !== undefined) {
    const remove = () => signal.removeEventListener("abort", abort);
    settled.call(until, remove, remove);
  }
}

/** Call options without `signal`, which the packet builders do not know. */
export function withoutSignal<T extends { signal?: AbortSignal | undefined }>(
  options: T | undefined,
): T | undefined {
  if (options === undefined || !("signal" in options)) return options;
  const { signal: _, ...rest } = options;
  return rest as T;
}

/** The failure of a call its `signal` aborted (code `"aborted"`). */
export function abortedError(method: string, signal: AbortSignal): MqttError {
  return new MqttError(`Cannot ${method}: aborted`, {
    code: "aborted",
    method,
    cause: signal.reason,
  });
}
