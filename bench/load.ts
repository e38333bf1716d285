/**
 * The 10,000-VU run: one `mqload run` whose VUs each hold a connected client subscribed to a
 * topic, against one local mosquitto. It reports whether all connected, the runner's RSS (one
 * process: main thread and Workers), the connect rate and `mqtt_connect_duration` p99, and
 * whether the run ended cleanly; then MQTT.js and the bare Client opening as many connections
 * from one plain Deno program (100 pending at a time), for the connect rate.
 *
 *     deno run -A bench/load.ts [--vus 1000,10000] [--stagger 1000] [--peers true]
 *                               [--workers default,1] [--v8 mqload,deno] [--hold 45]
 *                               [--style async|sync]
 *
 * Started all at once, 10,000 connections overflow mosquitto's accept backlog (it listens with a
 * backlog of 100): the kernel drops SYNs and the clients retry after 1 s, 3 s… So the largest
 * count runs again with the VUs' connects spread over `--stagger` ms, the fair comparison with
 * the plain programs below, which keep 100 connects pending at a time. `--workers` also runs the
 * largest count with other Worker counts (`mqload run --workers N`; `default` is one per 2,000
 * VUs, at most one per core).
 * `--v8` names the V8 flags of the runner's process: `mqload`, those of the `deno task mqload`
 * entry in deno.json (a smaller young generation and V8's memory reducer started early, see
 * docs/performance.md), or `deno`, Deno's defaults; the first is used for every run, the others
 * run the largest count again.
 * `--hold S` keeps the clients connected S seconds before the release and samples the RSS again:
 * V8's memory reducer (30 s after an isolate starts, then on a quiet heap) gives back the young
 * generations grown and the garbage promoted while thousands of VUs connected at once.
 *
 * Each VU connects, subscribes to `load/<vu>` and `load/all`, and waits for one message on
 * `load/all`, which this bench publishes once the broker counts every VU connected and the RSS
 * has been sampled; the VUs then end their clients and the run finishes.
 *
 * @module
 */

import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { Client } from "../mod.ts";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { round, table } from "./_table.ts";
import { mqloadTaskV8Flags } from "./_task_flags.ts";
import { withRaisedFileLimit } from "./_raised.ts";
import { ASYNC_STYLE, SYNC_STYLE } from "./_load_scripts.ts";

const NOFILE = 20_000;
const RUN_LIMIT_MS = 300_000;
const PENDING = 100;
/** The `--v8-flags=…` of `deno task mqload`, the way the runner is meant to be started. */
const TASK_V8_FLAGS = mqloadTaskV8Flags();

interface LoadResult {
  vus: number;
  workers: string;
  /** Which V8 flags the runner ran with: `mqload` (the task's) or `deno` (none). */
  v8: string;
  staggerMs: number;
  connected: number;
  received: number;
  rssIdle: number;
  rssHeld: number;
  /** RSS after `--hold` seconds connected (0 when not asked). */
  rssHold: number;
  rssPeak: number;
  connectWindowMs: number;
  connectP99: number;
  connectMed: number;
  code: number;
  wallMs: number;
}

