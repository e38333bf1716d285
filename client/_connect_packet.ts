// The CONNECT packet of an attempt: the client id, the clean start or resumed session, fresh
// credentials (from the credentials provider, the URL or the options), the will, and the MQTT 5
// properties the connect options set.

import type { ConnectPacket } from "../codec/packets.ts";
import { errorMessage } from "./_connection.ts";
import type { ClientSettings, ConnectSettings } from "./_settings.ts";
import { MqttError } from "./errors.ts";
import type { CredentialsProvider } from "./options.ts";
import type { BrokerUrl } from "./url.ts";

const encoder = new TextEncoder();

/**
 * Refuses settings no CONNECT may carry: MQTT-3.1.3-7, a zero-byte ClientId needs CleanSession 1
 * (the broker would refuse with return code 2), and a session to resume needs an id to find it by.
 */
export function checkSessionId(cs: ConnectSettings, clientId: string): void {
  if (cs.protocolVersion === 4 && !cs.cleanStart && clientId === "") {
    throw new MqttError(
      "Cannot connect: clean_session false needs a client_id with MQTT 3.1.1 (MQTT-3.1.3-7)",
      { code: "invalid", method: "connect" },
    );
  }
}

/**
 * The CONNECT packet of an attempt, with fresh credentials: at once, or once the credentials
 * provider has answered.
 */
export function connectPacket(
  s: ClientSettings,
  cs: ConnectSettings,
  url: BrokerUrl,
  clientId: string,
  resume: boolean,
): ConnectPacket | Promise<ConnectPacket> {
  const provider = s.credentialsProvider;
  if (provider !== undefined) {
    return provided(provider).then(({ username, password }) =>
      connectWith(s, cs, clientId, resume, username, password)
    );
  }
  return url.username !== undefined
    ? connectWith(s, cs, clientId, resume, url.username, url.password)
    : connectWith(s, cs, clientId, resume, s.username, s.password);
}

async function provided(
  provider: CredentialsProvider,
): Promise<{ username: string; password?: string }> {
  let credentials: unknown;
  try {
    credentials = await provider();
  } catch (cause) {
    throw new MqttError(`Cannot connect: credentials provider failed: ${errorMessage(cause)}`, {
      code: "credentials",
      method: "connect",
      cause,
    });
  }
  const c = credentials as { username?: unknown; password?: unknown } | null;
  // A user name alone is fine (xk6-mqtt reads a missing password as none).
  if (
    typeof c?.username !== "string" ||
    (c.password !== undefined && typeof c.password !== "string")
  ) {
    throw new MqttError(
      "Cannot connect: credentials provider must return { username: string, password?: string }",
      { code: "credentials", method: "connect" },
    );
  }
  const given: { username: string; password?: string } = { username: c.username };
  if (c.password !== undefined) given.password = c.password as string;
  return given;
}

function connectWith(
  s: ClientSettings,
  cs: ConnectSettings,
  clientId: string,
  resume: boolean,
  username: string | undefined,
  password: string | undefined,
): ConnectPacket {
  const v = cs.protocolVersion;
  const packet: ConnectPacket = {
    type: "connect",
    protocolVersion: v,
    clientId,
    cleanStart: resume ? false : cs.cleanStart,
    keepalive: cs.keepalive,
  };
  if (username !== undefined) packet.username = username;
  if (password !== undefined) packet.password = encoder.encode(password);
  if (s.will !== undefined) packet.will = s.will;
  if (v === 5) {
    const properties = { ...cs.properties };
    if (cs.sessionExpiryInterval !== undefined) {
      properties.sessionExpiryInterval = cs.sessionExpiryInterval;
    }
    if (cs.receiveMaximum !== undefined) properties.receiveMaximum = cs.receiveMaximum;
    if (cs.maxPacketSize !== undefined) properties.maximumPacketSize = cs.maxPacketSize;
    if (Object.keys(properties).length > 0) packet.properties = properties;
  }
  return packet;
}

/** A client id for MQTT 3.1 brokers, which refuse empty ones: at most 23 characters. */
export function randomClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `mqload${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
