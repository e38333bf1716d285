/**
 * k6's cookie jars (`http.CookieJar`, `http.cookieJar()`): the cookies responses set, kept as
 * Go's `net/http/cookiejar` keeps them (RFC 6265: host-only or domain cookies, default paths,
 * expiry, `Secure`), and sent back with the requests they match. Each VU has one, emptied before
 * each iteration unless the `noCookiesReset` option is set, as k6's.
 *
 * @module
 */

import type { VuState } from "../worker/vu_context.ts";
import type { HttpCookie } from "./_http_cookies.ts";

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
  /** A date as `Set-Cookie` gives it. */
  expires?: string;
  /** Seconds; 0 or less deletes it. */
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
   * Sets a cookie as a response from `url` would.
   *
   * @param url The URL it comes from.
   * @param name Its name.
   * @param value Its value.
   * @param options Its attributes.
   */
  set(url: string | URL, name: string, value: string, options: CookieOptions = {}): void {
    const expires = options.expires === undefined ? NaN : Date.parse(options.expires);
    this.store(new URL(String(url)), {
      name,
      value: String(value),
      domain: options.domain ?? "",
      path: options.path ?? "",
      http_only: options.http_only === true,
      secure: options.secure === true,
      max_age: options.max_age === undefined ? 0 : options.max_age <= 0 ? -1 : options.max_age,
      expires: Number.isFinite(expires) ? expires : NaN,
    });
  }

  /**
   * Deletes every cookie a request to `url` would carry.
   *
   * @param url The URL.
   */
  clear(url: string | URL): void {
    const gone = new Set(this.matching(new URL(String(url))));
    this.#entries = this.#entries.filter((c) => !gone.has(c));
  }

  /**
   * Deletes the cookie named `name` that a request to `url` would carry.
   *
   * @param url The URL.
   * @param name The name.
   */
  delete(url: string | URL, name: string): void {
    const gone = new Set(this.matching(new URL(String(url))).filter((c) => c.name === name));
    this.#entries = this.#entries.filter((c) => !gone.has(c));
  }

  /** Keeps a cookie a response from `url` set (Go's `Jar.SetCookies`); ignores an invalid one. */
  store(url: URL, cookie: HttpCookie): void {
    const host = url.hostname.toLowerCase();
    let domain = cookie.domain.toLowerCase();
    let hostOnly = domain === "";
    if (hostOnly) domain = host;
    else {
      if (domain.startsWith(".")) domain = domain.slice(1);
      if (domain === "" || domain.endsWith(".") || domain.startsWith(".")) return;
      // An IP address only sets cookies for itself; a name, for itself and its parents.
      if (isIp(host)) {
        if (domain !== host) return;
        hostOnly = true;
      } else if (host !== domain && !host.endsWith(`.${domain}`)) return;
    }
    const path = cookie.path.startsWith("/") ? cookie.path : defaultPath(url.pathname);
    const now = Date.now();
    const expires = cookie.max_age < 0
      ? -Infinity
      : cookie.max_age > 0
      ? now + cookie.max_age * 1000
      : Number.isFinite(cookie.expires) && cookie.expires > -6e12
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
    const host = url.hostname.toLowerCase();
    const path = url.pathname || "/";
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

function isIp(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith("[");
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
