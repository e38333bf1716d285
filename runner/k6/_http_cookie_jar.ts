/**
 * k6's cookie jars (`http.CookieJar`, `http.cookieJar()`): the cookies responses set, kept as
 * Go's `net/http/cookiejar` keeps them (RFC 6265: host-only or domain cookies, default paths,
 * expiry, `Secure`), and sent back with the requests they match. Each VU has one, emptied before
 * each iteration unless the `noCookiesReset` option is set, as k6's.
 *
 * @module
 */

import type { VuState } from "../worker/vu_context.ts";
import { type HttpCookie, NO_EXPIRES } from "./_http_cookies.ts";

/** A cookie in a jar. */
export interface JarCookie {
  name: string;
  value: string;
  domain: string;
  /** Sent to `domain` itself only, not its subdomains (no `Domain` attribute). */
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** Epoch ms; Infinity for a session cookie. */
  expires: number;
  /** Order of creation, for equal path lengths. */
  created: number;
}

/** `set()`'s options, as k6's `CookieJar.set`. */
export interface CookieOptions {
  domain?: string;
  path?: string;
  /** An RFC 1123 date (`Mon, 02 Jan 2006 15:04:05 GMT`). */
  expires?: string;
  /** Seconds; 0 for none, below 0 deletes it. */
  max_age?: number;
  secure?: boolean;
  http_only?: boolean;
}

let created = 0;

/**
 * A cookie jar, as k6's `http.CookieJar`.
 *
 * @example Usage
 * ```ts
 * import { CookieJar } from "./_http_cookie_jar.ts";
 * import assert from "node:assert/strict";
 *
 * const jar = new CookieJar();
 * jar.set("http://shop.test/cart", "session", "abc");
 * assert.deepEqual(jar.cookiesForURL("http://shop.test/cart/items"), { session: ["abc"] });
 * assert.deepEqual(jar.cookiesForURL("http://other.test/"), {});
 * ```
 */
export class CookieJar {
  #entries: JarCookie[] = [];

