import assert from "node:assert/strict";
import { Client, QoS } from "../../mod.ts";
import { startBroker } from "../cli/broker.ts";
import { schedulePace } from "./publish_scheduler.ts";

Deno.test("schedulePace: hooks give each publication's topic and payload and hear how it went", async () => {
  const broker = await startBroker();
  const publisher = new Client({ reconnect: false });
  const receiver = new Client({ reconnect: false });
  try {
    await publisher.connectAsync(broker.url);
    await receiver.connectAsync(broker.url);
    await receiver.subscribeAsync("paced/#", { qos: QoS.AtLeastOnce });
    const seen: string[] = [];
    const all = new Promise<void>((resolve) => {
      receiver.on("message", (topic, payload) => {
        seen.push(`${topic}=${new TextDecoder().decode(payload)}`);
        if (seen.length === 6) resolve();
      });
    });
    let made = 0;
    let published = 0;
    const start = Date.now();
    const result = await schedulePace({
      client: publisher,
      topic: "paced/fixed",
      payload: "fixed",
      options: { qos: QoS.AtLeastOnce },
      start,
      every: 5,
      tick: 0,
      until: start + 60_000,
      count: 6,
      hooks: {
        topic: () => `paced/${made % 2}`,
        payload: () => String(made),
        made: () => void made++,
        published: () => void published++,
      },
    });
    await all;
    assert.deepEqual(result, { published: 6, failed: 0, late: 0 });
    assert.equal(made, 6);
    assert.equal(published, 6);
    assert.deepEqual(seen, [
      "paced/0=0",
      "paced/1=1",
      "paced/0=2",
      "paced/1=3",
      "paced/0=4",
      "paced/1=5",
    ]);
  } finally {
    await publisher.endAsync().catch(() => {});
    await receiver.endAsync().catch(() => {});
    await broker.close();
  }
});

Deno.test("schedulePace: a client not connected ends the pace, unless it is reconnecting", async () => {
  const broker = await startBroker();
  const client = new Client({ reconnect: false });
  try {
    const start = Date.now();
    const pace = { topic: "t", payload: "x", options: {}, start, every: 5, tick: 0 };
    // Never connected: nothing published, nothing failed.
    assert.deepEqual(
      await schedulePace({ client, ...pace, until: Infinity, count: 3 }),
      { published: 0, failed: 0, late: 0 },
    );
    // Said to be reconnecting: what it is given is queued, and fails as the client never
    // connects; each failure hears the mark of its publication.
    const marks: Array<number | undefined> = [];
    let n = 0;
    const result = await schedulePace({
      client,
      ...pace,
      until: Infinity,
      count: 3,
      reconnecting: () => true,
      hooks: { made: () => n++, failed: (mark) => void marks.push(mark) },
    });
    assert.deepEqual(result, { published: 0, failed: 3, late: 0 });
    assert.deepEqual(marks.sort(), [0, 1, 2]);
  } finally {
    await broker.close();
  }
});

Deno.test("schedulePace: the last tick, cut short by the end, still publishes what was due", async () => {
  const broker = await startBroker();
  const client = new Client({ reconnect: false });
  try {
    await client.connectAsync(broker.url);
    // Ticks of 500 ms (an interval once they come steadily), a publication every 50 ms for
    // 1.75 s: what falls due after the last whole tick goes out at the end, not a tick later
    // (and dropped, as more than 50 ms late).
    // Started on a tick, so that the last ones (1,550 to 1,700 ms) fall after
    // the last whole tick (1,500) and before the end (1,750).
    const start = Math.ceil(Date.now() / 500) * 500 + 500;
    const until = start + 1750;
    const result = await schedulePace({
      client,
      topic: "paced/ticks",
      payload: "x",
      options: {},
      start,
      every: 50,
      tick: 500,
      until,
      count: Infinity,
      lateness: 50,
    });
    assert.deepEqual(result, { published: 35, failed: 0, late: 0 });
    assert.ok(Date.now() < until + 500, `done ${Date.now() - until} ms after the end`);
  } finally {
    await client.endAsync().catch(() => {});
    await broker.close();
  }
});

Deno.test("schedulePace: with a window, what is due waits for room, and never goes out past the end", async () => {
  // A broker that takes the connection and never acknowledges: the window stays full.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let publishes = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      (async () => {
        const buf = new Uint8Array(4096);
        let connected = false;
        for (;;) {
          const n = await conn.read(buf).catch(() => null);
          if (n === null) break;
          // QoS 1 PUBLISH packets to topic "w": 0x32, length, 0, 1, "w".
          for (let i = 0; i + 4 < n; i++) {
            if (buf[i] === 0x32 && buf[i + 2] === 0 && buf[i + 3] === 1 && buf[i + 4] === 0x77) {
              publishes++;
            }
          }
          if (!connected) {
            connected = true;
            await conn.write(Uint8Array.of(0x20, 2, 0, 0));
          }
        }
        conn.close();
      })();
    }
  })();
  const client = new Client({ reconnect: false });
  try {
    await client.connectAsync(`mqtt://127.0.0.1:${listener.addr.port}`);
    const start = Date.now();
    const lateCounts: number[] = [];
    const pacing = schedulePace({
      client,
      topic: "w",
      payload: "x",
      options: { qos: QoS.AtLeastOnce },
      start,
      every: 10,
      tick: 0,
      until: start + 200,
      count: Infinity,
      lateness: 0,
      window: 2,
      hooks: { late: (n) => void lateCounts.push(n) },
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Two in flight, never acknowledged; 18 due behind them, none handed to the client.
    assert.equal(publishes, 2);
    await client.endAsync({ timeout: 0 }).catch(() => {});
    const result = await pacing;
    assert.deepEqual(result, { published: 0, failed: 2, late: 18 });
    assert.deepEqual(lateCounts, [18]);
  } finally {
    await client.endAsync().catch(() => {});
    listener.close();
    await serving.catch(() => {});
  }
});
