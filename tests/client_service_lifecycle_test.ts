// The Client's lifecycle as a long-running service needs it, against real servers: a start while
// the broker is down, a quick stop against a broker that stopped answering, and failures from the
// background that neither end the process nor are reported twice.
import assert from "node:assert/strict";
import { Client, type MqttError, QoS } from "../mod.ts";
import { encode } from "../codec/mod.ts";
import { MqttClosedError } from "../client/errors.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { freePort } from "./fixtures/ports.ts";
import { deadline, until } from "./fixtures/wait.ts";

const FAST = { initial_delay: 50, max_delay: 200, jitter: false } as const;

/** Captures console.error while `body` runs. */
async function capturingErrors(body: () => Promise<void>): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    await body();
  } finally {
    console.error = original;
  }
  return logged;
}

/** A broker that answers CONNECT with CONNACK, then reads and never answers again. */
function frozenBroker(): { url: string; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const connack = encode({ type: "connack", sessionPresent: false, reasonCode: 0 }, 4);
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      await conn.write(connack).catch(() => {});
    }
  })();
  return {
    url: `mqtt://127.0.0.1:${listener.addr.port}`,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* Closed by the client already. */ }
      }
      await serving.catch(() => {});
    },
  };
}

Deno.test({
  ...needsMosquitto,
  name: "service: retry_first_connect: a start while the broker is down connects once it is up",
  async fn() {
    const port = freePort();
    const client = new Client({ reconnect: FAST, retry_first_connect: true });
    let attempts = 0;
    client.on("reconnect", () => attempts++);
    const stream = client.messages(); // Made before the failed attempt: it outlives it.
    const connecting = client.connect(`mqtt://127.0.0.1:${port}`);
    try {
      await until(() => attempts >= 1, 5000, "a retry of the first connect()");
      await using _broker = await startMosquitto({ port });
      const info = await deadline(connecting, 10_000, "connect() once the broker is up");
      assert.equal(info.url, `mqtt://127.0.0.1:${port}`);
      await client.subscribe("up", { qos: QoS.AtLeastOnce });
      await client.publish("up", "hello", { qos: QoS.AtLeastOnce });
      const first = await deadline(stream.next(), 5000, "the iterator's first message");
      assert.equal(first.done ? undefined : first.value.text(), "hello");
      await client.end();
    } finally {
      await client.end();
      await connecting.catch(() => {});
    }
  },
});

Deno.test("service: end({ timeout: 500 }) against a broker that stopped answering returns quickly", async () => {
  const broker = frozenBroker();
  const clients = [new Client({ reconnect: false }), new Client({ reconnect: false })];
  try {
    for (const client of clients) await client.connect(broker.url);
    const unacknowledged = clients.map((c) => c.publishAsync("t", "x", { qos: 1 }).catch((e) => e));
    const started = performance.now();
    await clients[0]!.end({ timeout: 500 });
    // The default wait is connect_timeout (30 s): a second end() cuts it short.
    const ending = clients[1]!.end();
    await clients[1]!.end();
    await ending;
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5000, `ended in ${Math.round(elapsed)} ms`);
    for (const failure of await Promise.all(unacknowledged)) {
      assert.ok(failure instanceof MqttClosedError, String(failure));
    }
  } finally {
    for (const client of clients) await client.end({ signal: AbortSignal.abort() });
    await broker.close();
  }
});

/**
 * A broker that reads `perTick` bytes every 100 ms, as a loaded one does, answers CONNACK and
 * every PINGREQ once it has read that far, and sends nothing else.
 */
function slowReader(
  perTick: number,
): { url: string; pingsRead: () => number; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  let pings = 0;
  const serve = async (conn: Deno.Conn) => {
    const buf = new Uint8Array(perTick);
    let pending = new Uint8Array(0);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) return;
      const all = new Uint8Array(pending.length + n);
      all.set(pending);
      all.set(buf.subarray(0, n), pending.length);
      let i = 0;
      for (;;) {
        let length = 0, shift = 0, j = i + 1, whole = true;
        for (;;) {
          if (j >= all.length) {
            whole = false;
            break;
          }
          const b = all[j++]!;
          length += (b & 127) << shift;
          shift += 7;
          if ((b & 128) === 0) break;
        }
        if (!whole || j + length > all.length) break;
        const type = all[i]! >> 4;
        if (type === 1) await conn.write(Uint8Array.of(0x20, 2, 0, 0)).catch(() => {});
        if (type === 12) {
          pings++;
          await conn.write(Uint8Array.of(0xd0, 0)).catch(() => {});
        }
        i = j + length;
      }
      pending = all.slice(i);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      serve(conn);
    }
  })();
  return {
    url: `mqtt://127.0.0.1:${listener.addr.port}`,
    pingsRead: () => pings,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* Closed by the client already. */ }
      }
      await serving.catch(() => {});
    },
  };
}