function rssOf(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Follows mosquitto's `$SYS/broker/clients/connected`. */
async function watchConnected(url: string): Promise<{ count(): number; close(): Promise<void> }> {
  let count = 0;
  const watcher = new Client({ client_id: "load-watcher", reconnect: false });
  watcher.on("message", (topic, payload) => {
    if (topic === "$SYS/broker/clients/connected") {
      count = Number(new TextDecoder().decode(payload));
    }
  });
  await watcher.connect(url);
  await watcher.subscribe("$SYS/broker/clients/connected");
  return { count: () => count, close: () => watcher.end() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runLoad(
  vus: number,
  dir: string,
  script: string,
  flags: string[],
  staggerMs: number,
  workers: string,
  holdS: number,
  v8: string,
): Promise<LoadResult> {
  const broker = await startMosquitto({ extraConfig: "set_tcp_nodelay true\nsys_interval 1" });
  const watcher = await watchConnected(broker.url);
  const summaryFile = `${dir}/summary-${vus}.json`;
  const cli = new URL("../runner/cli.ts", import.meta.url).pathname;
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...(v8 === "mqload" ? [TASK_V8_FLAGS] : []),
      ...flags,
      cli,
      "run",
      "--quiet",
      ...(workers === "default" ? [] : ["--workers", workers]),
      "--summary-export",
      summaryFile,
      script,
    ],
    cwd: new URL("..", import.meta.url).pathname,
    env: { NO_COLOR: "1", VUS: String(vus), BROKER: broker.url, STAGGER_MS: String(staggerMs) },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const draining = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-20_000);
    }
  })();
  let rssPeak = 0;
  let rssIdle = 0;
  let rssHeld = 0;
  let rssHold = 0;
  let connected = 0;
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  try {
    // Every VU counted by the broker (plus the watcher), within the time limit.
    const deadline = started + RUN_LIMIT_MS;
    while (!exited && performance.now() < deadline) {
      rssPeak = Math.max(rssPeak, rssOf(child.pid));
      connected = watcher.count() - 1;
      if (connected >= vus) break;
      await sleep(200);
    }
    // Held for a few seconds with nothing to do: what the VUs cost at rest.
    for (let i = 0; i < 10 && !exited; i++) {
      await sleep(500);
      const rss = rssOf(child.pid);
      rssPeak = Math.max(rssPeak, rss);
      if (i === 0) rssIdle = rss;
      rssHeld = rss;
    }
    const holdEnd = performance.now() + holdS * 1000 - 5000;
    while (holdS > 0 && !exited && performance.now() < holdEnd) {
      await sleep(1000);
      rssHold = rssOf(child.pid);
    }
    connected = Math.max(connected, watcher.count() - 1);
    const release = await mqtt.connectAsync(broker.url, { clientId: "load-release" });
    await release.publishAsync("load/all", "go", { qos: 1 });
    await release.endAsync();
    const timer = setTimeout(
      () => child.kill("SIGKILL"),
      Math.max(1, deadline - performance.now()),
    );
    const s = await status;
    clearTimeout(timer);
    await draining;
    const wallMs = performance.now() - started;
    if (s.code !== 0) console.error(`mqload run exited with ${s.code}:\n${stderr}`);
    // `--summary-export` writes k6's flat format: metrics.name.{count, rate, avg, p(99), …}.
    const summaryText = await Deno.readTextFile(summaryFile).catch(() => {
      throw new Error(`mqload run wrote no summary (exit ${s.code}):\n${stderr}`);
    });
    const summary = JSON.parse(summaryText) as {
      metrics: Record<string, Record<string, number>>;
    };
    const m = summary.metrics;
    return {
      vus,
      workers,
      v8,
      staggerMs,
      connected,
      received: m.mqtt_messages_received?.count ?? 0,
      rssIdle,
      rssHeld,
      rssHold,
      rssPeak,
      connectWindowMs: m.load_connected_at?.max ?? NaN,
      connectP99: m.mqtt_connect_duration?.["p(99)"] ?? NaN,
      connectMed: m.mqtt_connect_duration?.med ?? NaN,
      code: s.code,
      wallMs,
    };
  } finally {
    if (!exited) child.kill("SIGKILL");
    await status;
    await draining.catch(() => {});
    await watcher.close().catch(() => {});
    await broker.stop();
  }
}

