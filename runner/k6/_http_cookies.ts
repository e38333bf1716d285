/**
 * A `k6/http` response's `cookies`: its `Set-Cookie` headers read as Go's `net/http` reads them
 * (`Response.Cookies()`), by name, in k6's shape (`lib/netext/httpext` `HTTPCookie`, fields in
 * snake case). The jar that sends them back is `_http_cookie_jar.ts`.
 *
 * @module
 */

/** One cookie as k6 shows it. */
export interface HttpCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  /** Seconds; 0 when not given, -1 for `Max-Age=0` or less (delete now), as Go's. */
  max_age: number;
  /** Epoch ms; Go's zero time's value when not given or not understood. */
  expires: number;
}

/** What Go's zero `time.Time` gives as `UnixNano() / 1e6`, k6's `expires` of no date. */
export const NO_EXPIRES = -6795364578871;

/**
 * The cookies a response sets, by name.
 *
 * @param headers The response's headers.
 * @returns k6's `res.cookies`.
 */
export function responseCookies(headers: Headers): Record<string, HttpCookie[]> {
  const cookies: Record<string, HttpCookie[]> = {};
  for (const line of headers.getSetCookie()) {
    const cookie = parseSetCookie(line);
    if (cookie !== undefined) (cookies[cookie.name] ??= []).push(cookie);
  }
  return cookies;
}

/** One `Set-Cookie` header, or undefined when it has no valid `name=value`. */
function parseSetCookie(line: string): HttpCookie | undefined {
  const [pair, ...attributes] = line.split(";").map((part) => part.trim());
  const equals = pair!.indexOf("=");
  if (equals <= 0) return undefined;
  const name = pair!.slice(0, equals).trim();
  let value = pair!.slice(equals + 1).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const cookie: HttpCookie = {
    name,
    value,
    domain: "",
    path: "",
    http_only: false,
    secure: false,
    max_age: 0,
    expires: NO_EXPIRES,
  };
  for (const attribute of attributes) {
    const at = attribute.indexOf("=");
    const key = (at === -1 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const val = at === -1 ? "" : attribute.slice(at + 1).trim();
    if (key === "httponly") cookie.http_only = true;
    else if (key === "secure") cookie.secure = true;
    else if (key === "domain") cookie.domain = val;
    else if (key === "path") cookie.path = val;
    else if (key === "max-age" && /^-?\d+$/.test(val) && !/^0\d/.test(val)) {
      const seconds = Number(val);
      cookie.max_age = seconds <= 0 ? -1 : seconds;
    } else if (key === "expires") {
      const at = Date.parse(val);
      if (Number.isFinite(at)) cookie.expires = at;
    }
  }
  return cookie;
}