  /**
   * The cookies a request to `url` would carry, by name.
   *
   * @param url The URL.
   * @returns Each name's values.
   */
  cookiesForURL(url: string | URL): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.matching(new URL(String(url)))) (out[c.name] ??= []).push(c.value);
    return out;
  }

  /**
   * Sets a cookie as a response from `url` would (k6's `set`: option names in any case,
   * `expires` in RFC 1123 form, `max_age` 0 for none and below 0 to delete).
   *
   * @param url The URL it comes from.
   * @param name Its name.
   * @param value Its value.
   * @param options Its attributes.
   * @returns true, as k6's.
   * @throws {Error} On an `expires` that is not an RFC 1123 date.
   */
  set(url: string | URL, name: string, value: string, options: CookieOptions = {}): boolean {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options ?? {})) o[k.toLowerCase()] = v;
    let expires = NaN;
    if (o.expires !== undefined && o.expires !== null && String(o.expires) !== "") {
      const text = String(o.expires);
      expires = RFC1123.test(text) ? Date.parse(text) : NaN;
      if (!Number.isFinite(expires)) {
        throw new Error(`unable to parse "expires" date string "${text}" (expected RFC 1123)`);
      }
    }
    const maxAge = Math.trunc(Number(o.max_age ?? 0)) || 0;
    this.store(new URL(String(url)), {
      name,
      value: String(value),
      domain: o.domain === undefined ? "" : String(o.domain),
      path: o.path === undefined ? "" : String(o.path),
      http_only: o.http_only === true,
      secure: o.secure === true,
      max_age: maxAge < 0 ? -1 : maxAge,
      expires,
    });
    return true;
  }

  /**
   * Deletes the cookies a request to `url` would carry, as k6's `clear`: it sets each again,
   * expired, as a response from `url` would, so only those of its host and default path go.
   *
   * @param url The URL.
   */
  clear(url: string | URL): void {
    const u = new URL(String(url));
    for (const c of this.matching(u)) this.#expire(u, c.name);
  }

  /**
   * Deletes the cookie `name`, as k6's `delete`: set again, expired, as from `url`.
   *
   * @param url The URL.
   * @param name The name.
   * @throws {Error} On an empty name.
   */
  delete(url: string | URL, name: string): void {
    if (name === "" || name === undefined || name === null) throw new Error("cookie: is null");
    this.#expire(new URL(String(url)), name);
  }

  #expire(url: URL, name: string): void {
    const blank = { value: "", domain: "", path: "", http_only: false, secure: false };
    this.store(url, { name, ...blank, max_age: -1, expires: NaN });
  }

  /** Keeps a cookie a response from `url` set (Go's `Jar.SetCookies`); ignores an invalid one. */
  store(url: URL, cookie: HttpCookie): void {
    const host = hostOf(url);
    let domain = cookie.domain;
    let hostOnly = domain === "";
    // Go's domainAndType: an IP address sets cookies for itself alone, a name for its parents.
    if (hostOnly) domain = host;
    else if (isIp(host)) {
      if (domain !== host) return;
      hostOnly = true;
    } else {
      if (domain.startsWith(".")) domain = domain.slice(1);
      domain = domain.toLowerCase();
      if (domain === "" || domain.startsWith(".") || domain.endsWith(".")) return;
      if (host !== domain && !host.endsWith(`.${domain}`)) return;
    }
    const path = cookie.path.startsWith("/") ? cookie.path : defaultPath(pathOf(url));
    const now = Date.now();
    const expires = cookie.max_age < 0
      ? -Infinity
      : cookie.max_age > 0
      ? now + cookie.max_age * 1000
      : Number.isFinite(cookie.expires) && cookie.expires !== NO_EXPIRES
      ? cookie.expires
      : Infinity;
    const at = this.#entries.findIndex((c) =>
      c.name === cookie.name && c.domain === domain && c.path === path
    );
    const old = at === -1 ? undefined : this.#entries.splice(at, 1)[0];
    if (expires <= now) return;
    this.#entries.push({
      name: cookie.name,
      value: cookie.value,
      domain,
      hostOnly,
      path,
      secure: cookie.secure,
      httpOnly: cookie.http_only,
      expires,
      created: old?.created ?? created++,
    });
  }

  /** The cookies for `url`, longest path first, then oldest first (RFC 6265 5.4). */
  matching(url: URL): JarCookie[] {
    const host = hostOf(url);
    const path = pathOf(url);
    const secure = url.protocol === "https:" || url.protocol === "wss:";
    const now = Date.now();
    this.#entries = this.#entries.filter((c) => c.expires > now);
    return this.#entries
      .filter((c) =>
        (c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`)) &&
        pathMatch(path, c.path) && (!c.secure || secure)
      )
      .sort((a, b) => b.path.length - a.path.length || a.created - b.created);
  }
}

// Go's time.RFC1123, the form k6's `set` reads `expires` in: "Mon, 02 Jan 2006 15:04:05 MST".
const RFC1123 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [A-Z]{3,4}$/;

/** The URL's host as Go's jar compares it: lower case, an IPv6 address without brackets. */
function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

/** The URL's path decoded, as Go's `URL.Path` (cookie paths are compared with it). */
function pathOf(url: URL): string {
  try {
    return decodeURIComponent(url.pathname) || "/";
  } catch {
    return url.pathname || "/";
  }
}

function isIp(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(":");
}

/** RFC 6265 5.1.4: the request path's directory. */
function defaultPath(path: string): string {
  if (!path.startsWith("/")) return "/";
  const last = path.lastIndexOf("/");
  return last <= 0 ? "/" : path.slice(0, last);
}

function pathMatch(path: string, cookiePath: string): boolean {
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || path[cookiePath.length] === "/";
}

const jars = new WeakMap<VuState, { iteration: number; jar: CookieJar }>();

/**
 * The VU's active jar (k6's `http.cookieJar()`): a new one for each iteration, unless the
 * `noCookiesReset` option keeps one for the VU's life.
 *
 * @example Usage
 * ```ts ignore
 * const jar = vuCookieJar(vu);
 * ```
 *
 * @param vu The VU.
 * @returns Its jar.
 */
export function vuCookieJar(vu: VuState): CookieJar {
  const held = jars.get(vu);
  const keep = vu.services.options.noCookiesReset === true;
  if (held !== undefined && (keep || held.iteration === vu.iteration)) return held.jar;
  const jar = new CookieJar();
  jars.set(vu, { iteration: vu.iteration, jar });
  return jar;
}
