/**
 * What mqload costs against the broker it tests, in the shapes broker benchmarks run: many
 * connections, each at a modest rate. Each shape runs one `mqload run` script
 * (`_shapes_scripts.ts`) against a fresh private mosquitto (`max_connections -1`,
 * `set_tcp_nodelay true`, unlimited queues) and samples the CPU of both processes from
 * `/proc/<pid>/stat` (mqload's whole process tree: its Workers are threads of one process) at
 * each of mosquitto's `$SYS` updates over the steady window. It prints µs of CPU per message the
 * broker delivered (per connection for the connect storm), the ratio mqload / mosquitto, mqload's
 * cores, the counts the run's summary gives and the end-to-end latency percentiles
 * (`mqtt_message_latency`); the floor program's rows give the same, from its own publishers'
 * stamps and subscribers' counts.
 *
 *     deno task bench:shapes [--quick] [--paced] [--floor]
 *                            [--by mqload,paced,bench,floor,floor-paced]
 *                            [--shape connect,pub10,pub100,fanout100,fanout50,fanout20,fanin]
 *
 * `--quick` shortens the publishing (12 s instead of 24 s; the steady window measured in it leaves
 * out the first 3 s and the last second) and the connect storm (2,500 connections instead of
 * 5,000). Each process's wakeups are counted too (voluntary context switches of its threads): at
 * these rates a Deno event loop's wakeup costs more than the work it wakes for
 * (`bench/wake_cost.ts`). `fanout20` shows fan-out's costs below saturation (at 50 and 100 msg/s
 * both processes are CPU-bound on 2 cores and split them). `fanout50` is the reference for fan-out
 * latency: at 50 msg/s mqload is far from saturated, so its latency is the broker's own. `--paced`
 * runs each message shape a second time with its publications made by `publishEvery()` (one
 * scheduler per Worker) instead of a `publish()` and `sleep()` loop per VU (`PACED_TICK` sets its
 * `tick`, default 10 ms). The loop waits for each acknowledgement before its next publication, so
 * when the broker falls behind (fan-out on 2 cores) it publishes later and stamps later, and its
 * latency hides the queue; `publishEvery()` publishes on schedule and its latency shows it.
 * `--floor` runs each shape a second time with `_shapes_floor.ts`, the same exchange made by a
 * plain Deno program over raw sockets: the CPU Deno's socket operations alone cost, the floor under
 * mqload's (with `--paced`, also with publishEvery()'s ticks). It publishes on schedule, not
 * waiting for acknowledgements, so its latency shows the broker's queue as publishEvery()'s does.
 * `--by` names the generators to run instead: `bench` makes each shape with `mqload bench` command
 * lines as a broker benchmarker runs them (a `sub` process, then a `pub` one; `conn`), their CPU
 * summed (`_shapes_generators.ts`). For profiling: `SHAPES_V8_FLAGS` (such as `,--perf-basic-prof`)
 * adds to the V8 flags of the runner and the floor program, `SHAPES_INSPECT=1` starts the runner
 * (or the floor program) with `--inspect` on 127.0.0.1:9229 (a heap sampler can attach to its
 * Worker through the `NodeWorker` domain), and `SHAPES_STDOUT=1` shows the generators' standard
 * output (such as `--trace-gc`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Client } from "../mod.ts";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import {
  type Generator,
  GENERATORS,
  launchPlan,
  type Shape,
  shapes,
} from "./_shapes_generators.ts";
import { pidByCommandLine, treeUsage } from "./_proc_cpu.ts";
import { ratio, round, table } from "./_table.ts";
import { withRaisedFileLimit } from "./_raised.ts";

/** One CPU reading of both processes, with the broker's counter at that moment. */
interface Sample {
  at: number;
  count: number;
  mqloadMs: number;
  brokerMs: number;
  mqloadWakes: number;
  brokerWakes: number;
}

