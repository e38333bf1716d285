/**
 * The raw-socket floor of `bench/shapes.ts`: the same exchange as a shape's `mqload run` script
 * (connections, subscriptions, QoS 1 publications at a fixed rate, acknowledgements), made by one
 * plain Deno program with `Deno.connect`, pre-encoded packets and no client logic. Its CPU per
 * message is what Deno's socket operations cost on this machine; mqload cannot go below it.
 * Its publications carry mqload's latency stamp, in the same bytes (`latency_stamp: "payload"`
 * for MQTT 3.1.1, `"property"` for MQTT 5), and its subscribers measure end-to-end latency from
 * it as mqload's do: so any Deno generator's latency at a shape's rate can be told from mqload's.
 * Started by the bench as a child process with the shape's environment (see `ShapeEnv`) and
 * `FLOOR_SUMMARY`, the file where it writes at exit, as the runner's `--summary-export` would,
 * `mqtt_messages_sent`, `mqtt_messages_received` and `mqtt_message_latency`.
 *
 * @module
 */

import { Decoder, encode } from "../codec/mod.ts";
import type { Packet, PublishPacket } from "../codec/packets.ts";
import { SYSTEM_CLOCK } from "../client/clock.ts";
import { LATENCY_PROPERTY, payloadStamp, stampPayload } from "../client/_latency_stamp.ts";
import { LogHistogram } from "../runner/metrics/histogram.ts";
import { floorRead, type FloorSink } from "./_floor_read.ts";

const env = Deno.env.toObject();
const url = new URL(env.BROKER);
const START_AT = Number(env.START_AT);
const END_AT = Number(env.END_AT);
const PUBLISHERS = Number(env.PUBLISHERS);
const SUBSCRIBERS = Number(env.SUBSCRIBERS);
const RATE = Number(env.RATE);
const QOS = Number(env.QOS) as 0 | 1;
const VERSION = Number(env.PROTOCOL) as 4 | 5;
// With PACED=1, as publishEvery()'s ticks: each publication goes out at the first tick at or
// after it is due, so the publications of many publishers share the event loop's wakeups.
const TICK = env.PACED === "1" ? Number(env.PACED_TICK ?? 10) : 0;
const PAYLOAD = new TextEncoder().encode("0123456789abcdef0123456789abcdef");

// What the subscribers received and how late (ms, receive time − stamp), and what was published.
const latency = new LogHistogram();
let received = 0;
let sent = 0;

/** The send time a received publication carries, where mqload's stamp puts it. */
function stampOf(packet: PublishPacket): number | undefined {
  if (VERSION === 4) return payloadStamp(packet.payload);
  const properties = packet.properties?.userProperties;
  if (properties === undefined) return undefined;
  for (const property of properties) {
    if (property[0] === LATENCY_PROPERTY) return Number(property[1]);
  }
  return undefined;
}

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
const onTick = (at: number) => TICK > 0 ? Math.ceil(at / TICK) * TICK : at;

/** A connection that answers PUBLISH with PUBACK and measures the latency of each. */
async function open(clientId: string): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  conn.setNoDelay(true);
  const decoder = new Decoder({ protocolVersion: VERSION });
  await conn.write(
    encode({
      type: "connect",
      protocolVersion: VERSION,
      clientId,
      cleanStart: true,
      keepalive: 60,
    }),
  );
  const buffer = new Uint8Array(4096);
  const connack = Promise.withResolvers<void>();
  const sink: FloorSink = {
    connack: () => connack.resolve(),
    received(stamp, now) {
      received++;
      if (stamp !== undefined) latency.add(Math.max(0, now - stamp));
    },
  };
  (async () => {
    let n: number | null;
    while ((n = await conn.read(buffer)) !== null) {
      // The receive time of every publication in this read: when its bytes arrived.
      const acks = floorRead(decoder, buffer.subarray(0, n), SYSTEM_CLOCK.now(), stampOf, sink);
      if (acks !== undefined) await conn.write(acks);
    }
  })().catch(() => {});
  await connack.promise;
  return conn;
}

async function subscriber(index: number): Promise<Deno.Conn> {
  const conn = await open(`floor-sub-${index}`);
  await conn.write(encode({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: env.FILTER, qos: QOS }],
  } as Packet, VERSION));
  return conn;
}

async function publisher(index: number): Promise<void> {
  const conn = await open(`floor-pub-${index}`);
  const topic = `shapes/${index}`;
  const interval = 1000 / RATE;
  let next = START_AT + (interval * index) / PUBLISHERS;
  let id = 1;
  await sleepUntil(onTick(next));
  while (next < END_AT) {
    // Stamped as mqload stamps: the send time, read when the publication is made.
    const stamp = SYSTEM_CLOCK.now();
    const packet: PublishPacket = {
      type: "publish",
      topic,
      payload: VERSION === 4 ? stampPayload(PAYLOAD, stamp) : PAYLOAD,
      qos: QOS,
      packetId: QOS > 0 ? id : undefined,
      retain: false,
      dup: false,
    };
    if (VERSION === 5) packet.properties = { userProperties: [[LATENCY_PROPERTY, String(stamp)]] };
    await conn.write(encode(packet, VERSION));
    sent++;
    id = id === 65535 ? 1 : id + 1;
    next += interval;
    await sleepUntil(onTick(next));
  }
  await sleepUntil(END_AT + 2000);
  conn.close();
}

if (env.KIND === "connect") {
  // The storm: PUBLISHERS connections at RATE per second from START_AT, held until END_AT.
  const held: Deno.Conn[] = [];
  await Promise.all(
    Array.from({ length: PUBLISHERS }, async (_, i) => {
      await sleepUntil(START_AT + (i * 1000) / RATE);
      held.push(await open(`floor-conn-${i}`));
    }),
  );
  await sleepUntil(END_AT);
  for (const conn of held) conn.close();
} else {
  const subscribers: Deno.Conn[] = [];
  const lead = (START_AT - Date.now()) / 2;
  for (let i = 0; i < SUBSCRIBERS; i++) subscribers.push(await subscriber(i));
  await sleepUntil(Date.now() + lead);
  await Promise.all(Array.from({ length: PUBLISHERS }, (_, i) => publisher(i)));
  for (const conn of subscribers) conn.close();
}

/** The summary in the runner's `--summary-export` form, the latency trend's stats as it gives them. */
function summary() {
  const metrics: Record<string, Record<string, number>> = {
    mqtt_messages_sent: { count: sent },
    mqtt_messages_received: { count: received },
  };
  if (latency.count > 0) {
    metrics.mqtt_message_latency = {
      count: latency.count,
      avg: latency.avg,
      min: latency.min,
      med: latency.quantile(0.5),
      "p(90)": latency.quantile(0.9),
      "p(99)": latency.quantile(0.99),
      max: latency.max,
    };
  }
  return { metrics };
}

if (env.FLOOR_SUMMARY) await Deno.writeTextFile(env.FLOOR_SUMMARY, JSON.stringify(summary()));
Deno.exit(0);
