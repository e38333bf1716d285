import assert from "node:assert/strict";
import { encodeSseEvent, SseHub } from "./_dashboard_sse.ts";

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

Deno.test("encodeSseEvent() writes id, retry, event and one data line per line", () => {
  assert.equal(
    text(encodeSseEvent({ event: "stop", data: "a\nb\r\nc", id: 7, retryMs: 1500.4 })),
    "id: 7\nretry: 1500\nevent: stop\ndata: a\ndata: b\ndata: c\n\n",
  );
  assert.equal(text(encodeSseEvent({ event: "x\ny", data: "" })), "event: xy\ndata: \n\n");
});

Deno.test("encodeSseEvent() keeps JSON on one data line, UTF-8 encoded", () => {
  const data = JSON.stringify({ text: "3 µs · ✓", nl: "a\nb" });
  const out = text(encodeSseEvent({ event: "snapshot", data }));
  assert.equal(out, `event: snapshot\ndata: ${data}\n\n`);
  assert.deepEqual(JSON.parse(out.slice(out.indexOf("data: ") + 6, -2)).nl, "a\nb");
});

Deno.test("SseHub sends the first event on connect, then broadcasts with rising ids", async () => {
  const hub = new SseHub();
  let made = 0;
  const reader = hub.open(() => ({ event: "snapshot", data: `first ${++made}` })).body!.getReader();
  assert.equal(hub.size, 1);
  assert.equal(text((await reader.read()).value), "id: 1\nevent: snapshot\ndata: first 1\n\n");
  hub.broadcast({ event: "snapshot", data: "second" });
  assert.equal(text((await reader.read()).value), "id: 2\nevent: snapshot\ndata: second\n\n");
  hub.broadcast({ event: "stop", data: "end", retryMs: 10 });
  hub.close();
  assert.equal(text((await reader.read()).value), "id: 3\nretry: 10\nevent: stop\ndata: end\n\n");
  assert.equal((await reader.read()).done, true);
  assert.equal(hub.size, 0);
  assert.equal(hub.open(() => ({ event: "x", data: "" })).status, 503, "closed: refused");
});

Deno.test("SseHub refuses streams past maxClients and forgets cancelled ones", async () => {
  const hub = new SseHub({ maxClients: 2 });
  const first = () => ({ event: "snapshot", data: "{}" });
  const a = hub.open(first), b = hub.open(first);
  const refused = hub.open(first);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "10");
  await refused.body?.cancel();
  await a.body!.cancel();
  assert.equal(hub.size, 1);
  assert.equal(hub.open(first).status, 200, "room again");
  await b.body!.cancel();
  hub.close();
});

Deno.test("SseHub drops a stream that does not read instead of queueing without bound", async () => {
  const hub = new SseHub({ maxQueuedBytes: 1000 });
  const slow = hub.open(() => ({ event: "snapshot", data: "x".repeat(100) }));
  const fast = hub.open(() => ({ event: "snapshot", data: "x".repeat(100) }));
  const fastReader = fast.body!.getReader();
  await fastReader.read();
  for (let i = 0; i < 20; i++) {
    hub.broadcast({ event: "snapshot", data: "y".repeat(200) });
    await fastReader.read(); // the fast browser keeps up
  }
  assert.equal(hub.dropped, 1);
  assert.equal(hub.size, 1, "only the reading stream is left");
  await assert.rejects(() => slow.body!.getReader().read(), /reads too slowly/);
  hub.close();
  while (!(await fastReader.read()).done) { /* drain */ }
});
