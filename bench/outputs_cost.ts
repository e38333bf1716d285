/**
 * What each output costs the runner: one `mqload run` per configuration, the same script each time
 * (publisher VUs at a fixed QoS 0 rate, one subscriber VU, 64 B payloads, against one mosquitto
 * this script starts), `--trials` times with the cases alternating, and the runner process's CPU
 * (every thread: main and Workers) read from `/proc/<pid>/stat` over the steady window — after
 * the VUs started, before they stop. Each row gives the median CPU in cores, µs per message, and
 * the difference from the run with no output and no live lines (`--quiet`).
 *
 *     deno run -A bench/outputs_cost.ts [--rate 50000] [--seconds 16] [--window 10] [--trials 3]
 *                                       [--only quiet,live,json,csv,influxdb,prometheus-rw,…]
 *
 * The influxdb and prometheus-rw cases start a private influxd and Prometheus, as the tests do.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { startInfluxdb } from "../tests/fixtures/influxdb.ts";
import { startPrometheus } from "../tests/fixtures/prometheus.ts";
import { round, table } from "./_table.ts";
import { mqloadTaskV8Flags } from "./_task_flags.ts";

/** One configuration of the runner: its extra flags and environment. */
export interface CostCase {
  /** The row's name. */
  name: string;
  /** Flags added to `mqload run` (`--quiet` is added unless `live`). */
  flags: string[];
  /** Environment of the run. */
  env?: Record<string, string>;
  /** Leave the live lines on (stderr is read and dropped). */
  live?: boolean;
}

const SCRIPT = `
import { Client } from "k6/x/mqtt";

const RATE = Number(__ENV.RATE);
const SECONDS = Number(__ENV.SECONDS);
const PUBLISHERS = Number(__ENV.PUBLISHERS);

export const options = {
  scenarios: {
    sub: { executor: "per-vu-iterations", vus: 1, iterations: 1, exec: "sub", maxDuration: "2m" },
    pub: {
      executor: "per-vu-iterations", vus: PUBLISHERS, iterations: 1, exec: "pub",
      startTime: "500ms", maxDuration: "2m",
    },
  },
};

export async function sub() {
  const client = new Client({ client_id: "cost-sub" });
  await client.connectAsync(__ENV.BROKER);
  await client.subscribeAsync("cost/#");
  await new Promise((resolve) => setTimeout(resolve, (SECONDS + 2) * 1000));
  await client.endAsync();
}

export async function pub() {
  const client = new Client({ client_id: "cost-pub-" + __VU });
  await client.connectAsync(__ENV.BROKER);
  const payload = new Uint8Array(64);
  const rate = RATE / PUBLISHERS;
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < SECONDS * 1000) {
    const due = Math.floor((performance.now() - start) * rate / 1000) + 1;
    if (sent >= due) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    client.publishAsync("cost/" + __VU, payload, { qos: 0 });
    sent++;
    if (sent % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await client.endAsync();
}
`;

/** Clock ticks of the process (user + system, every thread) from `/proc/<pid>/stat`. */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}

const TICKS_PER_S = 100;

/** Runs one case; returns the CPU seconds over the window and the messages the summary counts. */
async function measure(
  c: CostCase,
  script: string,
  broker: string,
  args: { rate: number; seconds: number; window: number; publishers: number },
): Promise<{ cores: number; received: number; sent: number; code: number }> {
  const dir = script.slice(0, script.lastIndexOf("/"));
  const summary = `${dir}/summary-${c.name}.json`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      mqloadTaskV8Flags(),
      new URL("../runner/cli.ts", import.meta.url).pathname,
      "run",
      ...(c.live ? [] : ["--quiet"]),
      "--summary-export",
      summary,
      ...c.flags,
      script,
    ],
    cwd: dir,
    env: {
      NO_COLOR: "1",
      BROKER: broker,
      RATE: String(args.rate),
      SECONDS: String(args.seconds),
      PUBLISHERS: String(args.publishers),
      ...c.env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lead = Math.max(2, (args.seconds - args.window) / 2);
  await new Promise((r) => setTimeout(r, (lead + 0.5) * 1000));
  const t0 = await cpuTicks(child.pid);
  await new Promise((r) => setTimeout(r, args.window * 1000));
  const t1 = await cpuTicks(child.pid);
  const status = await child.status;
  const text = await stderr;
  if (!status.success) throw new Error(`${c.name}: exit ${status.code}\n${text.slice(-2000)}`);
  const m = JSON.parse(await Deno.readTextFile(summary)).metrics;
  return {
    cores: (t1 - t0) / TICKS_PER_S / args.window,
    received: m.mqtt_messages_received?.count ?? 0,
    sent: m.mqtt_messages_sent?.count ?? 0,
    code: status.code,
  };
}

