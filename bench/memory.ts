/**
 * Resident memory per connected and subscribed client: mqload's Client, MQTT.js (under Deno), and
 * a raw Deno socket doing only CONNECT, SUBSCRIBE and a pending 1 KB read. Each figure comes from
 * a fresh subprocess (this file with a mode argument) so heaps do not mix.
 *
 *     deno run -A bench/memory.ts [--clients 1000,2000,10000] [--young 0,4] [--hold 40]
 *
 * `--young` lists the largest semi-space sizes (MiB) to measure with: 0 is Deno's default (V8 grows
 * its young generation up to 16 MiB per semi-space while the clients connect and keeps it), 4 is
 * `--v8-flags=--max-semi-space-size=4`, what a program holding thousands of clients can choose.
 *
 * `--hold S` also measures after S seconds of idling with the clients connected, to see whether
 * V8's memory reducer gives back the young generation grown while connecting by itself.
 *
 * @module
 */

import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { Client } from "../mod.ts";
import { ratio, round, table } from "./_table.ts";
import { encode } from "../codec/mod.ts";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { withRaisedFileLimit } from "./_raised.ts";

const IMPLS = ["mqload", "MQTT.js", "raw"] as const;
type Impl = typeof IMPLS[number];
const BATCH = 50;

interface Measurement {
  impl: Impl;
  clients: number;
  baselineRss: number;
  rss: number;
  perClient: number;
  /** Per client after a memory-reducing GC (V8 shrinks the young generation it grew). */
  perClientReduced: number;
  /** Per client after `--hold` seconds of idling (0 when not asked). */
  perClientHeld: number;
}

/** The GC V8 runs under memory pressure: compacts and gives back the grown young generation. */
function reduce(): void {
  const gc = (globalThis as { gc?: (options?: unknown) => void }).gc;
  gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  collect();
  await new Promise((resolve) => setTimeout(resolve, 100));
  collect();
}

interface Closable {
  close(): Promise<void> | void;
}

async function openRaw(port: number, i: number): Promise<Closable> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const buffer = new Uint8Array(1024);
  await conn.write(encode({
    type: "connect",
    protocolVersion: 4,
    clientId: `mem-raw-${i}`,
    cleanStart: true,
    keepalive: 0,
  }));
  await conn.write(encode({
    type: "subscribe",
    packetId: 1,
    subscriptions: [{ topicFilter: `mem/${i}`, qos: 1 }],
  }));
  // CONNACK (4 bytes) and SUBACK (5 bytes), possibly in one read.
  let seen = 0;
  while (seen < 9) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("closed during setup");
    seen += n;
  }
  const reading = (async () => {
    try {
      while (await conn.read(buffer) !== null) { /* a pending read, like a real client */ }
    } catch { /* closed */ }
  })();
  return {
    async close() {
      conn.close();
      await reading;
    },
  };
}

// The clients themselves are held, as a program would hold them, not the benchmarks' adapters
// (whose closures would add the same few hundred bytes to each).
async function openClient(impl: Impl, url: string, port: number, i: number): Promise<Closable> {
  if (impl === "raw") return openRaw(port, i);
  const clientId = `mem-${impl}-${i}`;
  if (impl === "mqload") {
    const client = new Client({ client_id: clientId, reconnect: false });
    await client.connect(url);
    await client.subscribe(`mem/${i}`, { qos: 1 });
    return { close: () => client.end() };
  }
  const client = await mqtt.connectAsync(url, { clientId, reconnectPeriod: 0 });
  await client.subscribeAsync(`mem/${i}`, { qos: 1 });
  return { close: () => client.endAsync() };
}

