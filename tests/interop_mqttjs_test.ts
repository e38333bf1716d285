// Interop with MQTT.js through mosquitto, both directions, QoS 0/1/2, MQTT 3.1.1 and 5: every
// payload arrives exactly once with the same bytes (checksums of all payloads in order of their
// sequence numbers are equal).
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import mqtt from "mqtt";
import { Client, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { deadline, sha256, signal } from "./fixtures/wait.ts";

const COUNT = 500;
const END = new Uint8Array([0xff, 0xff, 0xff, 0xff]);

/** COUNT payloads: a 4-byte sequence number, then 0..1500 random bytes. */
function makePayloads(): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  for (let seq = 0; seq < COUNT; seq++) {
    const length = 4 + ((seq * 7919) % 1501);
    const payload = new Uint8Array(length);
    crypto.getRandomValues(payload.subarray(4));
    new DataView(payload.buffer).setUint32(0, seq);
    payloads.push(payload);
  }
  return payloads;
}

/** Collects payloads by sequence number until the END marker; counts duplicates. */
class Collector {
  readonly bySeq = new Map<number, Uint8Array>();
  duplicates = 0;
  foreign = 0;
  readonly done = signal();

  add(payload: Uint8Array): void {
    if (payload.length === 4 && payload.every((b, i) => b === END[i])) return this.done.resolve();
    if (payload.length < 4) return void this.foreign++;
    const seq = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
    if (this.bySeq.has(seq)) this.duplicates++;
    this.bySeq.set(seq, payload.slice());
  }

  checksum(): Promise<string> {
    return digest([...this.bySeq.keys()].sort((a, b) => a - b).map((k) => this.bySeq.get(k)!));
  }
}

async function digest(payloads: Uint8Array[]): Promise<string> {
  const total = payloads.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const payload of payloads) {
    all.set(payload, offset);
    offset += payload.length;
  }
  return await sha256(all);
}

async function check(collector: Collector, payloads: Uint8Array[], what: string) {
  await collector.done.wait(20_000, `END marker (${collector.bySeq.size}/${COUNT}) ${what}`);
  assert.equal(collector.bySeq.size, COUNT, `distinct messages ${what}`);
  assert.equal(collector.duplicates, 0, `duplicates ${what}`);
  assert.equal(collector.foreign, 0);
  assert.equal(await collector.checksum(), await digest(payloads), `checksum ${what}`);
}

for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `interop v${version}: mqload publishes, MQTT.js receives, QoS 0/1/2 exact and intact`,
    async fn() {
      await using broker = await startMosquitto();
      const peer = await mqtt.connectAsync(broker.url, {
        protocolVersion: version,
        reconnectPeriod: 0,
        clientId: `mqttjs-sub-v${version}`,
      });
      const ours = new Client({ client_id: `mqload-pub-v${version}`, protocol_version: version });
      try {
        await ours.connect(broker.url);
        for (const qos of [QoS.AtMostOnce, QoS.AtLeastOnce, QoS.ExactlyOnce]) {
          const topic = `interop/to-mqttjs/v${version}/q${qos}`;
          const payloads = makePayloads();
          const collector = new Collector();
          const qosSeen = new Set<number>();
          peer.removeAllListeners("message");
          peer.on("message", (t, payload, packet) => {
            if (t !== topic) return void collector.foreign++;
            qosSeen.add(packet.qos);
            collector.add(new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength));
          });
          await peer.subscribeAsync(topic, { qos });
          await deadline(
            Promise.all(payloads.map((p) => ours.publish(topic, p, { qos }))),
            20_000,
            `acks at QoS ${qos}`,
          );
          await ours.publish(topic, END, { qos });
          await check(collector, payloads, `to MQTT.js at QoS ${qos}`);
          assert.deepEqual([...qosSeen], [qos]);
          await peer.unsubscribeAsync(topic);
        }
      } finally {
        await ours.end();
        await peer.endAsync();
      }
    },
  });

  Deno.test({
    ...needsMosquitto,
    name: `interop v${version}: MQTT.js publishes, mqload receives, QoS 0/1/2 exact and intact`,
    async fn() {
      await using broker = await startMosquitto();
      const peer = await mqtt.connectAsync(broker.url, {
        protocolVersion: version,
        reconnectPeriod: 0,
        clientId: `mqttjs-pub-v${version}`,
      });
      const ours = new Client({ client_id: `mqload-sub-v${version}`, protocol_version: version });
      try {
        await ours.connect(broker.url);
        for (const qos of [QoS.AtMostOnce, QoS.AtLeastOnce, QoS.ExactlyOnce]) {
          const topic = `interop/from-mqttjs/v${version}/q${qos}`;
          const payloads = makePayloads();
          const collector = new Collector();
          const qosSeen = new Set<number>();
          ours.on("message", (t, payload, info) => {
            if (t !== topic) return void collector.foreign++;
            qosSeen.add(info.qos);
            collector.add(new Uint8Array(payload));
          });
          assert.deepEqual(await ours.subscribe(topic, { qos }), [qos]);
          await deadline(
            Promise.all(payloads.map((p) => peer.publishAsync(topic, toBuffer(p), { qos }))),
            20_000,
            `MQTT.js acks at QoS ${qos}`,
          );
          await peer.publishAsync(topic, toBuffer(END), { qos });
          await check(collector, payloads, `from MQTT.js at QoS ${qos}`);
          assert.deepEqual([...qosSeen], [qos]);
          await ours.unsubscribe(topic);
        }
      } finally {
        await ours.end();
        await peer.endAsync();
      }
    },
  });
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
