/**
 * The `k6/crypto` module: synchronous hashes and HMACs (`md4`, `md5`, `sha1`, `sha256`,
 * `sha384`, `sha512`, `sha512_224`, `sha512_256`, `ripemd160`), `createHash`, `createHMAC`,
 * `hmac` and `randomBytes`, with k6's output encodings (`hex`, `base64`, `base64url`,
 * `base64rawurl`, `binary` for an ArrayBuffer). Backed by `node:crypto`, which is synchronous
 * where Web Crypto is not.
 *
 * @example Usage
 * ```ts ignore
 * import crypto from "k6/crypto";
 * const signature = crypto.hmac("sha256", "secret", "payload", "hex");
 * ```
 *
 * @module
 */

import {
  createHash as nodeHash,
  createHmac as nodeHmac,
  randomBytes as nodeRandom,
} from "node:crypto";
import { base64Of, bytesOf } from "./_bytes.ts";

/** k6's hash algorithm names. */
export type Algorithm =
  | "md4"
  | "md5"
  | "sha1"
  | "sha256"
  | "sha384"
  | "sha512"
  | "sha512_224"
  | "sha512_256"
  | "ripemd160";

/** k6's digest encodings: text forms, or `binary` for an ArrayBuffer. */
export type OutputEncoding = "hex" | "base64" | "base64url" | "base64rawurl" | "binary";

const ALGORITHMS: Readonly<Record<string, string>> = {
  md4: "md4",
  md5: "md5",
  sha1: "sha1",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
  sha512_224: "sha512-224",
  sha512_256: "sha512-256",
  ripemd160: "ripemd160",
};

function nodeAlgorithm(algorithm: string, fn: string): string {
  const name = ALGORITHMS[String(algorithm).toLowerCase()];
  if (name === undefined) {
    throw new TypeError(
      `${fn}: invalid algorithm "${algorithm}", expected ${Object.keys(ALGORITHMS).join(", ")}`,
    );
  }
  return name;
}

function encode(digest: Uint8Array, encoding: string | undefined): string | ArrayBuffer {
  switch (encoding ?? "hex") {
    case "hex":
      return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    case "base64":
      return base64Of(digest, "std");
    case "base64url":
      return base64Of(digest, "url");
    case "base64rawurl":
      return base64Of(digest, "rawurl");
    case "binary":
      return digest.slice().buffer;
  }
  throw new TypeError(
    `invalid output encoding "${encoding}", expected hex, base64, base64url, base64rawurl or binary`,
  );
}

/** An incremental hash or HMAC, as `createHash` and `createHMAC` return. */
export class Hasher {
  readonly #update: (bytes: Uint8Array) => void;
  readonly #digest: () => Uint8Array;

  /**
   * Use {@linkcode createHash} or {@linkcode createHMAC}.
   *
   * @param update Feeds bytes.
   * @param digest Finishes.
   */
  constructor(update: (bytes: Uint8Array) => void, digest: () => Uint8Array) {
    this.#update = update;
    this.#digest = digest;
  }

  /**
   * Adds data.
   *
   * @param input A string (UTF-8) or an ArrayBuffer.
   * @throws {TypeError} On another input type.
   */
  update(input: string | ArrayBuffer): void {
    this.#update(bytesOf(input, "update"));
  }

