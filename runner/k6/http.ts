/**
 * The `k6/http` module over `fetch`: `get`, `post`, `put`, `patch`, `del`, `head`, `options`,
 * `request`, `batch`, `asyncRequest`, `setResponseCallback`, `expectedStatuses`, `url` (a
 * template naming its requests), `file` (a multipart form's file part) and cookie jars
 * (`cookieJar`, `CookieJar`: a VU's requests send back what its responses set), with k6's
 * `http_req_*` metrics, `http_reqs`, `data_sent`/`data_received` and tags.
 *
 * Every call returns a Promise (Deno cannot block a VU that shares its thread with others), as
 * `k6/x/mqtt`'s calls do: `const res = await http.get(url)` behaves as k6's `http.get(url)`. Not
 * awaited, a request still holds the iteration open until it ends, and one made after an un-awaited
 * `sleep()` starts when the sleep ends; but `res.status` of a Promise is undefined, so sync-style
 * scripts must add `await`. Network failures do not reject (unless k6's `throw` option is set): the
 * response carries k6's `error` and `error_code`. What `fetch` cannot measure (blocked, connecting,
 * TLS handshake, sending) is 0, as k6 reports for a reused connection; `insecureSkipTLSVerify`
 * cannot apply to `fetch` and is ignored with a warning.
 *
 * @example Usage
 * ```ts ignore
 * import http from "k6/http";
 * import { check } from "k6";
 *
 * export default async function () {
 *   const res = await http.get("http://127.0.0.1:8080/x", { tags: { name: "x" } });
 *   check(res, { "is 200": (r) => r.status === 200 });
 * }
 * ```
 *
 * @module
 */

import { currentVu } from "../worker/vu_context.ts";
import { perform } from "./_http_fetch.ts";
import {
  expectedStatuses,
  type HttpParams,
  readParams,
  type ResponseCallback,
  type StatusSpec,
} from "./_http_params.ts";
import { HttpResponse } from "./_http_response.ts";
import { runBounded } from "./_http_batch_lanes.ts";
import { requestsOf } from "./_http_in_flight.ts";
import { CookieJar, vuCookieJar } from "./_http_cookie_jar.ts";
import { file, FileData, TaggedUrl, url } from "./_http_values.ts";

export { expectedStatuses, file, FileData, TaggedUrl, url };
export type { HttpParams, ResponseCallback, StatusSpec };
export type { HttpResponse } from "./_http_response.ts";

/** k6's default: 200–399 are expected. */
const DEFAULT_CALLBACK: ResponseCallback = expectedStatuses({ min: 200, max: 399 });
/** k6's default `batch` option: requests of one `batch()` call in flight at once. */
const DEFAULT_BATCH = 20;
const DEFAULT_BATCH_PER_HOST = 6;

/**
 * Makes a request.
 *
 * @param method The HTTP method.
 * @param url The URL (`http://user:pass@host/` sends basic auth).
 * @param body A string, bytes, or an object sent as a form.
 * @param params Headers, tags, timeout, responseType, redirects, auth, responseCallback.
 * @returns The response; a failed request's has `error` and `error_code`.
 * @throws {TypeError} Outside a VU, on an invalid URL or params.
 *
 * @example Usage
 * ```ts ignore
 * import http from "k6/http";
 * const res = await http.request("PUT", "http://127.0.0.1:8080/a", "x", { timeout: "5s" });
 * ```
 */
