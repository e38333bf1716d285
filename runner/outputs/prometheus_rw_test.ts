import assert from "node:assert/strict";
import { createPrometheusRwOutput, STOP_WAIT_MS } from "./prometheus_rw.ts";
import { MetricRegistry } from "../metrics/registry.ts";
import type { OutputParams } from "./output.ts";
import { outputType } from "./registry.ts";

const MARKER = "S3cr3t-PROM-5a0e";

function params(logs: string[]): OutputParams {
  return {
    arg: "",
    metrics: new MetricRegistry(),
    script: "t.js",
    options: {},
    log: (t) => logs.push(t),
  };
}

/** A port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function counterSnapshot(n: number) {
  const registry = new MetricRegistry();
  registry.define("iterations", "counter");
  registry.define("vus", "gauge");
  registry.add("iterations", n, { scenario: "default" });
  registry.add("vus", 1);
  return registry.drain();
}

const stop = { summary: {} as never, thresholds: [] };

Deno.test("the registry has experimental-prometheus-rw, wanting aggregates, not points", () => {
  const type = outputType("experimental-prometheus-rw");
  assert.ok(type);
  assert.equal(type.points, false);
});

Deno.test("an unreachable endpoint: the test goes on, drops are reported, no secret is logged", async () => {
  const logs: string[] = [];
  const out = createPrometheusRwOutput(params(logs), {
    K6_PROMETHEUS_RW_SERVER_URL: `http://u:${MARKER}@127.0.0.1:${closedPort()}/api/v1/write`,
    K6_PROMETHEUS_RW_PUSH_INTERVAL: "20ms",
    "K6_PROMETHEUS_RW_HEADERS_X-Api-Key": `${MARKER}-header`,
  });
  assert.doesNotMatch(out.description(), new RegExp(MARKER));
  out.start(Date.now());
  for (let i = 0; i < 5; i++) {
    out.addSamples(counterSnapshot(1), Date.now());
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  const started = performance.now();
  await out.stop(stop);
  assert.ok(performance.now() - started < STOP_WAIT_MS, "stop() waited past its bound");
  const text = logs.join("\n");
  assert.doesNotMatch(text, new RegExp(MARKER));
  // One line per reason, however many pushes failed, then the total.
  const failures = logs.filter((l) => l.startsWith("Failed to send the time series data"));
  assert.equal(failures.length, 1, text);
  assert.match(failures[0], /\(2 samples dropped; the next push carries the totals\)/);
  const total = logs.at(-1)!;
  const dropped = Number(/: (\d+) samples were not delivered/.exec(total)?.[1]);
  assert.ok(dropped >= 4 && dropped % 2 === 0, total);
});

Deno.test("an endpoint that never answers: stop() gives up within its bound", async () => {
  const logs: string[] = [];
  const hanging = Promise.withResolvers<Response>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => hanging.promise,
  );
  try {
    const out = createPrometheusRwOutput(params(logs), {
      K6_PROMETHEUS_RW_SERVER_URL: `http://127.0.0.1:${server.addr.port}/api/v1/write`,
      K6_PROMETHEUS_RW_PUSH_INTERVAL: "1h",
    });
    out.start(Date.now());
    out.addSamples(counterSnapshot(3), Date.now());
    const started = performance.now();
    await out.stop(stop);
    const took = performance.now() - started;
    assert.ok(took < STOP_WAIT_MS + 1000, `stop() took ${took} ms`);
    assert.match(logs.join("\n"), /no answer within 5s \(2 samples dropped/);
    assert.match(logs.at(-1)!, /2 samples were not delivered/);
    const said = logs.length;
    const again = performance.now();
    await out.stop(stop);
    assert.ok(performance.now() - again < 100, "a second stop() returns at once");
    assert.equal(logs.length, said, "and says nothing");
  } finally {
    hanging.resolve(new Response(null, { status: 204 }));
    await server.shutdown();
  }
});

Deno.test("the end pushes the last interval, and stale markers when asked", async () => {
  const bodies: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    bodies.push((await req.arrayBuffer()).byteLength);
    return new Response(null, { status: 204 });
  });
  try {
    const logs: string[] = [];
    const out = createPrometheusRwOutput(params(logs), {
      K6_PROMETHEUS_RW_SERVER_URL: `http://127.0.0.1:${server.addr.port}/api/v1/write`,
      K6_PROMETHEUS_RW_PUSH_INTERVAL: "1h",
      K6_PROMETHEUS_RW_STALE_MARKERS: "true",
    });
    out.start(Date.now());
    out.addSamples(counterSnapshot(3), Date.now());
    await out.stop(stop);
    assert.equal(bodies.length, 2, "the last interval, then the stale markers");
    assert.deepEqual(logs, []);
  } finally {
    await server.shutdown();
  }
});
