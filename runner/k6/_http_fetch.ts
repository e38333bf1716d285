/**
 * One `k6/http` request over `fetch`: credentials from the URL become basic auth, redirects are
 * followed here (each hop is a request of its own in k6's metrics), the timeout aborts the hop,
 * and every hop is recorded for its VU.
 *
 * @module
 */

import { responseCookies } from "./_http_cookies.ts";
import { type CookieJar, vuCookieJar } from "./_http_cookie_jar.ts";
import { b64encode } from "./encoding.ts";
import { RAW_TIMERS, type VuState } from "../worker/vu_context.ts";
import { failureOf, REQUEST_TIMEOUT, statusErrorCode } from "./_http_errors.ts";
import { recordRequest } from "./_http_metrics.ts";
import {
  encodeBody,
  type ReadParams,
  type RequestCookie,
  type ResponseCallback,
} from "./_http_params.ts";
import { canonicalHeader, HttpResponse } from "./_http_response.ts";
import { hasFile, multipartBody } from "./_http_values.ts";
import { httpDebugFor } from "./_http_debug.ts";

/** What a request needs besides its params. */
export interface HttpCall {
  readonly vu: VuState;
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly params: ReadParams;
  readonly callback: ResponseCallback | null;
  /** Aborts every hop when the runner ends the iteration. */
  readonly abandoned: AbortSignal;
}

/** `http://u:p@h/` → `http://u:****@h/`, as k6 shows URLs in tags. */
function cleanUrl(url: URL): string {
  if (url.password === "") return url.href;
  const copy = new URL(url.href);
  copy.password = "****";
  return copy.href;
}

function headerBytes(headers: Headers): number {
  let n = 2; // the blank line
  headers.forEach((v, k) => n += k.length + v.length + 4);
  return n;
}

function canonicalHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((v, k) => out[canonicalHeader(k)] = v);
  return out;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Makes the request and its redirects. A network failure rejects only with k6's `throw` option;
 * otherwise the response carries `error` and `error_code`, as k6's does.
 *
 * @param call The request.
 * @returns The last hop's response, or undefined when the runner abandoned it.
 * @throws {TypeError} On a URL that is not one.
 * @throws {Error} On a failed request, with the `throw` option.
 *
 * @example Usage
 * ```ts ignore
 * const res = await perform({ vu, method: "GET", url, body: null, params, callback, abandoned });
 * ```
 */
export async function perform(call: HttpCall): Promise<HttpResponse | undefined> {
  const { params } = call;
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    throw new TypeError(`invalid URL "${call.url}"`);
  }
  const headers = new Headers(params.headers);
  // k6's `userAgent` option, unless the request sets its own.
  const agent = (call.vu.services.options as { userAgent?: unknown }).userAgent;
  if (typeof agent === "string" && agent !== "" && !headers.has("user-agent")) {
    headers.set("user-agent", agent);
  }
  if (url.username !== "" || url.password !== "") {
    const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.set("authorization", `Basic ${b64encode(user)}`);
  }
  let method = call.method.toUpperCase();
  let body = method === "GET" || method === "HEAD"
    ? undefined
    : hasFile(call.body)
    ? await multipartBody(call.body, headers)
    : encodeBody(call.body, headers);
  let hops = params.redirects;
  const first = url;
  const jar = params.jar ?? vuCookieJar(call.vu);
  for (;;) {
    const res = await hop(call, method, url, withCookies(headers, jar, url, params.cookies), body);
    if (res === undefined) return undefined;
    const location = res.headers["Location"];
    if (!REDIRECTS.has(res.status) || location === undefined) return res;
    if (hops-- <= 0) {
      // k6's warning, unless the script chose the limit (per request or maxRedirects).
      if (!params.redirectsChosen) {
        call.vu.services.warn(
          `Stopped after ${params.redirects + 1} redirects and returned the redirection; pass ` +
            "{ redirects: n } in request params or set global maxRedirects to silence this " +
            `url=${cleanUrl(first)}`,
        );
      }
      return res;
    }
    const next = new URL(location, url);
    // As Go's client: 303 (and 301/302 after a POST) turn into a GET without a body, and
    // credentials do not follow to another host.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
      method = method === "HEAD" ? "HEAD" : "GET";
      body = undefined;
      headers.delete("content-type");
    }
    if (next.host !== url.host) headers.delete("authorization");
    // As k6: a redirect carries the jar's and the request's cookies, never a Cookie header given.
    headers.delete("cookie");
    url = next;
  }
}

