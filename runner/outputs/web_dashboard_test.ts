import assert from "node:assert/strict";
import { webDashboardOutput } from "./web_dashboard.ts";
import type { Output, TestEnd } from "./output.ts";
import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
import { InvalidConfigError } from "../config/options.ts";
import { MQTT_MESSAGES_RECEIVED } from "../metrics/builtin.ts";

const END: TestEnd = {
  summary: {
    root_group: { name: "", path: "", id: "", groups: [], checks: [] },
    options: { summaryTrendStats: ["avg"], summaryTimeUnit: "", noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
    metrics: {},
  },
  thresholds: [],
};

function open(arg: string, logs: string[] = []): Promise<Output> {
  const metrics = new MetricRegistry();
  defineBuiltins(metrics);
  return webDashboardOutput.create({
    arg,
    metrics,
    script: "/tmp/pub.js",
    options: { vus: 1, token: "tok-SECRET" },
    log: (text) => logs.push(text),
  });
}

const urlOf = (out: Output) => out.description().split(" ")[1];

/** Reads SSE events from a response until `count` were seen. */
async function events(reader: ReadableStreamDefaultReader<Uint8Array>, count: number) {
  const decoder = new TextDecoder();
  let buffer = "";
  const out: Array<{ event: string; data: string }> = [];
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let at;
    while ((at = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      const field = (name: string) =>
        block.split("\n").filter((l) => l.startsWith(name + ": ")).map((l) =>
          l.slice(name.length + 2)
        ).join("\n");
      out.push({ event: field("event"), data: field("data") });
    }
  }
  return out;
}

Deno.test("web-dashboard serves its page with a strict policy, and nothing else", async () => {
  const out = await open("port=0");
  try {
    assert.match(out.description(), /^web-dashboard http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(urlOf(out) + "/");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /^text\/html/);
    assert.match(page.headers.get("content-security-policy")!, /default-src 'none'/);
    const html = await page.text();
    assert.match(html, /<body data-phase="waiting"/);
    assert.ok(!html.includes("tok-SECRET"));
    const missing = await fetch(urlOf(out) + "/secrets");
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const post = await fetch(urlOf(out) + "/", { method: "POST" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  } finally {
    await out.stop(END);
  }
  await assert.rejects(() => fetch(urlOf(out)), "closed after stop()");
});

Deno.test("web-dashboard answers only loopback Host names when it listens on loopback", async () => {
  const out = await open("port=0");
  try {
    const port = Number(new URL(urlOf(out)).port);
    const ask = async (host: string) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode(
        `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ));
      const text = new TextDecoder().decode(
        await new Response(conn.readable).arrayBuffer(),
      );
      return Number(text.split(" ")[1]);
    };
    assert.equal(await ask("evil.example:" + port), 421);
    assert.equal(await ask("localhost:" + port), 200);
    assert.equal(await ask(`[::1]:${port}`), 200);
  } finally {
    await out.stop(END);
  }
});

Deno.test("web-dashboard streams the state on connect, every period, and a last stop event", async () => {
  const out = await open("port=0&period=100ms");
  const stream = await fetch(urlOf(out) + "/events");
  assert.equal(stream.headers.get("content-type"), "text/event-stream");
  const reader = stream.body!.getReader();
  const [first] = await events(reader, 1);
  assert.equal(first.event, "snapshot");
  assert.equal(JSON.parse(first.data).phase, "waiting");

  const worker = new MetricRegistry();
  defineBuiltins(worker);
  const t0 = Date.now();
  out.start(t0);
  for (let i = 0; i < 25; i++) worker.add(MQTT_MESSAGES_RECEIVED, 1);
  out.addSamples(worker.drain(), t0 + 10);
  out.addStatus?.({ vus: 3, vusMax: 4, atMs: t0 + 20 });
  const [tick] = await events(reader, 1);
  const state = JSON.parse(tick.data);
  assert.equal(state.phase, "running");
  const total = state.totals.find((f: { id: string }) => f.id === "total-received");
  assert.equal(total.value, 25);

  await out.stop(END);
  const rest = await events(reader, 100);
  const last = rest.at(-1)!;
  assert.equal(last.event, "stop");
  assert.equal(JSON.parse(last.data).phase, "ended");
  assert.equal((await reader.read()).done, true, "the stream ends with stop()");
});

Deno.test("web-dashboard exports the HTML report of its timeline, gzipped for .gz", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mqload_dash_" });
  try {
    for (const name of ["r.html", "r.html.gz"]) {
      const out = await open(`port=-1&export=${dir}/${name}`);
      assert.equal(out.description(), "web-dashboard", "no server");
      const worker = new MetricRegistry();
      defineBuiltins(worker);
      const t0 = Date.now();
      out.start(t0);
      worker.add(MQTT_MESSAGES_RECEIVED, 5);
      out.addSamples(worker.drain(), t0 + 10);
      await out.stop(END);
      let bytes: Uint8Array = await Deno.readFile(`${dir}/${name}`);
      if (name.endsWith(".gz")) {
        const plain = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
          .pipeThrough(new DecompressionStream("gzip"));
        bytes = new Uint8Array(await new Response(plain).arrayBuffer());
      }
      const html = new TextDecoder().decode(bytes);
      assert.match(html, /<title>pub\.js · mqload<\/title>/);
      assert.doesNotMatch(html, /<script/);
      assert.match(html, /<path class="line" data-series="received"/);
      assert.ok(!html.includes("tok-SECRET"));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("web-dashboard refuses a bad setting or a busy port before the test", async () => {
  await assert.rejects(() => open("period=0s"), InvalidConfigError);
  await assert.rejects(() => open("colour=blue"), /unknown web-dashboard parameter/);
  using busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await assert.rejects(
    () => open(`port=${busy.addr.port}`),
    (e: Error) =>
      e instanceof InvalidConfigError && /cannot listen on 127\.0\.0\.1/.test(e.message),
  );
  const logs: string[] = [];
  const out = await open("port=-1&record=x.json", logs);
  assert.deepEqual(logs, ["web dashboard: record not supported, ignored"]);
  await out.stop(END);
});

Deno.test("web-dashboard answers HEAD /events with headers only, taking no client's place", async () => {
  const out = await open("port=0");
  try {
    // More than the 16 places, at once.
    const heads = await Promise.all(
      Array.from({ length: 40 }, () => fetch(urlOf(out) + "/events", { method: "HEAD" })),
    );
    for (const head of heads) {
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-type"), "text/event-stream");
      assert.equal(await head.text(), "");
    }
    const stream = await fetch(urlOf(out) + "/events");
    assert.equal(stream.status, 200, "a place is still free");
    const reader = stream.body!.getReader();
    const [first] = await events(reader, 1);
    assert.equal(first.event, "snapshot");
    await reader.cancel();
  } finally {
    await out.stop(END);
  }
});

Deno.test("web-dashboard stop(): once, closes a kept-alive connection, no export without a summary", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mqload_dash_" });
  try {
    const logs: string[] = [];
    const out = await open(`port=0&export=${dir}/r.html`, logs);
    const url = new URL(urlOf(out));
    // A browser that keeps its connection open after the page (HTTP/1.1 keep-alive).
    const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    await conn.write(new TextEncoder().encode(`GET / HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`));
    const buffer = new Uint8Array(1 << 16);
    assert.ok((await conn.read(buffer))! > 0);
    const started = performance.now();
    await out.stop(); // the run ended without a summary
    await out.stop(END); // a second stop: nothing more
    assert.ok(performance.now() - started < 1500, "no wait for the idle connection");
    while ((await conn.read(buffer)) !== null) { /* the rest of the page, then the end */ }
    conn.close();
    await assert.rejects(() => fetch(url), TypeError, "the server is closed");
    assert.deepEqual(logs, []);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no report without a summary");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
