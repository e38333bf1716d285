/**
 * Runner overhead: the same publish loop (64 B payloads, up to 100 publications in flight) run
 * by the bare Client in a plain Deno program and by one VU of `mqload run` (its xk6-mqtt Client
 * reporting every metric to the Worker's registry), at QoS 0 and 1, against one mosquitto. Then
 * the runner at a fixed rate: a VU publishing on a 1 ms pacing tick at 90 % of the bare
 * Client's rate, which must keep up.
 *
 * Each figure is the median of `--trials` runs, bare and runner alternating.
 *
 *     deno run -A bench/runner_overhead.ts [--count0 1000000] [--count1 150000] [--trials 3]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Client } from "../mod.ts";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { round, table } from "./_table.ts";
import { mqloadTaskV8Flags } from "./_task_flags.ts";

const WINDOW = 100;
const CAP_S = 60;

// One loop, pasted verbatim into the runner's script and run here as a function, so both sides
// execute the same code. `rate` 0 means as fast as the window allows; otherwise publications are
// paced on a 1 ms tick. Resolves with the elapsed milliseconds.
const LOOP = `async function publishLoop(client, qos, count, rate, capMs) {
  const payload = new Uint8Array(64);
  const pending = [];
  const start = performance.now();
  let sent = 0;
  while (sent < count && performance.now() - start < capMs) {
    if (rate > 0) {
      const due = Math.min(count, Math.floor((performance.now() - start) * rate / 1000) + 1);
      if (sent >= due) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
    }
    pending.push(client.publishAsync("overhead/t", payload, { qos }));
    sent++;
    if (pending.length >= ${WINDOW}) await pending.shift();
    else if (sent % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await Promise.all(pending);
  return { sent, ms: performance.now() - start };
}`;

const SCRIPT = `
import { Trend, Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const elapsed = new Trend("overhead_elapsed", true);
const sentCount = new Counter("overhead_sent");

export const options = {
  scenarios: { loop: { executor: "per-vu-iterations", vus: 1, iterations: 1, maxDuration: "2m" } },
};

${LOOP}

export default async function () {
  const client = new Client({ client_id: "overhead-runner" });
  await client.connect(__ENV.BROKER);
  const r = await publishLoop(
    client, Number(__ENV.QOS), Number(__ENV.COUNT), Number(__ENV.RATE), ${CAP_S * 1000},
  );
  elapsed.add(r.ms);
  sentCount.add(r.sent);
  await client.end();
}
`;

type Loop = (
  client: Client,
  qos: number,
  count: number,
  rate: number,
  capMs: number,
) => Promise<{ sent: number; ms: number }>;
const publishLoop = new Function(`return ${LOOP}`)() as Loop;

async function bare(url: string, qos: 0 | 1, count: number, rate = 0): Promise<number> {
  const client = new Client({ client_id: "overhead-bare", reconnect: false, max_queued: 1 << 20 });
  await client.connect(url);
  try {
    const r = await publishLoop(client, qos, count, rate, CAP_S * 1000);
    return r.sent / (r.ms / 1000);
  } finally {
    await client.end();
  }
}

async function runner(
  url: string,
  script: string,
  qos: 0 | 1,
  count: number,
  rate: number,
): Promise<{ rate: number; samples: number }> {
  const dir = script.slice(0, script.lastIndexOf("/"));
  const summaryFile = `${dir}/summary.json`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      mqloadTaskV8Flags(),
      new URL("../runner/cli.ts", import.meta.url).pathname,
      "run",
      "--quiet",
      "--summary-export",
      summaryFile,
      script,
    ],
    cwd: new URL("..", import.meta.url).pathname,
    env: {
      NO_COLOR: "1",
      BROKER: url,
      QOS: String(qos),
      COUNT: String(count),
      RATE: String(rate),
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`mqload run failed: ${new TextDecoder().decode(out.stderr).slice(-4000)}`);
  }
  const m = JSON.parse(await Deno.readTextFile(summaryFile)).metrics as Record<
    string,
    Record<string, number>
  >;
  const ms = m.overhead_elapsed.max;
  return { rate: m.overhead_sent.count / (ms / 1000), samples: m.mqtt_messages_sent?.count ?? 0 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      count0: { type: "string", default: "1000000" },
      count1: { type: "string", default: "150000" },
      trials: { type: "string", default: "3" },
    },
  });
  const broker = await startMosquitto({ extraConfig: "set_tcp_nodelay true" });
  const dir = await Deno.makeTempDir({ prefix: "mqload-overhead-" });
  const script = `${dir}/overhead.js`;
  await Deno.writeTextFile(script, SCRIPT);
  const rows: Array<Array<string | number>> = [];
  try {
    for (const qos of [0, 1] as const) {
      const count = Number(qos === 0 ? values.count0 : values.count1);
      const bares: number[] = [];
      const runs: number[] = [];
      for (let t = 0; t < Number(values.trials); t++) {
        bares.push(await bare(broker.url, qos, count));
        runs.push((await runner(broker.url, script, qos, count, 0)).rate);
        console.error(`QoS ${qos}: bare ${round(bares[t])} msg/s, runner ${round(runs[t])} msg/s`);
      }
      const b = median(bares);
      const r = { rate: median(runs) };
      rows.push([
        `QoS ${qos}, as fast as possible`,
        round(b),
        round(r.rate),
        (r.rate / b).toFixed(2),
      ]);
      // At a fixed rate (90 % of the bare Client's), for about 5 s: does the runner keep up? And
      // the bare Client paced the same way: near the broker's limit, pacing itself costs (smaller
      // writes, the broker woken more often), so both sides are shown.
      const target = Math.round(b * 0.9);
      const pacedCount = Math.min(count, target * 5);
      const paced = await runner(broker.url, script, qos, pacedCount, target);
      const barePaced = await bare(broker.url, qos, pacedCount, target);
      console.error(
        `QoS ${qos}: at ${target} msg/s the runner reached ${round(paced.rate)}, ` +
          `the bare Client ${round(barePaced)} msg/s`,
      );
      rows.push([
        `QoS ${qos}, runner paced at ${target}/s`,
        round(b),
        round(paced.rate),
        (paced.rate / b).toFixed(2),
      ]);
      rows.push([
        `QoS ${qos}, both paced at ${target}/s`,
        round(barePaced),
        round(paced.rate),
        (paced.rate / barePaced).toFixed(2),
      ]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await broker.stop();
  }
  console.log(
    `\nRunner overhead: one publishing VU (metrics on) vs the bare Client, 64 B, window ${WINDOW}`,
  );
  console.log(table(["loop", "bare Client msg/s", "mqload run msg/s", "run ÷ bare"], rows));
}

if (import.meta.main) await main();