/** Opens `count` connections from this process, `PENDING` at a time; returns the time taken. */
async function openMany(
  impl: "mqload" | "MQTT.js",
  count: number,
): Promise<{ ms: number; ok: number }> {
  const broker = await startMosquitto({ extraConfig: "set_tcp_nodelay true" });
  const open: Array<() => Promise<void>> = [];
  let next = 0;
  let ok = 0;
  const started = performance.now();
  const deadline = started + RUN_LIMIT_MS;
  const lane = async () => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      if (impl === "mqload") {
        const client = new Client({ client_id: `rate-${i}`, reconnect: false });
        await client.connect(broker.url);
        open.push(() => client.end());
      } else {
        const client = await mqtt.connectAsync(broker.url, {
          clientId: `rate-${i}`,
          reconnectPeriod: 0,
        });
        open.push(() => client.endAsync().then(() => {}));
      }
      ok++;
    }
  };
  try {
    await Promise.all(Array.from({ length: PENDING }, lane));
    return { ms: performance.now() - started, ok };
  } finally {
    for (let i = 0; i < open.length; i += PENDING) {
      await Promise.all(open.slice(i, i + PENDING).map((end) => end().catch(() => {})));
    }
    await broker.stop();
  }
}

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      vus: { type: "string", default: "1000,10000" },
      peers: { type: "string", default: "true" },
      // Also run the largest count with VUs starting to connect spread over this many ms.
      stagger: { type: "string", default: "1000" },
      // Seconds to hold the clients connected (a second RSS sample at the end), 0 for none.
      hold: { type: "string", default: "0" },
      // Also run the largest count with these Worker counts (the first is used for every run).
      workers: { type: "string", default: "default,1" },
      // The runner's V8 flags: "mqload" (deno.json's mqload task) or "deno" (Deno's defaults).
      v8: { type: "string", default: "mqload,deno" },
      // The VU script's style: "async" (awaits) or "sync" (k6's blocking style, transformed).
      style: { type: "string", default: "async" },
      // Experiments: another VU script, extra `deno run` flags for the runner.
      script: { type: "string" },
      "deno-flags": { type: "string", default: "" },
    },
  });
  const counts = values.vus.split(",").map(Number);
  const dir = await Deno.makeTempDir({ prefix: "mqload-load-" });
  const script = values.script ?? `${dir}/hold.js`;
  const source = values.style === "sync" ? SYNC_STYLE : ASYNC_STYLE;
  if (values.script === undefined) await Deno.writeTextFile(script, source);
  const flags = values["deno-flags"].split(" ").filter((f) => f !== "");
  const loads: LoadResult[] = [];
  try {
    const [workers, ...others] = values.workers.split(",");
    const [v8, ...otherV8] = values.v8.split(",");
    const holdS = Number(values.hold);
    const largest = Math.max(...counts);
    const runs: Array<[number, number, string, string]> = counts.map((vus) => [
      vus,
      0,
      workers,
      v8,
    ]);
    const stagger = Number(values.stagger);
    if (stagger > 0) runs.push([largest, stagger, workers, v8]);
    for (const w of others) runs.push([largest, 0, w, v8]);
    for (const v of otherV8) runs.push([largest, 0, workers, v]);
    for (const [vus, staggerMs, w, v] of runs) {
      const r = await runLoad(vus, dir, script, flags, staggerMs, w, holdS, v);
      console.error(JSON.stringify(r));
      loads.push(r);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const peers: Array<{ impl: string; n: number; ms: number; ok: number }> = [];
  if (values.peers === "true") {
    const n = Math.max(...counts);
    for (const impl of ["mqload", "MQTT.js"] as const) {
      const r = await openMany(impl, n);
      console.error(`${impl}: ${r.ok} connections in ${round(r.ms)} ms`);
      peers.push({ impl, n, ...r });
    }
  }
  const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
  console.log("\nmqload run: VUs each holding a connected, subscribed client (one process)");
  console.log(table(
    [
      "VUs",
      "Workers",
      "V8 flags",
      "connects spread over",
      "connected",
      "released",
      "RSS held MiB",
      "KiB/VU",
      ...(Number(values.hold) > 0 ? [`RSS after ${values.hold} s MiB`, "KiB/VU"] : []),
      "peak MiB",
      "connect window s",
      "conn/s",
      "connect p50 ms",
      "connect p99 ms",
      "exit",
    ],
    loads.map((r) => [
      r.vus,
      r.workers,
      r.v8,
      r.staggerMs > 0 ? `${r.staggerMs} ms` : "all at once",
      r.connected,
      r.received,
      mib(r.rssHeld),
      round(r.rssHeld / r.vus / 1024, 1),
      ...(r.rssHold > 0 ? [mib(r.rssHold), round(r.rssHold / r.vus / 1024, 1)] : []),
      mib(r.rssPeak),
      round(r.connectWindowMs / 1000, 2),
      round(r.vus / (r.connectWindowMs / 1000)),
      round(r.connectMed, 1),
      round(r.connectP99, 1),
      r.code,
    ]),
  ));
  if (peers.length > 0) {
    const ours = peers.find((p) => p.impl === "mqload")!;
    const js = peers.find((p) => p.impl === "MQTT.js")!;
    const first = loads[0]?.workers;
    const big = loads.find((r) =>
      r.vus === ours.n && r.staggerMs === 0 && r.workers === first && r.v8 === loads[0]?.v8
    );
    const paced = loads.find((r) => r.vus === ours.n && r.staggerMs > 0);
    const rows: Array<Array<string | number>> = peers.map((p) => [
      p.impl,
      p.ok,
      round(p.ms / 1000, 2),
      round(p.ok / (p.ms / 1000)),
      (p.ms / js.ms).toFixed(2),
    ]);
    if (paced) {
      rows.unshift([
        `mqload run (VUs, spread over ${paced.staggerMs} ms)`,
        paced.connected,
        round(paced.connectWindowMs / 1000, 2),
        round(paced.vus / (paced.connectWindowMs / 1000)),
        (paced.connectWindowMs / js.ms).toFixed(2),
      ]);
    }
    if (big) {
      rows.unshift([
        "mqload run (VUs, all at once)",
        big.connected,
        round(big.connectWindowMs / 1000, 2),
        round(big.vus / (big.connectWindowMs / 1000)),
        (big.connectWindowMs / js.ms).toFixed(2),
      ]);
    }
    console.log(`\nOpening ${ours.n} connections (plain program: ${PENDING} pending at a time)`);
    console.log(table(["client", "connected", "seconds", "conn/s", "time ÷ MQTT.js"], rows));
  }
}

if (import.meta.main) await withRaisedFileLimit(import.meta.url, NOFILE, main);