export async function request(
  method: string,
  url: string | URL | TaggedUrl,
  body?: unknown,
  params?: HttpParams | null,
): Promise<HttpResponse> {
  const vu = currentVu("http.request()");
  const options = vu.services.options;
  const read = readParams(params, options.maxRedirects, options.discardResponseBodies === true);
  if (options.insecureSkipTLSVerify === true) {
    vu.services.warn(
      "insecureSkipTLSVerify does not apply to k6/http: Deno's fetch verifies certificates",
    );
  }
  // An http.url template names its requests, unless their params do.
  if (url instanceof TaggedUrl && read.tags.name === undefined) {
    read.tags = { ...read.tags, name: url.name };
  }
  const requests = requestsOf(vu);
  const callback = read.callback !== undefined
    ? read.callback
    : requests.callback !== undefined
    ? requests.callback
    : DEFAULT_CALLBACK;
  requests.count++;
  vu.track(requests);
  try {
    // k6's sleep() blocks: a request made after an un-awaited sleep starts when it ends.
    if (vu.sleepGate !== undefined) await vu.sleepGate;
    const abandoned = requests.abort.signal;
    const res = await perform({
      vu,
      method,
      url: String(url),
      body,
      params: read,
      callback,
      abandoned,
    });
    // Abandoned with its iteration: nothing is recorded, and a rejection nobody awaits would
    // only surface as a stray error, so it resolves as a failed response.
    return res ?? Object.assign(new HttpResponse(), { error: "request aborted", error_code: 1000 });
  } finally {
    requests.done();
  }
}

/** The same as {@linkcode request}, as k6's `http.asyncRequest`. */
export const asyncRequest: typeof request = request;

/**
 * `GET` a URL.
 *
 * @param url The URL.
 * @param params Request params.
 * @returns The response.
 *
 * @example Usage
 * ```ts ignore
 * const res = await http.get("http://127.0.0.1:8080/");
 * ```
 */
export function get(
  url: string | URL | TaggedUrl,
  params?: HttpParams | null,
): Promise<HttpResponse> {
  return request("GET", url, null, params);
}

/**
 * `HEAD` a URL.
 *
 * @param url The URL.
 * @param params Request params.
 * @returns The response (no body).
 *
 * @example Usage
 * ```ts ignore
 * const res = await http.head("http://127.0.0.1:8080/");
 * ```
 */
export function head(
  url: string | URL | TaggedUrl,
  params?: HttpParams | null,
): Promise<HttpResponse> {
  return request("HEAD", url, null, params);
}

/**
 * `POST` a body.
 *
 * @param url The URL.
 * @param body The body.
 * @param params Request params.
 * @returns The response.
 *
 * @example Usage
 * ```ts ignore
 * const res = await http.post(url, JSON.stringify({ a: 1 }), { headers: { "Content-Type": "application/json" } });
 * ```
 */
export function post(
  url: string | URL | TaggedUrl,
  body?: unknown,
  params?: HttpParams | null,
): Promise<HttpResponse> {
  return request("POST", url, body, params);
}

/**
 * `PUT` a body.
 *
 * @param url The URL.
 * @param body The body.
 * @param params Request params.
 * @returns The response.
 *
 * @example Usage
 * ```ts ignore
 * const res = await http.put(url, "x");
 * ```
 */
export function put(
  url: string | URL | TaggedUrl,
  body?: unknown,
  params?: HttpParams | null,
): Promise<HttpResponse> {
  return request("PUT", url, body, params);
}

/**
 * `PATCH` a body.
 *
 * @param url The URL.
 * @param body The body.
 * @param params Request params.
 * @returns The response.
 *
 * @example Usage
 * ```ts ignore
 * const res = await http.patch(url, "x");
 * ```
 */
export function patch(
  url: string | URL | TaggedUrl,
  body?: unknown,
  params?: HttpParams | null,
): Promise<HttpResponse> {
  return request("PATCH", url, body, params);
}

/**
 * `DELETE` (k6's name: `del`).
 *
 * @param url The URL.
 * @param body The body.
 * @param params Request params.
 * @returns The response.
 *
 * @example Usage
 * ```ts ignore
 * const res = await http.del(url);
 * ```
 */
export function del(
  url: string | URL | TaggedUrl,
  body?: unknown,
  params?: HttpParams | null,
): Promise<HttpResponse> {
  return request("DELETE", url, body, params);
}

/**
 * `OPTIONS` a URL.
 *
 * @param url The URL.
 * @param body The body.
 * @param params Request params.
 * @returns The response.
 *
 * @example Usage
 * ```ts ignore
 * const res = await http.options(url);
 * ```
 */
