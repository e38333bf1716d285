/**
 * The `Response` object of `k6/http`: k6's field names (`status`, `body`, `headers` with Go's
 * canonical header names, `cookies`, `timings`, `error`, `error_code`, `url`, `request`) and
 * `json()`.
 *
 * @module
 */

import type { HttpCookie } from "./_http_cookies.ts";
import { gjsonGet } from "./_gjson_path.ts";

/** k6's `res.timings`, in ms. What `fetch` does not let us measure is 0. */
export interface HttpTimings {
  /** sending + waiting + receiving. */
  duration: number;
  /** Waiting for a connection (0: unknown under fetch). */
  blocked: number;
  /** TCP connect (0: unknown under fetch). */
  connecting: number;
  /** TLS handshake (0: unknown under fetch). */
  tls_handshaking: number;
  /** Writing the request (0: part of waiting under fetch). */
  sending: number;
  /** Until the response's headers. */
  waiting: number;
  /** Reading the body. */
  receiving: number;
}

/** k6's `res.request`. */
export interface HttpRequestInfo {
  /** The method. */
  method: string;
  /** The URL requested (without credentials). */
  url: string;
  /** Request headers, canonical names, each a list as k6 has them. */
  headers: Record<string, string[]>;
  /** The body sent, as text. */
  body: string;
  /** Cookies sent (none: mqload has no cookie jar yet). */
  cookies: Record<string, unknown>;
}

/**
 * Go's canonical form of a header name (`content-type` → `Content-Type`), which k6 shows.
 *
 * @param name A header name.
 * @returns Its canonical form.
 *
 * @example Usage
 * ```ts
 * import { canonicalHeader } from "./_http_response.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(canonicalHeader("x-request-id"), "X-Request-Id");
 * ```
 */
export function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(
    /(^|-)([a-z])/g,
    (_m, dash: string, c: string) => dash + c.toUpperCase(),
  );
}

/**
 * A `k6/http` response.
 *
 * @example Usage
 * ```ts ignore
 * import http from "k6/http";
 * const res = await http.get("http://127.0.0.1:8080/");
 * console.log(res.status, res.headers["Content-Type"], res.timings.duration);
 * ```
 */
export class HttpResponse {
  /** HTTP status, 0 when the request failed. */
  status = 0;
  /** `"200 OK"`, as Go's. */
  status_text = "";
  /** `"HTTP/1.1"` where known, else `""`. */
  proto = "";
  /** The body: a string, an ArrayBuffer (`responseType: "binary"`) or null (`"none"`). */
  body: string | ArrayBuffer | null = null;
  /** Response headers, canonical names, repeated ones joined with `", "`. */
  headers: Record<string, string> = {};
  /** The cookies the response sets (`Set-Cookie`), by name (see `_http_cookies.ts`). */
  cookies: Record<string, HttpCookie[]> = {};
  /** Timings in ms. */
  timings: HttpTimings = {
    duration: 0,
    blocked: 0,
    connecting: 0,
    tls_handshaking: 0,
    sending: 0,
    waiting: 0,
    receiving: 0,
  };
  /** k6's error message, `""` when none. */
  error = "";
  /** k6's error code, 0 when none (1000 + status from 400). */
  error_code = 0;
  /** The final URL, after redirects. */
  url = "";
  /** Remote address (unknown under fetch). */
  remote_ip = "";
  /** Remote port (unknown under fetch). */
  remote_port = 0;
  /** The request as sent. */
  request: HttpRequestInfo = { method: "", url: "", headers: {}, body: "", cookies: {} };

  /**
   * Parses the body as JSON.
   *
   * @param selector A GJSON path, as k6's (`"a.b.0"`, `"items.#"`, `"items.#.id"`,
   * `"items.#(id>1).name"`; see `_gjson_path.ts`); the whole value when omitted.
   * @returns The value, or undefined when the selector finds nothing.
   * @throws {SyntaxError} When the body is not JSON; {TypeError} when there is no body.
   */
  json(selector?: string): unknown {
    if (this.body === null) throw new TypeError("the response has no body (responseType none?)");
    const text = typeof this.body === "string" ? this.body : new TextDecoder().decode(this.body);
    const value: unknown = JSON.parse(text);
    if (selector === undefined || selector === "") return value;
    return gjsonGet(value, selector);
  }
}
