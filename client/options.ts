/**
 * The options of a {@linkcode Client} and of its calls, in the snake_case of the xk6-mqtt
 * contract, with their validation and defaults.
 *
 * @module
 */

import type { Properties, ProtocolVersion } from "../codec/packets.ts";
import type { ReconnectOptions } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import type { MetricsSink } from "./metrics_sink.ts";
import type { TlsOptions, TransportFactory } from "./transport/mod.ts";

/**
 * Quality of service levels, as in xk6-mqtt: the names of the values `0`, `1` and `2`, which the
 * type `QoS` is (a plain number does not type-check as one).
 *
 * @example Usage
 * ```ts
 * import { QoS } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 * assert.equal(QoS.ExactlyOnce, 2);
 * const qos: QoS = 1;
 * ```
 */
export const QoS: {
  /** At most once delivery (fire and forget). */
  readonly AtMostOnce: 0;
  /** At least once delivery (acknowledged, may repeat). */
  readonly AtLeastOnce: 1;
  /** Exactly once delivery (four-step handshake, never repeats). */
  readonly ExactlyOnce: 2;
} = Object.freeze({ AtMostOnce: 0, AtLeastOnce: 1, ExactlyOnce: 2 });

/**
 * A quality of service level: `0`, `1` or `2` (see the names in {@linkcode QoS}).
 *
 * @example Usage
 * ```ts
 * import type { QoS } from "@mqload/mqload";
 * const levels: QoS[] = [0, 1, 2];
 * ```
 */
export type QoS = 0 | 1 | 2;

/**
 * A message payload: text (sent as UTF-8) or bytes (an ArrayBuffer, or any view of one:
 * Uint8Array, DataView, Uint16Array, …, sent as the bytes it views).
 *
 * @example Usage
 * ```ts
 * import type { Payload } from "@mqload/mqload";
 * const payloads: Payload[] = ["21.5", new Uint8Array([1, 2]), new ArrayBuffer(4), new DataView(new ArrayBuffer(2))];
 * ```
 */
export type Payload = string | ArrayBuffer | ArrayBufferView;

/**
 * The Last Will and Testament the broker publishes when the client vanishes without `end()`.
 *
 * @example Usage
 * ```ts
 * import { Client, QoS, type Will } from "@mqload/mqload";
 * const will: Will = { topic: "status/c1", payload: "offline", qos: QoS.AtLeastOnce, retain: true };
 * const client = new Client({ client_id: "c1", will });
 * ```
 */
export interface Will {
  /** Topic of the will message. */
  topic: string;
  /** Payload of the will message. */
  payload: Payload;
  /** QoS of the will message (default 0). */
  qos?: QoS | undefined;
  /** Whether the will message is retained (default `false`). */
  retain?: boolean | undefined;
  /** MQTT 5 will properties (for example `willDelayInterval`). */
  properties?: Properties | undefined;
}

/**
 * A user name and password.
 *
 * @example Usage
 * ```ts
 * import type { Credentials } from "@mqload/mqload";
 * const credentials: Credentials = { username: "u", password: "p" };
 * ```
 */
export interface Credentials {
  /** User name. */
  username: string;
  /** Password; none when absent. */
  password?: string | undefined;
}

/**
 * Returns the credentials of the next connection attempt; called on every connect and reconnect,
 * so it can hand out fresh tokens.
 *
 * @example Usage
 * ```ts
 * import { Client, type CredentialsProvider } from "@mqload/mqload";
 * const credentials_provider: CredentialsProvider = () => ({ username: "u", password: "token" });
 * const client = new Client({ credentials_provider });
 * ```
 */
export type CredentialsProvider = () => Credentials | Promise<Credentials>;

/**
 * An MQTT 5 AUTH packet of the broker asking to continue enhanced authentication (§4.12): reason
 * code 0x18, the method of the CONNECT, and the broker's data.
 *
 * @example Usage
 * ```ts
 * import type { AuthChallenge } from "@mqload/mqload";
 * const challenge: AuthChallenge = { method: "SCRAM-SHA-1", reasonCode: 0x18 };
 * ```
 */