Deno.test("service: keepalive keeps a QoS 0 publisher whose broker reads slowly, answering late", async () => {
  const broker = slowReader(64 * 1024);
  const client = new Client({ reconnect: false, keepalive: 4 });
  const closes: string[] = [];
  client.on("close", (info) => closes.push(info.error.message));
  try {
    await client.connect(broker.url);
    // 640 KB/s read; the publisher writes more: its PINGREQ (at 4 s, nothing read) waits
    // behind megabytes in the socket, read seconds later. The broker is alive and reading: the
    // wait goes on while the socket takes our writes.
    const payload = new Uint8Array(1024);
    const started = performance.now();
    while (performance.now() - started < 9000 && client.connected) {
      await client.publish("t", payload);
    }
    assert.deepEqual(closes, []);
    assert.equal(client.connected, true);
    assert.ok(broker.pingsRead() >= 1, "a PINGREQ went out and was read");
  } finally {
    await client.end({ signal: AbortSignal.abort() });
    await broker.close();
  }
});

Deno.test("service: end({ timeout }) bounds the whole end when the broker stopped reading too", async () => {
  const broker = frozenBroker();
  const client = new Client({ reconnect: false });
  try {
    await client.connect(broker.url);
    // More than the socket buffers take: the writes stall, then the DISCONNECT behind them.
    const stalled = client.publishAsync("t", new Uint8Array(32 << 20), { qos: 1 }).catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await client.end({ timeout: 1000 });
    const elapsed = performance.now() - started;
    // One bound for the acknowledgements and the DISCONNECT's write, not one each (2 s).
    assert.ok(elapsed < 1600, `ended in ${Math.round(elapsed)} ms`);
    assert.ok((await stalled) instanceof MqttClosedError);
  } finally {
    await client.end({ signal: AbortSignal.abort() });
    await broker.close();
  }
});

Deno.test({
  ...needsMosquitto,
  name:
    "service: a throwing message handler reaches the error event once per throw; the client goes on",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ reconnect: false });
    const errors: MqttError[] = [];
    let calls = 0;
    client.on("error", (error) => errors.push(error));
    client.on("message", () => {
      calls++;
      throw new Error("boom");
    });
    try {
      await client.connect(broker.url);
      await client.subscribe("h", { qos: QoS.AtLeastOnce });
      for (let i = 0; i < 3; i++) await client.publish("h", String(i), { qos: 1 });
      await until(() => errors.length === 3, 5000, () => `${errors.length}/3 errors`);
      assert.equal(calls, 3);
      assert.deepEqual(errors.map((e) => [e.code, e.method, (e.cause as Error).message]), [
        ["handler", "message", "boom"],
        ["handler", "message", "boom"],
        ["handler", "message", "boom"],
      ]);
      assert.equal(client.connected, true);
      // Without an `error` handler: logged, once, and still no crash.
      client.on("error", null);
      const logged = await capturingErrors(async () => {
        await client.publish("h", "3", { qos: 1 });
        await client.publish("h", "4", { qos: 1 });
        await until(() => calls === 5, 5000, "two more messages");
        await new Promise((resolve) => setTimeout(resolve, 0));
      });
      assert.equal(logged.length, 1, String(logged));
      assert.match(String(logged[0]), /"message" handler threw: boom/);
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: an async handler's rejection reaches the error event, not the process",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ reconnect: false });
    const errors: MqttError[] = [];
    client.on("error", (error) => errors.push(error));
    client.on("connect", async () => {
      await Promise.resolve();
      throw new Error("connect boom");
    });
    client.on("message", async (topic) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new Error(`boom on ${topic}`);
    });
    try {
      await client.connect(broker.url);
      await client.subscribe("h", { qos: QoS.AtLeastOnce });
      await client.publish("h", "x", { qos: 1 });
      await until(() => errors.length === 2, 5000, () => `${errors.length}/2 errors`);
      assert.deepEqual(
        errors.map((e) => [e.code, e.method, (e.cause as Error).message]).sort(),
        [["handler", "connect", "connect boom"], ["handler", "message", "boom on h"]],
      );
      assert.equal(client.connected, true);
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: a publish nobody awaits fails once reconnecting gives up, reported once",
  async fn() {
    for (const withHandler of [true, false]) {
      const broker = await startMosquitto();
      const client = new Client({ reconnect: { ...FAST, max_attempts: 2 } });
      const errors: MqttError[] = [];
      if (withHandler) client.on("error", (error) => errors.push(error));
      const logged = await capturingErrors(async () => {
        await client.connect(broker.url);
        await broker.stop();
        client.publish("t", "x", { qos: QoS.AtLeastOnce }); // Fire and forget.
        const why = await deadline(client.closed(), 10_000, "reconnection to give up");
        assert.ok(why instanceof MqttClosedError);
        // Awaited: reported by its promise only.
        const awaited = await client.publish("t", "y", { qos: 1 }).then(() => undefined, (e) => e);
        assert.ok(awaited instanceof MqttClosedError);
        await new Promise((resolve) => setTimeout(resolve, 0));
      });
      const publishes = errors.filter((e) => e.method === "publish");
      if (withHandler) {
        assert.equal(
          publishes.length,
          1,
          errors.map((e) => `${e.method}: ${e.message}`).join(" | "),
        );
        assert.equal(logged.length, 0);
      } else {
        assert.equal(logged.length, 1, String(logged));
        assert.match(String(logged[0]), /publish/);
      }
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: drain() ends once every queued and in-flight publication is acknowledged",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ reconnect: false, max_inflight: 10 });
    await client.connect(broker.url);
    const sent = Array.from({ length: 500 }, (_, i) => client.publish("d", String(i), { qos: 1 }));
    await client.drain();
    const outcomes = await Promise.allSettled(sent);
    assert.deepEqual(outcomes.filter((o) => o.status === "rejected"), []);
    assert.equal(await client.closed(), undefined);
    assert.equal(client.connected, false);
  },
});

