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
  return { write, waitFor, close: () => conn.close() };
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
