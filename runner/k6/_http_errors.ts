/**
 * k6's HTTP error codes (`lib/netext/httpext/error_codes.go`) for the failures `fetch` reports.
 * Deno's fetch gives one `TypeError` whose message carries the cause (hyper's and the OS's
 * words), so the cause is read from the text; what is not recognised gets k6's generic 1000.
 *
 * @module
 */

/** A failed request as k6 shows it: `res.error` and `res.error_code`. */
export interface HttpFailure {
  /** k6's message (`res.error`, the `error` tag). */
  readonly message: string;
  /** k6's code (`res.error_code`, the `error_code` tag). */
  readonly code: number;
}

/** k6's code for a request that outlived its `timeout`. */
export const REQUEST_TIMEOUT: HttpFailure = Object.freeze({
  message: "request timeout",
  code: 1050,
});

// Most specific first: a refused dial also says "tcp connect error".
const RULES: ReadonlyArray<[RegExp, number, string]> = [
  [/connection refused/i, 1212, "dial: connection refused"],
  [
    /(dns error|failed to lookup address|name or service not known|no such host)/i,
    1101,
    "lookup: no such host",
  ],
  [/connection reset/i, 1220, "read: connection reset by peer"],
  [/broken pipe/i, 1201, "write: broken pipe"],
  [/(timed out|timeout)/i, 1211, "dial: i/o timeout"],
  [
    /(UnknownIssuer|unknown issuer|self.signed|invalid peer certificate)/i,
    1310,
    "x509: certificate signed by unknown authority",
  ],
  [
    /(NotValidForName|not valid for name|certificate is not valid for)/i,
    1311,
    "x509: certificate is not valid for this name",
  ],
  [/(tls|certificate|handshake)/i, 1300, "tls: handshake failure"],
  [/(tcp connect error|connect error)/i, 1210, "dial: connection failed"],
  [/(invalid url|relative url|url scheme|unsupported scheme|invalid uri)/i, 1020, "invalid URL"],
];

/**
 * k6's error for what `fetch` threw.
 *
 * @param error The rejection of `fetch` (or of reading the body).
 * @returns k6's message and code; the original text is kept after the message for diagnosis.
 *
 * @example Usage
 * ```ts
 * import { failureOf } from "./_http_errors.ts";
 * import assert from "node:assert/strict";
 *
 * const f = failureOf(new TypeError("client error (Connect): tcp connect error: Connection refused (os error 111)"));
 * assert.equal(f.code, 1212);
 * ```
 */
export function failureOf(error: unknown): HttpFailure {
  const text = error instanceof Error
    ? [error.message, (error.cause as Error | undefined)?.message ?? ""].join(" ")
    : String(error);
  for (const [pattern, code, message] of RULES) {
    if (pattern.test(text)) return { code, message };
  }
  return { code: 1000, message: text.trim() || "request failed" };
}

/**
 * k6's code for a response with an error status: 1000 + the status, from 400 up.
 *
 * @param status The HTTP status.
 * @returns The code, or 0 below 400.
 *
 * @example Usage
 * ```ts
 * import { statusErrorCode } from "./_http_errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(statusErrorCode(404), 1404);
 * assert.equal(statusErrorCode(302), 0);
 * ```
 */
export function statusErrorCode(status: number): number {
  return status >= 400 ? 1000 + status : 0;
}