/** The cases without a server; those with one are added once their server runs. */
export const CASES: CostCase[] = [
  { name: "quiet", flags: [] },
  { name: "live", flags: [], live: true },
  { name: "html-report", flags: ["--report", "report.html"] },
  {
    name: "web-dashboard",
    flags: ["--out", "web-dashboard"],
    env: { K6_WEB_DASHBOARD_PORT: "0", K6_WEB_DASHBOARD_PERIOD: "1s" },
  },
  { name: "json", flags: ["--out", "json=points.ndjson"] },
  { name: "csv", flags: ["--out", "csv=points.csv"] },
];

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rate: { type: "string", default: "50000" },
      seconds: { type: "string", default: "16" },
      window: { type: "string", default: "10" },
      publishers: { type: "string", default: "2" },
      trials: { type: "string", default: "3" },
      only: { type: "string", default: "" },
    },
  });
  const args = {
    rate: Number(values.rate),
    seconds: Number(values.seconds),
    window: Number(values.window),
    publishers: Number(values.publishers),
  };
  const only = new Set(values.only.split(",").filter((s) => s !== ""));
  const broker = await startMosquitto();
  const dir = await Deno.makeTempDir({ prefix: "mqload-cost-" });
  const want = (name: string) => only.size === 0 || only.has(name);
  const influx = want("influxdb") ? await startInfluxdb() : undefined;
  const prometheus = want("prometheus-rw") ? await startPrometheus() : undefined;
  if (influx) CASES.push({ name: "influxdb", flags: ["--out", `influxdb=${influx.url}/cost`] });
  if (prometheus) {
    CASES.push({
      name: "prometheus-rw",
      flags: ["--out", "experimental-prometheus-rw"],
      env: {
        K6_PROMETHEUS_RW_SERVER_URL: prometheus.writeUrl,
        K6_PROMETHEUS_RW_PUSH_INTERVAL: "1s",
      },
    });
  }
  try {
    const script = `${dir}/cost.js`;
    await Deno.writeTextFile(script, SCRIPT);
    // Cases alternate within each trial, so a slow spell of the machine touches them all; each
    // row is the median of its trials.
    const cases = CASES.filter((c) => want(c.name));
    const runs = new Map<string, Array<{ cores: number; sent: number; received: number }>>();
    for (let trial = 0; trial < Number(values.trials); trial++) {
      for (const c of cases) {
        const r = await measure(c, script, broker.url, args);
        runs.set(c.name, [...runs.get(c.name) ?? [], r]);
        console.error(`trial ${trial + 1} ${c.name}: ${r.cores.toFixed(3)} cores`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const base = median(runs.get("quiet")?.map((r) => r.cores) ?? [NaN]);
    const rows = cases.map((c) => {
      const rs = runs.get(c.name)!;
      const cores = median(rs.map((r) => r.cores));
      return [
        c.name,
        cores.toFixed(3),
        rs.map((r) => r.cores.toFixed(2)).join(" / "),
        round(cores * 1e6 / args.rate),
        Number.isNaN(base) ? "" : `${((cores / base - 1) * 100).toFixed(1)} %`,
        Math.min(...rs.map((r) => r.received)),
      ];
    });
    console.log(
      `\nrunner CPU over a ${args.window} s window at ${args.rate} msg/s QoS 0 ` +
        `(${args.publishers} publisher VUs, 1 subscriber VU), mosquitto on loopback`,
    );
    console.log(table(
      ["case", "cores (median)", "trials", "µs CPU/msg", "vs quiet", "received (least)"],
      rows,
    ));
  } finally {
    await influx?.stop();
    await prometheus?.stop();
    await broker.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
