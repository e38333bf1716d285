/**
 * Receive throughput of one subscriber through `on("message")` and through the `messages()`
 * iterator, at QoS 0 and QoS 1, against a local mosquitto this script starts. The publisher keeps
 * a window of 100 publications in flight (QoS 0 too, so that mosquitto, not its queues, sets the
 * pace); every run is bounded in messages and time. Prints messages per second and the client
 * CPU time per message (publisher and subscriber, this process), best of `--rounds`, and the
 * iterator's figures as ratios of the handler's. On a shared machine the CPU time is the steadier
 * of the two.
 *
 *     deno run -A bench/iterator_throughput.ts [--qos0 100000] [--qos1 30000] [--rounds 3]
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { Client } from "../mod.ts";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";

const flags = parseArgs({
  options: {
    qos0: { type: "string", default: "100000" },
    qos1: { type: "string", default: "30000" },
    rounds: { type: "string", default: "3" },
    cap: { type: "string", default: "30" },
  },
}).values;
const CAP_MS = Number(flags.cap) * 1000;
const PAYLOAD = crypto.getRandomValues(new Uint8Array(64));
const WINDOW = 100;

type Mode = "on" | "iterator";
let runs = 0;

interface Result {
  /** Messages received per second. */
  rate: number;
  /** Microseconds of this process's CPU time per message received. */
  cpu: number;
}

/** How fast one subscriber receives `count` messages at `qos` through `mode`. */
async function run(url: string, mode: Mode, qos: 0 | 1, count: number): Promise<Result> {
  const topic = `bench/${++runs}`;
  const subscriber = new Client({ client_id: `sub-${runs}` });
  const publisher = new Client({ client_id: `pub-${runs}` });
  await subscriber.connect(url);
  await publisher.connect(url);
  let received = 0;
  let consumed: Promise<void> = Promise.resolve();
  if (mode === "on") subscriber.on("message", () => received++);
  else {
    const stream = subscriber.messages({ capacity: 1024 });
    consumed = (async () => {
      for await (const message of stream) {
        if (message.payload.byteLength > 0) received++;
        if (received >= count) break;
      }
    })();
  }
  await subscriber.subscribe(topic, { qos });
  const start = performance.now();
  const cpu = process.cpuUsage();
  let inflight = 0;
  let wake: (() => void) | undefined;
  const release = () => {
    inflight--;
    wake?.();
  };
  for (let i = 0; i < count && performance.now() - start < CAP_MS; i++) {
    while (inflight >= WINDOW) await new Promise<void>((resolve) => wake = resolve);
    inflight++;
    publisher.publish(topic, PAYLOAD, { qos }).then(release, release);
  }
  while (received < count && performance.now() - start < CAP_MS) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  await publisher.end();
  await subscriber.end();
  await consumed;
  if (received < count) console.warn(`  ${mode} QoS ${qos}: ${received}/${count} in the cap`);
  return { rate: received / seconds, cpu: (used.user + used.system) / Math.max(1, received) };
}

// The fixture's mosquitto already queues and keeps in flight without limit.
await using broker = await startMosquitto();
const rows: string[][] = [];
for (const [qos, count] of [[0, Number(flags.qos0)], [1, Number(flags.qos1)]] as const) {
  const best: Record<Mode, Result> = {
    on: { rate: 0, cpu: Infinity },
    iterator: { rate: 0, cpu: Infinity },
  };
  for (let round = 0; round < Number(flags.rounds); round++) {
    for (const mode of ["on", "iterator"] as const) {
      const result = await run(broker.url, mode, qos, count);
      best[mode] = {
        rate: Math.max(best[mode].rate, result.rate),
        cpu: Math.min(best[mode].cpu, result.cpu),
      };
    }
  }
  const { on, iterator } = best;
  rows.push([
    `QoS ${qos}`,
    Math.round(on.rate).toLocaleString("en"),
    Math.round(iterator.rate).toLocaleString("en"),
    (iterator.rate / on.rate).toFixed(2),
    on.cpu.toFixed(2),
    iterator.cpu.toFixed(2),
    (iterator.cpu / on.cpu).toFixed(2),
  ]);
}
console.log(
  "| flow | on() msg/s | messages() msg/s | ratio | on() µs CPU/msg | messages() µs CPU/msg | ratio |",
);
console.log(
  "| ---- | ---------- | ---------------- | ----- | --------------- | --------------------- | ----- |",
);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
