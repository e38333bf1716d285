// Validated, defaulted client settings: what a connection attempt needs, computed once per
// constructor and connect() call so the hot paths never look at raw options again.

import type {
  ConnectPacket,
  Properties,
  ProtocolVersion,
  Will as PacketWill,
} from "../codec/packets.ts";
import { DEFAULT_RECONNECT, type ReconnectOptions } from "./backoff.ts";
import { type Clock, SYSTEM_CLOCK } from "./clock.ts";
import type { MetricsSink } from "./metrics_sink.ts";
import {
  checkInteger,
  checkKeys,
  checkMqttString,
  checkPacketProperties,
  checkQos,
  checkTags,
  checkType,
  describe,
  describeEnum,
} from "./_checks.ts";
import type {
  AuthHandler,
  ClientOptions,
  ConnectOptions,
  CredentialsProvider,
  LatencyStamp,
} from "./options.ts";
import { openTransport, type TlsOptions, type TransportFactory } from "./transport/mod.ts";
import { type BrokerUrl, parseBrokerUrl } from "./url.ts";

export interface ClientSettings {
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  credentialsProvider?: CredentialsProvider | undefined;
  auth?: AuthHandler | undefined;
  will?: PacketWill | undefined;
  metrics?: MetricsSink | undefined;
  topicTags: boolean;
  transport: TransportFactory;
  clock: Clock;
  maxQueued: number;
  manualAck: boolean;
  connect: ConnectOptions;
}

export interface ConnectSettings {
  protocolVersion: ProtocolVersion;
  keepalive: number;
  connectTimeout: number;
  cleanStart: boolean;
  sessionExpiryInterval?: number | undefined;
  servers: readonly BrokerUrl[];
  reconnect: Readonly<Required<ReconnectOptions>> | false;
  tls?: TlsOptions | undefined;
  receiveMaximum?: number | undefined;
  maxInflight: number;
  /** QoS 2 publications in flight towards a broker that announces no Receive Maximum (3.1.1). */
  qos2Inflight: number;
  maxPacketSize?: number | undefined;
  properties?: Properties | undefined;
  topicAliases: boolean;
  latencyStamp: LatencyStamp;
  tags?: Record<string, string> | undefined;
  retryFirstConnect: boolean;
}

const encoder = new TextEncoder();
// mosquitto's default max_inflight_messages (see qos2Inflight).
const V311_QOS2_INFLIGHT = 20;

