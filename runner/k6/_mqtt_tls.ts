/**
 * TLS settings for `k6/x/mqtt` clients from k6's test options. xk6-mqtt has no TLS options of
 * its own: it uses k6's (`insecureSkipTLSVerify`, `tlsAuth`), so a client the script gives no
 * `tls` gets them from there. Deno can only skip the host name check, not the chain's: trust a
 * private CA with `DENO_CERT`.
 *
 * @module
 */

import type { TlsOptions } from "../../client/mod.ts";

/** One entry of k6's `tlsAuth` option: a client certificate for some domains (or all). */
interface TlsAuth {
  domains?: string[];
  cert: string;
  key: string;
}

/**
 * The client's TLS options from k6's test options, or `undefined` when they set none.
 *
 * @param options k6's test options.
 * @param hostname The broker's host name, to pick the `tlsAuth` entry listing it; `undefined`
 * picks an entry for all domains (one with no `domains`).
 */
export function k6Tls(
  options: Readonly<Record<string, unknown>>,
  hostname: string | undefined,
): TlsOptions | undefined {
  const tls: TlsOptions = {};
  if (options.insecureSkipTLSVerify === true) tls.insecure_skip_verify = true;
  const auth = Array.isArray(options.tlsAuth) ? options.tlsAuth as TlsAuth[] : [];
  const match = auth.find((a) =>
    typeof a?.cert === "string" && typeof a.key === "string" &&
    (hostname === undefined
      ? !Array.isArray(a.domains) || a.domains.length === 0
      : Array.isArray(a.domains) && a.domains.includes(hostname))
  );
  if (match !== undefined) {
    tls.cert = match.cert;
    tls.key = match.key;
  }
  return Object.keys(tls).length > 0 ? tls : undefined;
}

/** The host name of a broker URL (`host:port` taken as `mqtt://host:port`), without brackets. */
export function hostnameOf(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    return new URL(url.includes("://") ? url : `mqtt://${url}`).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return undefined;
  }
}
