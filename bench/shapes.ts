/**
 * What mqload costs against the broker it tests, in the shapes broker benchmarks run: many
 * connections, each at a modest rate. Each shape runs one `mqload run` script
 * (`_shapes_scripts.ts`) against a fresh private mosquitto (`max_connections -1`,
 * `set_tcp_nodelay true`, unlimited queues) and samples the CPU of both processes from
 * `/proc/<pid>/stat` (mqload's whole process tree: its Workers are threads of one process) at
 * each of mosquitto's `$SYS` updates over the steady window. It prints µs of CPU per message the
 * broker delivered (per connection for the connect storm), the ratio mqload / mosquitto, mqload's
 * cores, the counts the run's summary gives and the end-to-end latency percentiles
 * (`mqtt_message_latency`).
 *
 *     deno task bench:shapes [--quick] [--paced] [--floor]
 *                            [--shape connect,pub10,pub100,fanout100,fanout50,fanin]
 *
 * `--quick` shortens the steady windows (12 s instead of 24 s) and the connect storm (2,500
 * connections instead of 5,000). `fanout50` is the reference for fan-out latency: at 50 msg/s
 * mqload is far from saturated, so its latency is the broker's own. `--paced` runs each message
 * shape a second time with its publications made by `publishEvery()` (one scheduler per Worker)
 * instead of a `publish()` and `sleep()` loop per VU (`PACED_TICK` sets its `tick`, default 10 ms).
 * The loop waits for each acknowledgement before its next publication, so when the broker falls
 * behind (fan-out on 2 cores) it publishes later and stamps later, and its latency hides the
 * queue; `publishEvery()` publishes on schedule and its latency shows it. `--floor` runs each shape a
 * second time with `_shapes_floor.ts`, the same exchange made by a plain Deno program over raw
 * sockets: the CPU Deno's socket operations alone cost, the floor under mqload's. The
 * environment variable `SHAPES_V8_FLAGS` (such as `,--perf-basic-prof`) adds to the runner's V8
 * flags, for profiling.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Client } from "../mod.ts";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { CONNECT_SCRIPT, MESSAGES_SCRIPT } from "./_shapes_scripts.ts";
import { pidByCommandLine, treeCpuMs } from "./_proc_cpu.ts";
import { ratio, round, table } from "./_table.ts";
import { mqloadTaskV8Flags } from "./_task_flags.ts";
import { withRaisedFileLimit } from "./_raised.ts";

interface Shape {
  name: string;
  title: string;
  kind: "connect" | "messages";
  publishers: number;
  subscribers: number;
  /** Messages per second per publisher, or connections per second. */
  rate: number;
  qos: 0 | 1;
  protocol: 4 | 5;
  filter: string;
  /** Seconds from launch to START_AT: the runner starts and every client connects. */
  leadS: number;
}

function shapes(quick: boolean): Shape[] {
  const base = { qos: 1 as const, protocol: 4 as const, filter: "shapes/#", leadS: 8 };
  return [
    {
      ...base,
      name: "connect",
      title: `connect ${quick ? "2,500" : "5,000"} at 500/s, hold`,
      kind: "connect",
      publishers: quick ? 2500 : 5000,
      subscribers: 0,
      rate: 500,
      leadS: 6,
    },
    {
      ...base,
      name: "pub10",
      title: "100 pub × 10/s QoS 1 → 1 sub",
      kind: "messages",
      publishers: 100,
      subscribers: 1,
      rate: 10,
    },
    {
      ...base,
      name: "pub100",
      title: "100 pub × 100/s QoS 1 → 1 sub",
      kind: "messages",
      publishers: 100,
      subscribers: 1,
      rate: 100,
    },
    {
      ...base,
      name: "fanout100",
      title: "1 pub 100/s QoS 1 → 1,000 subs",
      kind: "messages",
      publishers: 1,
      subscribers: 1000,
      rate: 100,
      leadS: 10,
    },
    {
      ...base,
      name: "fanout50",
      title: "1 pub 50/s QoS 1 → 1,000 subs",
      kind: "messages",
      publishers: 1,
      subscribers: 1000,
      rate: 50,
      leadS: 10,
    },
    {
      ...base,
      name: "fanin",
      title: "500 pub × 10/s → 10 shared subs (v5)",
      kind: "messages",
      publishers: 500,
      subscribers: 10,
      rate: 10,
      protocol: 5,
      filter: "$share/g/shapes/#",
    },
  ];
}

/** One CPU reading of both processes, with the broker's counter at that moment. */
interface Sample {
  at: number;
  count: number;
  mqloadMs: number;
  brokerMs: number;
}

interface ShapeResult {
  shape: Shape;
  generator: Generator;
  windowS: number;
  /** Messages the broker delivered in the window (connections made, for the storm). */
  units: number;
  mqloadUs: number;
  brokerUs: number;
  mqloadCores: number;
  sent: number;
  received: number;
  errors: number;
  p50: number;
  p99: number;
  code: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Who makes the load: `mqload run` with the shape's script (`paced`: its publications through
 * `publishEvery()`), or the raw-socket floor program.
 */
type Generator = "mqload" | "paced" | "floor";