interface ShapeResult {
  shape: Shape;
  generator: Generator;
  windowS: number;
  /** Messages the broker delivered in the window (connections made, for the storm). */
  units: number;
  mqloadUs: number;
  brokerUs: number;
  /** Wakeups per message (per connection for the storm): voluntary context switches. */
  mqloadWakes: number;
  brokerWakes: number;
  mqloadCores: number;
  brokerCores: number;
  sent: number;
  received: number;
  errors: number;
  p50: number;
  p99: number;
  code: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Summary {
  metrics: Record<string, Record<string, number>>;
}

async function readSummary(path: string | undefined): Promise<Summary["metrics"]> {
  if (path === undefined) return {};
  try {
    return (JSON.parse(await Deno.readTextFile(path)) as Summary).metrics;
  } catch {
    return {};
  }
}

async function runShape(
  shape: Shape,
  steadyS: number,
  dir: string,
  generator: Generator,
): Promise<ShapeResult> {
  const broker = await startMosquitto({ extraConfig: "set_tcp_nodelay true\nsys_interval 1" });
  const brokerPid = pidByCommandLine(`${broker.dir}/mosquitto.conf`);
  if (brokerPid === undefined) throw new Error("mosquitto's pid not found");
  const counter = shape.kind === "connect"
    ? "$SYS/broker/clients/connected"
    : "$SYS/broker/publish/messages/sent";
  const samples: Sample[] = [];
  // The generator's processes, added as they are spawned: the watcher's first samples come before.
  const pids: number[] = [];
  const read = (count: number): Sample => {
    const mqload = pids.map(treeUsage);
    const broker = treeUsage(brokerPid);
    return {
      at: Date.now(),
      count,
      mqloadMs: mqload.reduce((sum, u) => sum + u.cpuMs, 0),
      brokerMs: broker.cpuMs,
      mqloadWakes: mqload.reduce((sum, u) => sum + u.wakes, 0),
      brokerWakes: broker.wakes,
    };
  };
  const watcher = new Client({ client_id: "shapes-watcher", reconnect: false });
  watcher.on("message", (_topic, payload) => {
    samples.push(read(Number(new TextDecoder().decode(payload))));
  });
  await watcher.connect(broker.url);
  await watcher.subscribe(counter);
  const plan = await launchPlan(generator, shape, new URL(broker.url), dir, steadyS);
  const { startAt, endAt } = plan;
  const children: Deno.ChildProcess[] = [];
  let stderr = "";
  const killer = setTimeout(() => {
    for (const child of children) child.kill("SIGKILL");
  }, endAt - Date.now() + 120_000);
  try {
    const exits = await Promise.all(plan.launches.map(async (launch) => {
      await sleep(launch.at - Date.now());
      const child = new Deno.Command(Deno.execPath(), {
        args: launch.args,
        env: { NO_COLOR: "1", ...plan.env },
        stdin: "null",
        stdout: Deno.env.get("SHAPES_STDOUT") === "1" ? "inherit" : "null",
        stderr: "piped",
      }).spawn();
      children.push(child);
      pids.push(child.pid);
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) {
        stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-20_000);
      }
      const status = await child.status;
      if (status.code !== 0) console.error(`${shape.name}: ${generator} exited ${status.code}`);
      return status.code;
    }));
    if (exits.some((code) => code !== 0)) console.error(stderr);
    const summaries = await Promise.all(plan.launches.map(async (launch) => ({
      role: launch.role,
      metrics: await readSummary(launch.summary),
    })));
    const of = (role: string) => summaries.filter((s) => s.role === role || s.role === undefined);
    let start: Sample | undefined;
    let end: Sample | undefined;
    if (shape.kind === "connect") {
      // From the first $SYS update with the storm's connections to the one with all of them.
      start = samples.find((s) => s.count > 1);
      end = samples.find((s) => s.count >= shape.publishers + 1);
    } else {
      // The steady window: from 3 s after the first publication to 1 s before the last
      // (mosquitto updates $SYS every second).
      start = samples.find((s) => s.at >= startAt + 3000);
      end = samples.findLast((s) => s.at <= endAt - 1000);
    }
    if (start === undefined || end === undefined || end.at <= start.at) {
      throw new Error(`${shape.name}: no steady window in ${samples.length} samples\n${stderr}`);
    }
    const units = end.count - start.count;
    const windowMs = end.at - start.at;
    const latencyOf = shape.kind === "connect"
      ? of("connect").map((s) => s.metrics.mqtt_connect_duration)
      : of("received").map((s) => s.metrics.mqtt_message_latency ?? s.metrics.bench_latency);
    const latency = latencyOf.find((l) => l !== undefined);
    const count = (role: string, metric: string) =>
      of(role).reduce((sum, s) => sum + (s.metrics[metric]?.count ?? 0), 0);
    return {
      shape,
      generator,
      windowS: windowMs / 1000,
      units,
      mqloadUs: ((end.mqloadMs - start.mqloadMs) * 1000) / units,
      brokerUs: ((end.brokerMs - start.brokerMs) * 1000) / units,
      mqloadWakes: (end.mqloadWakes - start.mqloadWakes) / units,
      brokerWakes: (end.brokerWakes - start.brokerWakes) / units,
      mqloadCores: (end.mqloadMs - start.mqloadMs) / windowMs,
      brokerCores: (end.brokerMs - start.brokerMs) / windowMs,
      sent: count("sent", "mqtt_messages_sent"),
      received: count("received", "mqtt_messages_received"),
      errors: summaries.reduce((sum, s) => sum + (s.metrics.mqtt_errors?.count ?? 0), 0),
      p50: latency?.med ?? NaN,
      p99: latency?.["p(99)"] ?? NaN,
      code: Math.max(...exits),
    };
  } finally {
    clearTimeout(killer);
    for (const child of children) {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
    }
    await watcher.end().catch(() => {});
    await broker.stop();
  }
}

/** Cores above which a process counts as CPU-bound (a steady window has some idle moments). */
const SATURATED = 0.9;

