/**
 * emqtt-bench's message templates (its `template://` payloads; mqload fills `-m` itself): `%i`,
 * `%c`, `%u`, `%rand_N` as in topics, and at each message `%TIMESTAMP%` and `%TIMESTAMPMS%` (epoch
 * milliseconds), `%TIMESTAMPUS%` (microseconds), `%TIMESTAMPNS%` (nanoseconds), `%UNIQUE%` (an
 * integer never repeated in the run's Worker) and `%RANDOM%` (`-s` random bytes). Any other
 * `%NAME%` is refused rather than sent as written.
 *
 * @module
 */

import { renderTopic, type TemplateValues } from "./templates.ts";

/** The `%NAME%` variables of a message. */
export const MESSAGE_VARIABLES: readonly string[] = Object.freeze([
  "%TIMESTAMP%",
  "%TIMESTAMPMS%",
  "%TIMESTAMPUS%",
  "%TIMESTAMPNS%",
  "%UNIQUE%",
  "%RANDOM%",
]);

const CHANGING = /%TIMESTAMP(?:MS|US|NS)?%|%UNIQUE%|%RANDOM%|%rand_\d+/;
const TIMES = /%TIMESTAMP(?:MS|US|NS)?%|%UNIQUE%/g;

/** This Worker's `%UNIQUE%` values: a random start (Workers apart), counting up. */
let unique = Math.floor(Math.random() * 2 ** 40) * 2 ** 12;

/**
 * The `%NAME%` variables of a message template that are not emqtt-bench's (or not supported).
 *
 * @param message The `-m` template.
 * @returns The unknown ones, each once.
 *
 * @example Usage
 * ```ts
 * import { unknownMessageVariables } from "./payload_templates.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(unknownMessageVariables("%TIMESTAMP% %NOW%"), ["%NOW%"]);
 * ```
 */
export function unknownMessageVariables(message: string): string[] {
  const found = message.match(/%[A-Z]+%/g) ?? [];
  return [...new Set(found.filter((v) => !MESSAGE_VARIABLES.includes(v)))];
}

/**
 * A payload body of `size` bytes: the `-m` message when given (its variables filled at each
 * call), else `size` letters "a" as emqtt-bench sends.
 *
 * @param message The `-m` template, or undefined.
 * @param size The `-s` size: the default body's, and `%RANDOM%`'s bytes.
 * @param values The client's values.
 * @returns The bytes.
 *
 * @example Usage
 * ```ts
 * import { messageBody } from "./payload_templates.ts";
 * import assert from "node:assert/strict";
 * assert.equal(messageBody(undefined, 4, { seq: 1, clientId: "c" }).length, 4);
 * const text = new TextDecoder().decode(messageBody("from %i", 0, { seq: 2, clientId: "c" }));
 * assert.equal(text, "from 2");
 * ```
 */
export function messageBody(
  message: string | undefined,
  size: number,
  values: TemplateValues,
): Uint8Array {
  if (message === undefined) return new Uint8Array(size).fill(0x61);
  const nowMs = performance.timeOrigin + performance.now();
  const ns = BigInt(Math.floor(nowMs)) * 1_000_000n + BigInt(Math.floor((nowMs % 1) * 1e6));
  const text = renderTopic(message, values).replace(TIMES, (v) => {
    if (v === "%TIMESTAMPUS%") return String(ns / 1000n);
    if (v === "%TIMESTAMPNS%") return String(ns);
    if (v === "%UNIQUE%") return String(++unique);
    return String(ns / 1_000_000n);
  });
  const parts = text.split("%RANDOM%").map((part) => new TextEncoder().encode(part));
  if (parts.length === 1) return parts[0];
  // emqtt-bench's rand:bytes(Size): `-s` random bytes for each %RANDOM%.
  const body = new Uint8Array(
    parts.reduce((n, part) => n + part.length, 0) + size * (parts.length - 1),
  );
  let at = 0;
  parts.forEach((part, i) => {
    body.set(part, at);
    at += part.length;
    if (i === parts.length - 1) return;
    // getRandomValues fills at most 64 KiB at a time.
    for (let k = 0; k < size; k += 65536) {
      crypto.getRandomValues(body.subarray(at + k, at + Math.min(size, k + 65536)));
    }
    at += size;
  });
  return body;
}

/**
 * Whether a message template changes from one message to the next.
 *
 * @param message The `-m` template, or undefined.
 * @returns True when it has a time, unique or random variable.
 *
 * @example Usage
 * ```ts
 * import { isChangingMessage } from "./payload_templates.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isChangingMessage("at %TIMESTAMPNS%"), true);
 * assert.equal(isChangingMessage("hello %i"), false);
 * ```
 */
export function isChangingMessage(message: string | undefined): boolean {
  return message !== undefined && CHANGING.test(message);
}

/**
 * The system time in `unit`, as emqtt-bench's `os:system_time(Unit)` puts it in a payload's
 * `timestamp` (`inject_timestamp`): whole seconds, milliseconds, microseconds or nanoseconds
 * since the epoch. Nanoseconds exceed a double's integers: they come as raw JSON digits.
 *
 * @param unit The unit.
 * @returns The time, for `JSON.stringify`.
 *
 * @example Usage
 * ```ts
 * import { systemTime } from "./payload_templates.ts";
 * import assert from "node:assert/strict";
 * const ms = Date.now();
 * assert.ok(Math.abs((systemTime("s") as number) - ms / 1000) <= 1);
 * assert.match(JSON.stringify({ t: systemTime("ns") }), /^\{"t":\d{19}\}$/);
 * ```
 */
export function systemTime(unit: "s" | "ms" | "us" | "ns"): number | unknown {
  const ms = performance.timeOrigin + performance.now();
  if (unit === "s") return Math.floor(ms / 1000);
  if (unit === "ms") return Math.floor(ms);
  const us = Math.floor(ms * 1000);
  if (unit === "us") return us;
  return (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(`${BigInt(us) * 1000n}`);
}
