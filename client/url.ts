/**
 * Broker URL parsing: scheme, host, port, WebSocket path and credentials, with a form that is safe
 * to show (no user name, no password).
 *
 * @module
 */

/** The wire a broker URL asks for. */
export type TransportKind = "tcp" | "tls" | "ws" | "wss";

/**
 * A parsed broker URL.
 *
 * @example Usage
 * ```ts
 * import { type BrokerUrl, parseBrokerUrl } from "@mqload/mqload/client";
 * const url: BrokerUrl = parseBrokerUrl("mqtt://localhost");
 * ```
 */
export interface BrokerUrl {
  /** The wire: plain TCP, TLS, WebSocket or secure WebSocket. */
  transport: TransportKind;
  /** Host name or IP address; IPv6 addresses without brackets. */
  hostname: string;
  /** Port, the scheme's default when the URL has none. */
  port: number;
  /** WebSocket path (`/mqtt` unless the URL names one); `""` for TCP and TLS. */
  path: string;
  /** User name from the URL, percent-decoded. */
  username?: string | undefined;
  /** Password from the URL, percent-decoded. */
  password?: string | undefined;
  /**
   * The URL without credentials and without the query string, for messages, logs and the `url`
   * metric tag.
   */
  href: string;
}

const SCHEMES: Record<string, { transport: TransportKind; port: number }> = {
  "mqtt:": { transport: "tcp", port: 1883 },
  "tcp:": { transport: "tcp", port: 1883 },
  "mqtts:": { transport: "tls", port: 8883 },
  "ssl:": { transport: "tls", port: 8883 },
  "tls:": { transport: "tls", port: 8883 },
  "ws:": { transport: "ws", port: 80 },
  "wss:": { transport: "wss", port: 443 },
};

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const EXPLICIT_PATH = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\/[^?#]/i;

/**
 * Parses a broker URL. Schemes: `mqtt:`/`tcp:` (TCP, port 1883), `mqtts:`/`ssl:`/`tls:` (TLS, port
 * 8883), `ws:`/`wss:` (WebSocket, ports 80/443, path `/mqtt` by default). A URL without a scheme
 * is taken as `mqtt://`, as xk6-mqtt does.
 *
 * @param input The URL, for example `"mqtts://user:secret@broker.example:8883"`.
 * @returns The parsed URL; `href` never contains the credentials nor the query string.
 * @throws {TypeError} When the URL is not a string, cannot be parsed, has an unsupported scheme
 * or has no host. The message never repeats the credentials.
 *
 * @example Usage
 * ```ts
 * import { parseBrokerUrl } from "@mqload/mqload/client";
 * import assert from "node:assert/strict";
 * const url = parseBrokerUrl("ws://user:secret@127.0.0.1:8080");
 * assert.equal(url.transport, "ws");
 * assert.equal(url.path, "/mqtt");
 * assert.equal(url.password, "secret");
 * assert.equal(url.href, "ws://127.0.0.1:8080/mqtt");
 * ```
 */
export function parseBrokerUrl(input: string): BrokerUrl {
  if (typeof input !== "string") {
    throw new TypeError(`Cannot parse broker URL: expected a string, got ${typeof input}`);
  }
  const text = HAS_SCHEME.test(input) ? input : `mqtt://${input}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`Cannot parse broker URL "${redact(input)}"`);
  }
  const scheme = SCHEMES[url.protocol];
  if (scheme === undefined) {
    throw new TypeError(
      `Cannot parse broker URL "${redact(input)}": unsupported scheme "${url.protocol}" ` +
        `(use mqtt:, tcp:, mqtts:, ssl:, tls:, ws: or wss:)`,
    );
  }
  if (url.hostname === "") {
    throw new TypeError(`Cannot parse broker URL "${redact(input)}": no host`);
  }
  const port = url.port === "" ? scheme.port : Number(url.port);
  const isWs = scheme.transport === "ws" || scheme.transport === "wss";
  const path = isWs ? (EXPLICIT_PATH.test(text) ? url.pathname + url.search : "/mqtt") : "";
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  // No query in href: WebSocket gateways often take tokens there (`?token=…`).
  const href = `${url.protocol}//${url.hostname}:${port}${isWs ? pathOnly(path) : ""}`;
  const parsed: BrokerUrl = {
    transport: scheme.transport,
    hostname,
    port,
    path,
    // The caller's string when it is the same text: thousands of clients given one URL then
    // share it instead of holding a copy each.
    href: href === input ? input : href,
  };
  if (url.username !== "") parsed.username = decodeURIComponent(url.username);
  if (url.password !== "") parsed.password = decodeURIComponent(url.password);
  return parsed;
}

/**
 * Drops the userinfo part of a URL-ish string, and its query, so error messages never carry
 * secrets. A URL that failed to parse may hold a password with an unescaped `/`, `?` or `#`, so
 * everything up to the last `@` goes, even when that over-redacts a path.
 */
function redact(input: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(input)?.[0] ?? "";
  let rest = input.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  if (at >= 0) rest = `***@${rest.slice(at + 1)}`;
  const query = rest.search(/[?#]/);
  if (query >= 0) rest = rest.slice(0, query);
  return scheme + rest;
}

/** The path of a WebSocket `path` (which may carry a query). */
function pathOnly(path: string): string {
  const query = path.indexOf("?");
  return query < 0 ? path : path.slice(0, query);
}
