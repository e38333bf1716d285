// Turning broker reason codes into typed errors with readable messages.

import { reasonCodeName } from "../codec/mod.ts";
import type { DisconnectPacket, Properties } from "../codec/packets.ts";
import { MqttClosedError, MqttConnectError, MqttError } from "./errors.ts";
import type { CloseInfo } from "./events.ts";

// MQTT 3.1 / 3.1.1 CONNACK return codes (MQTT 5 uses reason codes ≥ 0x80 instead).
const V4_CONNACK = [
  "Connection accepted",
  "Unacceptable protocol version",
  "Identifier rejected",
  "Server unavailable",
  "Bad user name or password",
  "Not authorized",
];

/** `0x87 Not authorized (reason string)`: code in hex, its name, the broker's own words. */
export function describeReason(code: number, reasonString?: string, packetType?: string): string {
  const hex = `0x${code.toString(16).padStart(2, "0").toUpperCase()}`;
  let name: string | undefined;
  if (packetType === "connack" && code < V4_CONNACK.length) name = V4_CONNACK[code];
  else {
    try {
      // A code outside the packet's list (mosquitto's PUBACK 0x95) gets its general meaning.
      name = reasonCodeName(code, packetType as never) ?? reasonCodeName(code);
    } catch {
      name = undefined;
    }
  }
  const text = name ? `${hex} ${name}` : hex;
  return reasonString ? `${text} (${reasonString})` : text;
}

/**
 * A SUBACK, PUBACK, PUBREC, PUBCOMP or UNSUBACK failure; `reasonCodes` are all of a SUBACK's or
 * UNSUBACK's codes, `reasonCode` the first refusal among them.
 */
export function refusal(
  method: string,
  reasonCode: number,
  reasonString?: string,
  topic?: string,
  reasonCodes?: readonly number[],
): MqttError {
  const packetType = method === "publish"
    ? "puback"
    : method === "subscribe"
    ? "suback"
    : "unsuback";
  const where = topic === undefined ? "" : ` "${topic}"`;
  return new MqttError(
    `Cannot ${method}${where}: broker refused with ${
      describeReason(reasonCode, reasonString, packetType)
    }`,
    { code: "refused", reasonCode, method, reasonCodes },
  );
}

/** A CONNACK failure. */
export function connectRefusal(
  href: string,
  reasonCode: number,
  properties: Properties | undefined,
): MqttConnectError {
  const reference = properties?.serverReference;
  return new MqttConnectError(
    `Cannot connect to ${href}: broker refused with ${
      describeReason(reasonCode, properties?.reasonString, "connack")
    }${reference ? `; use server ${reference}` : ""}`,
    { reasonCode, serverReference: reference },
  );
}

/** A broker DISCONNECT as the error that closes the connection, reason and redirect included. */
export function serverDisconnect(packet: DisconnectPacket): MqttClosedError {
  const code = packet.reasonCode ?? 0;
  const reason = describeReason(code, packet.properties?.reasonString, "disconnect");
  const reference = packet.properties?.serverReference;
  return new MqttClosedError(
    `Disconnected by the broker: ${reason}${reference ? `; use server ${reference}` : ""}`,
    { reasonCode: code, serverReference: reference },
  );
}

/** What a `close` event tells about a lost connection; `reconnecting` is decided by the caller. */
export function closeInfo(error: MqttError): CloseInfo {
  const info: CloseInfo = { error, reconnecting: false };
  if (error.reasonCode !== undefined && error instanceof MqttClosedError) {
    info.reasonCode = error.reasonCode;
    if (error.serverReference !== undefined) info.serverReference = error.serverReference;
  }
  return info;
}

/** Why reconnecting stopped: `attempts` failed, the last with `failure`. */
export function gaveUpError(attempts: number, failure: MqttError): MqttClosedError {
  return new MqttClosedError(
    `Cannot reconnect: gave up after ${attempts} attempts: ${failure.message}`,
    { method: "reconnect", cause: failure },
  );
}

/** `error` as the MqttClosedError that calls pending on a client gone idle fail with. */
export function asClosed(error: MqttError): MqttClosedError {
  return error instanceof MqttClosedError
    ? error
    : new MqttClosedError(error.message, { cause: error });
}

/**
 * `error` as the failure of a call of `method`: a connection's loss or the client's end fails
 * every pending call with one error, which names no call; each caller gets it with its own
 * `method` (same class, message and cause), so that matching on `method` works.
 */
export function ofMethod(error: MqttError, method: string): MqttError {
  if (error.method !== undefined) return error;
  const own = Object.create(Object.getPrototypeOf(error)) as MqttError;
  Object.defineProperties(own, Object.getOwnPropertyDescriptors(error));
  Object.defineProperty(own, "method", { value: method, enumerable: true });
  return own;
}
