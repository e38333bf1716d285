/**
 * The raw-socket ceiling: pre-encoded MQTT packets written with Deno.connect, no client logic.
 *
 * @module
 */

import { Decoder, encode } from "../codec/mod.ts";

/** A raw MQTT 3.1.1 connection: CONNECT done, then bytes in and packets out. */
export interface RawConnection {
  /** Writes all of `bytes`. */
  write(bytes: Uint8Array): Promise<void>;
  /** Reads until a packet of `type` arrives; returns it. */
  waitFor(type: string): Promise<void>;
  /**
   * Reads what the socket has, past what `waitFor` decoded; null at its end. The bytes are valid
   * until the next read.
   */
  read(): Promise<Uint8Array | null>;
  /** Closes the socket. */
  close(): void;
}

/**
 * Connects with a raw socket and completes CONNECT/CONNACK.
 *
 * @param port Broker port on 127.0.0.1.
 * @param clientId Client identifier.
 * @returns The connection.
 */
export async function rawConnect(port: number, clientId: string): Promise<RawConnection> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const decoder = new Decoder({ protocolVersion: 4 });
  const buffer = new Uint8Array(16 * 1024);
  const write = async (bytes: Uint8Array) => {
    let offset = 0;
    while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
  };
  const waitFor = async (type: string) => {
    while (true) {
      let packet;
      while ((packet = decoder.next()) !== undefined) if (packet.type === type) return;
      const n = await conn.read(buffer);
      if (n === null) throw new Error(`Connection closed while waiting for ${type}`);
      decoder.feed(buffer.slice(0, n));
    }
  };
  await write(
    encode({ type: "connect", protocolVersion: 4, clientId, cleanStart: true, keepalive: 0 }),
  );
  await waitFor("connack");
  const read = async () => {
    const n = await conn.read(buffer);
    return n === null ? null : buffer.subarray(0, n);
  };
  return { write, waitFor, read, close: () => conn.close() };
}

/**
 * `count` QoS 0 PUBLISH packets of `payload` on `topic`, encoded once and repeated.
 *
 * @param topic Topic.
 * @param payload Payload.
 * @param count Packets in the batch.
 * @returns The concatenated bytes.
 */
export function publishBatch(topic: string, payload: Uint8Array, count: number): Uint8Array {
  const one = encode({ type: "publish", topic, payload, qos: 0, retain: false, dup: false });
  const batch = new Uint8Array(one.length * count);
  for (let i = 0; i < count; i++) batch.set(one, i * one.length);
  return batch;
}

/**
 * A QoS 1 PUBLISH, as a fence: its PUBACK means the broker processed everything before it.
 *
 * @param topic Topic.
 * @param packetId Packet identifier.
 * @returns The encoded packet.
 */
export function fence(topic: string, packetId: number): Uint8Array {
  return encode({
    type: "publish",
    topic,
    payload: new Uint8Array(1),
    qos: 1,
    retain: false,
    dup: false,
    packetId,
  });
}

/** What a {@linkcode rawWindow} exchange delivered. */
export interface RawWindowResult {
  /** PUBLISH packets the subscriber read. */
  received: number;
  /** Whether the time cap cut the run short. */
  capped: boolean;
}

// PUBACK, PUBREC, PUBREL and PUBCOMP of MQTT 3.1.1: four bytes, the packet id last.
const PUBACK = 0x40;
const PUBREC = 0x50;
const PUBREL = 0x62;
const PUBCOMP = 0x70;

/**
 * The raw-socket floor of a windowed flow: a publisher keeping at most `window` QoS 1 or 2
 * publications unacknowledged and a subscriber of their topic, each answering every read with one
 * write of all it owes (acknowledgements, and the publications the window freed), with no
 * protocol state beyond counting. A client can gather no more per system call than this without
 * holding packets back.
 *
 * @param port Broker port on 127.0.0.1.
 * @param topic Topic (a PUBLISH of it and the payload is shorter than 128 bytes).
 * @param payload Payload of every publication.
 * @param qos 1 or 2.
 * @param count Publications.
 * @param window Publications unacknowledged at most.
 * @param capMs Time after which both sockets are closed.
 * @returns How many the subscriber read.
 */
