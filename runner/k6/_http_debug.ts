/**
 * k6's `httpDebug` (`--http-debug`): each hop's request and response logged as k6 logs them
 * (`Request:` / `Response:` and the message in HTTP/1.1 form, with a `request_id` shared by the
 * two), bodies only with `"full"`. Credentials are masked: an `Authorization` header shows its
 * scheme only, as URLs show no password; cookies show, as in k6's.
 *
 * @module
 */

import type { VuState } from "../worker/vu_context.ts";
import { httpDebugMode } from "../config/k6_http_options.ts";
import { canonicalHeader } from "./_http_response.ts";

const SECRET_HEADERS = new Set(["authorization", "proxy-authorization"]);

/** One hop's debug log, or undefined when `httpDebug` is off. */
export interface HttpDebug {
  request(method: string, url: URL, headers: Headers, body: Uint8Array | undefined): void;
  response(statusLine: string, headers: Headers, body: Uint8Array): void;
}

/**
 * The debug log of one hop for `vu`, when its options ask for one.
 *
 * @example Usage
 * ```ts ignore
 * const debug = httpDebugFor(vu);
 * debug?.request("GET", url, headers, undefined);
 * ```
 *
 * @param vu The VU making the request.
 * @returns The log, or undefined.
 */
export function httpDebugFor(vu: VuState): HttpDebug | undefined {
  const mode = httpDebugMode(vu.services.options.httpDebug);
  const log = vu.services.log;
  if (mode === "" || log === undefined) return undefined;
  const full = mode === "full";
  const source = `request_id=${crypto.randomUUID()}`;
  const say = (what: string, head: string, headers: Headers, body: Uint8Array | undefined) => {
    let text = `${what}:\n${head}\n${lines(headers)}\n`;
    if (full && body !== undefined && body.byteLength > 0) {
      text += new TextDecoder().decode(body) + "\n";
    }
    log.call(vu.services, { level: "info", text, source });
  };
  return {
    request(method, url, headers, body) {
      const sent = new Headers(headers);
      sent.set("host", url.host);
      if (body !== undefined) sent.set("content-length", String(body.byteLength));
      say("Request", `${method} ${url.pathname}${url.search} HTTP/1.1`, sent, body);
    },
    response(statusLine, headers, body) {
      say("Response", statusLine, headers, body);
    },
  };
}

function lines(headers: Headers): string {
  let out = "";
  headers.forEach((value, name) => {
    const shown = SECRET_HEADERS.has(name) ? `${value.split(" ")[0]} ****` : value;
    out += `${canonicalHeader(name)}: ${shown}\n`;
  });
  return out;
}
