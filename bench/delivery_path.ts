/**
 * CPU per delivered message in the receive path alone: what fan-out costs mqload above the socket
 * operations. Many subscribers each get one QoS 1 PUBLISH per read and answer it with a PUBACK,
 * as in `bench:shapes`' fan-out, but the connections are in memory: each read is handed the next
 * publication by a driver that serves every waiting subscriber in turn, and writes go nowhere.
 * With the kernel and the broker out of the measurement, the same exchange is made by:
 *
 * - `floor`: the loop of `_shapes_floor.ts` (the codec's decoder, the latency stamp read, PUBACKs
 *   encoded in place): the least a Deno program does per message;
 * - `client`: the library's `Client` over its Deno transport, reporting no metrics;
 * - `runner`: the same `Client` as a `k6/x/mqtt` client of a VU reports to its Worker: the
 *   runner's VU sink into a metric registry, inside the VU's async context.
 *
 * It prints µs of CPU (user + system, the whole process) per delivery for each, the median of
 * `--trials` rounds in which they alternate, and each one's ratio to the floor.
 *
 *     deno task bench:path [--subscribers 1000] [--messages 200] [--trials 5]
 *                          [--ways floor,client,runner]
 *
 * @module
 */

import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { Decoder, encode } from "../codec/mod.ts";
import type { PublishPacket } from "../codec/packets.ts";
import { Client, type MetricsSink } from "../mod.ts";
import { SYSTEM_CLOCK } from "../client/clock.ts";
import { payloadStamp, stampPayload } from "../client/_latency_stamp.ts";
import { type DenoConnLike, denoTransport } from "../client/transport/deno.ts";
import { withXk6Semantics } from "../client/internal.ts";
import { LogHistogram } from "../runner/metrics/histogram.ts";
import { MetricRegistry } from "../runner/metrics/registry.ts";
import { defineBuiltins } from "../runner/metrics/builtin.ts";
import { vuSink } from "../runner/k6/_mqtt_metrics.ts";
import { VuState, vuStorage, type WorkerServices } from "../runner/worker/vu_context.ts";
import { ratio, round, table } from "./_table.ts";
import { floorRead, type FloorSink } from "./_floor_read.ts";

const TOPIC = "shapes/0";
const FILTER = "shapes/+";

/** Serves every waiting read in turn, one packet each, until each connection had its share. */
class Driver {
  /** Connections with a read waiting for a publication. */
  waiting: MemoryConn[] = [];
  acks = 0;
  readonly publish: Uint8Array;

  constructor(sentAt: number) {
    const packet: PublishPacket = {
      type: "publish",
      topic: TOPIC,
      qos: 1,
      retain: false,
      dup: false,
      packetId: 1,
      payload: stampPayload(new TextEncoder().encode("0123456789abcdef0123456789abcdef"), sentAt),
    };
    this.publish = encode(packet, 4);
  }

