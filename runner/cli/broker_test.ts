import assert from "node:assert/strict";
import { startBroker } from "./broker.ts";

// CONNECT, protocol level 4, clean session, keepalive 10 s, client id "t".
const CONNECT = new Uint8Array([
  0x10,
  13,
  0,
  4,
  0x4d,
  0x51,
  0x54,
  0x54,
  4,
  0x02,
  0,
  10,
  0,
  1,
  0x74,
]);
const CONNACK = [0x20, 2, 0, 0];

async function readN(conn: { read(p: Uint8Array): Promise<number | null> }, n: number) {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const k = await conn.read(out.subarray(got));
    if (k === null) throw new Error(`connection closed after ${got} of ${n} bytes`);
    got += k;
  }
  return out;
}

Deno.test("startBroker() answers a raw CONNECT over TCP with CONNACK", async () => {
  const broker = await startBroker();
  try {
    assert.match(broker.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(broker.wsUrl, undefined);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: broker.port });
    try {
      await conn.write(CONNECT);
      assert.deepEqual([...await readN(conn, 4)], CONNACK);
      await conn.write(new Uint8Array([0xc0, 0])); // PINGREQ
      assert.deepEqual([...await readN(conn, 2)], [0xd0, 0]);
    } finally {
      conn.close();
    }
  } finally {
    await broker.close();
  }
});

Deno.test("startBroker() serves MQTT over WebSocket on any path", async () => {
  const broker = await startBroker({ websocket: true });
  try {
    assert.ok(broker.wsUrl);
    for (const path of ["/mqtt", "/"]) {
      const url = new URL(broker.wsUrl);
      url.pathname = path;
      const ws = new WebSocket(url, "mqtt");
      ws.binaryType = "arraybuffer";
      const reply = await new Promise<number[]>((resolve, reject) => {
        ws.onopen = () => ws.send(CONNECT);
        // aedes may write a packet in several frames: collect until the whole CONNACK is in.
        const bytes: number[] = [];
        ws.onmessage = (e) => {
          bytes.push(...new Uint8Array(e.data as ArrayBuffer));
          if (bytes.length >= CONNACK.length) resolve(bytes);
        };
        ws.onerror = () => reject(new Error("websocket error"));
      });
      assert.deepEqual(reply, CONNACK);
      const closed = new Promise((resolve) => ws.onclose = resolve);
      ws.close();
      await closed;
    }
  } finally {
    await broker.close();
  }
});

Deno.test("startBroker() close() disconnects clients that are still connected", async () => {
  const broker = await startBroker({ websocket: true });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: broker.port });
  await conn.write(CONNECT);
  await readN(conn, 4);
  const ws = new WebSocket(broker.wsUrl!, "mqtt");
  const wsClosed = new Promise((resolve) => ws.onclose = resolve);
  await new Promise((resolve) => ws.onopen = resolve);
  await broker.close();
  await wsClosed;
  assert.equal(await conn.read(new Uint8Array(1)), null);
  conn.close();
  await broker.close(); // idempotent
});

Deno.test("startBroker() rejects a bad port", async () => {
  await assert.rejects(startBroker({ port: 70000 }), RangeError);
});
