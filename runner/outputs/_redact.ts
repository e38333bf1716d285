/**
 * Keeping the outputs' secrets (passwords, tokens, header values) out of what they print: one
 * redaction for the `influxdb` and `experimental-prometheus-rw` outputs.
 *
 * @module
 */

/**
 * Secrets shorter than this are not searched for: they occur in any text (a password `v` would
 * turn every "v" into `***`), so the messages are written not to quote them in the first place.
 * Their basic-auth token (see {@linkcode basicAuthToken}) is long enough to be redacted.
 */
export const MIN_SECRET_LENGTH = 4;

const utf8 = new TextEncoder();

/**
 * The token of a basic-auth header, `Authorization: Basic <token>`: base64 of the UTF-8 of
 * `user:password`. Senders use it to build the header, and list it among their secrets, since
 * a server may echo the header back in an error body.
 *
 * @param username The user.
 * @param password The password.
 * @returns The base64 token.
 *
 * @example Usage
 * ```ts
 * import { basicAuthToken } from "./_redact.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(basicAuthToken("u", "pé"), btoa("u:p\xc3\xa9"));
 * ```
 */
export function basicAuthToken(username: string, password: string): string {
  return btoa(String.fromCharCode(...utf8.encode(`${username}:${password}`)));
}

/**
 * `text` with the secrets taken out:
 *
 * - the password of a URL's `user:password@` becomes `***` (`user:***@`), whatever its length;
 * - every secret of at least {@linkcode MIN_SECRET_LENGTH} characters becomes `***`, as is and
 *   URL-encoded (`encodeURIComponent`). A base64 spelling is found only when it is itself in
 *   `secrets`: list the {@linkcode basicAuthToken} of `user:password` when one is sent.
 *
 * @param text A message, a URL, a description.
 * @param secrets What must not be shown ("" entries are ignored).
 * @returns The text without them.
 *
 * @example Usage
 * ```ts
 * import { basicAuthToken, redact } from "./_redact.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(redact("http://u:s3cr3t@h:8086/db failed", []), "http://u:***@h:8086/db failed");
 * assert.equal(redact("token tok/en, tok%2Fen refused", ["tok/en"]), "token ***, *** refused");
 * const token = basicAuthToken("u", "s3cr3t");
 * assert.equal(redact(`echoed Basic ${token}`, ["s3cr3t", token]), "echoed Basic ***");
 * assert.equal(redact("v is too short to hide", ["v"]), "v is too short to hide");
 * ```
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(\/\/[^/@\s:]*):[^/@\s]*@/g, "$1:***@");
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out = out.replaceAll(secret, "***").replaceAll(encodeURIComponent(secret), "***");
  }
  return out;
}
