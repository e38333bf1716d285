/**
 * The options of a {@linkcode Client} and of its calls, in the snake_case of the xk6-mqtt
 * contract, with their validation and defaults.
 *
 * @module
 */

import { encode } from "../codec/mod.ts";
import type { Packet, Properties, ProtocolVersion, QoSLevel } from "../codec/packets.ts";
import type { ReconnectOptions } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import type { MetricsSink } from "./metrics_sink.ts";
import type { TlsOptions, TransportFactory } from "./transport.ts";

/**
 * Quality of service levels, as in xk6-mqtt.
 *
 * @example Usage
 * ```ts
 * import { QoS } from "@mqload/mqload";
 * import assert from "node:assert/strict";
 * assert.equal(QoS.ExactlyOnce, 2);
 * ```
 */
export enum QoS {
  /** At most once delivery (fire and forget). */
  AtMostOnce = 0,
  /** At least once delivery (acknowledged, may repeat). */
  AtLeastOnce = 1,
  /** Exactly once delivery (four-step handshake, never repeats). */
  ExactlyOnce = 2,
}

/**
 * A message payload: text (sent as UTF-8) or bytes.
 *
 * @example Usage
 * ```ts
 * import type { Payload } from "@mqload/mqload";
 * const payloads: Payload[] = ["21.5", new Uint8Array([1, 2]), new ArrayBuffer(4)];
 * ```
 */
export type Payload = string | ArrayBuffer | Uint8Array;

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
  qos?: QoS;
  /** Whether the will message is retained (default `false`). */
  retain?: boolean;
  /** MQTT 5 will properties (for example `willDelayInterval`). */
  properties?: Properties;
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
  /** Password. */
  password: string;
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
  protocol_version?: ProtocolVersion;
  /** Keepalive in seconds, 0 (off) to 65535 (default 60). */
  keepalive?: number;
  /** Milliseconds to wait for the transport and CONNACK (default 30000, as xk6-mqtt). */
  connect_timeout?: number;
  /** Start without a stored session (default `true`); `false` asks for a persistent session. */
  clean_session?: boolean;
  /** MQTT 5 name of `clean_session`; give one of the two. */
  clean_start?: boolean;
  /** MQTT 5 session expiry in seconds; > 0 keeps the session across reconnects. */
  session_expiry_interval?: number;
  /** More broker URLs, tried in order after the one given to `connect()` (failover). */
  servers?: string[];
  /** Automatic reconnection after a lost connection, or `false` to stay down (default: on). */
  reconnect?: ReconnectOptions | boolean;
  /** TLS settings for `mqtts:`, `ssl:` and `tls:` URLs. */
  tls?: TlsOptions;
  /** MQTT 5: how many QoS 1/2 messages the broker may have in flight towards us. */
  receive_maximum?: number;
  /** Largest number of our own QoS 1/2 publications awaiting acknowledgement (default 1000). */
  max_inflight?: number;
  /** Largest packet accepted from the broker, in bytes (sent to v5 brokers as a property). */
  max_packet_size?: number;
  /** MQTT 5 CONNECT properties (user properties, topic alias maximum, …). */
  properties?: Properties;
  /** MQTT 5: replace repeated topics with topic aliases when the broker allows (default `false`). */
  topic_aliases?: boolean;
  /** Tags added to every metric of the client. */
  tags?: Record<string, string>;
}

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
  client_id?: string;
  /** The spelling of `client_id` in xk6-mqtt's `index.d.ts`; accepted as an alias. */
  clientId?: string;
  /** User name. */
  username?: string;
  /** Password. */
  password?: string;
  /** Called on every connect and reconnect; wins over `username`/`password`. */
  credentials_provider?: CredentialsProvider;
  /** Last Will and Testament. */
  will?: Will;
  /** Where the client reports its metrics. */
  metrics?: MetricsSink;
  /** Opens the byte stream to the broker (default: TCP/TLS/WebSocket by URL scheme). */
  transport?: TransportFactory;
  /** Time source and timers (default: the system clock). */
  clock?: Clock;
  /** Publications that may wait for the in-flight window or a connection (default 65536). */
  max_queued?: number;
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
  qos?: QoS;
  /** MQTT 5: do not receive our own publications. */
  no_local?: boolean;
  /** MQTT 5: keep the retain flag as published. */
  retain_as_published?: boolean;
  /** MQTT 5: 0 send retained messages, 1 only for a new subscription, 2 never. */
  retain_handling?: 0 | 1 | 2;
  /** MQTT 5 SUBSCRIBE properties (subscription identifier, user properties). */
  properties?: Properties;
  /** Tags for this call's metrics. */
  tags?: Record<string, string>;
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
  qos?: QoS;
  /** Ask the broker to retain the message (default `false`). */
  retain?: boolean;
  /** MQTT 5 PUBLISH properties. */
  properties?: Properties;
  /** Tags for this call's metrics. */
  tags?: Record<string, string>;
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
  properties?: Properties;
  /** Tags for this call's metrics. */
  tags?: Record<string, string>;
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
  reason_code?: number;
  /** MQTT 5 DISCONNECT properties. */
  properties?: Properties;
  /** Tags for this call's metrics. */
  tags?: Record<string, string>;
}

