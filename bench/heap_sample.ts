/**
 * Where a running runner's Worker allocates: attaches to a runner started with `--inspect`
 * (`SHAPES_INSPECT=1 deno task bench:shapes …` starts it on 127.0.0.1:9229), samples the first
 * Worker's allocations with V8's sampling heap profiler for a few seconds (objects collected by
 * minor and major GCs included, so short-lived garbage counts), and prints the bytes allocated
 * per second and the functions that allocated them, with their callers.
 *
 *     deno run -A bench/heap_sample.ts [--seconds 4] [--port 9229] [--interval 2048] [--top 30]
 *                                      [--survivors]
 *
 * A large `--interval` (bytes between samples) keeps the profile small when the Worker
 * allocates fast. It answered in the 100 × 10/s shape; in the fan-in and fan-out shapes (a
 * thousand connections on the Worker) the sampler's requests got no answer before the run ended.
 *
 * @module
 */

import { parseArgs } from "node:util";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: ProfileNode[];
}

interface Reply {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "4" },
    port: { type: "string", default: "9229" },
    interval: { type: "string", default: "2048" },
    top: { type: "string", default: "30" },
    survivors: { type: "boolean", default: false },
  },
});

const targets = await (await fetch(`http://127.0.0.1:${values.port}/json/list`)).json();
const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
await new Promise((resolve) => socket.onopen = resolve);

// Deno lists a Worker as a NodeWorker of the main target: messages to it are wrapped.
const replies = new Map<number, (reply: Reply) => void>();
const attached = Promise.withResolvers<string>();
socket.onmessage = (event) => {
  const message = JSON.parse(event.data) as Reply;
  if (message.method === "NodeWorker.attachedToWorker") {
    attached.resolve(message.params!.sessionId as string);
  } else if (message.method === "NodeWorker.receivedMessageFromWorker") {
    const inner = JSON.parse(message.params!.message as string) as Reply;
    if (inner.id !== undefined) replies.get(inner.id)?.(inner);
  }
};
socket.send(JSON.stringify({
  id: 1,
  method: "NodeWorker.enable",
  params: { waitForDebuggerOnStart: false },
}));
const session = await attached.promise;

let nextId = 0;
function call(method: string, params: Record<string, unknown> = {}): Promise<Reply> {
  const id = ++nextId;
  const reply = new Promise<Reply>((resolve) => replies.set(id, resolve));
  const message = JSON.stringify({ id, method, params });
  socket.send(JSON.stringify({
    id: 1000 + id,
    method: "NodeWorker.sendMessageToWorker",
    params: { sessionId: session, message },
  }));
  return reply;
}

await call("HeapProfiler.enable");
await call("HeapProfiler.startSampling", {
  samplingInterval: Number(values.interval),
  includeObjectsCollectedByMajorGC: true,
  // --survivors: only what outlived a scavenge (promoted, then collected or still live), the
  // medium-lived objects that make the old generation grow and its collections come often.
  includeObjectsCollectedByMinorGC: !values.survivors,
});
const seconds = Number(values.seconds);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const { result } = await call("HeapProfiler.stopSampling");
socket.close();

const name = (frame: CallFrame) =>
  `${frame.functionName || "(anonymous)"} ${frame.url.replace(/^.*\//, "")}:${
    frame.lineNumber + 1
  }`;
const bySite = new Map<string, number>();
let total = 0;
const walk = (node: ProfileNode, callers: string[]) => {
  const path = [name(node.callFrame), ...callers].slice(0, 3).join("  <-  ");
  if (node.selfSize > 0) bySite.set(path, (bySite.get(path) ?? 0) + node.selfSize);
  total += node.selfSize;
  for (const child of node.children) walk(child, [name(node.callFrame), ...callers]);
};
walk((result!.profile as { head: ProfileNode }).head, []);

console.log(`allocated: ${Math.round(total / seconds / 1024)} KiB/s over ${seconds} s`);
const sites = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
for (const [site, bytes] of sites) {
  console.log(`${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${site}`);
}
Deno.exit(0);
