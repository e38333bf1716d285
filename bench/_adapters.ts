/**
 * One small interface over the clients the benchmarks compare (mqload's Client, MQTT.js), so
 * every scenario drives them with the same code.
 *
 * @module
 */

import mqtt from "mqtt";
import { Buffer } from "node:buffer";
import { Client } from "../mod.ts";

/** A connected client, reduced to what the benchmarks use. */
export interface BenchClient {
  /** Subscribes and resolves on SUBACK. */
  subscribe(topic: string, qos: 0 | 1 | 2): Promise<void>;
  /** Sets the one message handler (called with the payload length). */
  onMessage(handler: (length: number) => void): void;
  /** Publishes without waiting; `done` is called on write (QoS 0) or acknowledgement. */
  publish(topic: string, payload: Uint8Array, qos: 0 | 1 | 2, done?: () => void): void;
  /** Publishes and resolves on write (QoS 0) or acknowledgement. */
  publishAsync(topic: string, payload: Uint8Array, qos: 0 | 1 | 2): Promise<void>;
  /** Disconnects. */
  end(): Promise<void>;
}

/** Opens a client of one implementation. */
export type BenchClientFactory = (url: string, clientId: string) => Promise<BenchClient>;

/** mqload's Client. */
export const ours: BenchClientFactory = async (url, clientId) => {
  const client = new Client({ client_id: clientId, reconnect: false, max_queued: 1 << 20 });
  await client.connect(url);
  return {
    async subscribe(topic, qos) {
      await client.subscribe(topic, { qos });
    },
    onMessage(handler) {
      client.on("message", (_topic, payload) => handler(payload.byteLength));
    },
    publish(topic, payload, qos, done) {
      const sent = client.publish(topic, payload, { qos });
      if (done) sent.then(done, done);
      else sent.catch(() => {});
    },
    publishAsync: (topic, payload, qos) => client.publish(topic, payload, { qos }),
    end: () => client.end(),
  };
};

/** MQTT.js (npm `mqtt`), as Deno runs it. */
export const mqttjs: BenchClientFactory = async (url, clientId) => {
  const client = await mqtt.connectAsync(url, { clientId, reconnectPeriod: 0 });
  return {
    async subscribe(topic, qos) {
      await client.subscribeAsync(topic, { qos });
    },
    onMessage(handler) {
      client.removeAllListeners("message");
      client.on("message", (_topic, payload) => handler(payload.length));
    },
    publish(topic, payload, qos, done) {
      client.publish(topic, toBuffer(payload), { qos }, done ? () => done() : undefined);
    },
    async publishAsync(topic, payload, qos) {
      await client.publishAsync(topic, toBuffer(payload), { qos });
    },
    async end() {
      await client.endAsync();
    },
  };
};

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