const CONNECT_KEYS = [
  "protocol_version",
  "keepalive",
  "connect_timeout",
  "clean_session",
  "clean_start",
  "session_expiry_interval",
  "servers",
  "reconnect",
  "tls",
  "receive_maximum",
  "max_inflight",
  "max_packet_size",
  "properties",
  "topic_aliases",
  "tags",
];
const CLIENT_KEYS = [
  ...CONNECT_KEYS,
  "client_id",
  "clientId",
  "username",
  "password",
  "credentials_provider",
  "will",
  "metrics",
  "transport",
  "clock",
  "max_queued",
];
const KEYS: Record<string, ReadonlySet<string>> = {
  client: new Set(CLIENT_KEYS),
  connect: new Set(CONNECT_KEYS),
  subscribe: new Set([
    "qos",
    "no_local",
    "retain_as_published",
    "retain_handling",
    "properties",
    "tags",
  ]),
  publish: new Set(["qos", "retain", "properties", "tags"]),
  unsubscribe: new Set(["properties", "tags"]),
  end: new Set(["reason_code", "properties", "tags"]),
  will: new Set(["topic", "payload", "qos", "retain", "properties"]),
  tls: new Set(["ca", "cert", "key", "server_name", "insecure_skip_verify", "alpn_protocols"]),
  reconnect: new Set(["initial_delay", "max_delay", "multiplier", "jitter", "max_attempts"]),
};

/**
 * Checks that `value` is undefined or a plain object whose keys all belong to `kind`.
 *
 * @throws {TypeError} On a non-object or an unknown key, naming the snake_case spelling of a
 * camelCase key.
 */
export function checkKeys(kind: string, value: unknown): void {
  if (value === undefined) return;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`Invalid ${kind} options: expected an object, got ${describe(value)}`);
  }
  const allowed = KEYS[kind];
  for (const key of Object.keys(value)) {
    if (allowed.has(key)) continue;
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const hint = snake !== key && allowed.has(snake) ? ` (did you mean "${snake}"?)` : "";
    throw new TypeError(`Unknown ${kind} option "${key}"${hint}`);
  }
}

/**
 * Checks an optional integer option.
 *
 * @throws {TypeError} When present and not a number.
 * @throws {RangeError} When not an integer in `min..max`.
 */
export function checkInteger(
  name: string,
  value: unknown,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number") {
    throw new TypeError(`Invalid option ${name}: expected a number, got ${describe(value)}`);
  }
  if (!(Number.isInteger(value) || value === Infinity) || value < min || value > max) {
    throw new RangeError(
      `Invalid option ${name}: expected an integer in ${min}..${max}, got ${value}`,
    );
  }
  return value;
}

