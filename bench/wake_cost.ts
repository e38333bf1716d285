/**
 * What one wakeup costs on this machine: the CPU a process spends each time it sleeps and is
 * woken to handle one small event, every 10 ms. At the modest per-connection rates of
 * `bench/shapes.ts`, a generator wakes a few hundred times a second for a few messages each
 * time, so this cost, not the work per message, sets its CPU floor.
 *
 * - `thread sleep`: a thread blocked in `Atomics.wait`, no event loop: the kernel's (and a
 *   virtual machine's) cost of a sleep and a wakeup.
 * - `Deno timer`: an isolate's event loop woken by a `setTimeout` armed anew each time, and by
 *   one `setInterval`.
 * - `Deno socket read`: an isolate's event loop woken by 5 bytes arriving on a TCP connection
 *   (`await conn.read()`), sent by another process.
 * - `mosquitto, 1 PUBLISH`: the broker woken by a QoS 0 PUBLISH (no subscriber), sent by another
 *   process.
 *
 * Each is measured by its process's CPU time over the run, less the same process idle for as long.
 *
 *     deno task bench:wake [--wakes 500] [--every 10]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { cpuUsage } from "node:process";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { pidByCommandLine } from "./_proc_cpu.ts";
import { round, table } from "./_table.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    wakes: { type: "string", default: "500" },
    every: { type: "string", default: "10" },
  },
});
const WAKES = Number(values.wakes);
const EVERY = Number(values.every);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** CPU time of this process so far, in µs. */
const ownCpu = () => {
  const { user, system } = cpuUsage();
  return user + system;
};
/** CPU time of another process's threads so far, in µs (schedstat: nanoseconds). */
function processCpu(pid: number): number {
  let ns = 0;
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    ns += Number(Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(" ")[0]);
  }
  return ns / 1000;
}

/** A child process writing `bytes` to `port` every EVERY ms, WAKES times, after `first`. */
function sender(port: number, bytes: number[], first: number[] = []): Deno.ChildProcess {
  const code = `
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: ${port} });
    conn.setNoDelay(true);
    if (${first.length} > 0) await conn.write(new Uint8Array(${JSON.stringify(first)}));
    await new Promise((r) => setTimeout(r, 300));
    const packet = new Uint8Array(${JSON.stringify(bytes)});
    for (let i = 0; i < ${WAKES}; i++) {
      await conn.write(packet);
      await new Promise((r) => setTimeout(r, ${EVERY}));
    }
    conn.close();`;
  return new Deno.Command(Deno.execPath(), { args: ["eval", code], stdout: "null" }).spawn();
}

/** µs of CPU per ms that a process spends idle, over two seconds. */
async function idleRate(cpu: () => number): Promise<number> {
  const start = cpu();
  const t0 = performance.now();
  await sleep(2000);
  return (cpu() - start) / (performance.now() - t0);
}

/** µs of CPU per wake: the run's CPU less what the process spends idle for as long. */
async function perWake(cpu: () => number, idle: number, run: () => Promise<void>): Promise<number> {
  const start = cpu();
  const t0 = performance.now();
  await run();
  return (cpu() - start - idle * (performance.now() - t0)) / WAKES;
}

const ownIdle = await idleRate(ownCpu);

const rows: Array<Array<string | number>> = [];

rows.push([
  "thread sleep (Atomics.wait)",
  round(
    await perWake(ownCpu, ownIdle, () => {
      const cell = new Int32Array(new SharedArrayBuffer(4));
      for (let i = 0; i < WAKES; i++) Atomics.wait(cell, 0, 0, EVERY);
      return Promise.resolve();
    }),
    1,
  ),
]);

rows.push([
  "Deno timer (setTimeout each time)",
  round(
    await perWake(ownCpu, ownIdle, async () => {
      for (let i = 0; i < WAKES; i++) await sleep(EVERY);
    }),
    1,
  ),
]);

rows.push([
  "Deno interval (setInterval)",
  round(
    await perWake(ownCpu, ownIdle, () =>
      new Promise<void>((resolve) => {
        let woken = 0;
        const interval = setInterval(() => {
          if (++woken < WAKES) return;
          clearInterval(interval);
          resolve();
        }, EVERY);
      })),
    1,
  ),
]);

{
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const child = sender(listener.addr.port, [0x30, 3, 0, 1, 0x61]);
  const conn = await listener.accept();
  conn.setNoDelay(true);
  const buffer = new Uint8Array(4096);
  await conn.read(buffer);
  rows.push([
    "Deno socket read (5 bytes)",
    round(
      await perWake(ownCpu, ownIdle, async () => {
        let n = 0;
        while (n < WAKES && (await conn.read(buffer)) !== null) n++;
      }),
      1,
    ),
  ]);
  conn.close();
  listener.close();
  await child.status;
}

{
  await using broker = await startMosquitto();
  const pid = pidByCommandLine(`${broker.dir}/mosquitto.conf`);
  if (pid === undefined) throw new Error("mosquitto's pid not found");
  const idle = await idleRate(() => processCpu(pid));
  // CONNECT (MQTT 3.1.1, client id "w", clean session, keepalive 0), then PUBLISH "a" to "a".
  const connect = [0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 0, 0, 1, 0x77];
  const child = sender(broker.port, [0x30, 4, 0, 1, 0x61, 0x61], connect);
  await sleep(200);
  rows.push([
    "mosquitto, 1 PUBLISH",
    round(await perWake(() => processCpu(pid), idle, () => child.status.then(() => {})), 1),
  ]);
}

console.log(table(["woken by, every " + EVERY + " ms", "µs of CPU per wake"], rows));