export interface AuthChallenge {
  /** The authentication method (the CONNECT's `properties.authenticationMethod`). */
  method: string;
  /** The broker's authentication data, if any. */
  data?: Uint8Array | undefined;
  /** 0x18 Continue authentication. */
  reasonCode: number;
  /** Every property of the AUTH packet (reason string, user properties). */
  properties?: Properties | undefined;
}

/**
 * MQTT 5 enhanced authentication (§4.12): answers each AUTH challenge of the broker during
 * connect with the authentication data of the client's next AUTH packet (or none). The method
 * and the first data go in the `properties` option (`authenticationMethod`,
 * `authenticationData`). A throw or rejection fails the connection attempt (code `"auth"`).
 *
 * @example Usage
 * ```ts
 * import { Client, type AuthHandler } from "@mqload/mqload";
 * const auth: AuthHandler = ({ data }) => data; // an echo "challenge-response"
 * const client = new Client({
 *   protocol_version: 5,
 *   properties: { authenticationMethod: "ECHO", authenticationData: new Uint8Array([1]) },
 *   auth,
 * });
 * ```
 */
export type AuthHandler = (
  challenge: AuthChallenge,
) => Payload | undefined | Promise<Payload | undefined>;

/**
 * Options that shape a connection. They can be given to the constructor and to `connect()`, whose
 * values win for that connection and the reconnects that follow it.
 *
 * @example Usage
 * ```ts
 * import type { ConnectOptions } from "@mqload/mqload";
 * const options: ConnectOptions = { keepalive: 30, connect_timeout: 5000, servers: ["mqtt://b2"] };
 * ```
 */
export interface ConnectOptions {
  /** MQTT protocol level: 3 (3.1), 4 (3.1.1, default) or 5. */
  protocol_version?: ProtocolVersion | undefined;
  /**
   * Keepalive in seconds, 0 (off) to 65535 (default 60): a PINGREQ goes out when nothing was
   * written or nothing was read for that long, and the connection is lost when nothing comes
   * back within half of it more (at most 30 s more), a wait that starts again while the client
   * writes 64 KB/s or more (its PINGREQ may queue behind them at a loaded broker).
   */
  keepalive?: number | undefined;
  /** Milliseconds to wait for the transport and CONNACK (default 30000, as xk6-mqtt). */
  connect_timeout?: number | undefined;
  /** Start without a stored session (default `true`); `false` asks for a persistent session. */
  clean_session?: boolean | undefined;
  /** MQTT 5 name of `clean_session`; give one of the two. */
  clean_start?: boolean | undefined;
  /**
   * MQTT 5 session expiry in seconds; > 0 keeps the session across reconnects. A new client
   * (a restart) resumes it only with `clean_start: false`: the first CONNECT starts clean
   * otherwise, as the broker is told.
   */
  session_expiry_interval?: number | undefined;
  /** More broker URLs, tried in order after the one given to `connect()` (failover). */
  servers?: string[] | undefined;
  /** Automatic reconnection after a lost connection, or `false` to stay down (default: on). */
  reconnect?: ReconnectOptions | boolean | undefined;
  /** TLS settings for `mqtts:`, `ssl:` and `tls:` URLs. */
  tls?: TlsOptions | undefined;
  /** MQTT 5: how many QoS 1/2 messages the broker may have in flight towards us. */
  receive_maximum?: number | undefined;
  /**
   * Largest number of our own QoS 1/2 publications awaiting acknowledgement (default 1000, and
   * the broker's Receive Maximum on MQTT 5). On MQTT 3.1.1, whose brokers announce no quota, at
   * most 20 of them at QoS 2 unless this is set: mosquitto's default `max_inflight_messages`,
   * over which it hangs up; and while 20 QoS 2 ones are in flight, QoS 1 ones wait too (mosquitto
   * counts them against the same quota and drops one that finds it spent, with a PUBACK that
   * MQTT 3.1.1 cannot tell from success).
   */
  max_inflight?: number | undefined;
  /** Largest packet accepted from the broker, in bytes (sent to v5 brokers as a property). */
  max_packet_size?: number | undefined;
  /** MQTT 5 CONNECT properties (user properties, topic alias maximum, …). */
  properties?: Properties | undefined;
  /** MQTT 5: replace repeated topics with topic aliases when the broker allows (default `false`). */
  topic_aliases?: boolean | undefined;
  /**
   * How publications carry their publish time for the `mqtt_message_latency` trend:
   * `"property"` (default) in an MQTT 5 user property, only when metrics are collected, payloads
   * untouched; `"payload"` as a 12-byte trailer on the payload, for MQTT 3.1.1, which receivers
   * with the same option strip again (others see it); `"none"` never.
   */
  latency_stamp?: LatencyStamp | undefined;
  /** Tags added to every metric of the client. */
  tags?: Record<string, string> | undefined;
  /**
   * Retry a first `connect()` that fails, under the `reconnect` policy (default `false`: the
   * first attempt's failure rejects `connect()`, as in xk6-mqtt). A service started while its
   * broker is down then connects once the broker is up; `connect()` resolves then. What trying
   * again cannot cure still rejects at once: bad options, a failed TLS handshake (code `"tls"`),
   * credentials the broker refused (`MqttConnectError` 4, 5, 0x86, 0x87, 0x8C).
   */
  retry_first_connect?: boolean | undefined;
  /** Aborting gives up the `connect()` call and its retries, as `end()` would. */
  signal?: AbortSignal | undefined;
}