/** CPU per wakeup, or "-" when the process did not sleep in the window (a saturated one). */
function perWake(us: number, wakes: number): number | string {
  return wakes > 0 ? round(us / wakes, 1) : "-";
}

function print(results: ShapeResult[]): void {
  console.log(table(
    [
      "shape",
      "load by",
      "window s",
      "msgs/conns",
      "mqload µs",
      "mosquitto µs",
      "ratio",
      "mqload wakes",
      "mosquitto wakes",
      "mqload µs/wake",
      "mosquitto µs/wake",
      "mqload cores",
      "mosquitto cores",
      "sent",
      "received",
      "errors",
      "p50 ms",
      "p99 ms",
      "exit",
    ],
    results.map((r) => [
      r.shape.title,
      {
        mqload: "mqload",
        paced: "publishEvery",
        floor: "raw Deno",
        bench: "mqload bench",
        "floor-paced": "raw Deno, ticks",
      }[r.generator],
      round(r.windowS, 1),
      r.units,
      round(r.mqloadUs, 1),
      round(r.brokerUs, 1),
      ratio(r.mqloadUs, r.brokerUs),
      round(r.mqloadWakes, 2),
      round(r.brokerWakes, 2),
      perWake(r.mqloadUs, r.mqloadWakes),
      perWake(r.brokerUs, r.brokerWakes),
      round(r.mqloadCores, 2),
      round(r.brokerCores, 2),
      r.sent,
      r.received,
      r.errors,
      round(r.p50, 1),
      round(r.p99, 1),
      r.code,
    ]),
  ));
  console.log(
    [
      "window s: the steady window, from the first $SYS update 3 s after the first publication to " +
      "the last 1 s before the last (from the first to the last connection, for the storm).",
      "msgs/conns: messages the broker delivered in the window (connections, for the storm).",
      "µs: CPU per message delivered (per connection, for the storm); ratio: mqload's ÷ mosquitto's.",
      "wakes: times the process slept and was woken (voluntary context switches of its threads) " +
      "per message; µs/wake: CPU per wakeup.",
      "cores: the process's CPU over the window ÷ its length.",
      "sent, received, errors: the run's totals; p50/p99: mqtt_message_latency over the whole " +
      "run (mqtt_connect_duration for the storm; raw Deno's from its subscribers' reads of the " +
      "same stamps).",
    ].join("\n"),
  );
  for (const r of results) {
    if (r.mqloadCores >= SATURATED && r.brokerCores >= SATURATED) {
      // mosquitto runs on one thread: with both busy, each holds about one of the two cores,
      // and what either saves per message the other's faster pace takes back.
      console.log(
        `${r.shape.name} (${r.generator}): both processes were CPU-bound (${
          round(r.mqloadCores, 2)
        } and ${round(r.brokerCores, 2)} cores): the ratio is their share of the cores ` +
          "more than their cost per message.",
      );
    }
    if (r.shape.kind !== "messages" || r.sent === 0) continue;
    const shared = r.shape.filter.startsWith("$share/");
    const expected = r.sent * (shared ? 1 : r.shape.subscribers);
    if (r.received < expected) {
      console.log(
        `${r.shape.name} (${r.generator}): received ${r.received} of the ${expected} ` +
          "published messages' deliveries: the run ended before the broker's queue drained.",
      );
    }
  }
}

function generatorList(list: string): Generator[] {
  const names = list.split(",");
  for (const name of names) {
    if (!GENERATORS.includes(name as Generator)) {
      throw new Error(`Unknown --by ${name}: expected ${GENERATORS.join(", ")}`);
    }
  }
  return names as Generator[];
}

await withRaisedFileLimit(import.meta.url, 20_000, async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      shape: { type: "string" },
      floor: { type: "boolean", default: false },
      paced: { type: "boolean", default: false },
      by: { type: "string" },
    },
  });
  const wanted = values.shape?.split(",");
  const chosen = shapes(values.quick).filter((s) =>
    wanted === undefined || wanted.includes(s.name)
  );
  if (chosen.length === 0) throw new Error(`No shape named ${values.shape}`);
  const dir = await Deno.makeTempDir({ prefix: "mqload-shapes-" });
  const results: ShapeResult[] = [];
  try {
    for (const shape of chosen) {
      const generators: Generator[] = values.by !== undefined
        // The storm publishes nothing: its paced runs would repeat the others.
        ? generatorList(values.by).filter((g) =>
          shape.kind === "messages" || (g !== "paced" && g !== "floor-paced")
        )
        : ["mqload"];
      if (values.by === undefined) {
        if (values.paced && shape.kind === "messages") generators.push("paced");
        if (values.floor) generators.push("floor");
        if (values.floor && values.paced && shape.kind === "messages") {
          generators.push("floor-paced");
        }
      }
      for (const generator of generators) {
        results.push(await runShape(shape, values.quick ? 12 : 24, dir, generator));
        console.error(`done: ${shape.title} (${generator})`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  print(results);
});