  /**
   * Finishes and encodes the digest.
   *
   * @param outputEncoding `hex` (default), `base64`, `base64url`, `base64rawurl` or `binary`.
   * @returns The digest.
   * @throws {TypeError} On an unknown encoding.
   */
  digest(outputEncoding?: OutputEncoding): string | ArrayBuffer {
    return encode(this.#digest(), outputEncoding);
  }
}

/**
 * Starts an incremental hash.
 *
 * @param algorithm One of k6's algorithm names.
 * @returns The hasher.
 * @throws {TypeError} On an unknown algorithm.
 *
 * @example Usage
 * ```ts
 * import { createHash } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * const h = createHash("sha256");
 * h.update("a");
 * h.update("bc");
 * assert.equal(h.digest("hex"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * ```
 */
export function createHash(algorithm: Algorithm): Hasher {
  const h = nodeHash(nodeAlgorithm(algorithm, "createHash"));
  return new Hasher((b) => h.update(b), () => new Uint8Array(h.digest()));
}

/**
 * Starts an incremental HMAC.
 *
 * @param algorithm One of k6's algorithm names.
 * @param secret The key: a string (UTF-8) or an ArrayBuffer.
 * @returns The hasher.
 * @throws {TypeError} On an unknown algorithm or a bad key type.
 *
 * @example Usage
 * ```ts
 * import { createHMAC } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * const h = createHMAC("sha256", "key");
 * h.update("The quick brown fox jumps over the lazy dog");
 * assert.equal(h.digest("hex"), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
 * ```
 */
export function createHMAC(algorithm: Algorithm, secret: string | ArrayBuffer): Hasher {
  const h = nodeHmac(nodeAlgorithm(algorithm, "createHMAC"), bytesOf(secret, "createHMAC"));
  return new Hasher((b) => h.update(b), () => new Uint8Array(h.digest()));
}

/**
 * HMAC of data in one call.
 *
 * @param algorithm One of k6's algorithm names.
 * @param secret The key.
 * @param data The data.
 * @param outputEncoding `hex` (default), `base64`, `base64url`, `base64rawurl` or `binary`.
 * @returns The HMAC.
 * @throws {TypeError} On an unknown algorithm or encoding.
 *
 * @example Usage
 * ```ts
 * import { hmac } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(hmac("md5", "key", "", "hex"), "63530468a04e386459855da0063b6596");
 * ```
 */
export function hmac(
  algorithm: Algorithm,
  secret: string | ArrayBuffer,
  data: string | ArrayBuffer,
  outputEncoding?: OutputEncoding,
): string | ArrayBuffer {
  const h = createHMAC(algorithm, secret);
  h.update(data);
  return h.digest(outputEncoding);
}

/**
 * Cryptographically random bytes.
 *
 * @param size How many.
 * @returns A new ArrayBuffer.
 * @throws {RangeError} When `size` is not a non-negative integer.
 *
 * @example Usage
 * ```ts
 * import { randomBytes } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(randomBytes(16).byteLength, 16);
 * ```
 */
export function randomBytes(size: number): ArrayBuffer {
  if (!Number.isInteger(size) || size < 0) {
    throw new RangeError(`randomBytes: invalid size ${size}, expected a non-negative integer`);
  }
  return new Uint8Array(nodeRandom(size)).buffer;
}

function oneShot(algorithm: Algorithm) {
  return (input: string | ArrayBuffer, outputEncoding?: OutputEncoding): string | ArrayBuffer => {
    const h = createHash(algorithm);
    h.update(input);
    return h.digest(outputEncoding);
  };
}

/** A one-call hash: input, then output encoding (default `hex`). */
export type HashFunction = (
  input: string | ArrayBuffer,
  outputEncoding?: OutputEncoding,
) => string | ArrayBuffer;

/**
 * MD4 of the input.
 *
 * @example Usage
 * ```ts
 * import { md4 } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(md4("", "hex"), "31d6cfe0d16ae931b73c59d7e0c089c0");
 * ```
 */
export const md4: HashFunction = oneShot("md4");
/**
 * MD5 of the input.
 *
 * @example Usage
 * ```ts
 * import { md5 } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(md5("", "hex"), "d41d8cd98f00b204e9800998ecf8427e");
 * ```
 */
export const md5: HashFunction = oneShot("md5");
/**
 * SHA-1 of the input.
 *
 * @example Usage
 * ```ts
 * import { sha1 } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sha1("abc", "base64"), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
 * ```
 */
export const sha1: HashFunction = oneShot("sha1");
/**
 * SHA-256 of the input.
 *
 * @example Usage
 * ```ts
 * import { sha256 } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal((sha256("abc", "binary") as ArrayBuffer).byteLength, 32);
 * ```
 */
export const sha256: HashFunction = oneShot("sha256");
/**
 * SHA-384 of the input.
 *
 * @example Usage
 * ```ts
 * import { sha384 } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal((sha384("abc", "hex") as string).length, 96);
 * ```
 */
export const sha384: HashFunction = oneShot("sha384");
/**
 * SHA-512 of the input.
 *
 * @example Usage
 * ```ts
 * import { sha512 } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal((sha512("abc", "hex") as string).length, 128);
 * ```
 */
export const sha512: HashFunction = oneShot("sha512");
/**
 * SHA-512/224 of the input.
 *
 * @example Usage
 * ```ts
 * import { sha512_224 } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal((sha512_224("abc", "hex") as string).length, 56);
 * ```
 */
export const sha512_224: HashFunction = oneShot("sha512_224");
/**
 * SHA-512/256 of the input.
 *
 * @example Usage
 * ```ts
 * import { sha512_256 } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal((sha512_256("abc", "hex") as string).length, 64);
 * ```
 */
export const sha512_256: HashFunction = oneShot("sha512_256");
/**
 * RIPEMD-160 of the input.
 *
 * @example Usage
 * ```ts
 * import { ripemd160 } from "./crypto.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal((ripemd160("abc", "hex") as string).length, 40);
 * ```
 */
export const ripemd160: HashFunction = oneShot("ripemd160");

export default {
  createHash,
  createHMAC,
  hmac,
  randomBytes,
  md4,
  md5,
  sha1,
  sha256,
  sha384,
  sha512,
  sha512_224,
  sha512_256,
  ripemd160,
};
