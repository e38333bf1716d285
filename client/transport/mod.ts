/**
 * The byte pipe under a client: the {@linkcode Transport} interface, Deno's TCP and TLS
 * ({@linkcode connectTcp}), WebSocket ({@linkcode connectWebSocket}), and
 * {@linkcode openTransport}, which picks one by the URL's scheme.
 *
 * @example Usage
 * ```ts
 * import type { Transport } from "@mqload/mqload/client";
 * import assert from "node:assert/strict";
 * // An in-memory transport, as tests plug in: the client never knows which one it runs over.
 * const transport: Transport = {
 *   read: () => Promise.resolve(null),
 *   write: () => Promise.resolve(),
 *   close: () => Promise.resolve(),
 * };
 * assert.equal(await transport.read(), null);
 * ```
 *
 * @module
 */

export {
  openTransport,
  type TlsOptions,
  type Transport,
  type TransportFactory,
  type TransportOptions,
  type TransportReader,
  type TransportWriter,
} from "./transport.ts";
export { connectTcp } from "./deno.ts";
export { connectWebSocket } from "./websocket.ts";
