// The soak run (not part of `deno task test`): a steady stream of QoS 1 and QoS 2 messages on
// persistent sessions through mosquitto, restarted every few minutes, for ten minutes by default.
//
//   deno run -A --v8-flags=--expose-gc tests/soak.ts [--minutes 10] [--restart-every 2]
//     [--rate 200] [--report-every 30] [--protocol 5]
//
// `--rate` is messages per second per QoS level. Prints RSS every `--report-every` seconds and, at
// the end, per QoS: sent, acknowledged, received (distinct), lost, duplicates, publish errors,
// and RSS and heap first vs last (after a full GC when `--expose-gc` is given, so the samples show
// what is retained rather than what the collector has not reclaimed yet). Exits with 1 when a QoS 1/2 message was lost or a QoS 2 message was
// delivered twice.

import { parseArgs } from "node:util";
import { Client, type ClientOptions, QoS } from "../mod.ts";
import { startMosquitto } from "./fixtures/mosquitto.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: Deno.env.get("SOAK_MINUTES") ?? "10" },
    "restart-every": { type: "string", default: "2" },
    rate: { type: "string", default: "200" },
    "report-every": { type: "string", default: "30" },
    protocol: { type: "string", default: "5" },
    "drain-seconds": { type: "string", default: "120" },
  },
});
const minutes = Number(values.minutes);
const restartEvery = Number(values["restart-every"]);
const rate = Number(values.rate);
const reportEvery = Number(values["report-every"]);
const protocol = Number(values.protocol);
const drainSeconds = Number(values["drain-seconds"]);
if (
  !(minutes > 0) || !(restartEvery > 0) || !(rate > 0) || !(reportEvery > 0) ||
  (protocol !== 4 && protocol !== 5) || !(drainSeconds > 0)
) {
  console.error(
    "usage: deno run -A tests/soak.ts [--minutes 10] [--restart-every 2] [--rate 200] " +
      "[--report-every 30] [--protocol 4|5] [--drain-seconds 120]",
  );
  Deno.exit(2);
}

/** What happened to one QoS level's stream. */
class Stream {
  readonly qos: QoS;
  readonly topic: string;
  sent = 0;
  acked = 0;
  errors = 0;
  deliveries = 0;
  distinct = 0;
  firstError: unknown;
  #seen: Uint8Array = new Uint8Array(1024);

  constructor(qos: QoS) {
    this.qos = qos;
    this.topic = `soak/q${qos}`;
  }

