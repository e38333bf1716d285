// The connection's write path on its own: bursts gathered into one write, a close or a failure
// in the middle of a gather, and nothing after the last packet.

import assert from "node:assert/strict";
import { Decoder } from "../codec/mod.ts";
import { FakeClock, MemoryTransport, settle } from "../tests/fixtures/memory_broker.ts";
import { Connection, type ConnectionHandler } from "./_connection.ts";
import { MqttClosedError } from "./errors.ts";
import { parseBrokerUrl } from "./url.ts";

function memoryTransport(): MemoryTransport {
  return new MemoryTransport({
    url: parseBrokerUrl("mqtt://broker.test:1883"),
    signal: new AbortController().signal,
  });
}

function open() {
  const transport = memoryTransport();
  const lost: unknown[] = [];
  const conn = new Connection(transport, new Decoder(), new FakeClock(), {
    onPacket() {},
    onLost: (_conn, error) => lost.push(error),
  });
  return { conn, transport, lost };
}

const packet = (n: number) => new Uint8Array([0x30, 2, 0, n]);

Deno.test("Connection writes packets queued one microtask apart as one write, in order", async () => {
  const { conn, transport } = open();
  const done = conn.sendAndWait(packet(0));
  for (let i = 1; i < 50; i++) {
    await undefined;
    conn.send(packet(i));
  }
  await done;
  await settle();
  assert.equal(transport.writes.length, 1);
  assert.deepEqual(
    Array.from({ length: 50 }, (_, i) => transport.writes[0][i * 4 + 3]),
    Array.from({ length: 50 }, (_, i) => i),
  );
  await conn.close();
});

Deno.test("Connection closed while a burst gathers writes nothing and rejects the waiters", async () => {
  const { conn, transport } = open();
  const waiting = conn.sendAndWait(packet(1));
  await undefined; // The flush has started gathering.
  await conn.close();
  await assert.rejects(waiting, MqttClosedError);
  assert.equal(transport.writes.length, 0);
});

Deno.test("Connection failing while a burst gathers writes nothing and rejects the waiters", async () => {
  const { conn, transport, lost } = open();
  const waiting = conn.sendAndWait(packet(1));
  await undefined;
  conn.fail(new MqttClosedError("gone"));
  await assert.rejects(waiting, MqttClosedError);
  await settle();
  assert.equal(transport.writes.length, 0);
  assert.equal(lost.length, 1);
});

Deno.test("Connection sends nothing after its last packet", async () => {
  const { conn, transport } = open();
  conn.send(packet(1));
  conn.sendLast(new Uint8Array([0xe0, 0]));
  conn.sendAck("puback", 7); // A PUBACK for a message read while the writes drain: dropped.
  conn.send(new Uint8Array([0xc0, 0])); // A PINGREQ: dropped.
  await assert.rejects(conn.sendAndWait(packet(2)), MqttClosedError);
  await conn.close(1000);
  const bytes = transport.writes.flatMap((w) => Array.from(w));
  assert.deepEqual(bytes, [0x30, 2, 0, 1, 0xe0, 0]);
});

Deno.test("Connection writes a burst of slab acknowledgements and own buffers as one write, in order", async () => {
  const { conn, transport } = open();
  conn.send(packet(1));
  conn.sendAck("puback", 7); // Encoded into the burst's slab…
  conn.sendAck("puback", 8); // …right after the previous one: joined, not copied.
  conn.send(packet(2));
  conn.sendAck("puback", 9);
  await conn.sendAndWait(packet(3));
  assert.equal(transport.writes.length, 1);
  assert.deepEqual(Array.from(transport.writes[0]), [
    ...[0x30, 2, 0, 1],
    ...[0x40, 2, 0, 7],
    ...[0x40, 2, 0, 8],
    ...[0x30, 2, 0, 2],
    ...[0x40, 2, 0, 9],
    ...[0x30, 2, 0, 3],
  ]);
  await conn.close();
});

Deno.test("Connection writes what is queued during a write in a second write, and its waiter waits for it", async () => {
  const { conn, transport } = open();
  const first = conn.sendAndWait(packet(1));
  while (transport.writes.length === 0) await undefined; // The first write is in flight.
  const second = conn.sendAndWait(packet(2));
  await first;
  await second;
  assert.equal(transport.writes.length, 2);
  assert.deepEqual(transport.writes.map((w) => Array.from(w)), [[0x30, 2, 0, 1], [0x30, 2, 0, 2]]);
  // Idle again: the next packet starts a burst of its own.
  await conn.sendAndWait(packet(3));
  assert.deepEqual(Array.from(transport.writes[2]), [0x30, 2, 0, 3]);
  await conn.close();
});

Deno.test("Connection whose write fails rejects the batch, is lost once, and writes nothing more", async () => {
  const { conn, transport, lost } = open();
  transport.write = () => Promise.reject(new Error("broken pipe"));
  const waiting = conn.sendAndWait(packet(1));
  await assert.rejects(waiting, (error: unknown) => {
    assert.ok(error instanceof MqttClosedError);
    assert.match(error.message, /lost while writing/);
    return true;
  });
  await settle();
  assert.equal(lost.length, 1);
  await assert.rejects(conn.sendAndWait(packet(2)), MqttClosedError);
  assert.equal(transport.writes.length, 0);
});