/** Payload to bytes: strings as UTF-8, ArrayBuffers viewed in place, Uint8Arrays as they are. */
export function toBytes(name: string, payload: unknown): Uint8Array {
  if (typeof payload === "string") return encoder.encode(payload);
  if (payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  if (ArrayBuffer.isView(payload)) {
    return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  throw new TypeError(
    `Invalid ${name}: expected a string, ArrayBuffer or typed array, got ${describe(payload)}`,
  );
}

export function resolveClientSettings(options: ClientOptions = {}): ClientSettings {
  checkKeys("client", options);
  const clientId = checkType<string>("client_id", options.client_id, "string") ??
    checkType<string>("clientId", options.clientId, "string") ?? "";
  checkMqttString("option client_id", clientId);
  if (typeof options.username === "string") checkMqttString("option username", options.username);
  const settings: ClientSettings = {
    clientId,
    username: checkType<string>("username", options.username, "string"),
    password: checkType<string>("password", options.password, "string"),
    credentialsProvider: checkType<CredentialsProvider>(
      "credentials_provider",
      options.credentials_provider,
      "function",
    ),
    auth: checkType<AuthHandler>("auth", options.auth, "function"),
    transport: checkType<TransportFactory>("transport", options.transport, "function") ??
      openTransport,
    clock: options.clock ?? SYSTEM_CLOCK,
    maxQueued: checkInteger("max_queued", options.max_queued, 0, Infinity) ?? 65536,
    topicTags: checkType<boolean>("topic_tags", options.topic_tags, "boolean") ?? true,
    manualAck: checkType<boolean>("manual_ack", options.manual_ack, "boolean") ?? false,
    connect: options,
  };
  if (options.clock !== undefined) {
    const clock = options.clock as unknown as Record<string, unknown>;
    if (["now", "setTimeout", "clearTimeout"].some((name) => typeof clock?.[name] !== "function")) {
      throw new TypeError(
        "Invalid option clock: expected now, setTimeout and clearTimeout methods",
      );
    }
  }
  if (options.metrics !== undefined && typeof options.metrics?.add !== "function") {
    throw new TypeError("Invalid option metrics: expected an object with an add() method");
  }
  settings.metrics = options.metrics;
  if (options.will !== undefined) {
    const will = options.will;
    checkKeys("will", will);
    if (typeof will.topic !== "string" || will.topic === "") {
      throw new TypeError("Invalid option will.topic: expected a non-empty string");
    }
    checkMqttString("option will.topic", will.topic);
    settings.will = {
      topic: will.topic,
      payload: toBytes("will.payload", will.payload ?? ""),
      qos: checkQos("will.qos", will.qos),
      retain: checkType<boolean>("will.retain", will.retain, "boolean") ?? false,
      properties: checkProperties("will.properties", will.properties, true),
    };
  }
  // Validate the connection options now so a bad constructor call fails where it is made.
  resolveConnectSettings(options, undefined, undefined);
  return settings;
}

/**
 * Merges the constructor's connection options with `connect()`'s and validates the result.
 * `url` (from `connect(url)`) goes first in the server list, then `servers`.
 */
export function resolveConnectSettings(
  base: ConnectOptions,
  override: ConnectOptions | undefined,
  url: string | undefined,
): ConnectSettings {
  checkKeys("connect", override);
  const o: ConnectOptions = { ...base, ...override };
  if (base.tags !== undefined && override?.tags !== undefined) {
    o.tags = { ...base.tags, ...override.tags };
  }
  const protocolVersion = o.protocol_version ?? 4;
  if (protocolVersion !== 3 && protocolVersion !== 4 && protocolVersion !== 5) {
    throw new RangeError(
      `Invalid option protocol_version: expected 3, 4 or 5, got ${describeEnum(protocolVersion)}`,
    );
  }
  const v5 = protocolVersion === 5;
  for (const name of ["session_expiry_interval", "receive_maximum", "properties"] as const) {
    if (!v5 && o[name] !== undefined) {
      throw new TypeError(`Invalid option ${name}: requires protocol_version 5`);
    }
  }
  const cleanSession = checkType<boolean>("clean_session", o.clean_session, "boolean");
  const cleanStart = checkType<boolean>("clean_start", o.clean_start, "boolean");
  if (cleanSession !== undefined && cleanStart !== undefined && cleanSession !== cleanStart) {
    throw new TypeError("Invalid options: clean_session and clean_start disagree; give one");
  }
  if (o.servers !== undefined && !Array.isArray(o.servers)) {
    throw new TypeError(`Invalid option servers: expected an array, got ${describe(o.servers)}`);
  }
  // Exact-size arrays: push() would give every connected client room for 16 servers.
  const listed = o.servers?.map((server) => serverList(server)[0]!) ?? [];
  const servers = url === undefined
    ? listed
    : listed.length === 0
    ? serverList(url)
    : [serverList(url)[0]!, ...listed];
  return {
    protocolVersion,
    keepalive: checkInteger("keepalive", o.keepalive, 0, 65535) ?? 60,
    connectTimeout: checkInteger("connect_timeout", o.connect_timeout, 0, 2 ** 31 - 1) ?? 30000,
    cleanStart: cleanSession ?? cleanStart ?? true,
    sessionExpiryInterval: checkInteger(
      "session_expiry_interval",
      o.session_expiry_interval,
      0,
      0xffffffff,
    ),
    servers,
    reconnect: resolveReconnect(o.reconnect),
    tls: resolveTls(o.tls),
    receiveMaximum: checkInteger("receive_maximum", o.receive_maximum, 1, 65535),
    maxInflight: checkInteger("max_inflight", o.max_inflight, 1, 65535) ?? 1000,
    // An MQTT 3.1.1 broker announces no Receive Maximum, and mosquitto (max_inflight_messages,
    // default 20) answers a 21st QoS 2 message awaiting PUBREL with a hang-up: unless told, keep
    // its default in flight. MQTT 5 brokers announce their quota, which the window follows.
    qos2Inflight: o.max_inflight ?? V311_QOS2_INFLIGHT,
    maxPacketSize: checkInteger("max_packet_size", o.max_packet_size, 1, 268435460),
    properties: checkProperties("properties", o.properties),
    topicAliases: checkType<boolean>("topic_aliases", o.topic_aliases, "boolean") ?? false,
    latencyStamp: checkLatencyStamp(o.latency_stamp),
    tags: checkTags("tags", o.tags),
    retryFirstConnect: checkType<boolean>(
      "retry_first_connect",
      o.retry_first_connect,
      "boolean",
    ) ?? false,
  };
}

// The clients of a load test connect to one broker URL, thousands of times: it is parsed once
// and the frozen result (as a one-server list) shared, instead of a URL parse and a copy each.
const parsedUrls = new Map<unknown, readonly BrokerUrl[]>();
const MAX_PARSED_URLS = 64;

/** `[parseBrokerUrl(url)]`, frozen and shared. */
function serverList(url: unknown): readonly BrokerUrl[] {
  let list = parsedUrls.get(url);
  if (list === undefined) {
    list = Object.freeze([Object.freeze(parseBrokerUrl(url as string))]);
    if (parsedUrls.size >= MAX_PARSED_URLS) parsedUrls.clear();
    parsedUrls.set(url, list);
  }
  return list;
}

/**
 * The settings of a `connect(url?, options?)` call: `url` may be the options object itself, as in
 * xk6-mqtt; with no URL, `servers` (of the call or the constructor) must name the brokers.
 */
export function connectArguments(
  base: ConnectOptions,
  url: unknown,
  options: ConnectOptions | undefined,
): ConnectSettings {
  let href: string | undefined;
  if (typeof url === "string") href = url;
  else if (url !== undefined && url !== null && typeof url === "object" && !Array.isArray(url)) {
    if (options !== undefined) {
      throw new TypeError("Invalid connect() arguments: expected (url, options) or (options)");
    }
    options = url as ConnectOptions;
  } else if (url !== undefined) {
    throw new TypeError(`Invalid broker URL: expected a string, got ${describe(url)}`);
  }
  const settings = resolveConnectSettings(base, options, href);
  if (settings.servers.length === 0) {
    throw new TypeError("Cannot connect: no broker URL (pass one, or the servers option)");
  }
  return settings;
}

function resolveReconnect(
  value: ReconnectOptions | boolean | undefined,
): Readonly<Required<ReconnectOptions>> | false {
  if (value === undefined || value === true) return DEFAULT_RECONNECT;
  if (value === false) return false;
  checkKeys("reconnect", value);
  const r = {
    initial_delay: checkInteger("reconnect.initial_delay", value.initial_delay, 0, 2 ** 31 - 1) ??
      DEFAULT_RECONNECT.initial_delay,
    max_delay: checkInteger("reconnect.max_delay", value.max_delay, 0, 2 ** 31 - 1) ??
      DEFAULT_RECONNECT.max_delay,
    multiplier: checkType<number>("reconnect.multiplier", value.multiplier, "number") ??
      DEFAULT_RECONNECT.multiplier,
    jitter: checkType<boolean>("reconnect.jitter", value.jitter, "boolean") ??
      DEFAULT_RECONNECT.jitter,
    max_attempts: checkInteger("reconnect.max_attempts", value.max_attempts, 0, Infinity) ??
      DEFAULT_RECONNECT.max_attempts,
  };
  if (!(r.multiplier >= 1) || !Number.isFinite(r.multiplier)) {
    throw new RangeError(`Invalid option reconnect.multiplier: expected ≥ 1, got ${r.multiplier}`);
  }
  return Object.freeze(r);
}

function resolveTls(value: TlsOptions | undefined): TlsOptions | undefined {
  if (value === undefined) return undefined;
  checkKeys("tls", value);
  const ca = value.ca;
  if (ca !== undefined && typeof ca !== "string" && !Array.isArray(ca)) {
    throw new TypeError(
      `Invalid option tls.ca: expected a PEM string or array, got ${describe(ca)}`,
    );
  }
  for (const name of ["cert", "key", "server_name"] as const) {
    checkType<string>(`tls.${name}`, value[name], "string");
  }
  if ((value.cert === undefined) !== (value.key === undefined)) {
    throw new TypeError("Invalid option tls: cert and key go together");
  }
  checkType<boolean>("tls.insecure_skip_verify", value.insecure_skip_verify, "boolean");
  return value;
}

/** Properties of CONNECT (`will` false) or of its will message, checked by encoding them. */
function checkProperties(name: string, value: unknown, will = false): Properties | undefined {
  if (value === undefined) return undefined;
  const properties = value as Properties;
  const probe: ConnectPacket = {
    type: "connect",
    protocolVersion: 5,
    clientId: "",
    cleanStart: true,
    keepalive: 0,
  };
  if (will) {
    probe.will = { topic: "t", payload: new Uint8Array(0), qos: 0, retain: false, properties };
  } else probe.properties = properties;
  checkPacketProperties(name, probe);
  return properties;
}

const LATENCY_STAMPS: readonly LatencyStamp[] = ["property", "payload", "none"];

function checkLatencyStamp(value: unknown): LatencyStamp {
  if (value === undefined) return "property";
  if (LATENCY_STAMPS.includes(value as LatencyStamp)) return value as LatencyStamp;
  throw new TypeError(
    `Invalid option latency_stamp: expected "property", "payload" or "none", got ${
      typeof value === "string" ? `"${value}"` : describe(value)
    }`,
  );
}