function generatorArgs(generator: Generator, script: string, summaryFile: string): string[] {
  if (generator === "floor") {
    return ["run", "-A", new URL("./_shapes_floor.ts", import.meta.url).pathname];
  }
  return [
    "run",
    "-A",
    mqloadTaskV8Flags() + (Deno.env.get("SHAPES_V8_FLAGS") ?? ""),
    new URL("../runner/cli.ts", import.meta.url).pathname,
    "run",
    "--quiet",
    ...(Deno.env.get("SHAPES_RUN_FLAGS")?.split(" ").filter(Boolean) ?? []),
    "--summary-export",
    summaryFile,
    script,
  ];
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
  const script = `${dir}/${shape.name}.js`;
  await Deno.writeTextFile(script, shape.kind === "connect" ? CONNECT_SCRIPT : MESSAGES_SCRIPT);
  const summaryFile = `${dir}/${shape.name}-summary.json`;
  const startAt = Date.now() + shape.leadS * 1000;
  const activeS = shape.kind === "connect" ? shape.publishers / shape.rate + 3 : steadyS;
  const endAt = startAt + activeS * 1000;
  const counter = shape.kind === "connect"
    ? "$SYS/broker/clients/connected"
    : "$SYS/broker/publish/messages/sent";
  const samples: Sample[] = [];
  // Set once the runner is spawned: the watcher's first samples come before it.
  const mqload = { pid: 0 };
  const read = (count: number): Sample => ({
    at: Date.now(),
    count,
    mqloadMs: mqload.pid === 0 ? 0 : treeCpuMs(mqload.pid),
    brokerMs: treeCpuMs(brokerPid),
  });
  const watcher = new Client({ client_id: "shapes-watcher", reconnect: false });
  watcher.on("message", (_topic, payload) => {
    samples.push(read(Number(new TextDecoder().decode(payload))));
  });
  await watcher.connect(broker.url);
  await watcher.subscribe(counter);
  const child = new Deno.Command(Deno.execPath(), {
    args: generatorArgs(generator, script, summaryFile),
    env: {
      NO_COLOR: "1",
      BROKER: broker.url,
      START_AT: String(startAt),
      END_AT: String(endAt),
      PUBLISHERS: String(shape.publishers),
      SUBSCRIBERS: String(shape.subscribers),
      RATE: String(shape.rate),
      QOS: String(shape.qos),
      PROTOCOL: String(shape.protocol),
      FILTER: shape.filter,
      KIND: shape.kind,
      PACED: generator === "paced" ? "1" : "0",
      PACED_TICK: Deno.env.get("PACED_TICK") ?? "10",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  mqload.pid = child.pid;
  let stderr = "";
  const draining = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-20_000);
    }
  })();
  const killer = setTimeout(
    () => child.kill("SIGKILL"),
    shape.leadS * 1000 + activeS * 1000 + 120_000,
  );
  try {
    // The storm's start is read by a timer: the connected count does not change before it.
    let start: Sample | undefined;
    if (shape.kind === "connect") {
      await sleep(startAt - Date.now() - 100);
      start = read(samples.at(-1)?.count ?? 1);
    }
    const status = await child.status;
    await draining;
    if (status.code !== 0) {
      console.error(`${shape.name}: ${generator} exited ${status.code}\n${stderr}`);
    }
    const m = generator === "floor" ? {} : (JSON.parse(await Deno.readTextFile(summaryFile)) as {
      metrics: Record<string, Record<string, number>>;
    }).metrics;
    let end: Sample | undefined;
    if (shape.kind === "connect") {
      end = samples.find((s) => s.at > startAt && s.count >= shape.publishers + 1);
    } else {
      // The steady window: from 3 s after the first publication to 1 s before the last (mosquitto updates $SYS every 2 s).
      start = samples.find((s) => s.at >= startAt + 3000);
      end = samples.findLast((s) => s.at <= endAt - 1000);
    }
    if (start === undefined || end === undefined || end.at <= start.at) {
      throw new Error(`${shape.name}: no steady window in ${samples.length} samples\n${stderr}`);
    }
    const units = shape.kind === "connect" ? shape.publishers : end.count - start.count;
    const windowMs = end.at - start.at;
    const latency = shape.kind === "connect" ? m.mqtt_connect_duration : m.mqtt_message_latency;
    return {
      shape,
      generator,
      windowS: windowMs / 1000,
      units,
      mqloadUs: ((end.mqloadMs - start.mqloadMs) * 1000) / units,
      brokerUs: ((end.brokerMs - start.brokerMs) * 1000) / units,
      mqloadCores: (end.mqloadMs - start.mqloadMs) / windowMs,
      sent: m.mqtt_messages_sent?.count ?? 0,
      received: m.mqtt_messages_received?.count ?? 0,
      errors: m.mqtt_errors?.count ?? 0,
      p50: latency?.med ?? NaN,
      p99: latency?.["p(99)"] ?? NaN,
      code: status.code,
    };
  } finally {
    clearTimeout(killer);
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await watcher.end().catch(() => {});
    await broker.stop();
  }
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
      "mqload cores",
      "sent",
      "received",
      "errors",
      "p50 ms",
      "p99 ms",
      "exit",
    ],
    results.map((r) => [
      r.shape.title,
      { mqload: "mqload", paced: "publishEvery", floor: "raw Deno" }[r.generator],
      round(r.windowS, 1),
      r.units,
      round(r.mqloadUs, 1),
      round(r.brokerUs, 1),
      ratio(r.mqloadUs, r.brokerUs),
      round(r.mqloadCores, 2),
      r.sent,
      r.received,
      r.errors,
      round(r.p50, 1),
      round(r.p99, 1),
      r.code,
    ]),
  ));
  console.log(
    "µs: CPU per message the broker delivered in the window (per connection for the storm); " +
      "p50/p99: mqtt_message_latency (mqtt_connect_duration for the storm), whole run.",
  );
}

await withRaisedFileLimit(import.meta.url, 20_000, async (argv) => {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      shape: { type: "string" },
      floor: { type: "boolean", default: false },
      paced: { type: "boolean", default: false },
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
      const generators: Generator[] = ["mqload"];
      if (values.paced && shape.kind === "messages") generators.push("paced");
      if (values.floor) generators.push("floor");
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
