/**
 * mqload: an MQTT 3.1.1 / 5.0 client for Deno with the API of k6's xk6-mqtt extension, a pure
 * packet codec (`@mqload/mqload/codec`) and a k6-compatible load-test runner
 * (`@mqload/mqload/runner`, `@mqload/mqload/cli`).
 *
 * The client connects over TCP (`mqtt://`, `tcp://`), TLS (`mqtts://`, `ssl://`, `tls://`) or
 * WebSocket (`ws://`, `wss://`); every call returns a Promise, events report state changes, and
 * the library has no dependencies.
 *
 * @example Usage
 * ```ts
 * import { Client, QoS } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 *
 * const client = new Client({ client_id: "sensor-1", protocol_version: 5 });
 * client.on("connect", () => client.subscribe("sensors/#", { qos: QoS.AtLeastOnce }));
 * client.on("message", (topic, payload) => console.log(topic, new TextDecoder().decode(payload)));
 * assert.equal(client.connected, false);
 * // await client.connect("mqtt://127.0.0.1:1883");
 * // await client.publish("sensors/1", "21.5", { qos: QoS.AtLeastOnce });
 * // await client.end();
 * ```
 *
 * @module
 */

// The package's front door is the client's: one list of exports, kept in client/mod.ts.
export * from "./client/mod.ts";
