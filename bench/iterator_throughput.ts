/**
 * Receive throughput of one subscriber through `on("message")` and through the `messages()`
 * iterator, at QoS 0 and QoS 1, against a local mosquitto this script starts. The publisher keeps
 * a window of 100 publications in flight (QoS 0 too, so that mosquitto, not its queues, sets the
 * pace); every run is bounded in messages and time. Prints messages per second (best of
 * `--rounds`) and the iterator's rate as a ratio of the handler's.
 *
 *     deno run -A bench/iterator_throughput.ts [--qos0 100000] [--qos1 30000] [--rounds 3]
 *
 * @module
 */

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

/** Messages per second one subscriber receives `count` messages at `qos` through `mode`. */
async function run(url: string, mode: Mode, qos: 0 | 1, count: number): Promise<number> {
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
  await publisher.end();
  await subscriber.end();
  await consumed;
  if (received < count) console.warn(`  ${mode} QoS ${qos}: ${received}/${count} in the cap`);
  return received / seconds;
}

await using broker = await startMosquitto({
  extraConfig: "max_queued_messages 0\nmax_inflight_messages 0",
});
const rows: string[][] = [];
for (const [qos, count] of [[0, Number(flags.qos0)], [1, Number(flags.qos1)]] as const) {
  const best: Record<Mode, number> = { on: 0, iterator: 0 };
  for (let round = 0; round < Number(flags.rounds); round++) {
    for (const mode of ["on", "iterator"] as const) {
      best[mode] = Math.max(best[mode], await run(broker.url, mode, qos, count));
    }
  }
  rows.push([
    `QoS ${qos}`,
    Math.round(best.on).toLocaleString("en"),
    Math.round(best.iterator).toLocaleString("en"),
    (best.iterator / best.on).toFixed(2),
  ]);
}
console.log('| flow | on("message") msg/s | messages() msg/s | iterator / handler |');
console.log("| ---- | ------------------- | ---------------- | ------------------ |");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