  received(seq: number): void {
    this.deliveries++;
    if (seq >= this.#seen.length) {
      const grown = new Uint8Array(Math.max(seq + 1, this.#seen.length * 2));
      grown.set(this.#seen);
      this.#seen = grown;
    }
    if (this.#seen[seq] < 255) this.#seen[seq]++;
    if (this.#seen[seq] === 1) this.distinct++;
  }

  get duplicates(): number {
    return this.deliveries - this.distinct;
  }
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
const stamp = () => `[${elapsed().toFixed(0).padStart(4)} s]`;

const broker = await startMosquitto({ persistence: true });
const session: ClientOptions = protocol === 4
  ? { protocol_version: 4, clean_session: false }
  : { protocol_version: 5, clean_start: false, session_expiry_interval: 3600 };
const reconnect = { initial_delay: 50, max_delay: 500, jitter: true } as const;
const publisher = new Client({ client_id: "soak-pub", reconnect, keepalive: 10, ...session });
const subscriber = new Client({ client_id: "soak-sub", reconnect, keepalive: 10, ...session });
const streams = [new Stream(QoS.AtLeastOnce), new Stream(QoS.ExactlyOnce)];
const byTopic = new Map(streams.map((s) => [s.topic, s]));
let reconnects = 0;
let restarts = 0;
subscriber.on("message", (topic, payload) => {
  byTopic.get(topic)?.received(Number(new TextDecoder().decode(payload)));
});
subscriber.on("connect", () => reconnects++);
publisher.on("connect", () => reconnects++);
// Losses of connection are expected at every restart; they are reported, not fatal.
publisher.on("error", () => {});
subscriber.on("error", () => {});

const rss: number[] = [];
const heap: number[] = [];
const collect = (globalThis as { gc?: () => void }).gc;
const report = () => {
  collect?.();
  const now = Deno.memoryUsage();
  rss.push(now.rss);
  heap.push(now.heapUsed);
  const flows = streams.map((s) =>
    `q${s.qos} sent ${s.sent} acked ${s.acked} received ${s.distinct} dup ${s.duplicates}`
  ).join(", ");
  console.log(
    `${stamp()} rss ${mib(now.rss)} MiB, heap ${mib(now.heapUsed)}/${mib(now.heapTotal)} MiB, ` +
      `external ${mib(now.external)} MiB; ${flows}; ` +
      `restarts ${restarts}, connects ${reconnects}`,
  );
};

let exitCode = 0;
try {
  await subscriber.connect(broker.url);
  for (const s of streams) await subscriber.subscribe(s.topic, { qos: s.qos });
  await publisher.connect(broker.url);
  report();

  const durationS = minutes * 60;
  let nextReport = reportEvery;
  let nextRestart = restartEvery * 60;
  let restarting: Promise<void> | undefined;
  const pending = new Set<Promise<void>>();
  while (elapsed() < durationS) {
    const due = Math.floor(Math.min(elapsed(), durationS) * rate);
    for (const s of streams) {
      while (s.sent < due) {
        const seq = s.sent++;
        const ack: Promise<void> = publisher.publish(s.topic, String(seq), { qos: s.qos }).then(
          () => void s.acked++,
          (error) => {
            s.errors++;
            s.firstError ??= error;
          },
        ).finally(() => pending.delete(ack));
        pending.add(ack);
      }
    }
    if (elapsed() >= nextReport) {
      report();
      nextReport += reportEvery;
    }
    if (elapsed() >= nextRestart && restarting === undefined) {
      nextRestart += restartEvery * 60;
      console.log(`${stamp()} restarting mosquitto`);
      restarting = broker.restart().then(() => {
        restarts++;
        console.log(`${stamp()} mosquitto is back`);
        restarting = undefined;
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await restarting;
  console.log(`${stamp()} publishing stopped; waiting for acknowledgements and deliveries`);
  const drainEnd = elapsed() + drainSeconds;
  while (
    elapsed() < drainEnd &&
    (pending.size > 0 || streams.some((s) => s.distinct < s.sent - s.errors))
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  report();

  console.log(
    `\nsoak: ${minutes} min, ${rate} msg/s per QoS, MQTT ${protocol === 5 ? "5" : "3.1.1"}, ` +
      `mosquitto restarted every ${restartEvery} min (${restarts} restarts)`,
  );
  for (const s of streams) {
    const lost = s.sent - s.distinct;
    console.log(
      `  QoS ${s.qos}: sent ${s.sent}, acknowledged ${s.acked}, received ${s.distinct}, ` +
        `lost ${lost}, duplicates ${s.duplicates}, publish errors ${s.errors}` +
        (s.firstError ? ` (first: ${s.firstError})` : ""),
    );
    if (lost !== 0) exitCode = 1;
    if (s.qos === QoS.ExactlyOnce && s.duplicates !== 0) exitCode = 1;
  }
  console.log(
    `  RSS first ${mib(rss[0])} MiB, last ${mib(rss.at(-1)!)} MiB, ` +
      `max ${mib(Math.max(...rss))} MiB; heap first ${mib(heap[0])} MiB, last ${
        mib(heap.at(-1)!)
      } MiB (${rss.length} samples${collect ? ", after GC" : ""})`,
  );
  console.log(exitCode === 0 ? "ok: nothing lost, no QoS 2 duplicate" : "FAILED");
} finally {
  await publisher.end();
  await subscriber.end();
  await broker.stop();
}
Deno.exit(exitCode);
