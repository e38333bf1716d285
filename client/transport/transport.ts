/**
 * The byte pipe under a client: read chunks, write bytes, close. The client never knows whether it
 * runs over TCP, TLS or WebSocket; tests plug in an in-memory one.
 *
 * @module
 */

import type { BrokerUrl } from "../url.ts";
import type { Clock } from "../clock.ts";
import { connectTcp } from "./deno.ts";
import { connectWebSocket } from "./websocket.ts";

/**
 * A connected byte stream to a broker.
 *
 * @example Usage
 * ```ts
 * import type { Transport } from "@mqload/mqload/client";
 * // A transport that reads nothing and swallows writes.
 * const transport: Transport = {
 *   read: () => Promise.resolve(null),
 *   write: () => Promise.resolve(),
 *   close: () => Promise.resolve(),
 * };
 * ```
 */
export interface Transport {
  /**
   * Reads the next chunk of bytes.
   *
   * @param eager The client waits for acknowledgements: read as soon as bytes arrive, without
   * the batching pause a transport may take under a sustained trickle of small reads. Optional
   * for transports to honour.
   * @param packets How many whole packets the previous chunk completed, so that a transport
   * can tell whether a batching pause gathered anything. Optional for transports to use.
   * @returns The chunk, valid only until the next `read()` (the transport may reuse its buffer),
   * or `null` at the end of the stream. Rejects when the connection fails.
   */
  read(eager?: boolean, packets?: number): Promise<Uint8Array | null>;
  /**
   * Writes all of `bytes` (handling partial writes).
   *
   * @param bytes The bytes to send; not retained after the promise settles.
   * @returns Resolves once the bytes are handed to the operating system (or the WebSocket), so
   * awaiting it applies back-pressure. Rejects when the connection fails.
   */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Closes the connection; a pending `read()` then resolves `null` or rejects. Idempotent.
   *
   * @returns Resolves once the connection's resources are released.
   */
  close(): Promise<void>;
  /**
   * Optional: reads the next chunk as `read()` does, but hands it to `reader` instead of settling
   * a promise of its own. A transport over a promise-based socket then chains one callback on the
   * socket's promise where `read().then()` chains two: a promise and a microtask less per read.
   *
   * @param reader Gets the chunk (valid until the next read), `null` at the end of the stream,
   * or the error the connection failed with.
   * @param eager As for `read()`.
   * @param packets As for `read()`.
   */
  readTo?(reader: TransportReader, eager?: boolean, packets?: number): void;
  /**
   * Optional: writes all of `bytes` as `write()` does, then calls `writer` back. Only one such
   * write is in flight at a time (the client waits for the callback before the next).
   *
   * @param bytes The bytes to send; not retained after the callback.
   * @param writer Told when the bytes are handed to the operating system, or the error.
   */
  writeTo?(bytes: Uint8Array, writer: TransportWriter): void;
  /**
   * Optional: `performance.now()` as the last chunk was read, for the client to time what the
   * chunk holds without reading the clock again (see `Clock.fromPerformance`). Read while that
   * chunk is handled; at other times it may hold an older reading.
   */
  readonly readAt?: number;
}

/**
 * Where a transport's `readTo()` hands what it read.
 *
 * @example Usage
 * ```ts
 * import type { TransportReader } from "@mqload/mqload/client";
 * const reader: TransportReader = {
 *   chunk: (chunk) => console.log(chunk === null ? "end" : `${chunk.length} bytes`),
 *   failed: (error) => console.error(error),
 * };
 * ```
 */
export interface TransportReader {
  /** A chunk was read (valid until the next read), or `null`: the stream ended. */
  chunk(chunk: Uint8Array | null): void;
  /** The read failed: the connection is lost. */
  failed(error: unknown): void;
}

/**
 * Where a transport's `writeTo()` reports the write.
 *
 * @example Usage
 * ```ts
 * import type { TransportWriter } from "@mqload/mqload/client";
 * const writer: TransportWriter = {
 *   written: () => console.log("written"),
 *   failed: (error) => console.error(error),
 * };
 * ```
 */
