/**
 * The MQTT client: {@linkcode Client} with the API of k6's xk6-mqtt extension, its options,
 * events and errors, and the pieces under it (transports, URL parsing, backoff, message stream)
 * for callers who assemble their own.
 *
 * @example Usage
 * ```ts
 * import { Client, parseBrokerUrl } from "@mqload/mqload/client";
 * import assert from "node:assert/strict";
 * assert.equal(parseBrokerUrl("mqtts://broker").port, 8883);
 * const client = new Client({ client_id: "c1" });
 * assert.equal(client.connected, false);
 * ```
 *
 * @module
 */

export { Client } from "./client.ts";
export { ClientEventTarget, type ClientHandlers } from "./event_target.ts";
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
} from "./options.ts";
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
} from "./events.ts";
export {
  MqttClosedError,
  MqttConnectError,
  MqttError,
  type MqttErrorOptions,
  MqttProtocolError,
  MqttTimeoutError,
} from "./errors.ts";
export type { MetricRecorder, MetricsSink } from "./metrics_sink.ts";
export type {
  MessageStream,
  MessageStreamOptions,
  SubscriptionOptions,
  TopicSubscription,
} from "./messages.ts";
export { backoffDelay, DEFAULT_RECONNECT, type ReconnectOptions } from "./backoff.ts";
export { type Clock, SYSTEM_CLOCK } from "./clock.ts";
export { type BrokerUrl, parseBrokerUrl, type TransportKind } from "./url.ts";
export {
  connectTcp,
  connectWebSocket,
  openTransport,
  type TlsOptions,
  type Transport,
  type TransportFactory,
  type TransportOptions,
  type TransportReader,
  type TransportWriter,
} from "./transport/mod.ts";
export type { Properties, ProtocolVersion, QoSLevel, UserProperty } from "../codec/packets.ts";