Deno.test({
  ...needsMosquitto,
  name:
    "service: drain() while reconnecting waits for the connection, then for the queued publications",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ reconnect: FAST });
    await client.connect(broker.url);
    await broker.kill("SIGTERM");
    await until(() => !client.connected, 5000, "the client to see the broker gone");
    const sent = Array.from({ length: 3 }, (_, i) => client.publish("d", String(i), { qos: 1 }));
    const draining = client.drain();
    let drained = false;
    draining.then(() => drained = true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(drained, false, "drain() ended before the broker came back");
    await broker.restart();
    await deadline(draining, 10_000, "drain() after the broker came back");
    const outcomes = await Promise.allSettled(sent);
    assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "fulfilled", "fulfilled"]);
    assert.equal(await client.closed(), undefined);
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: drain({ timeout }) while reconnecting gives up at the timeout",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ reconnect: FAST });
    await client.connect(broker.url);
    await broker.stop();
    await until(() => !client.connected, 5000, "the client to see the broker gone");
    const sent = client.publish("d", "x", { qos: 1 }).then(() => undefined, (e) => e);
    const start = performance.now();
    await deadline(client.drain({ timeout: 400 }), 5000, "drain() at its timeout");
    const took = performance.now() - start;
    assert.ok(took >= 350 && took < 2000, `drain took ${took} ms`);
    const failure = await sent;
    assert.ok(failure instanceof MqttClosedError);
    // The end fails every pending call with one error; each caller's names its own call.
    assert.equal(failure.method, "publish");
  },
});

Deno.test("service: a call that fails before returning and is awaited is reported to its caller alone", async () => {
  const client = new Client({ reconnect: false });
  const heard: MqttError[] = [];
  const withHandler = new Client({ reconnect: false });
  withHandler.on("error", (error) => heard.push(error));
  const caught: string[] = [];
  const logged = await capturingErrors(async () => {
    // Not connected: each call fails before it returns, then its caller's await takes it.
    for (const c of [client, withHandler]) {
      try {
        await c.publishAsync("service/t", "x", { qos: QoS.AtLeastOnce });
      } catch (error) {
        caught.push((error as Error).message);
      }
      try {
        await c.publish("service/t", "x", { qos: QoS.AtMostOnce });
      } catch (error) {
        caught.push((error as Error).message);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The same failure nobody awaits is still logged, once.
    client.publishAsync("service/t", "x", { qos: QoS.AtLeastOnce });
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  assert.equal(caught.length, 4);
  assert.ok(caught.every((message) => /not connected/.test(message)), caught.join("; "));
  assert.deepEqual(heard, []);
  assert.equal(logged.length, 1, JSON.stringify(logged));
  assert.match(String(logged[0][0]), /Cannot publish: not connected \(no "error" handler/);
});
