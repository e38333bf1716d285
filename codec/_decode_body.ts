// Decoding one packet's variable header and payload from a Reader bounded by its remaining
// length, with the checks MQTT 3.1, 3.1.1 and 5.0 ask of a receiver.

import { MqttProtocolError } from "./errors.ts";
import type {
  AckPacket,
  ConnackPacket,
  ConnectPacket,
  Packet,
  Properties,
  ProtocolVersion,
  PublishPacket,
  Subscription,
  Will,
} from "./packets.ts";
import { isReasonCodeAllowed } from "./reason_codes.ts";
import { contextBit, readProperties, WILL } from "./_properties.ts";
import type { Reader } from "./_reader.ts";
import { filterProblem, hasWildcard, isShared } from "./_topics.ts";

const TYPE_NAMES = [
  "reserved",
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
  "auth",
] as const;
type AckType = "puback" | "pubrec" | "pubrel" | "pubcomp";

// The fixed-header flags each type requires (MQTT 5.0 §2.1.3); PUBLISH is checked apart.
const FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/** A Malformed Packet (0x81) error. */
export function malformed(message: string): MqttProtocolError {
  return new MqttProtocolError(`Malformed packet: ${message}`, 0x81);
}

/** A Protocol Error (0x82) error. */
export function protocolError(message: string): MqttProtocolError {
  return new MqttProtocolError(`Protocol error: ${message}`, 0x82);
}

/** Checks the first byte of a fixed header: packet type and its flags. */
export function checkFirstByte(first: number, version: ProtocolVersion): void {
  const type = first >> 4;
  if (type === 3) {
    if ((first & 0x06) === 0x06) throw malformed("PUBLISH with QoS 3");
    if ((first & 0x0e) === 0x08) throw malformed("QoS 0 PUBLISH with DUP set");
    return;
  }
  if (type === 0 || (type === 15 && version !== 5)) {
    throw malformed(`reserved packet type ${type}`);
  }
  const flags = first & 0x0f;
  // MQTT 3.1 sets DUP on a resent PUBREL, SUBSCRIBE or UNSUBSCRIBE; 3.1.1 made the flags fixed.
  if (flags !== FLAGS[type] && !(version === 3 && FLAGS[type] === 2 && flags === 0x0a)) {
    throw malformed(`invalid flags 0x${flags.toString(16)} in ${TYPE_NAMES[type]}`);
  }
}

/**
 * Decodes the packet whose first byte is `first` from `r`, which spans exactly its remaining
 * length. The first byte was checked by checkFirstByte.
 */
export function decodeBody(r: Reader, first: number, version: ProtocolVersion): Packet {
  const type = first >> 4;
  const v5 = version === 5;
  let packet: Packet;
  switch (type) {
    case 3:
      packet = readPublish(r, first, v5);
      break;
    case 4:
    case 5:
    case 6:
    case 7:
      packet = readAck(r, type, v5);
      break;
    case 1:
      packet = readConnect(r);
      break;
    case 2:
      packet = readConnack(r, version);
      break;
    case 8:
      packet = readSubscribe(r, v5);
      break;
    case 9:
      packet = readSuback(r, v5);
      break;
    case 10:
      packet = readUnsubscribe(r, v5);
      break;
    case 11:
      packet = readUnsuback(r, v5);
      break;
    case 12:
      packet = { type: "pingreq" };
      break;
    case 13:
      packet = { type: "pingresp" };
      break;
    case 14:
      packet = readDisconnect(r, v5);
      break;
    default:
      packet = readAuth(r);
  }
  if (r.pos !== r.end) {
    throw malformed(`${r.end - r.pos} bytes left after the last field of ${TYPE_NAMES[type]}`);
  }
  return packet;
}

function packetId(r: Reader): number {
  const id = r.u16();
  if (id === 0) throw protocolError("packet identifier 0");
  return id;
}

function reasonCode(code: number, type: Packet["type"]): number {
  // A failure code outside the packet's list is still a failure: brokers send such codes (mosquitto
  // 2.0 answers an oversized PUBLISH with PUBACK 0x95), and refusing the packet would turn one
  // refused message into a lost connection. An unlisted success code stays a protocol error.
  if (code < 0x80 && !isReasonCodeAllowed(code, type)) {
    throw protocolError(`reason code 0x${code.toString(16)} is not valid in ${type}`);
  }
  return code;
}

function checkAuthentication(props: Properties | undefined): void {
  if (props?.authenticationData !== undefined && props.authenticationMethod === undefined) {
    throw protocolError("authentication data without an authentication method");
  }
}