export interface TransportWriter {
  /** Every byte was handed to the operating system (or the WebSocket). */
  written(): void;
  /** The write failed: the connection is lost. */
  failed(error: unknown): void;
}

/**
 * TLS settings for `mqtts:`, `ssl:` and `tls:` URLs.
 *
 * @example Usage
 * ```ts
 * import type { TlsOptions } from "@mqload/mqload";
 * const tls: TlsOptions = { ca: "-----BEGIN CERTIFICATE-----\n…", server_name: "broker.local" };
 * ```
 */
export interface TlsOptions {
  /** PEM certificate(s) of the authorities to trust, in addition to the system roots. */
  ca?: string | string[] | undefined;
  /** PEM client certificate chain, for mutual TLS (needs `key`). */
  cert?: string | undefined;
  /** PEM private key of `cert`. */
  key?: string | undefined;
  /**
   * The name to verify the broker's certificate against, when it differs from the URL's host
   * (for example when connecting by IP address). Cannot be combined with `cert`/`key` under
   * Deno: `connect()` then rejects with an `MqttError` of code `"invalid"`.
   */
  server_name?: string | undefined;
  /**
   * Skips the check that the certificate matches the host name. Deno offers no per-connection
   * switch to skip chain verification: the chain is still checked against the system roots and
   * `ca` unless Deno runs with `--unsafely-ignore-certificate-errors`.
   */
  insecure_skip_verify?: boolean | undefined;
  /** ALPN protocols to offer, for brokers behind an ALPN-routing gateway. */
  alpn_protocols?: string[] | undefined;
}

/**
 * What a {@linkcode TransportFactory} receives.
 *
 * @example Usage
 * ```ts
 * import { parseBrokerUrl, type TransportOptions } from "@mqload/mqload/client";
 * const options: TransportOptions = {
 *   url: parseBrokerUrl("mqtt://127.0.0.1:1883"),
 *   signal: new AbortController().signal,
 * };
 * ```
 */
export interface TransportOptions {
  /** Where to connect. */
  url: BrokerUrl;
  /** TLS settings for `tls` and `wss` URLs. */
  tls?: TlsOptions | undefined;
  /** Aborted when the connect timeout expires or the client is ended. */
  signal: AbortSignal;
  /**
   * The client's clock: a transport's own timers (the TCP transport's read pauses) go through
   * it, so that a host that holds the global timers' callbacks back (the runner's VUs, while
   * they block) does not hold the connection's reads with them. Default: the global timers.
   */
  clock?: Clock | undefined;
}

/**
 * Opens a transport. The client's default opens TCP, TLS and WebSocket connections; tests and
 * special environments pass their own through the `transport` client option.
 *
 * @example Usage
 * ```ts
 * import type { TransportFactory } from "@mqload/mqload/client";
 * const refuse: TransportFactory = () => Promise.reject(new Error("offline"));
 * ```
 */
export type TransportFactory = (options: TransportOptions) => Promise<Transport>;

/**
 * The default {@linkcode TransportFactory}: `Deno.connect` / `Deno.connectTls` for `tcp`/`tls`
 * URLs, the web `WebSocket` (subprotocol `mqtt`) for `ws`/`wss` URLs.
 *
 * @param options The URL, TLS settings and abort signal.
 * @returns The open transport.
 * @throws {TypeError} When TLS options are given for a `wss:` URL (the web WebSocket takes none).
 *
 * @example Usage
 * ```ts ignore
 * import { openTransport, parseBrokerUrl } from "@mqload/mqload/client";
 * const transport = await openTransport({
 *   url: parseBrokerUrl("mqtt://127.0.0.1:1883"),
 *   signal: AbortSignal.timeout(1000),
 * });
 * await transport.close();
 * ```
 */
export function openTransport(options: TransportOptions): Promise<Transport> {
  const kind = options.url.transport;
  return kind === "tcp" || kind === "tls" ? connectTcp(options) : connectWebSocket(options);
}
