/**
 * TCP and TLS transports over `Deno.connect` / `Deno.connectTls` (the only file that calls them).
 *
 * @module
 */

import type { Transport, TransportOptions } from "./transport.ts";

// Memory per connection matters (thousands of idle subscribers per process), so reads start in a
// small buffer and it doubles, up to MAX_READ_BUFFER, only while reads keep filling it.
const INITIAL_READ_BUFFER = 4096;
const MAX_READ_BUFFER = 65536;

/**
 * Opens a TCP (`tcp`) or TLS (`tls`) connection with `TCP_NODELAY`.
 *
 * @param options URL, TLS settings and abort signal.
 * @returns The open transport.
 * @throws {TypeError} When `tls.server_name` is combined with a client certificate (Deno's
 * `startTls`, the only way to verify another name, takes none).
 *
 * @example Usage
 * ```ts ignore
 * import { connectTcp } from "@mqload/mqload/client";
 * ```
 */
export async function connectTcp(options: TransportOptions): Promise<Transport> {
  const { url, tls, signal } = options;
  signal.throwIfAborted();
  let conn: Deno.Conn;
  if (url.transport === "tcp") {
    const tcp = await Deno.connect({ hostname: url.hostname, port: url.port, signal });
    tcp.setNoDelay(true);
    conn = tcp;
  } else {
    const caCerts = tls?.ca === undefined ? undefined : [tls.ca].flat();
    const common = {
      caCerts,
      alpnProtocols: tls?.alpn_protocols,
      unsafelyDisableHostnameVerification: tls?.insecure_skip_verify === true,
    };
    if (tls?.server_name !== undefined) {
      if (tls.cert !== undefined || tls.key !== undefined) {
        throw new TypeError(
          "Cannot connect with TLS: server_name cannot be combined with cert/key in Deno",
        );
      }
      const tcp = await Deno.connect({ hostname: url.hostname, port: url.port, signal });
      tcp.setNoDelay(true);
      conn = await Deno.startTls(tcp, { ...common, hostname: tls.server_name });
    } else {
      const certified = tls?.cert !== undefined && tls.key !== undefined
        ? { cert: tls.cert, key: tls.key }
        : {};
      conn = await Deno.connectTls({
        ...common,
        ...certified,
        hostname: url.hostname,
        port: url.port,
      });
    }
    try {
      // Surface certificate problems here, as a connect failure, not on the first read.
      await (conn as Deno.TlsConn).handshake();
    } catch (error) {
      conn.close();
      throw error;
    }
  }
  if (signal.aborted) {
    conn.close();
    signal.throwIfAborted();
  }
  return new DenoTransport(conn);
}

class DenoTransport implements Transport {
  #conn: Deno.Conn;
  #buffer = new Uint8Array(INITIAL_READ_BUFFER);
  #closed = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  async read(): Promise<Uint8Array | null> {
    let n: number | null;
    try {
      n = await this.#conn.read(this.#buffer);
    } catch (error) {
      if (this.#closed) return null;
      throw error;
    }
    if (n === null) return null;
    const chunk = this.#buffer.subarray(0, n);
    if (n === this.#buffer.length && n < MAX_READ_BUFFER) {
      // The caller is done with `chunk` before its next read, so the old buffer can go then.
      this.#buffer = new Uint8Array(n * 2);
    }
    return chunk;
  }

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      offset += await this.#conn.write(offset === 0 ? bytes : bytes.subarray(offset));
    }
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#conn.close();
      } catch {
        // Already closed by the peer: nothing left to release.
      }
    }
    return Promise.resolve();
  }
}
