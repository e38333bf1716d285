// CONNECT encoding (MQTT 3.1 §3.1, 3.1.1 §3.1, 5.0 §3.1): the one packet that carries its
// own protocol version.

import type { ConnectPacket } from "./packets.ts";
import { intCheck, propertiesSize, WILL, withLength, writeProperties } from "./_properties.ts";
import { stringSize } from "./_utf8.ts";
import type { BufferPool } from "./_buffer_pool.ts";
import { checkAuthentication, checkQos, start, topicNameSize } from "./_encode_util.ts";

const CONNECT = 1 << 1;

/** Encodes a CONNECT for its own `protocolVersion`. */
export function encodeConnect(p: ConnectPacket, pool: BufferPool | undefined): Uint8Array {
  const v = p.protocolVersion;
  if (v !== 3 && v !== 4 && v !== 5) {
    throw new RangeError(`Unsupported protocol version: ${v}`);
  }
  const v5 = v === 5;
  const name = v === 3 ? "MQIsdp" : "MQTT";
  intCheck(p.keepalive, 0, 0xffff, "keepalive");
  // Protocol name, level, flags, keepalive, client identifier.
  const clientIdSize = stringSize(p.clientId, "Client identifier");
  if (clientIdSize === 0 && !v5 && (v === 3 || !p.cleanStart)) {
    // MQTT 3.1 §3.1 wants 1 to 23 characters; 3.1.1 [MQTT-3.1.3-7] an empty one only with
    // clean session. MQTT 5 lets the server assign one either way.
    throw new TypeError(
      v === 3
        ? "MQTT 3.1 needs a client identifier"
        : "MQTT 3.1.1 allows an empty client identifier only with clean session",
    );
  }
  let len = 2 + name.length + 4 + 2 + clientIdSize;
  let flags = p.cleanStart ? 0x02 : 0;
  let propsSize = 0;
  if (v5) {
    propsSize = propertiesSize(p.properties, CONNECT);
    checkAuthentication(p.properties);
    len += withLength(propsSize);
  }
  const will = p.will;
  let willPropsSize = 0;
  if (will !== undefined) {
    if (typeof will !== "object" || will === null) throw new TypeError("will must be an object");
    const qos = checkQos(will.qos);
    const topicSize = topicNameSize(will.topic, "Will topic");
    if (topicSize === 0) throw new TypeError("Will topic must not be empty");
    if (!(will.payload instanceof Uint8Array)) {
      throw new TypeError("Will payload must be a Uint8Array");
    }
    if (will.payload.length > 0xffff) {
      throw new RangeError("Will payload is longer than 65535 bytes");
    }
    len += 4 + topicSize + will.payload.length;
    if (v5) {
      willPropsSize = propertiesSize(will.properties, WILL);
      len += withLength(willPropsSize);
    }
    flags |= 0x04 | (qos << 3) | (will.retain ? 0x20 : 0);
  }
  if (p.username !== undefined) {
    len += 2 + stringSize(p.username, "User name");
    flags |= 0x80;
  }
  if (p.password !== undefined) {
    if (!(p.password instanceof Uint8Array)) throw new TypeError("password must be a Uint8Array");
    if (p.password.length > 0xffff) throw new RangeError("password is longer than 65535 bytes");
    if (!v5 && p.username === undefined) {
      throw new TypeError("MQTT 3.1 and 3.1.1 allow a password only with a user name");
    }
    len += 2 + p.password.length;
    flags |= 0x40;
  }
  const w = start(0x10, len, pool);
  w.utf8(name);
  w.u8(v);
  w.u8(flags);
  w.u16(p.keepalive);
  if (v5) writeProperties(w, p.properties, propsSize);
  w.utf8(p.clientId);
  if (will !== undefined) {
    if (v5) writeProperties(w, will.properties, willPropsSize);
    w.utf8(will.topic);
    w.binary(will.payload);
  }
  if (p.username !== undefined) w.utf8(p.username);
  if (p.password !== undefined) w.binary(p.password);
  return w.done();
}