export function options(
  url: string | URL | TaggedUrl,
  body?: unknown,
  params?: HttpParams | null,
): Promise<HttpResponse> {
  return request("OPTIONS", url, body, params);
}

/** One request of {@linkcode batch}: a URL (GET), `[method, url, body, params]` or an object. */
export type BatchRequest =
  | string
  | TaggedUrl
  | [string, string | TaggedUrl, unknown?, HttpParams?]
  | { method?: string; url: string | TaggedUrl; body?: unknown; params?: HttpParams };

/** The host a batch request goes to, for `batchPerHost` ("" when its URL is not one yet). */
function hostOf(r: BatchRequest): string {
  const url = typeof r === "string" || r instanceof TaggedUrl ? r : Array.isArray(r) ? r[1] : r.url;
  try {
    return new URL(url instanceof TaggedUrl ? url.url : String(url)).host;
  } catch {
    return "";
  }
}

function batchOne(r: BatchRequest): Promise<HttpResponse> {
  if (typeof r === "string" || r instanceof TaggedUrl) return request("GET", r);
  if (Array.isArray(r)) return request(r[0], r[1], r[2], r[3]);
  return request(r.method ?? "GET", r.url, r.body, r.params);
}

/**
 * Makes requests in parallel: at most the `batch` option at once (20 by default), and at most
 * `batchPerHost` to one host (6 by default; 0 for no bound), as k6.
 *
 * @param requests An array or an object of requests.
 * @returns The responses, in the same shape.
 * @throws {TypeError} On a request that is not one.
 *
 * @example Usage
 * ```ts ignore
 * const [a, b] = await http.batch(["http://h/a", ["POST", "http://h/b", "x"]]);
 * ```
 */
export async function batch<T extends BatchRequest[] | Record<string, BatchRequest>>(
  requests: T,
): Promise<T extends BatchRequest[] ? HttpResponse[] : Record<string, HttpResponse>> {
  const vu = currentVu("http.batch()");
  const { batch, batchPerHost } = vu.services.options;
  const limit = Number(batch) > 0 ? Number(batch) : DEFAULT_BATCH;
  const perHost = typeof batchPerHost === "number" ? batchPerHost : DEFAULT_BATCH_PER_HOST;
  const entries = Object.entries(requests) as [string, BatchRequest][];
  const responses = await runBounded(
    entries,
    limit,
    perHost,
    ([, r]) => hostOf(r),
    ([, r]) => batchOne(r),
  );
  const results = entries.map(([key], i) => [key, responses[i]] as const);
  if (Array.isArray(requests)) {
    const out: HttpResponse[] = [];
    for (const [key, res] of results) out[Number(key)] = res;
    return out as never;
  }
  return Object.fromEntries(results) as never;
}

/**
 * Sets the VU's response callback: the statuses that count as expected in `http_req_failed`
 * and the `expected_response` tag; null records neither.
 *
 * @param callback From {@linkcode expectedStatuses}, or null.
 * @throws {TypeError} Outside a VU.
 *
 * @example Usage
 * ```ts ignore
 * http.setResponseCallback(http.expectedStatuses(200, 404));
 * ```
 */
export function setResponseCallback(callback: ResponseCallback | null): void {
  requestsOf(currentVu("http.setResponseCallback()")).callback = callback;
}

/**
 * The VU's cookie jar: the cookies of its iteration's responses, sent back with its requests
 * (emptied before each iteration unless the `noCookiesReset` option is set).
 *
 * @returns The jar.
 * @throws {TypeError} Outside a VU.
 *
 * @example Usage
 * ```ts ignore
 * http.cookieJar().set("http://127.0.0.1:8080/", "session", "abc");
 * ```
 */
export function cookieJar(): CookieJar {
  return vuCookieJar(currentVu("http.cookieJar()"));
}

export { CookieJar };

export default {
  CookieJar,
  cookieJar,
  request,
  asyncRequest,
  get,
  head,
  post,
  put,
  patch,
  del,
  options,
  batch,
  setResponseCallback,
  expectedStatuses,
  url,
  file,
};
