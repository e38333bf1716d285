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

export { Client } from "./client/client.ts";
export { ClientEventTarget } from "./client/event_target.ts";
export {
  type AuthChallenge,
  type AuthHandler,
  type ClientOptions,
  type ConnectOptions,
  type Credentials,
  type CredentialsProvider,
  type EndOptions,
  type LatencyStamp,
  type Payload,
  type PublishOptions,
  QoS,
  type SubscribeOptions,
  type UnsubscribeOptions,
  type Will,
} from "./client/options.ts";
export {
  type ClientEventMap,
  type CloseInfo,
  type ConnectInfo,
  type Message,
  type MessageInfo,
  MqttCloseEvent,
  MqttConnectEvent,
  MqttErrorEvent,
  MqttMessageEvent,
  MqttReconnectEvent,
  type ReconnectInfo,
} from "./client/events.ts";
export {
  MqttClosedError,
  MqttConnectError,
  MqttError,
  type MqttErrorOptions,
  MqttProtocolError,
  MqttTimeoutError,
} from "./client/errors.ts";
export type { MetricsSink } from "./client/metrics_sink.ts";
export type { ReconnectOptions } from "./client/backoff.ts";
export type {
  TlsOptions,
  Transport,
  TransportFactory,
  TransportOptions,
} from "./client/transport/mod.ts";
export type { Clock } from "./client/clock.ts";
export type { BrokerUrl, TransportKind } from "./client/url.ts";
export type { MessageStream } from "./client/messages.ts";
export type { Properties, ProtocolVersion, QoSLevel, UserProperty } from "./codec/packets.ts";