  /** One publication to every subscriber waiting, then a turn of the event loop for them. */
  async round(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = [];
    for (const conn of waiting) {
      if (conn.left > 0 && conn.answer(this.publish)) conn.left--;
      else this.waiting.push(conn);
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  /** Rounds until every connection had its messages and acknowledged them. */
  async run(expected: number): Promise<void> {
    while (this.acks < expected) await this.round();
  }
}

/** An in-memory connection: CONNACK and SUBACK answer at once, publications through the driver. */
class MemoryConn implements DenoConnLike {
  left: number;
  readonly #driver: Driver;
  #replies: Uint8Array[] = [];
  #read?: { buffer: Uint8Array; resolve(n: number | null): void } | undefined;
  #closed = false;

  constructor(driver: Driver, messages: number) {
    this.#driver = driver;
    this.left = messages;
  }

  /** Answers the waiting read with `bytes`, as the kernel does when they are there. */
  answer(bytes: Uint8Array): boolean {
    const read = this.#read;
    if (read === undefined) return false;
    this.#read = undefined;
    read.buffer.set(bytes);
    read.resolve(bytes.length);
    return true;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.resolve(null);
    const { promise, resolve } = Promise.withResolvers<number | null>();
    this.#read = { buffer, resolve };
    const reply = this.#replies.shift();
    if (reply !== undefined) this.answer(reply);
    else this.#driver.waiting.push(this);
    return promise;
  }

  write(bytes: Uint8Array): Promise<number> {
    const type = bytes[0]! >> 4;
    let reply: Uint8Array | undefined;
    if (type === 1) reply = encode({ type: "connack", sessionPresent: false, reasonCode: 0 });
    else if (type === 8) {
      // SUBSCRIBE: remaining length in one byte (a short filter), then the packet id.
      const packetId = (bytes[2]! << 8) | bytes[3]!;
      reply = encode({ type: "suback", packetId, reasonCodes: [1] });
    } else if (type === 4) this.#driver.acks += bytes.length / 4;
    if (reply !== undefined && !this.answer(reply)) this.#replies.push(reply);
    return Promise.resolve(bytes.length);
  }

  close(): void {
    this.#closed = true;
    this.#read?.resolve(null);
    this.#read = undefined;
  }
}

/** The raw loop: decode, read the stamp, PUBACK every publication of a read in one write. */
async function floorSubscriber(conn: MemoryConn, latency: LogHistogram): Promise<void> {
  const decoder = new Decoder({ protocolVersion: 4 });
  await conn.write(
    encode({ type: "connect", protocolVersion: 4, clientId: "", cleanStart: true, keepalive: 60 }),
  );
  await conn.write(
    encode({ type: "subscribe", packetId: 1, subscriptions: [{ topicFilter: FILTER, qos: 1 }] }),
  );
  const buffer = new Uint8Array(4096);
  const sink: FloorSink = {
    received(stamp, now) {
      if (stamp !== undefined) latency.add(Math.max(0, now - stamp));
    },
  };
  let n: number | null;
  while ((n = await conn.read(buffer)) !== null) {
    const acks = floorRead(decoder, buffer.subarray(0, n), SYSTEM_CLOCK.now(), stampOf, sink);
    if (acks !== undefined) await conn.write(acks);
  }
}

const stampOf = (packet: PublishPacket) => payloadStamp(packet.payload);

type Way = "floor" | "client" | "runner";

/** A Worker's services, as far as a VU's metric sink uses them. */
function services(registry: MetricRegistry): WorkerServices {
  return {
    registry,
    runTags: Object.freeze({}),
    options: Object.freeze({}),
    env: {},
  } as unknown as WorkerServices;
}

/** CPU µs per delivery of one run of `way`. */
async function trial(way: Way, subscribers: number, messages: number): Promise<number> {
  const driver = new Driver(SYSTEM_CLOCK.now());
  const conns = Array.from({ length: subscribers }, () => new MemoryConn(driver, messages));
  const registry = new MetricRegistry();
  defineBuiltins(registry);
  const clients: Client[] = [];
  const connecting: Promise<unknown>[] = [];
  for (const [i, conn] of conns.entries()) {
    if (way === "floor") {
      floorSubscriber(conn, new LogHistogram());
      continue;
    }
    const open = async () => {
      let metrics: MetricsSink | undefined;
      if (way === "runner") {
        metrics = vuSink(new VuState(i + 1, services(registry)), { muted: false });
      }
      const client = new Client({
        client_id: `sub-${i}`,
        latency_stamp: "payload",
        keepalive: 60,
        metrics,
        transport: () => Promise.resolve(denoTransport(conn)),
      });
      withXk6Semantics(client);
      clients.push(client);
      await client.connectAsync("mqtt://127.0.0.1:1883");
      await client.subscribeAsync(FILTER, { qos: 1 });
    };
    connecting.push(
      way === "runner" ? vuStorage.run(new VuState(i + 1, services(registry)), open) : open(),
    );
  }
  await Promise.all(connecting);
  await driver.round();
  const before = cpuUsage();
  await driver.run(subscribers * messages);
  const used = cpuUsage(before);
  for (const conn of conns) conn.close();
  await Promise.all(clients.map((client) => client.endAsync()));
  return (used.user + used.system) / (subscribers * messages);
}

const median = (values: number[]) =>
  values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      subscribers: { type: "string", default: "1000" },
      messages: { type: "string", default: "200" },
      trials: { type: "string", default: "5" },
      ways: { type: "string", default: "floor,client,runner" },
    },
  });
  const subscribers = Number(values.subscribers);
  const messages = Number(values.messages);
  const ways = values.ways.split(",") as Way[];
  const results = new Map<Way, number[]>(ways.map((way) => [way, []]));
  for (let t = 0; t < Number(values.trials); t++) {
    for (const way of ways) {
      results.get(way)!.push(await trial(way, subscribers, messages));
    }
  }
  const floor = results.has("floor") ? median(results.get("floor")!) : undefined;
  console.log(table(
    ["way", "µs per delivery", "÷ floor", "runs"],
    ways.map((way) => {
      const us = median(results.get(way)!);
      return [
        way,
        round(us, 2),
        ratio(us, floor),
        results.get(way)!.map((v) => round(v, 2)).join(" "),
      ];
    }),
  ));
}