/**
 * Checks an optional value against a `typeof` name.
 *
 * @throws {TypeError} When present and of another type.
 */
export function checkType<T>(name: string, value: unknown, type: string): T | undefined {
  if (value !== undefined && typeof value !== type) {
    throw new TypeError(`Invalid option ${name}: expected a ${type}, got ${describe(value)}`);
  }
  return value as T | undefined;
}

/**
 * Checks a QoS value.
 *
 * @throws {RangeError} When not 0, 1 or 2.
 */
export function checkQos(name: string, value: unknown): QoSLevel {
  if (value === undefined) return 0;
  if (value !== 0 && value !== 1 && value !== 2) {
    throw new RangeError(
      `Invalid option ${name}: expected QoS 0, 1 or 2, got ${describeEnum(value)}`,
    );
  }
  return value;
}

/**
 * Checks that a string can be an MQTT UTF-8 string (topic, filter, client id, user name): no
 * U+0000, no lone surrogate, at most 65535 bytes. Checked when the call is made, so a bad value
 * fails that call instead of the connection it would later be encoded on.
 *
 * @throws {TypeError} On U+0000 or a lone surrogate.
 * @throws {RangeError} When longer than 65535 bytes in UTF-8.
 */
export function checkMqttString(name: string, value: string): string {
  if (value.includes("\u0000") || !value.isWellFormed()) {
    throw new TypeError(`Invalid ${name}: must not contain U+0000 or lone surrogates`);
  }
  // Up to 3 bytes per UTF-16 unit: only long strings need their exact UTF-8 length.
  if (value.length > 0x5555 && encoder.encode(value).length > 0xffff) {
    throw new RangeError(`Invalid ${name}: longer than 65535 bytes in UTF-8`);
  }
  return value;
}

/**
 * Checks MQTT 5 properties by encoding them in `probe`, a minimal packet of the kind that will
 * carry them: bad ones fail the call that gives them, not the connection that would later send
 * them (the encoder's checks run when a queued packet is written).
 *
 * @throws {TypeError} When `properties` is not an object or holds a value of the wrong type.
 * @throws {RangeError} When a value is out of range.
 */
export function checkPacketProperties(name: string, probe: Packet): void {
  const properties: unknown = probe.type === "connect" && probe.will !== undefined
    ? probe.will.properties
    : (probe as { properties?: unknown }).properties;
  if (properties === undefined) return;
  if (properties === null || typeof properties !== "object" || Array.isArray(properties)) {
    throw new TypeError(`Invalid option ${name}: expected an object, got ${describe(properties)}`);
  }
  checkEncodable(`option ${name}`, probe);
}

/**
 * Checks that `probe` encodes as MQTT 5, turning the encoder's complaint into an error that
 * names `name`.
 *
 * @throws {TypeError} On a value of the wrong type.
 * @throws {RangeError} On a value out of range.
 */
export function checkEncodable(name: string, probe: Packet): void {
  try {
    encode(probe, 5);
  } catch (error) {
    const message = `Invalid ${name}: ${error instanceof Error ? error.message : error}`;
    throw error instanceof RangeError
      ? new RangeError(message, { cause: error })
      : new TypeError(message, { cause: error });
  }
}

/**
 * Checks a tags object: string values only.
 *
 * @throws {TypeError} On a non-object or a non-string value.
 */
export function checkTags(name: string, value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`Invalid option ${name}: expected an object, got ${describe(value)}`);
  }
  for (const [key, tag] of Object.entries(value)) {
    if (typeof tag !== "string") {
      throw new TypeError(`Invalid option ${name}.${key}: expected a string, got ${describe(tag)}`);
    }
  }
  return value as Record<string, string>;
}

/** A value of a small enumeration (QoS, protocol level) for error messages: numbers as they are. */
export function describeEnum(value: unknown): string {
  return typeof value === "number" ? String(value) : describe(value);
}

const encoder = new TextEncoder();

/** Short description of a value's type for error messages (never the value: it may be secret). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
