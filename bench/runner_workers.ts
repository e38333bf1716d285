/**
 * Across Workers: `mqload run --workers 2`, one publishing VU per Worker (QoS 0, 64 B, as fast as
 * the loop goes, awaiting the write of every 1,000th message), against one mosquitto, beside two
 * raw sockets writing pre-encoded PUBLISH packets (the broker's limit on this machine). For each
 * it prints the messages per second the broker took and the CPU that mosquitto and the
 * publishing process used meanwhile (from `/proc`, in cores), so the table shows whether the
 * runner reaches the broker's limit and with how much CPU.
 *
 *     deno run -A bench/runner_workers.ts [--count 400000] [--trials 3]
 *
 * Each VU and each raw socket ends with a QoS 1 PUBLISH as a fence: its PUBACK means the broker
 * processed everything before it. Figures are the median of `--trials` runs.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { fence, publishBatch, rawConnect } from "./_raw.ts";
import { round, table } from "./_table.ts";
import { mqloadTaskV8Flags } from "./_task_flags.ts";

const PAYLOAD = new Uint8Array(64);
const CHUNK = 1000;
const CLOCK_TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s.

const SCRIPT = (url: string, count: number) => `
import { Client } from "k6/x/mqtt";

export const options = {
  scenarios: { publish: { executor: "per-vu-iterations", vus: 2, iterations: 1, maxDuration: "2m" } },
};

export default async function () {
  const client = new Client({ client_id: "workers-" + __VU });
  await client.connectAsync(${JSON.stringify(url)});
  const payload = new Uint8Array(64);
  const start = Date.now();
  for (let i = 1; i <= ${count}; i++) {
    const written = client.publishAsync("workers/" + __VU, payload, { qos: 0 });
    // Back-pressure, not a timer: setTimeout(0) waits 1.8-2.8 ms under load, which would cap
    // each VU near 400k msg/s; a QoS 0 publish resolves once its batch is written.
    if (i % ${CHUNK} === 0) await written;
  }
  await client.publishAsync("workers/fence", "f", { qos: 1 });
  console.log(JSON.stringify({ window: [start, Date.now()] }));
  await client.endAsync();
}
`;

/** CPU seconds (user + system, all threads) of a process so far. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The pid of the mosquitto whose config lives in `dir`. */
function mosquittoPid(dir: string): number {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (cmdline.startsWith("mosquitto") || cmdline.includes("/mosquitto\0")) {
        if (cmdline.includes(dir)) return Number(entry.name);
      }
    } catch { /* gone */ }
  }
  throw new Error(`no mosquitto process for ${dir}`);
}

interface Row {
  rate: number;
  brokerCores: number;
  publisherCores: number;
}

async function rawRun(port: number, count: number, broker: number): Promise<Row> {
  const batch = publishBatch("workers/raw", PAYLOAD, CHUNK);
  const conns = await Promise.all([rawConnect(port, "raw-1"), rawConnect(port, "raw-2")]);
  const brokerStart = cpuSeconds(broker);
  const ownStart = cpuSeconds(Deno.pid);
  const start = performance.now();
  await Promise.all(conns.map(async (conn, i) => {
    for (let sent = 0; sent < count; sent += CHUNK) await conn.write(batch);
    await conn.write(fence("workers/fence", i + 1));
    await conn.waitFor("puback");
  }));
  const seconds = (performance.now() - start) / 1000;
  const row = {
    rate: 2 * count / seconds,
    brokerCores: (cpuSeconds(broker) - brokerStart) / seconds,
    publisherCores: (cpuSeconds(Deno.pid) - ownStart) / seconds,
  };
  for (const conn of conns) conn.close();
  return row;
}

async function runnerRun(url: string, count: number, broker: number): Promise<Row> {
  const dir = await Deno.makeTempDir({ prefix: "mqload-workers-" });
  try {
    const script = `${dir}/publish.js`;
    await Deno.writeTextFile(script, SCRIPT(url, count));
    const cli = new URL("../runner/cli.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        mqloadTaskV8Flags(),
        cli,
        "run",
        "--workers",
        "2",
        "--no-summary",
        "--quiet",
        script,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // CPU samples of the runner and the broker, to cut out the publishing window.
    const samples: { at: number; runner: number; broker: number }[] = [];
    const sampler = setInterval(() => {
      try {
        samples.push({ at: Date.now(), runner: cpuSeconds(child.pid), broker: cpuSeconds(broker) });
      } catch { /* the runner is exiting */ }
    }, 50);
    const output = await child.output();
    clearInterval(sampler);
    const stderr = new TextDecoder().decode(output.stderr);
    if (!output.success) throw new Error(`mqload run failed:\n${stderr.slice(-2000)}`);
    const windows = [...stderr.matchAll(/\{\\?"window\\?":\[(\d+),(\d+)\]\}/g)]
      .map((m) => [Number(m[1]), Number(m[2])]);
    if (windows.length !== 2) throw new Error(`expected 2 VU windows in:\n${stderr.slice(-2000)}`);
    const from = Math.min(...windows.map((w) => w[0]));
    const to = Math.max(...windows.map((w) => w[1]));
    const inside = samples.filter((s) => s.at >= from && s.at <= to);
    if (inside.length < 2) throw new Error("the publishing window was too short to sample");
    const first = inside[0];
    const last = inside[inside.length - 1];
    const sampled = (last.at - first.at) / 1000;
    return {
      rate: 2 * count / ((to - from) / 1000),
      brokerCores: (last.broker - first.broker) / sampled,
      publisherCores: (last.runner - first.runner) / sampled,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function median(rows: Row[]): Row {
  const pick = (key: keyof Row) => {
    const sorted = rows.map((r) => r[key]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  return {
    rate: pick("rate"),
    brokerCores: pick("brokerCores"),
    publisherCores: pick("publisherCores"),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      count: { type: "string", default: "400000" },
      trials: { type: "string", default: "3" },
    },
  });
  const count = Number(values.count);
  const trials = Number(values.trials);
  await using broker = await startMosquitto({ extraConfig: "set_tcp_nodelay true" });
  const pid = mosquittoPid(broker.dir);
  const raw: Row[] = [];
  const runner: Row[] = [];
  for (let i = 0; i < trials; i++) {
    raw.push(await rawRun(broker.port, count, pid));
    runner.push(await runnerRun(broker.url, count, pid));
  }
  const r = median(raw);
  const m = median(runner);
  console.log(
    `\nQoS 0, 64 B, 2 × ${count} messages, median of ${trials}; CPU in cores (this machine has 2)`,
  );
  console.log(table(
    ["publisher", "msg/s", "÷ raw", "mosquitto CPU", "publisher CPU"],
    [
      [
        "2 raw sockets (the broker's limit)",
        round(r.rate),
        "1.00",
        round(r.brokerCores, 2),
        round(r.publisherCores, 2),
      ],
      [
        "mqload run, 2 Workers × 1 VU",
        round(m.rate),
        round(m.rate / r.rate, 2),
        round(m.brokerCores, 2),
        round(m.publisherCores, 2),
      ],
    ],
  ));
}

if (import.meta.main) await main();