export async function rawWindow(
  port: number,
  topic: string,
  payload: Uint8Array,
  qos: 1 | 2,
  count: number,
  window: number,
  capMs: number,
): Promise<RawWindowResult> {
  const subscriber = await rawConnect(port, `raw-sub-${topic}`);
  const publisher = await rawConnect(port, `raw-pub-${topic}`);
  await subscriber.write(
    encode({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: topic, qos }] }),
  );
  await subscriber.waitFor("suback");
  const one = encode({
    type: "publish",
    topic,
    payload,
    qos,
    retain: false,
    dup: false,
    packetId: 1,
  });
  const idAt = one.length - payload.length - 2;
  let received = 0;
  let capped = false;
  const cap = setTimeout(() => {
    capped = true;
    publisher.close();
    subscriber.close();
  }, capMs);
  const subscribing = exchange(subscriber, 0, () => received >= count, (type, id, out) => {
    if (type >> 4 === 3) {
      received++;
      out.answer(qos === 1 ? PUBACK : PUBREC, id);
    } else if (type === PUBREL) out.answer(PUBCOMP, id);
  });
  let sent = 0;
  let completed = 0;
  let packetId = 0;
  const publishing = exchange(
    publisher,
    window * one.length,
    () => completed >= count,
    (type, id, out) => {
      if (type === PUBREC) out.answer(PUBREL, id);
      else if (type === PUBACK || type === PUBCOMP) completed++;
    },
    (out) => {
      for (; sent < count && sent - completed < window; sent++) {
        packetId = packetId % 65535 + 1;
        const at = out.append(one);
        out.bytes[at + idAt] = packetId >> 8;
        out.bytes[at + idAt + 1] = packetId & 0xff;
      }
    },
  );
  try {
    await Promise.all([subscribing, publishing]);
  } catch (error) {
    if (!capped) throw error;
  } finally {
    clearTimeout(cap);
    publisher.close();
    subscriber.close();
  }
  return { received, capped };
}

/** The bytes a raw exchange writes after a read. */
class Outgoing {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Appends `packet`; returns where it starts. */
  append(packet: Uint8Array): number {
    const at = this.length;
    this.bytes.set(packet, at);
    this.length += packet.length;
    return at;
  }

  /** Appends a four-byte acknowledgement. */
  answer(type: number, id: number): void {
    const at = this.length;
    this.bytes[at] = type;
    this.bytes[at + 1] = 2;
    this.bytes[at + 2] = id >> 8;
    this.bytes[at + 3] = id & 0xff;
    this.length += 4;
  }
}

/**
 * Reads until `done()`; hands every packet a read completed to `handle`, lets `fill` add more,
 * and writes all of it at once. Every packet here is shorter than 128 bytes, so its remaining
 * length is one byte.
 */
async function exchange(
  connection: RawConnection,
  room: number,
  done: () => boolean,
  handle: (type: number, id: number, out: Outgoing) => void,
  fill?: (out: Outgoing) => void,
): Promise<void> {
  // A read of up to 16 KiB answers at most one four-byte packet with another.
  const out = new Outgoing(room + 16 * 1024);
  let carry = new Uint8Array(0);
  fill?.(out);
  while (!done()) {
    if (out.length > 0) {
      await connection.write(out.bytes.slice(0, out.length));
      out.length = 0;
    }
    const chunk = await connection.read();
    if (chunk === null) return;
    let bytes = chunk;
    if (carry.length > 0) {
      bytes = new Uint8Array(carry.length + chunk.length);
      bytes.set(carry);
      bytes.set(chunk, carry.length);
    }
    let offset = 0;
    while (offset + 2 <= bytes.length && offset + 2 + bytes[offset + 1] <= bytes.length) {
      const type = bytes[offset];
      const end = offset + 2 + bytes[offset + 1];
      // A PUBLISH's packet id follows its topic; an acknowledgement's ends it.
      const idAt = type >> 4 === 3
        ? offset + 4 + ((bytes[offset + 2] << 8) | bytes[offset + 3])
        : end - 2;
      handle(type, (bytes[idAt] << 8) | bytes[idAt + 1], out);
      offset = end;
    }
    carry = bytes.slice(offset);
    fill?.(out);
  }
}
