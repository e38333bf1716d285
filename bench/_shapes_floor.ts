/**
 * The raw-socket floor of `bench/shapes.ts`: the same exchange as a shape's `mqload run` script
 * (connections, subscriptions, QoS 1 publications at a fixed rate, acknowledgements), made by one
 * plain Deno program with `Deno.connect`, pre-encoded packets and no client logic. Its CPU per
 * message is what Deno's socket operations cost on this machine; mqload cannot go below it.
 * Started by the bench as a child process with the shape's environment (see `ShapeEnv`).
 *
 * @module
 */

import { Decoder, encode } from "../codec/mod.ts";
import type { Packet } from "../codec/packets.ts";

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

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
const onTick = (at: number) => TICK > 0 ? Math.ceil(at / TICK) * TICK : at;

/** A connection that answers PUBLISH with PUBACK and counts what it reads. */
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
  let connected: () => void;
  const connack = new Promise<void>((resolve) => connected = resolve);
  (async () => {
    let n: number | null;
    while ((n = await conn.read(buffer)) !== null) {
      decoder.feed(buffer.subarray(0, n));
      const acks: number[] = [];
      let packet: Packet | undefined;
      while ((packet = decoder.next()) !== undefined) {
        if (packet.type === "connack") connected!();
        if (packet.type === "publish" && packet.qos === 1) acks.push(packet.packetId!);
      }
      if (acks.length > 0) {
        const bytes = new Uint8Array(acks.length * 4);
        acks.forEach((id, i) => bytes.set([0x40, 2, id >> 8, id & 0xff], i * 4));
        await conn.write(bytes);
      }
    }
  })().catch(() => {});
  await connack;
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
    await conn.write(encode({
      type: "publish",
      topic,
      payload: PAYLOAD,
      qos: QOS,
      packetId: QOS > 0 ? id : undefined,
      retain: false,
      dup: false,
    } as Packet, VERSION));
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
Deno.exit(0);