/**
 * Where a publication carries its publish time for `mqtt_message_latency`: see
 * {@linkcode ConnectOptions.latency_stamp}.
 *
 * @example Usage
 * ```ts
 * import { Client, type LatencyStamp } from "@mqload/mqload";
 * const stamp: LatencyStamp = "payload";
 * const client = new Client({ protocol_version: 4, latency_stamp: stamp });
 * ```
 */
export type LatencyStamp = "property" | "payload" | "none";

/**
 * Options of `new Client()`: the xk6-mqtt options (`client_id`, `username`, `password`,
 * `credentials_provider`, `will`, `tags`), every {@linkcode ConnectOptions} field, and the plumbing
 * (`metrics`, `transport`, `clock`).
 *
 * @example Usage
 * ```ts
 * import { Client, type ClientOptions } from "@mqload/mqload";
 * const options: ClientOptions = { client_id: "sensor-1", protocol_version: 5, keepalive: 20 };
 * const client = new Client(options);
 * ```
 */
export interface ClientOptions extends ConnectOptions {
  /** Client identifier; absent or empty lets the broker assign one. */
  client_id?: string | undefined;
  /** The spelling of `client_id` in xk6-mqtt's `index.d.ts`; accepted as an alias. */
  clientId?: string | undefined;
  /** User name. */
  username?: string | undefined;
  /** Password. */
  password?: string | undefined;
  /** Called on every connect and reconnect; wins over `username`/`password`. */
  credentials_provider?: CredentialsProvider | undefined;
  /** MQTT 5 enhanced authentication: answers the broker's AUTH challenges during connect. */
  auth?: AuthHandler | undefined;
  /** Last Will and Testament. */
  will?: Will | undefined;
  /** Where the client reports its metrics. */
  metrics?: MetricsSink | undefined;
  /**
   * Tag the samples of publications, messages and subscriptions with their `topic` (default
   * `true`, as xk6-mqtt). `false` gives a client one series per metric whatever the topics: for
   * thousands of distinct topics (one per device or message), where each would be a series.
   */
  topic_tags?: boolean | undefined;
  /** Opens the byte stream to the broker (default: TCP/TLS/WebSocket by URL scheme). */
  transport?: TransportFactory | undefined;
  /** Time source and timers (default: the system clock). */
  clock?: Clock | undefined;
  /** Publications that may wait for the in-flight window or a connection (default 65536). */
  max_queued?: number | undefined;
  /**
   * Messages that iterators yield are acknowledged (PUBACK at QoS 1, PUBREC at QoS 2) when the
   * code calls `message.ack()`, not as they are buffered (default `false`). A message never
   * acknowledged is sent again by the broker after the next reconnection, when the session
   * persists (`clean_session: false`, or an MQTT 5 `session_expiry_interval`).
   */
  manual_ack?: boolean | undefined;
}