/**
 * The hop's headers with the cookies it sends: the request's own (`params.cookies`), then the
 * jar's for `url` but those a request cookie replaces, as k6's `SetRequestCookies`.
 */
function withCookies(
  headers: Headers,
  jar: CookieJar,
  url: URL,
  own: readonly RequestCookie[],
): { headers: Headers; cookies: RequestCookie[]; jar: CookieJar } {
  const replaced = new Set(own.filter((c) => c.replace).map((c) => c.name));
  const cookies = [
    ...own,
    ...jar.matching(url).filter((c) => !replaced.has(c.name))
      .map((c) => ({ name: c.name, value: c.value, replace: false })),
  ];
  if (cookies.length === 0) return { headers, cookies, jar };
  const line = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const sent = new Headers(headers);
  const given = sent.get("cookie");
  sent.set("cookie", given === null || given === "" ? line : `${given}; ${line}`);
  return { headers: sent, cookies, jar };
}

async function hop(
  call: HttpCall,
  method: string,
  url: URL,
  { headers, cookies, jar }: { headers: Headers; cookies: RequestCookie[]; jar: CookieJar },
  body: Uint8Array | undefined,
): Promise<HttpResponse | undefined> {
  const res = new HttpResponse();
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  res.url = url.href;
  const requestHeaders: Record<string, string[]> = {};
  headers.forEach((v, k) => requestHeaders[canonicalHeader(k)] = [v]);
  res.request = {
    method,
    url: cleanUrl(url),
    headers: requestHeaders,
    body: body === undefined ? "" : new TextDecoder().decode(body),
    cookies: Object.groupBy(cookies, (c) => c.name),
  };
  // Deno's fetch speaks HTTP/1.1 to http: URLs; over TLS it may negotiate h2, which it hides.
  const proto = url.protocol === "http:" ? "HTTP/1.1" : "";
  const sent =
    `${method} ${bare.pathname}${bare.search} HTTP/1.1\r\nHost: ${bare.host}\r\n`.length +
    headerBytes(headers) + (body?.byteLength ?? 0);
  let received = 0;
  let thrown: Error | undefined;
  const timeout = new AbortController();
  const signal = AbortSignal.any([timeout.signal, call.abandoned]);
  const timer = RAW_TIMERS.setTimeout(() => timeout.abort(), call.params.timeoutMs);
  const debug = httpDebugFor(call.vu);
  debug?.request(method, bare, headers, body);
  const start = performance.now();
  try {
    const response = await fetch(bare, {
      method,
      headers,
      body: body as BodyInit | undefined,
      redirect: "manual",
      signal,
    });
    const headersAt = performance.now();
    const bytes = new Uint8Array(await response.arrayBuffer());
    const end = performance.now();
    res.status = response.status;
    res.status_text = `${response.status} ${response.statusText}`.trim();
    res.proto = proto;
    res.headers = canonicalHeaders(response.headers);
    res.cookies = responseCookies(response.headers);
    for (const cookies of Object.values(res.cookies)) {
      for (const cookie of cookies) jar.store(url, cookie);
    }
    res.error_code = statusErrorCode(response.status);
    const type = call.params.responseType;
    res.body = type === "none"
      ? null
      : type === "binary"
      ? bytes.buffer as ArrayBuffer
      : new TextDecoder().decode(bytes);
    res.timings.waiting = headersAt - start;
    res.timings.receiving = end - headersAt;
    res.timings.duration = end - start;
    const statusLine = `${proto || "HTTP/1.1"} ${res.status_text}`;
    received = statusLine.length + 2 + headerBytes(response.headers) + bytes.byteLength;
    debug?.response(statusLine, response.headers, bytes);
  } catch (error) {
    if (call.abandoned.aborted) return undefined;
    const failure = timeout.signal.aborted ? REQUEST_TIMEOUT : failureOf(error);
    // With k6's `throw` option the failure is the script's exception (after its metrics);
    // without, k6's warning (its text has no credentials: the URL fetched has none), once per
    // distinct error, as the runner says repeated things.
    if (call.vu.services.options.throw === true) {
      thrown = new Error(`${method} "${cleanUrl(url)}": ${failure.message}`);
    } else call.vu.services.warn(`Request Failed error="${failure.message}"`);
    res.error = failure.message;
    res.error_code = failure.code;
    res.timings.duration = res.timings.waiting = performance.now() - start;
  } finally {
    RAW_TIMERS.clearTimeout(timer);
  }
  recordRequest(call.vu, res, call.params.tags, call.callback, { sent, received });
  if (thrown !== undefined) throw thrown;
  return res;
}
