// The iterators' acknowledgements on the wire, through an in-memory broker: QoS 2 acknowledged as
// buffered, manual_ack, buffered copies dropped when a resumed session sends them again, a QoS 2 message the broker resends after a lost
// connection (delivered again, not taken for a duplicate), messages held for the first iterator,
// abort signals.

import assert from "node:assert/strict";
import { FakeClock, ScriptedBroker, settle } from "../tests/fixtures/memory_broker.ts";
import { Client } from "./client.ts";
import type { ClientOptions } from "./options.ts";

const URL = "mqtt://broker.test:1883";
const bytes = (s: string) => new TextEncoder().encode(s);
const id = (packet: { type: string; packetId?: number }) => [packet.type, packet.packetId];
const publish = (packetId: number, payload: string, qos: 1 | 2 = 2, dup = false) => ({
  type: "publish" as const,
  topic: "t",
  payload: bytes(payload),
  qos,
  retain: false,
  dup,
  packetId,
});

/** A persistent session acknowledged by hand, reconnecting at once. */
const PERSISTENT_MANUAL: ClientOptions = {
  client_id: "c",
  clean_session: false,
  manual_ack: true,
  reconnect: { initial_delay: 0, jitter: false },
};

async function connected(options: ClientOptions = {}) {
  const clock = new FakeClock();
  const broker = new ScriptedBroker(4);
  const client = new Client({
    reconnect: false,
    ...options,
    transport: broker.factory,
    clock,
  });
  const connecting = client.connect(URL);
  await broker.accept();
  await connecting;
  return { client, broker, clock };
}

Deno.test("messages(): a QoS 2 message gets its PUBREC as it is buffered, PUBCOMP on PUBREL", async () => {
  const { client, broker } = await connected();
  const stream = client.messages();
  await broker.send(publish(7, "a"));
  // The iterator had room: acknowledged on receipt, as MQTT.js does, before the loop takes it.
  assert.deepEqual(id(await broker.next()), ["pubrec", 7]);
  const first = await stream.next();
  assert.equal(first.done ? undefined : first.value.text(), "a");
  await broker.send({ type: "pubrel", packetId: 7 });
  assert.deepEqual(id(await broker.next()), ["pubcomp", 7]);
  await client.end();
});

Deno.test("manual_ack: the PUBACK goes out on ack(), once", async () => {
  const { client, broker } = await connected({ manual_ack: true });
  const stream = client.messages();
  await broker.send(publish(3, "job", 1));
  const taken = await stream.next();
  assert.ok(!taken.done);
  await settle();
  assert.equal(broker.unread.length, 0, "taken, not yet acknowledged");
  taken.value.ack();
  taken.value.ack();
  assert.deepEqual(id(await broker.next()), ["puback", 3]);
  await settle();
  assert.equal(broker.unread.length, 0);
  await client.end();
});

Deno.test("messages(): a QoS 2 message never acknowledged is delivered again when the broker resends it", async () => {
  const { client, broker, clock } = await connected(PERSISTENT_MANUAL);
  const stream = client.messages();
  await broker.send(publish(9, "once"));
  const first = await stream.next();
  assert.ok(!first.done);
  await broker.drop(); // Lost before ack(): no PUBREC went out.
  await clock.tick(0); // The reconnection.
  await broker.accept({ sessionPresent: true });
  first.value.ack(); // On the old connection: nothing is sent.
  await broker.send(publish(9, "once", 2, true));
  const again = await stream.next();
  assert.ok(!again.done);
  assert.equal(again.value.text(), "once");
  assert.equal(again.value.dup, true);
  again.value.ack();
  assert.deepEqual(id(await broker.next()), ["pubrec", 9]);
  await client.end();
});

Deno.test("messages(): a QoS 2 message the loop took while the connection was down is not delivered again", async () => {
  const { client, broker, clock } = await connected({
    ...PERSISTENT_MANUAL,
    manual_ack: false,
    reconnect: { initial_delay: 1000, jitter: false },
  });
  // Capacity 1, both in one read: the second is buffered past it, its PUBREC waiting for the loop.
  const stream = client.messages({ capacity: 1 });
  await broker.send([publish(8, "first"), publish(9, "second")]);
  assert.deepEqual(id(await broker.next()), ["pubrec", 8]);
  await broker.drop();
  await clock.tick(0); // The loop is behind: the client reads on (and sees the end) after a turn.
  // Taken while the client waits to reconnect: no PUBREC can go out, yet the loop has it.
  const taken = [await stream.next(), await stream.next()];
  assert.deepEqual(taken.map((r) => r.done ? undefined : r.value.text()), ["first", "second"]);
  await clock.tick(1000); // The reconnection.
  await broker.accept({ sessionPresent: true });
  await broker.send(publish(9, "second", 2, true));
  // Answered as the duplicate it is, not delivered: exactly once.
  assert.deepEqual(id(await broker.next()), ["pubrec", 9]);
  await broker.send(publish(10, "third"));
  const next = await stream.next();
  assert.equal(next.done ? undefined : next.value.text(), "third");
  await client.end();
});

Deno.test("manual_ack: an old copy's late ack() does not take the QoS 2 resend's acknowledgement", async () => {
  const { client, broker, clock } = await connected(PERSISTENT_MANUAL);
  const stream = client.messages();
  await broker.send(publish(9, "once"));
  const first = await stream.next();
  assert.ok(!first.done);
  await broker.drop();
  await clock.tick(0); // The reconnection.
  await broker.accept({ sessionPresent: true });
  await broker.send(publish(9, "once", 2, true)); // The resend comes before the old ack().
  first.value.ack(); // On the old connection: nothing is sent, nor taken from the resend.
  const again = await stream.next();
  assert.ok(!again.done);
  again.value.ack();
  assert.deepEqual(id(await broker.next()), ["pubrec", 9]);
  await client.end();
});