/**
 * Options of `subscribe()`.
 *
 * @example Usage
 * ```ts
 * import { QoS, type SubscribeOptions } from "@mqload/mqload";
 * const options: SubscribeOptions = { qos: QoS.AtLeastOnce, no_local: true };
 * ```
 */
export interface SubscribeOptions {
  /** Highest QoS to receive at (default 0). */
  qos?: QoS | undefined;
  /** MQTT 5: do not receive our own publications. */
  no_local?: boolean | undefined;
  /** MQTT 5: keep the retain flag as published. */
  retain_as_published?: boolean | undefined;
  /** MQTT 5: 0 send retained messages, 1 only for a new subscription, 2 never. */
  retain_handling?: 0 | 1 | 2 | undefined;
  /** MQTT 5 SUBSCRIBE properties (subscription identifier, user properties). */
  properties?: Properties | undefined;
  /** Tags for this call's metrics. */
  tags?: Record<string, string> | undefined;
  /** Stops waiting for the SUBACK when aborted (the call fails with code `"aborted"`). */
  signal?: AbortSignal | undefined;
}

/**
 * Options of `publish()`.
 *
 * @example Usage
 * ```ts
 * import { QoS, type PublishOptions } from "@mqload/mqload";
 * const options: PublishOptions = { qos: QoS.ExactlyOnce, retain: true };
 * ```
 */
export interface PublishOptions {
  /** QoS (default 0). */
  qos?: QoS | undefined;
  /** Ask the broker to retain the message (default `false`). */
  retain?: boolean | undefined;
  /** MQTT 5 PUBLISH properties. */
  properties?: Properties | undefined;
  /** Tags for this call's metrics. */
  tags?: Record<string, string> | undefined;
  /**
   * Stops waiting when aborted (the call fails with code `"aborted"`); a publication already
   * written or queued may still reach the broker.
   */
  signal?: AbortSignal | undefined;
}

/**
 * Options of `unsubscribe()`.
 *
 * @example Usage
 * ```ts
 * import type { UnsubscribeOptions } from "@mqload/mqload";
 * const options: UnsubscribeOptions = { tags: { step: "cleanup" } };
 * ```
 */
export interface UnsubscribeOptions {
  /** MQTT 5 UNSUBSCRIBE properties. */
  properties?: Properties | undefined;
  /** Tags for this call's metrics. */
  tags?: Record<string, string> | undefined;
  /** Stops waiting for the UNSUBACK when aborted (the call fails with code `"aborted"`). */
  signal?: AbortSignal | undefined;
}

/**
 * Options of `end()`.
 *
 * @example Usage
 * ```ts
 * import type { EndOptions } from "@mqload/mqload";
 * const options: EndOptions = { reason_code: 0x04 }; // v5: disconnect, publish the will
 * ```
 */
export interface EndOptions {
  /** MQTT 5 DISCONNECT reason code (default 0, normal disconnection). */
  reason_code?: number | undefined;
  /** MQTT 5 DISCONNECT properties. */
  properties?: Properties | undefined;
  /** Tags for this call's metrics. */
  tags?: Record<string, string> | undefined;
  /**
   * Milliseconds to wait for in-flight acknowledgements and then for the last writes, in all,
   * before closing anyway (default `connect_timeout`; the last writes get at least 100 ms).
   */
  timeout?: number | undefined;
  /** Closes at once when aborted, as a second `end()` does. */
  signal?: AbortSignal | undefined;
}