function openAcking(onPublish?: (conn: Connection, packetId: number) => void) {
  const transport = memoryTransport();
  const conn: Connection = new Connection(transport, new Decoder(), new FakeClock(), {
    onPacket(_conn, packet) {
      if (packet.type !== "publish") return;
      conn.sendAck("puback", packet.packetId!);
      onPublish?.(conn, packet.packetId!);
    },
    onLost() {},
  });
  conn.start();
  return { conn, transport };
}

// QoS 1 PUBLISH of topic "t", packet id `id`, empty payload.
const qos1 = (id: number) => [0x32, 5, 0, 1, 0x74, 0, id];

Deno.test("Connection acknowledges a read's messages in one write once the read is handled", async () => {
  const { conn, transport } = openAcking();
  const written = new Promise<void>((resolve) => transport.onWrite(resolve));
  transport.push(new Uint8Array([...qos1(1), ...qos1(2), ...qos1(3)]));
  await written;
  assert.deepEqual(Array.from(transport.writes[0]), [
    ...[0x40, 2, 0, 1],
    ...[0x40, 2, 0, 2],
    ...[0x40, 2, 0, 3],
  ]);
  await conn.close();
});

Deno.test("Connection closed by a message handler still writes what the read queued, last packet included", async () => {
  let closing: Promise<void> | undefined;
  const { transport } = openAcking((conn) => {
    conn.sendLast(new Uint8Array([0xe0, 0]));
    closing = conn.close(1000);
  });
  transport.push(new Uint8Array(qos1(4)));
  await settle();
  await closing;
  const bytes = transport.writes.flatMap((w) => Array.from(w));
  assert.deepEqual(bytes, [0x40, 2, 0, 4, 0xe0, 0]);
});

/** A started connection whose clock counts its readings, from 0 once it has started. */
function openCounting(onPacket: ConnectionHandler["onPacket"]) {
  const transport = memoryTransport();
  const clock = new FakeClock();
  let readings = 0;
  const counting = Object.assign(Object.create(clock), {
    now: () => (readings++, clock.now()),
  });
  const conn = new Connection(transport, new Decoder(), counting, { onPacket, onLost() {} });
  conn.start();
  readings = 0;
  return { conn, transport, clock, readings: () => readings };
}

Deno.test("Connection reads the clock once per read: its packets and their write share it", async () => {
  const seen: number[] = [];
  const { conn, transport, clock, readings } = openCounting((conn) => {
    seen.push(conn.now());
    conn.sendAck("puback", seen.length);
  });
  // Three PUBLISH packets (QoS 1, topic "t") in one read.
  const publish = [0x32, 5, 0, 1, 0x74, 0, 1];
  transport.push(new Uint8Array([...publish, ...publish, ...publish]));
  await settle();
  assert.equal(seen.length, 3);
  assert.equal(readings(), 1);
  assert.deepEqual(seen, [clock.now(), clock.now(), clock.now()]);
  assert.equal(conn.lastWrite, clock.now());
  assert.equal(transport.writes.length, 1);
  assert.equal(transport.writes[0]!.length, 12);
  // Between reads, the connection's time is the clock's own.
  await clock.tick(5);
  assert.equal(conn.now(), clock.now());
  await conn.close();
});

Deno.test("Connection reads no clock for a read whose handling asks no time (no keepalive)", async () => {
  let packets = 0;
  const { conn, transport, readings } = openCounting(() => void packets++);
  // Two QoS 0 PUBLISH packets (topic "t"): nothing to acknowledge, nothing timed.
  const publish = [0x30, 4, 0, 1, 0x74, 0x78];
  transport.push(new Uint8Array([...publish, ...publish]));
  await settle();
  assert.equal(packets, 2);
  assert.equal(readings(), 0);
  assert.equal(transport.writes.length, 0);
  await conn.close();
});

Deno.test("Connection times a read's packets by the transport's reading when the clock can take it", async () => {
  const seen: number[] = [];
  for (const fromPerformance of [(t: number) => 1_000_000 + t, undefined]) {
    const transport = memoryTransport();
    // As the Deno transport's: performance.now() as the chunk was read.
    Object.defineProperty(transport, "readAt", { value: 500 });
    const clock = new FakeClock();
    if (fromPerformance !== undefined) Object.assign(clock, { fromPerformance });
    const conn = new Connection(transport, new Decoder(), clock, {
      onPacket: (c) => void seen.push(c.now()),
      onLost() {},
    });
    conn.start();
    transport.push(Uint8Array.of(0xd0, 0)); // PINGRESP
    await settle();
    await conn.close();
  }
  // Without the clock's conversion, the clock is read (no op saved, same time source).
  assert.deepEqual(seen, [1_000_500, new FakeClock().now()]);
});