Deno.test("messages(): a resumed session's resends replace the buffered copies never acknowledged", async () => {
  const { client, broker, clock } = await connected(PERSISTENT_MANUAL);
  const stream = client.messages();
  for (const n of [1, 2, 3]) await broker.send(publish(n, `m${n}`, 1));
  const first = await stream.next(); // Taken, not acknowledged; m2 and m3 stay buffered.
  assert.equal(first.done ? undefined : first.value.text(), "m1");
  await broker.drop();
  await clock.tick(0); // The reconnection.
  await broker.accept({ sessionPresent: true });
  // The broker sends again all three, unacknowledged: each is yielded once more, not twice.
  for (const n of [1, 2, 3]) await broker.send(publish(n, `m${n}`, 1, true));
  const yielded: string[] = [];
  for (let i = 0; i < 3; i++) {
    const next = await stream.next();
    assert.ok(!next.done);
    yielded.push(`${next.value.text()}${next.value.dup ? "+dup" : ""}`);
    next.value.ack();
  }
  assert.deepEqual(yielded, ["m1+dup", "m2+dup", "m3+dup"]);
  await settle();
  assert.equal((stream as unknown as { size: number }).size, 0, "no old copy left behind");
  await client.end();
});

Deno.test("manual_ack: what a left loop never took goes to the next iterator, unacknowledged", async () => {
  const { client, broker } = await connected({ manual_ack: true });
  const first = client.messages();
  for (const n of [1, 2, 3]) await broker.send(publish(n, `m${n}`, 1));
  const taken = await first.next();
  assert.ok(!taken.done);
  taken.value.ack();
  assert.deepEqual(id(await broker.next()), ["puback", 1]);
  await first.return(); // m2 and m3 were never taken
  await settle();
  assert.equal(broker.unread.length, 0, "not acknowledged on the way out");
  const second = client.messages();
  for (const n of [2, 3]) {
    const next = await second.next();
    assert.ok(!next.done);
    assert.equal(next.value.text(), `m${n}`);
    next.value.ack();
    assert.deepEqual(id(await broker.next()), ["puback", n]);
  }
  await client.end();
});

Deno.test("messages made before any consumer are held for the first iterator, handlers' are not", async () => {
  const { client, broker } = await connected();
  await broker.send(publish(1, "held", 1));
  await settle();
  assert.equal(broker.unread.length, 0, "held unacknowledged: nobody took it");
  const stream = client.messages();
  const taken = await stream.next();
  assert.equal(taken.done ? undefined : taken.value.text(), "held");
  assert.deepEqual(id(await broker.next()), ["puback", 1]);
  await stream.return();
  client.on("message", () => {});
  await broker.send(publish(2, "handled", 1));
  assert.deepEqual(id(await broker.next()), ["puback", 2]);
  await client.end();
});

Deno.test("signal: aborted publish, subscribe and unsubscribe fail with code aborted", async () => {
  const { client, broker } = await connected();
  const controller = new AbortController();
  const signal = controller.signal;
  const calls = [
    client.publish("t", "x", { qos: 1, signal }),
    client.subscribe("s", { signal }),
    client.unsubscribe("s", { signal }),
  ].map((p) => p.then(() => "settled", (e) => e.code));
  await broker.expect("publish");
  controller.abort();
  assert.deepEqual(await Promise.all(calls), ["aborted", "aborted", "aborted"]);
  const early = await client.publish("t", "x", { signal: AbortSignal.abort() }).catch((e) => e);
  assert.equal(early.code, "aborted");
  await client.end({ signal: AbortSignal.abort() });
});

Deno.test("messages(): next() calls made while one is pending are served in order", async () => {
  const { client, broker } = await connected();
  const stream = client.messages();
  const first = stream.next();
  const second = stream.next();
  const third = stream.next();
  await broker.send({ ...publish(1, "a", 1) });
  await broker.send({ ...publish(2, "b", 1) });
  assert.equal((await first).value?.text(), "a");
  assert.equal((await second).value?.text(), "b");
  await client.end();
  // The end reaches the call still waiting, and every later one.
  assert.equal((await third).done, true);
  assert.equal((await stream.next()).done, true);
});

Deno.test("subscription(): an MQTT 5 broker that sends no subscription identifiers still reaches it", async () => {
  const clock = new FakeClock();
  const broker = new ScriptedBroker(5);
  const client = new Client({
    protocol_version: 5,
    reconnect: false,
    transport: broker.factory,
    clock,
  });
  const connecting = client.connect(URL);
  await broker.accept();
  await connecting;
  const stream = client.subscription("t", { qos: 1 });
  const subscribe = await broker.next();
  assert.equal(subscribe.type, "subscribe");
  // The client gave its SUBSCRIBE an identifier; this broker leaves it out of what it sends.
  assert.ok(
    (subscribe as { properties?: { subscriptionIdentifiers?: number[] } }).properties
      ?.subscriptionIdentifiers,
  );
  await broker.send({ type: "suback", packetId: subscribe.packetId!, reasonCodes: [1] });
  await broker.send(publish(5, "plain", 1));
  const first = await stream.next();
  assert.equal(first.done ? undefined : first.value.text(), "plain");
  await client.end();
});
