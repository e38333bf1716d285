// Validation of the caller's options and arguments: known keys (with a snake_case hint), types,
// ranges, MQTT strings and MQTT 5 properties, with messages that name the option and never show a
// value that may be secret.

import { encode } from "../codec/mod.ts";
import type { Packet, QoSLevel } from "../codec/packets.ts";

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
  "latency_stamp",
  "tags",
  "retry_first_connect",
  "signal",
];
const CLIENT_KEYS = [
  ...CONNECT_KEYS,
  "client_id",
  "clientId",
  "username",
  "password",
  "credentials_provider",
  "auth",
  "will",
  "metrics",
  "topic_tags",
  "transport",
  "clock",
  "max_queued",
  "manual_ack",
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
    "signal",
  ]),
  publish: new Set(["qos", "retain", "properties", "tags", "signal"]),
  unsubscribe: new Set(["properties", "tags", "signal"]),
  end: new Set(["reason_code", "properties", "tags", "timeout", "signal"]),
  messages: new Set(["capacity", "signal"]),
  will: new Set(["topic", "payload", "qos", "retain", "properties"]),
  tls: new Set(["ca", "cert", "key", "server_name", "insecure_skip_verify", "alpn_protocols"]),
  reconnect: new Set(["initial_delay", "max_delay", "multiplier", "jitter", "max_attempts"]),
};

/**
 * The option names of one kind (`client`, `connect`, `subscribe`, `publish`, …): what
 * {@linkcode checkKeys} accepts. The k6 shim drops other keys, as xk6-mqtt ignores them.
 */
export function knownKeys(kind: string): ReadonlySet<string> {
  return KEYS[kind]!;
}

// MQTT.js option names whose counterpart here is not their snake_case.
const MQTT_JS_NAMES: Record<string, string> = {
  clean: "clean_session",
  reconnectPeriod: "reconnect: { initial_delay }",
  rejectUnauthorized: "tls: { insecure_skip_verify }",
  ca: "tls: { ca }",
  cert: "tls: { cert }",
  key: "tls: { key }",
  servername: "tls: { server_name }",
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
    // MQTT.js habits: a callback where the options go, end(true) for a forced end.
    const hint = typeof value === "function"
      ? ` (${kind}() returns a Promise: await it instead of passing a callback)`
      : kind === "end" && typeof value === "boolean"
      ? " (to end at once, call end() a second time or abort its signal)"
      : "";
    throw new TypeError(
      `Invalid ${kind} options: expected an object, got ${describe(value)}${hint}`,
    );
  }
  const allowed = KEYS[kind]!;
  // for-in, not Object.keys(): options are checked on every publish, and the keys array
  // would be an allocation each time.
  for (const key in value) {
    if (allowed.has(key) || !Object.hasOwn(value, key)) continue;
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const mqttJs = MQTT_JS_NAMES[key];
    const hint = snake !== key && allowed.has(snake)
      ? ` (did you mean "${snake}"?)`
      : mqttJs !== undefined && allowed.has(mqttJs.split(":")[0]!)
      ? ` (MQTT.js's "${key}" is "${mqttJs}" here)`
      : "";
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
