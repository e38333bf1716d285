/**
 * What k6's blocking semantics cost: the same publish loop written sync-style (k6's way; the
 * script transform awaits each call) and with `await` (`publishAsync`), one VU of `mqload run`
 * each, at QoS 0 and 1 against one mosquitto; a QoS 0 ping-pong whose `message` handler
 * publishes the next message, with `publish()` (a blocking call: the VU's next callback waits for
 * it) or `publishAsync()`; and the time the transform takes on a 1,000-line script. Each rate is the
 * median of `--trials` runs, the two styles alternating.
 *
 *     deno task bench:blocking [--count0 20000] [--count1 10000] [--pingpong 500] [--trials 3]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { makeBlocking } from "../runner/script/blocking/transform.ts";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { mqload, TempDir } from "../tests/_runner_helpers.ts";
import { round, table } from "./_table.ts";

const { values } = parseArgs({
  options: {
    count0: { type: "string", default: "20000" },
    count1: { type: "string", default: "10000" },
    pingpong: { type: "string", default: "500" },
    trials: { type: "string", default: "3" },
  },
});

/** The loop in both styles; `elapsed` is the loop's wall time. */
function script(style: "sync" | "await", qos: 0 | 1, count: number): string {
  const sync = style === "sync";
  return `
import { Trend } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const elapsed = new Trend("loop_elapsed", true);
export const options = { iterations: 1 };

export default ${sync ? "" : "async "}function () {
  const client = new Client();
  ${sync ? "client.connect(__ENV.BROKER)" : "await client.connectAsync(__ENV.BROKER)"};
  const payload = new Uint8Array(64);
  const start = performance.now();
  for (let i = 0; i < ${count}; i++) {
    ${sync ? "" : "await "}client.publish("blocking/t", payload, { qos: ${qos} });
  }
  elapsed.add(performance.now() - start);
  ${sync ? "client.end()" : "await client.endAsync()"};
}
`;
}

/** A ping-pong of `count` messages: the `message` handler publishes the next one. */
function pingPong(style: "sync" | "await", qos: 0 | 1, count: number): string {
  return `
import { Trend } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const elapsed = new Trend("loop_elapsed", true);
export const options = { iterations: 1 };

export default function () {
  const client = new Client();
  let n = 0;
  let start = 0;
  const send = () => client.${
    style === "sync" ? "publish" : "publishAsync"
  }("pingpong/t", "x", { qos: ${qos} });
  client.on("connect", async () => {
    await client.subscribeAsync("pingpong/t", { qos: ${qos} });
    start = performance.now();
    send();
  });
  client.on("message", () => {
    if (++n < ${count}) return send();
    elapsed.add(performance.now() - start);
    client.end();
  });
  client.connect(__ENV.BROKER);
}
`;
}

async function rate(
  dir: TempDir,
  broker: string,
  style: "sync" | "await",
  qos: 0 | 1,
  count: number,
  make = script,
): Promise<number> {
  const path = await dir.write(`${style}_${qos}.js`, make(style, qos, count));
  const summary = `${path}.json`;
  const r = await mqload([
    "run",
    "-q",
    "--summary-export",
    summary,
    "-e",
    `BROKER=${broker}`,
    path,
  ]);
  if (r.code !== 0) throw new Error(`${style} QoS ${qos}: exit ${r.code}\n${r.stderr}`);
  const metrics = JSON.parse(await Deno.readTextFile(summary)).metrics;
  return count / (metrics.loop_elapsed.max / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A 1,000-line sync-style script: functions calling functions that make k6 calls. */
function longScript(): string {
  const lines = [`import { Client } from "k6/x/mqtt";`, `import { sleep, group } from "k6";`];
  for (let i = 0; lines.length < 995; i++) {
    lines.push(
      `function step${i}(client, n) {`,
      `  const topic = "t/" + n + "/${i}";`,
      `  if (n % 2 === 0) client.publish(topic, "x", { qos: 1 });`,
      `  else step${Math.max(0, i - 1)}(client, n - 1);`,
      `  group("g${i}", () => sleep(0.001));`,
      `  return [1, 2].map((k) => k * n);`,
      `}`,
    );
  }
  lines.push(`export default function () {`, `  const c = new Client();`);
  lines.push(`  c.connect(__ENV.BROKER);`, `  step0(c, 1);`, `}`);
  return lines.join("\n");
}

const trials = Number(values.trials);
await using broker = await startMosquitto();
const dir = await TempDir.create();
const rows: Array<Array<string | number>> = [];
try {
  for (const qos of [0, 1] as const) {
    const count = Number(qos === 0 ? values.count0 : values.count1);
    const sync: number[] = [];
    const awaited: number[] = [];
    for (let t = 0; t < trials; t++) {
      sync.push(await rate(dir, broker.url, "sync", qos, count));
      awaited.push(await rate(dir, broker.url, "await", qos, count));
    }
    const s = median(sync);
    const a = median(awaited);
    rows.push([`QoS ${qos}`, String(count), round(s), round(a), (s / a).toFixed(2)]);
  }
  // QoS 0 only: a QoS 1 ping-pong waits on mosquitto's Nagle (its PUBACK, then the PUBLISH, to a
  // client whose TCP acknowledgement is delayed) for about 22 ms a message, MQTT.js's alike.
  for (const qos of [0] as const) {
    const count = Number(values.pingpong);
    const sync: number[] = [];
    const awaited: number[] = [];
    for (let t = 0; t < trials; t++) {
      sync.push(await rate(dir, broker.url, "sync", qos, count, pingPong));
      awaited.push(await rate(dir, broker.url, "await", qos, count, pingPong));
    }
    const s = median(sync);
    const a = median(awaited);
    rows.push([`ping-pong QoS ${qos}`, String(count), round(s), round(a), (s / a).toFixed(2)]);
  }
} finally {
  await dir.remove();
}
console.log(table(["loop", "messages", "sync-style msg/s", "await msg/s", "sync / await"], rows));

const source = longScript();
const url = "file:///bench/long.js";
makeBlocking(new Map([[url, source]])); // warm-up
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  makeBlocking(new Map([[url, source]]));
  times.push(performance.now() - start);
}
console.log(
  `transform of a ${source.split("\n").length}-line script: ${median(times).toFixed(1)} ms ` +
    `(median of 5)`,
);
