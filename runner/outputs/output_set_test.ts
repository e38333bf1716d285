import assert from "node:assert/strict";
import { OutputSet } from "./output_set.ts";
import { STOP_WAIT_MS } from "./prometheus_rw.ts";
import { MetricRegistry } from "../metrics/registry.ts";

function counterSnapshot(n: number) {
  const registry = new MetricRegistry();
  registry.define("iterations", "counter");
  registry.add("iterations", n, { scenario: "default" });
  return registry.drain();
}

Deno.test("OutputSet.stop() stops the outputs at once, and only once", async () => {
  const hanging = Promise.withResolvers<Response>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => hanging.promise,
  );
  const logs: string[] = [];
  const vars = {
    K6_PROMETHEUS_RW_SERVER_URL: `http://127.0.0.1:${server.addr.port}/api/v1/write`,
    K6_PROMETHEUS_RW_PUSH_INTERVAL: "1h",
  };
  const saved = Object.keys(vars).map((k) => [k, Deno.env.get(k)] as const);
  let outputs: OutputSet;
  try {
    // The output reads the process environment when it is made (and only then).
    for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
    const spec = { name: "experimental-prometheus-rw", arg: "" };
    outputs = await OutputSet.open([spec, spec], {
      metrics: new MetricRegistry(),
      script: "t.js",
      options: {},
      log: (text) => logs.push(text),
    });
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
  try {
    outputs.start(Date.now());
    outputs.addSamples(counterSnapshot(3), Date.now());
    const started = performance.now();
    await outputs.stop({ summary: {} as never, thresholds: [] });
    const took = performance.now() - started;
    // Two endpoints that never answer: one stop wait, not one after the other.
    assert.ok(took >= STOP_WAIT_MS - 100 && took < STOP_WAIT_MS + 1500, `stop() took ${took} ms`);
    assert.equal(
      logs.filter((l) => /samples were not delivered/.test(l)).length,
      2,
      logs.join("\n"),
    );
    const again = performance.now();
    await outputs.stop({ summary: {} as never, thresholds: [] });
    await outputs.close();
    assert.ok(performance.now() - again < 100, "stop() and close() after stop(): nothing");
  } finally {
    hanging.resolve(new Response(null, { status: 204 }));
    await server.shutdown();
  }
});
