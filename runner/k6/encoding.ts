/**
 * The `k6/encoding` module: `b64encode` and `b64decode`, with k6's four alphabets (`std`,
 * `rawstd` without padding, `url`, `rawurl` without padding). Strings are encoded as UTF-8.
 *
 * @example Usage
 * ```ts ignore
 * import encoding from "k6/encoding";
 * const token = encoding.b64encode("user:secret");
 * const text = encoding.b64decode(token, "std", "s");
 * ```
 *
 * @module
 */

import { base64Of, type Base64Variant, bytesOf, variantOf } from "./_bytes.ts";

export type { Base64Variant };

/**
 * Encodes a string (as UTF-8) or an ArrayBuffer in base64.
 *
 * @param input What to encode.
 * @param encoding `std` (default), `rawstd`, `url` or `rawurl`.
 * @returns The base64 text.
 * @throws {TypeError} On another input type or an unknown encoding.
 *
 * @example Usage
 * ```ts
 * import { b64encode } from "./encoding.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(b64encode("hi?"), "aGk/");
 * assert.equal(b64encode("hi?", "url"), "aGk_");
 * assert.equal(b64encode(new Uint8Array([1]).buffer, "rawstd"), "AQ");
 * ```
 */
export function b64encode(input: string | ArrayBuffer, encoding?: Base64Variant): string {
  return base64Of(bytesOf(input, "b64encode"), variantOf(encoding, "b64encode"));
}

/**
 * Decodes base64 text (any of k6's alphabets, padding optional).
 *
 * @param input The base64 text.
 * @param encoding `std` (default), `rawstd`, `url` or `rawurl`.
 * @param format `"s"` for a UTF-8 string; otherwise an ArrayBuffer.
 * @returns The decoded bytes, or string with format `"s"`.
 * @throws {TypeError} On invalid base64 or an unknown encoding.
 *
 * @example Usage
 * ```ts
 * import { b64decode } from "./encoding.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(b64decode("aGk_", "rawurl", "s"), "hi?");
 * assert.equal((b64decode("AQ", "rawstd") as ArrayBuffer).byteLength, 1);
 * ```
 */
export function b64decode(
  input: string,
  encoding?: Base64Variant,
  format?: "s" | string,
): ArrayBuffer | string {
  const variant = variantOf(encoding, "b64decode");
  let text = String(input);
  if (variant === "url" || variant === "rawurl") text = text.replace(/-/g, "+").replace(/_/g, "/");
  text = text.replace(/=+$/, "");
  text += "=".repeat((4 - text.length % 4) % 4);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new TypeError(`b64decode: invalid base64 input for encoding "${variant}"`);
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return format === "s" ? new TextDecoder().decode(bytes) : bytes.buffer;
}

export default { b64encode, b64decode };