function readPublish(r: Reader, first: number, v5: boolean): PublishPacket {
  const qos = ((first >> 1) & 3) as 0 | 1 | 2;
  const retain = (first & 1) === 1;
  const dup = (first & 8) === 8;
  const topic = r.topic();
  if (hasWildcard(topic)) throw malformed(`wildcard in topic name "${topic}"`);
  const id = qos === 0 ? 0 : packetId(r);
  if (v5) {
    const properties = readProperties(r, 1 << 3);
    if (topic.length === 0 && properties?.topicAlias === undefined) {
      throw protocolError("PUBLISH without a topic name or a topic alias");
    }
    const payload = r.rest();
    if (properties !== undefined) {
      return qos === 0
        ? { type: "publish", topic, payload, qos, retain, dup, properties }
        : { type: "publish", topic, payload, qos, retain, dup, packetId: id, properties };
    }
    return qos === 0
      ? { type: "publish", topic, payload, qos, retain, dup }
      : { type: "publish", topic, payload, qos, retain, dup, packetId: id };
  }
  if (topic.length === 0) throw protocolError("PUBLISH without a topic name");
  const payload = r.rest();
  return qos === 0
    ? { type: "publish", topic, payload, qos, retain, dup }
    : { type: "publish", topic, payload, qos, retain, dup, packetId: id };
}

function readAck(r: Reader, n: number, v5: boolean): AckPacket<AckType> {
  const type = TYPE_NAMES[n] as AckType;
  const id = packetId(r);
  if (!v5) return { type, packetId: id };
  const code = r.pos < r.end ? reasonCode(r.u8(), type) : 0;
  const properties = r.pos < r.end ? readProperties(r, contextBit(n)) : undefined;
  return properties === undefined
    ? { type, packetId: id, reasonCode: code }
    : { type, packetId: id, reasonCode: code, properties };
}

