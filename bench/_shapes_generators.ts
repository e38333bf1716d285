/**
 * The shapes of `bench/shapes.ts` and who makes their load: a `mqload run` script, the same
 * script publishing through `publishEvery()`, `mqload bench` command lines, or the raw-socket
 * floor program (with or without ticks). Each generator is one or more processes launched at
 * planned times; the bench sums their CPU.
 *
 * @module
 */

import { CONNECT_SCRIPT, MESSAGES_SCRIPT } from "./_shapes_scripts.ts";
import { mqloadTaskV8Flags } from "./_task_flags.ts";

/** A load shape: who connects, publishes and subscribes, at what rate. */
export interface Shape {
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

/** The shapes, the connect storm shortened with `quick`. */
export function shapes(quick: boolean): Shape[] {
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
      // The fan-out's cost per delivery where neither process is CPU-bound on 2 cores: at 50
      // and 100 msg/s the broker alone needs about a core here, and the two processes split the
      // machine's cores rather than show their costs (see shapes.ts).
      ...base,
      name: "fanout20",
      title: "1 pub 20/s QoS 1 → 1,000 subs",
      kind: "messages",
      publishers: 1,
      subscribers: 1000,
      rate: 20,
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

/**
 * Who makes the load: `mqload run` with the shape's script (`paced`: its publications through
 * `publishEvery()`), `mqload bench` (a `sub` and a `pub` process, or `conn`), or the raw-socket
 * floor program (`floor-paced`: its publications on publishEvery()'s ticks).
 */
export type Generator = "mqload" | "paced" | "bench" | "floor" | "floor-paced";

/** Every generator, in the order `--by` lists them. */
export const GENERATORS: readonly Generator[] = [
  "mqload",
  "paced",
  "bench",
  "floor",
  "floor-paced",
];

/** One process of a generator. */
export interface Launch {
  /** Deno's arguments. */
  args: string[];
  /** Epoch ms at which to start it. */
  at: number;
  /** Its `--summary-export` file (the floor's `FLOOR_SUMMARY`), if it writes one. */
  summary?: string;
  /** What the summary tells: `sent` (publishers), `received` (subscribers), `connect`. */
  role?: "sent" | "received" | "connect";
}

/** A generator's processes and the times its load runs between. */
export interface LaunchPlan {
  launches: Launch[];
  /** Epoch ms at which publishing (or, for the connect storm, connecting) starts. */
  startAt: number;
  /** Epoch ms at which publishing stops (the storm: when it should be over). */
  endAt: number;
  /** The environment of every process (the scripts' and the floor's `ShapeEnv`). */
  env: Record<string, string>;
}

const CLI = new URL("../runner/cli.ts", import.meta.url).pathname;
const FLOOR = new URL("./_shapes_floor.ts", import.meta.url).pathname;
// A bench process's start: Deno, the runner, its Workers.
const BENCH_STARTUP_MS = 2000;
// SHAPES_V8_FLAGS: V8 flags added for profiling, written to follow the runner's (`,--flag`).
const EXTRA_V8_FLAGS = Deno.env.get("SHAPES_V8_FLAGS") ?? "";

// SHAPES_INSPECT=1: the runner, or the floor program, listens for an inspector on 127.0.0.1:9229.
const inspect = () => Deno.env.get("SHAPES_INSPECT") ? ["--inspect=127.0.0.1:9229"] : [];

function runnerArgs(): string[] {
  return [
    "run",
    "-A",
    ...inspect(),
    mqloadTaskV8Flags() + EXTRA_V8_FLAGS,
    CLI,
  ];
}

/**
 * The processes of `generator` for `shape` against `broker`, writing scripts and summaries in
 * `dir`, with `steadyS` seconds of publishing.
 */
export async function launchPlan(
  generator: Generator,
  shape: Shape,
  broker: URL,
  dir: string,
  steadyS: number,
): Promise<LaunchPlan> {
  const now = Date.now();
  const activeS = shape.kind === "connect" ? shape.publishers / shape.rate + 3 : steadyS;
  if (generator === "bench") return benchPlan(shape, broker, dir, now, activeS);
  const startAt = now + shape.leadS * 1000;
  const endAt = startAt + activeS * 1000;
  const env = {
    BROKER: broker.href,
    START_AT: String(startAt),
    END_AT: String(endAt),
    PUBLISHERS: String(shape.publishers),
    SUBSCRIBERS: String(shape.subscribers),
    RATE: String(shape.rate),
    QOS: String(shape.qos),
    PROTOCOL: String(shape.protocol),
    FILTER: shape.filter,
    KIND: shape.kind,
    PACED: generator === "paced" || generator === "floor-paced" ? "1" : "0",
    PACED_TICK: Deno.env.get("PACED_TICK") ?? "10",
  };
  if (generator === "floor" || generator === "floor-paced") {
    const v8Flags = EXTRA_V8_FLAGS ? [`--v8-flags=${EXTRA_V8_FLAGS.replace(/^,/, "")}`] : [];
    // The floor writes its counts and latency as the runner's summary gives them.
    const summary = `${dir}/${shape.name}-${generator}-summary.json`;
    return {
      launches: [{ args: ["run", "-A", ...inspect(), ...v8Flags, FLOOR], at: now, summary }],
      startAt,
      endAt,
      env: { ...env, FLOOR_SUMMARY: summary },
    };
  }
  const script = `${dir}/${shape.name}.js`;
  await Deno.writeTextFile(script, shape.kind === "connect" ? CONNECT_SCRIPT : MESSAGES_SCRIPT);
  const summary = `${dir}/${shape.name}-${generator}-summary.json`;
  const args = [
    ...runnerArgs(),
    "run",
    "--quiet",
    ...(Deno.env.get("SHAPES_RUN_FLAGS")?.split(" ").filter(Boolean) ?? []),
    "--summary-export",
    summary,
    script,
  ];
  const role = shape.kind === "connect" ? "connect" : undefined;
  return { launches: [{ args, at: now, summary, ...(role ? { role } : {}) }], startAt, endAt, env };
}

/**
 * The shape as a broker benchmarker runs it: `mqload bench sub` started first, then
 * `mqload bench pub` once every subscriber is in (or `mqload bench conn`), with their defaults
 * but for the shape's clients, rates, QoS, version and a 32-byte payload stamped with its send
 * time (`--payload-hdrs ts`).
 */
function benchPlan(
  shape: Shape,
  broker: URL,
  dir: string,
  now: number,
  activeS: number,
): LaunchPlan {
  const common = [
    "-h",
    broker.hostname,
    "-p",
    broker.port,
    "-V",
    String(shape.protocol),
    "-k",
    "60",
    "--quiet",
    ...(Deno.env.get("SHAPES_BENCH_FLAGS")?.split(" ").filter(Boolean) ?? []),
  ];
  const summary = (name: string) => `${dir}/${shape.name}-bench-${name}.json`;
  if (shape.kind === "connect") {
    const at = now + 500;
    const startAt = at + BENCH_STARTUP_MS;
    const args = [
      ...runnerArgs(),
      "bench",
      "conn",
      ...common,
      "-c",
      String(shape.publishers),
      "-R",
      String(shape.rate),
      "--duration",
      `${Math.ceil(activeS + BENCH_STARTUP_MS / 1000)}s`,
      "--summary-export",
      summary("conn"),
    ];
    return {
      launches: [{ args, at, summary: summary("conn"), role: "connect" }],
      startAt,
      endAt: startAt + activeS * 1000,
      env: {},
    };
  }
  // Subscribers connect 2 ms apart; the publishers start once they are all in.
  const subConnectS = (shape.subscribers * 2) / 1000;
  const pubAt = now + 500 + BENCH_STARTUP_MS + subConnectS * 1000 + 1000;
  // The publishers' connects, 2 ms apart, and a second of settling before the window.
  const startAt = pubAt + BENCH_STARTUP_MS + (shape.publishers * 2) + 1000;
  const endAt = startAt + activeS * 1000;
  const [filter, shared] = shape.filter.startsWith("$share/")
    ? [shape.filter.split("/").slice(2).join("/"), shape.filter.split("/")[1]]
    : [shape.filter, undefined];
  const sub = [
    ...runnerArgs(),
    "bench",
    "sub",
    ...common,
    "-c",
    String(shape.subscribers),
    "-i",
    "2",
    "-t",
    filter,
    "-q",
    String(shape.qos),
    ...(shared === undefined ? [] : ["--shared", shared]),
    "--payload-hdrs",
    "ts",
    "--duration",
    `${Math.ceil((endAt + 3000 - now) / 1000)}s`,
    "--summary-export",
    summary("sub"),
  ];
  const pub = [
    ...runnerArgs(),
    "bench",
    "pub",
    ...common,
    "-c",
    String(shape.publishers),
    "-i",
    "2",
    "-I",
    String(1000 / shape.rate),
    "-t",
    "shapes/%i",
    "-q",
    String(shape.qos),
    "-s",
    "24",
    "--payload-hdrs",
    "ts",
    "--duration",
    `${Math.ceil((endAt - pubAt) / 1000)}s`,
    "--summary-export",
    summary("pub"),
  ];
  return {
    launches: [
      { args: sub, at: now + 500, summary: summary("sub"), role: "received" },
      { args: pub, at: pubAt, summary: summary("pub"), role: "sent" },
    ],
    startAt,
    endAt,
    env: {},
  };
}
