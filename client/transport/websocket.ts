/**
 * MQTT over WebSocket (subprotocol `mqtt`, binary frames) with the web `WebSocket`.
 *
 * @module
 */

import type { Transport, TransportOptions } from "./transport.ts";

/**
 * Opens a WebSocket (`ws`) or secure WebSocket (`wss`) connection with subprotocol `mqtt`.
 *
 * @param options URL, TLS settings and abort signal.
 * @returns The open transport.
 * @throws {TypeError} When TLS options are given: the web WebSocket takes none (`wss:` trusts the
 * system roots, plus Deno's `--cert` / `DENO_CERT`).
 *
 * @example Usage
 * ```ts ignore
 * import { connectWebSocket, parseBrokerUrl } from "@mqload/mqload/client";
 * const transport = await connectWebSocket({
 *   url: parseBrokerUrl("ws://127.0.0.1:8080/mqtt"),
 *   signal: AbortSignal.timeout(1000),
 * });
 * await transport.close();
 * ```
 */
export function connectWebSocket(options: TransportOptions): Promise<Transport> {
  const { url, tls, signal } = options;
  if (tls !== undefined && Object.values(tls).some((value) => value !== undefined)) {
    throw new TypeError(
      "Cannot connect over WebSocket with tls options: Deno's WebSocket takes none " +
        "(use --cert or DENO_CERT for a private CA)",
    );
  }
  signal.throwIfAborted();
  const host = url.hostname.includes(":") ? `[${url.hostname}]` : url.hostname;
  const scheme = url.transport === "wss" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${host}:${url.port}${url.path}`, "mqtt");
  ws.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      ws.onclose = () => reject(signal.reason);
      ws.close();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    ws.onopen = () => {
      signal.removeEventListener("abort", onAbort);
      resolve(new WebSocketTransport(ws));
    };
    ws.onclose = (event) => {
      signal.removeEventListener("abort", onAbort);
      reject(new Error(`WebSocket connection to ${url.href} failed (close code ${event.code})`));
    };
  });
}

class WebSocketTransport implements Transport {
  #ws: WebSocket;
  #chunks: ArrayBuffer[] = [];
  #reader?:
    | { resolve(chunk: Uint8Array | null): void; reject(error: unknown): void }
    | undefined;
  #error?: Error | undefined;
  #ended = false;
  #closed: Promise<void>;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#closed = promise;
    ws.onmessage = (event: MessageEvent) => {
      const data = event.data;
      if (!(data instanceof ArrayBuffer)) return; // MQTT is binary-only; text frames are noise.
      const reader = this.#reader;
      if (reader) {
        this.#reader = undefined;
        reader.resolve(new Uint8Array(data));
      } else {
        this.#chunks.push(data);
      }
    };
    ws.onerror = () => {
      this.#error ??= new Error("WebSocket error");
    };
    ws.onclose = () => {
      this.#ended = true;
      const reader = this.#reader;
      this.#reader = undefined;
      if (reader && this.#error) reader.reject(this.#error);
      else reader?.resolve(null);
      resolve();
    };
  }

  read(): Promise<Uint8Array | null> {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) return Promise.resolve(new Uint8Array(chunk));
    if (this.#ended) return this.#error ? Promise.reject(this.#error) : Promise.resolve(null);
    const { promise, resolve, reject } = Promise.withResolvers<Uint8Array | null>();
    this.#reader = { resolve, reject };
    return promise;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(this.#error ?? new Error("WebSocket is closed"));
    }
    this.#ws.send(bytes);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.#ended) this.#ws.close();
    return this.#closed;
  }
}
