/**
 * Bytes and base64 helpers shared by the `k6/encoding` and `k6/crypto` shims.
 *
 * @module
 */

/** k6's base64 variants. */
export type Base64Variant = "std" | "rawstd" | "url" | "rawurl";

const VARIANTS: readonly string[] = ["std", "rawstd", "url", "rawurl"];

/** Checks a k6 base64 variant name (default `std`). */
export function variantOf(encoding: string | undefined, fn: string): Base64Variant {
  const v = encoding === undefined || encoding === "" ? "std" : encoding;
  if (!VARIANTS.includes(v)) {
    throw new TypeError(`${fn}: invalid encoding "${v}", expected std, rawstd, url or rawurl`);
  }
  return v as Base64Variant;
}

/**
 * Bytes of a k6 input: strings as UTF-8, ArrayBuffers and views as they are.
 *
 * @param input A string, an ArrayBuffer or a typed array.
 * @param fn The calling function, for the error.
 * @returns The bytes (a view, not a copy, of buffers).
 * @throws {TypeError} On anything else.
 */
export function bytesOf(input: unknown, fn: string): Uint8Array {
  if (typeof input === "string") return new TextEncoder().encode(input);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  throw new TypeError(`${fn}: expected a string or an ArrayBuffer, got ${typeof input}`);
}

/**
 * Encodes bytes in base64 with one of k6's alphabets.
 *
 * @param bytes What to encode.
 * @param variant `std` (default), `rawstd`, `url` or `rawurl`.
 * @returns The base64 text.
 */
export function base64Of(bytes: Uint8Array, variant: Base64Variant = "std"): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  let text = btoa(binary);
  if (variant === "url" || variant === "rawurl") {
    text = text.replace(/\+/g, "-").replace(/\//g, "_");
  }
  if (variant === "rawstd" || variant === "rawurl") text = text.replace(/=+$/, "");
  return text;
}