function readConnect(r: Reader): ConnectPacket {
  const name = r.utf8();
  const level = r.u8();
  if (name === "MQTT" ? level !== 4 && level !== 5 : name === "MQIsdp" ? level !== 3 : false) {
    throw new MqttProtocolError(`Unsupported protocol version: ${name} ${level}`, 0x84);
  }
  if (name !== "MQTT" && name !== "MQIsdp") throw protocolError(`unknown protocol "${name}"`);
  const protocolVersion = level as ProtocolVersion;
  const v5 = level === 5;
  const flags = r.u8();
  if (flags & 0x01) throw malformed("CONNECT reserved flag is set");
  const willQos = (flags >> 3) & 3;
  if ((flags & 0x04) === 0) {
    if (flags & 0x38) throw malformed("will QoS or retain set without a will");
  } else if (willQos === 3) {
    throw malformed("will QoS 3");
  }
  if (!v5 && (flags & 0xc0) === 0x40) throw malformed("password without a user name");
  const keepalive = r.u16();
  const properties = v5 ? readProperties(r, 1 << 1) : undefined;
  checkAuthentication(properties);
  const packet: ConnectPacket = {
    type: "connect",
    protocolVersion,
    clientId: r.utf8(),
    cleanStart: (flags & 0x02) !== 0,
    keepalive,
  };
  if (flags & 0x04) {
    const willProperties = v5 ? readProperties(r, WILL) : undefined;
    const topic = r.utf8();
    if (topic.length === 0) throw protocolError("empty will topic");
    if (hasWildcard(topic)) throw malformed(`wildcard in will topic "${topic}"`);
    const will: Will = {
      topic,
      payload: r.binary(),
      qos: willQos as 0 | 1 | 2,
      retain: (flags & 0x20) !== 0,
    };
    if (willProperties !== undefined) will.properties = willProperties;
    packet.will = will;
  }
  if (flags & 0x80) packet.username = r.utf8();
  if (flags & 0x40) packet.password = r.binary();
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

// 3.1.1 CONNACK return codes 1–5 → 0x84 Unsupported Protocol Version, 0x85 Client Identifier not
// valid, 0x88 Server unavailable, 0x86 Bad User Name or Password, 0x87 Not authorized.
const V4_TO_V5_CONNACK = [0, 0x84, 0x85, 0x88, 0x86, 0x87];

function readConnack(r: Reader, version: ProtocolVersion): ConnackPacket {
  const v5 = version === 5;
  const ack = r.u8();
  // MQTT 3.1 has no session present flag: its whole first byte is reserved and unused.
  if (ack & 0xfe && version !== 3) throw malformed("CONNACK reserved flags are set");
  const code = r.u8();
  // A 3.1.1 server answers a v5 CONNECT with its own CONNACK (no properties) and return code 1
  // (MQTT 5 §3.1.4 expects it): read its return code as the v5 reason code that means the same.
  if (v5 && code >= 1 && code <= 5 && r.pos === r.end && ack === 0) {
    return { type: "connack", sessionPresent: false, reasonCode: V4_TO_V5_CONNACK[code]! };
  }
  if (v5) reasonCode(code, "connack");
  else if (code > 5) throw malformed(`reserved CONNACK return code ${code}`);
  const sessionPresent = ack === 1 && version !== 3;
  if (sessionPresent && code !== 0) throw protocolError("session present on a refused connection");
  if (!v5) return { type: "connack", sessionPresent, reasonCode: code };
  const properties = readProperties(r, 1 << 2);
  if (properties === undefined) return { type: "connack", sessionPresent, reasonCode: code };
  checkAuthentication(properties);
  return { type: "connack", sessionPresent, reasonCode: code, properties };
}

function readSubscribe(r: Reader, v5: boolean): Packet {
  const id = packetId(r);
  const properties = v5 ? readProperties(r, 1 << 8) : undefined;
  if (properties?.subscriptionIdentifiers && properties.subscriptionIdentifiers.length > 1) {
    throw protocolError("more than one subscription identifier in SUBSCRIBE");
  }
  const subscriptions: Subscription[] = [];
  while (r.pos < r.end) {
    const topicFilter = r.utf8();
    const problem = filterProblem(topicFilter, v5);
    if (problem !== undefined) throw malformed(problem);
    const options = r.u8();
    const qos = options & 3;
    if (qos === 3) throw malformed("subscription with QoS 3");
    if (!v5) {
      if (options & 0xfc) throw malformed("reserved subscription option bits are set");
      subscriptions.push({ topicFilter, qos: qos as 0 | 1 | 2 });
      continue;
    }
    if (options & 0xc0) throw malformed("reserved subscription option bits are set");
    const retainHandling = (options >> 4) & 3;
    if (retainHandling === 3) throw protocolError("retain handling 3");
    const noLocal = (options & 4) !== 0;
    if (noLocal && isShared(topicFilter)) throw protocolError("no local on a shared subscription");
    subscriptions.push({
      topicFilter,
      qos: qos as 0 | 1 | 2,
      noLocal,
      retainAsPublished: (options & 8) !== 0,
      retainHandling: retainHandling as 0 | 1 | 2,
    });
  }
  if (subscriptions.length === 0) throw protocolError("SUBSCRIBE without subscriptions");
  return properties === undefined
    ? { type: "subscribe", packetId: id, subscriptions }
    : { type: "subscribe", packetId: id, subscriptions, properties };
}

function readCodes(r: Reader, v5: boolean, type: "suback" | "unsuback"): number[] {
  const codes: number[] = [];
  while (r.pos < r.end) {
    const code = r.u8();
    if (v5) reasonCode(code, type);
    else if (code > 2 && code !== 0x80) throw malformed(`invalid SUBACK return code ${code}`);
    codes.push(code);
  }
  if (codes.length === 0) throw protocolError(`${type.toUpperCase()} without reason codes`);
  return codes;
}

function readSuback(r: Reader, v5: boolean): Packet {
  const id = packetId(r);
  const properties = v5 ? readProperties(r, 1 << 9) : undefined;
  const reasonCodes = readCodes(r, v5, "suback");
  return properties === undefined
    ? { type: "suback", packetId: id, reasonCodes }
    : { type: "suback", packetId: id, reasonCodes, properties };
}

function readUnsubscribe(r: Reader, v5: boolean): Packet {
  const id = packetId(r);
  const properties = v5 ? readProperties(r, 1 << 10) : undefined;
  const topicFilters: string[] = [];
  while (r.pos < r.end) {
    const filter = r.utf8();
    const problem = filterProblem(filter, v5);
    if (problem !== undefined) throw malformed(problem);
    topicFilters.push(filter);
  }
  if (topicFilters.length === 0) throw protocolError("UNSUBSCRIBE without topic filters");
  return properties === undefined
    ? { type: "unsubscribe", packetId: id, topicFilters }
    : { type: "unsubscribe", packetId: id, topicFilters, properties };
}

function readUnsuback(r: Reader, v5: boolean): Packet {
  const id = packetId(r);
  if (!v5) return { type: "unsuback", packetId: id };
  const properties = readProperties(r, 1 << 11);
  const reasonCodes = readCodes(r, v5, "unsuback");
  return properties === undefined
    ? { type: "unsuback", packetId: id, reasonCodes }
    : { type: "unsuback", packetId: id, reasonCodes, properties };
}

function readDisconnect(r: Reader, v5: boolean): Packet {
  if (!v5) return { type: "disconnect" };
  const code = r.pos < r.end ? reasonCode(r.u8(), "disconnect") : 0;
  const properties = r.pos < r.end ? readProperties(r, 1 << 14) : undefined;
  return properties === undefined
    ? { type: "disconnect", reasonCode: code }
    : { type: "disconnect", reasonCode: code, properties };
}

function readAuth(r: Reader): Packet {
  const code = r.pos < r.end ? reasonCode(r.u8(), "auth") : 0;
  const properties = r.pos < r.end ? readProperties(r, 1 << 15) : undefined;
  checkAuthentication(properties);
  return properties === undefined
    ? { type: "auth", reasonCode: code }
    : { type: "auth", reasonCode: code, properties };
}
