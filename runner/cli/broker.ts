/**
 * An embedded MQTT broker (aedes) for demos, examples and tests: `mqload` can run a script with no
 * external broker, and tests get a real, independent MQTT 3.1.1 implementation on the other end.
 *
 * aedes speaks MQTT 3.1 and 3.1.1 only (protocol levels 3 and 4); use mosquitto for MQTT 5.
 *
 * @module
 */

import { Aedes } from "aedes";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createWebSocketStream, WebSocketServer } from "ws";

/** Options of {@linkcode startBroker}. */
export interface BrokerOptions {
  /** TCP port for plain MQTT; `0` (the default) picks a free port. */
  port?: number;
  /** Address to listen on (default `"127.0.0.1"`). */
  hostname?: string;
  /** Also serve MQTT over WebSocket on a second free port, on any path (default `false`). */
  websocket?: boolean;
}

/** A running embedded broker, returned by {@linkcode startBroker}. */
export interface Broker {
  /** The TCP port of the MQTT listener. */
  port: number;
  /** The port of the WebSocket listener, when `websocket` was requested. */
  wsPort?: number;
  /** `mqtt://host:port` of the TCP listener. */
  url: string;
  /** `ws://host:port/mqtt` of the WebSocket listener, when `websocket` was requested. */
  wsUrl?: string;
  /** Disconnects every client and closes the listeners and the broker. */
  close(): Promise<void>;
}

/**
 * Starts an aedes MQTT broker on loopback.
 *
 * @param options Port, hostname and whether to serve WebSocket too.
 * @returns The running broker with its URLs and a `close()` that releases every resource.
 * @throws {RangeError} When `port` is not an integer in 0..65535.
 *
 * @example Usage
 * ```ts ignore
 * import { startBroker } from "@mqload/mqload/runner";
 * import { Client } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 *
 * const broker = await startBroker({ websocket: true });
 * const client = new Client();
 * await client.connect(broker.url);
 * assert.ok(client.connected);
 * await client.end();
 * await broker.close();
 * ```
 */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot start broker: port must be an integer in 0..65535, got ${port}`);
  }
  const hostname = options.hostname ?? "127.0.0.1";
  const aedes = await Aedes.createBroker();
  // A client that vanishes mid-packet is routine in load tests; keep the broker quiet and alive.
  aedes.on("clientError", () => {});
  aedes.on("connectionError", () => {});

  const sockets = new Set<Socket>();
  const tcp = createNetServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    aedes.handle(socket);
  });
  const tcpPort = await listen(tcp, port, hostname);

  let http: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  let wsPort: number | undefined;
  if (options.websocket) {
    http = createHttpServer();
    // No `path`: any request path is accepted, as clients differ on `/mqtt` vs `/`.
    wss = new WebSocketServer({ server: http });
    wss.on("connection", (ws, req) => {
      const stream = createWebSocketStream(ws);
      stream.on("error", () => {});
      aedes.handle(stream, req);
    });
    wss.on("error", () => {});
    wsPort = await listen(http, 0, hostname);
  }

  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  let closing: Promise<void> | undefined;
  return {
    port: tcpPort,
    wsPort,
    url: `mqtt://${host}:${tcpPort}`,
    wsUrl: wsPort === undefined ? undefined : `ws://${host}:${wsPort}/mqtt`,
    close(): Promise<void> {
      closing ??= (async () => {
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        const done: Promise<void>[] = [closeServer(tcp)];
        if (wss && http) {
          for (const ws of wss.clients) ws.terminate();
          const server = wss;
          done.push(new Promise<void>((resolve) => server.close(() => resolve())));
          http.closeAllConnections();
          done.push(closeServer(http));
        }
        await Promise.all(done);
      })();
      return closing;
    },
  };
}

function listen(server: NetServer | HttpServer, port: number, hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