async function child(impl: Impl, clients: number, port: number, holdS: number): Promise<void> {
  const url = `mqtt://127.0.0.1:${port}`;
  // Warm up the code paths so the baseline holds the compiled code, not only the per-client data.
  const warm = await Promise.all(
    Array.from({ length: 10 }, (_, i) => openClient(impl, url, port, -1 - i)),
  );
  await Promise.all(warm.map((c) => c.close()));
  await settle();
  const baselineRss = Deno.memoryUsage().rss;
  reduce();
  const reducedBaseline = Deno.memoryUsage().rss;
  const open: Closable[] = [];
  for (let i = 0; i < clients; i += BATCH) {
    const batch = Array.from(
      { length: Math.min(BATCH, clients - i) },
      (_, j) => openClient(impl, url, port, i + j),
    );
    open.push(...await Promise.all(batch));
  }
  await settle();
  const rss = Deno.memoryUsage().rss;
  let held = 0;
  if (holdS > 0) {
    await new Promise((resolve) => setTimeout(resolve, holdS * 1000));
    held = Deno.memoryUsage().rss;
  }
  reduce();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const reduced = Deno.memoryUsage().rss;
  const result: Measurement = {
    impl,
    clients,
    baselineRss,
    rss,
    perClient: (rss - baselineRss) / clients,
    perClientReduced: (reduced - reducedBaseline) / clients,
    perClientHeld: holdS > 0 ? (held - baselineRss) / clients : 0,
  };
  console.log(JSON.stringify(result));
  for (let i = 0; i < open.length; i += BATCH) {
    await Promise.all(open.slice(i, i + BATCH).map((c) => c.close()));
  }
}

async function measure(
  impl: Impl,
  clients: number,
  port: number,
  holdS: number,
  youngMiB: number,
): Promise<Measurement> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      youngMiB > 0
        ? `--v8-flags=--expose-gc,--max-semi-space-size=${youngMiB}`
        : "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      "--raised", // Already under the parent's limit.
      "child",
      impl,
      String(clients),
      String(port),
      String(holdS),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) throw new Error(`${impl} × ${clients} failed (exit ${output.code})`);
  return JSON.parse(text.split("\n").at(-1)!) as Measurement;
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      clients: { type: "string", default: "1000,2000,10000" },
      hold: { type: "string", default: "0" },
      young: { type: "string", default: "0,4" },
    },
  });
  if (positionals[0] === "child") {
    const [impl, clients, port, hold] = positionals.slice(1);
    await child(impl as Impl, Number(clients), Number(port), Number(hold));
    return;
  }
  const holdS = Number(values.hold);
  const counts = values.clients.split(",").map(Number);
  const youngs = values.young.split(",").map(Number);
  const rows: Array<Array<string | number>> = [];
  for (const young of youngs) {
    for (const clients of counts) {
      // A fresh broker per size keeps mosquitto's own state out of the way.
      const broker = await startMosquitto({ extraConfig: "set_tcp_nodelay true" });
      try {
        const results: Partial<Record<Impl, Measurement>> = {};
        for (const impl of IMPLS) {
          const m = await measure(impl, clients, broker.port, holdS, young);
          results[impl] = m;
          console.error(`${impl} × ${clients}: ${round(m.perClient / 1024, 1)} KiB per client`);
        }
        for (const impl of IMPLS) {
          const m = results[impl]!;
          rows.push([
            impl,
            young > 0 ? `${young} MiB` : "default",
            clients,
            round(m.baselineRss / 2 ** 20, 1),
            round(m.rss / 2 ** 20, 1),
            round(m.perClient / 1024, 1),
            ratio(m.perClient, results.raw!.perClient),
            round(m.perClientReduced / 1024, 1),
            ratio(m.perClientReduced, results.raw!.perClientReduced),
            ...(holdS > 0 ? [round(m.perClientHeld / 1024, 1)] : []),
          ]);
        }
      } finally {
        await broker.stop();
      }
    }
  }
  console.log("\nRSS per connected + subscribed client (fresh process per row)");
  console.log(table(
    [
      "client",
      "semi-space max",
      "N",
      "RSS before MiB",
      "RSS after MiB",
      "KiB per client",
      "÷ raw",
      "KiB/client, reduced GC",
      "÷ raw",
      ...(holdS > 0 ? [`KiB/client after ${holdS} s idle`] : []),
    ],
    rows,
  ));
}

// 10,000 clients need 10,000 sockets on each side of loopback.
if (import.meta.main) await withRaisedFileLimit(import.meta.url, 30_000, main);
