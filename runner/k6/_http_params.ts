/**
 * The `params` of a `k6/http` call and the body it sends, read as k6 reads them, and
 * `http.expectedStatuses()`.
 *
 * @module
 */

import { parseDuration } from "../config/duration.ts";
import { CookieJar } from "./_http_cookie_jar.ts";

/** A response callback: true when the status is expected (`http_req_failed` 0). */
export type ResponseCallback = (status: number) => boolean;

/** The `params` argument of k6's HTTP calls that mqload reads. */
export interface HttpParams {
  /** Request headers. */
  headers?: Record<string, string>;
  /** Tags of the request's samples (`name` groups URLs). */
  tags?: Record<string, string>;
  /** A k6 duration or ms; 60s by default. */
  timeout?: string | number;
  /** `text` (default), `binary` (ArrayBuffer) or `none` (body discarded). */
  responseType?: "text" | "binary" | "none";
  /** Redirects followed, 10 by default (k6's `maxRedirects`); 0 follows none. */
  redirects?: number;
  /** `basic` (credentials from the URL); k6's `digest` and `ntlm` are not supported. */
  auth?: string;
  /** This request's response callback (null: no `http_req_failed` sample). */
  responseCallback?: ResponseCallback | null;
  /**
   * Cookies of this request alone, beside the jar's: `name: value`, or `{ value, replace: true }`
   * to send it instead of the jar's cookie of that name.
   */
  cookies?: Record<string, string | { value: string; replace?: boolean }>;
  /** The jar to use instead of the VU's (responses' cookies go there too). */
  jar?: CookieJar | null;
}

/** A request cookie as k6 shows it in `res.request.cookies`. */
export interface RequestCookie {
  name: string;
  value: string;
  replace: boolean;
}

/** Params read and checked. */
export interface ReadParams {
  headers: Headers;
  tags: Record<string, string>;
  timeoutMs: number;
  responseType: "text" | "binary" | "none";
  redirects: number;
  /** The limit was the script's (`redirects`, `maxRedirects`): reaching it is not warned of. */
  redirectsChosen: boolean;
  /** `params.cookies`, read. */
  cookies: RequestCookie[];
  /** `params.jar`, when given. */
  jar: CookieJar | undefined;
  callback: ResponseCallback | null | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_REDIRECTS = 10;

/**
 * Reads a call's params.
 *
 * @param params What the script passed.
 * @param maxRedirects The `maxRedirects` option, when set.
 * @param discardBodies k6's `discardResponseBodies` option: `responseType` is `"none"` unless
 * given.
 * @returns The params with their defaults.
 * @throws {TypeError} On a bad timeout, responseType or auth.
 *
 * @example Usage
 * ```ts
 * import { readParams } from "./_http_params.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(readParams({ timeout: "2s" }).timeoutMs, 2000);
 * ```
 */
export function readParams(
  params: HttpParams | null | undefined,
  maxRedirects?: unknown,
  discardBodies = false,
): ReadParams {
  const p = params ?? {};
  const headers = new Headers();
  for (const [k, v] of Object.entries(p.headers ?? {})) headers.set(k, String(v));
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.tags ?? {})) tags[k] = String(v);
  const timeoutMs = p.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(p.timeout);
  if (timeoutMs === undefined) throw new TypeError(`invalid timeout "${p.timeout}"`);
  // k6's discardResponseBodies makes "none" the default.
  const responseType = p.responseType ?? (discardBodies ? "none" : "text");
  if (!["text", "binary", "none"].includes(responseType)) {
    throw new TypeError(`invalid responseType "${responseType}": text, binary or none`);
  }
  if (p.auth !== undefined && p.auth !== "basic") {
    throw new TypeError(`auth "${p.auth}" is not supported by mqload: only "basic"`);
  }
  const fallback = typeof maxRedirects === "number" ? maxRedirects : DEFAULT_REDIRECTS;
  return {
    headers,
    tags,
    timeoutMs,
    responseType,
    redirects: Math.max(0, Math.floor(Number(p.redirects ?? fallback))),
    redirectsChosen: p.redirects !== undefined || typeof maxRedirects === "number",
    // As k6: a nullish value sends no cookie; an object without a value sends it empty.
    cookies: Object.entries(p.cookies ?? {}).filter(([, c]) => c !== undefined && c !== null)
      .map(([name, c]) =>
        typeof c === "object"
          ? { name, value: String(c.value ?? ""), replace: c.replace === true }
          : { name, value: String(c), replace: false }
      ),
    jar: p.jar instanceof CookieJar ? p.jar : undefined,
    callback: p.responseCallback,
  };
}

/**
 * The body to send, as k6 encodes it: strings and bytes as they are, an object as an
 * `application/x-www-form-urlencoded` form (setting that content type unless one is given).
 *
 * @param body What the script passed.
 * @param headers The request headers (may gain a content type).
 * @returns The bytes, or undefined for no body.
 *
 * @example Usage
 * ```ts
 * import { encodeBody } from "./_http_params.ts";
 * import assert from "node:assert/strict";
 *
 * const headers = new Headers();
 * assert.equal(new TextDecoder().decode(encodeBody({ a: "1 2" }, headers)), "a=1+2");
 * assert.equal(headers.get("content-type"), "application/x-www-form-urlencoded");
 * ```
 */
export function encodeBody(body: unknown, headers: Headers): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) {
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
  if (typeof body === "object") {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) form.append(k, String(v));
    if (!headers.has("content-type")) {
      headers.set("content-type", "application/x-www-form-urlencoded");
    }
    return new TextEncoder().encode(form.toString());
  }
  return new TextEncoder().encode(String(body));
}

/** What `expectedStatuses()` accepts: a status or an inclusive `{min, max}` range. */
export type StatusSpec = number | { min: number; max: number };

/**
 * k6's `http.expectedStatuses(...)`: a response callback expecting the given statuses.
 *
 * @param specs Statuses and `{min, max}` ranges.
 * @returns The callback.
 * @throws {TypeError} On an argument that is neither.
 *
 * @example Usage
 * ```ts
 * import { expectedStatuses } from "./_http_params.ts";
 * import assert from "node:assert/strict";
 *
 * const expected = expectedStatuses(404, { min: 200, max: 299 });
 * assert.ok(expected(404) && expected(204) && !expected(500));
 * ```
 */
export function expectedStatuses(...specs: StatusSpec[]): ResponseCallback {
  const ranges = specs.map((s, i): [number, number] => {
    if (Number.isInteger(s)) return [s as number, s as number];
    const r = s as { min?: unknown; max?: unknown };
    if (r !== null && typeof r === "object" && Number.isInteger(r.min) && Number.isInteger(r.max)) {
      return [r.min as number, r.max as number];
    }
    throw new TypeError(
      `argument number ${
        i + 1
      } to expectedStatuses was neither an integer nor an object like {min:100, max:329}`,
    );
  });
  return (status) => ranges.some(([min, max]) => status >= min && status <= max);
}
