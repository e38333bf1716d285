// The Client's event surface: one on() handler per event (xk6-mqtt), typed listeners, their order,
// `once` and `signal`, and removal. Driven through an in-memory broker.

import assert from "node:assert/strict";
import { FakeClock, ScriptedBroker } from "../tests/fixtures/memory_broker.ts";
import { Client } from "./client.ts";
import { ClientEventTarget } from "./event_target.ts";
import type { MqttConnectEvent } from "./events.ts";

async function cycle(client: Client, broker: ScriptedBroker): Promise<void> {
  const connecting = client.connect("mqtt://broker.test");
  await broker.accept();
  await connecting;
  await client.end();
  await broker.expect("disconnect");
}

function setup() {
  const broker = new ScriptedBroker();
  const client = new Client({
    transport: broker.factory,
    clock: new FakeClock(),
    reconnect: false,
  });
  return { broker, client };
}

Deno.test("ClientEventTarget: on() keeps the last handler; null removes it", async () => {
  const { broker, client } = setup();
  assert.ok(client instanceof ClientEventTarget);
  const calls: string[] = [];
  client.on("connect", () => calls.push("first"));
  client.on("connect", (info) => calls.push(`second ${info.url}`));
  client.on("end", () => calls.push("end"));
  await cycle(client, broker);
  assert.deepEqual(calls, ["second mqtt://broker.test:1883", "end"]);
  client.on("connect", null);
  client.on("end", undefined as unknown as null);
  await cycle(client, broker);
  assert.deepEqual(calls, ["second mqtt://broker.test:1883", "end"]);
});

Deno.test("ClientEventTarget: the on() handler runs before listeners, in the order added", async () => {
  const { broker, client } = setup();
  const calls: string[] = [];
  client.addEventListener("connect", (event: MqttConnectEvent) => {
    calls.push(`listener ${event.info.clientId || "(empty)"}`);
  });
  client.addEventListener("connect", { handleEvent: () => calls.push("object listener") });
  client.on("connect", () => calls.push("handler"));
  await cycle(client, broker);
  assert.deepEqual(calls, ["handler", "listener (empty)", "object listener"]);
});

Deno.test("ClientEventTarget: once, signal and removeEventListener stop a listener", async () => {
  const { broker, client } = setup();
  const calls: string[] = [];
  const removed = () => calls.push("removed");
  const aborted = new AbortController();
  client.addEventListener("connect", () => calls.push("once"), { once: true });
  client.addEventListener("connect", () => calls.push("signal"), { signal: aborted.signal });
  client.addEventListener("connect", removed);
  client.addEventListener("connect", () => calls.push("kept"));
  await cycle(client, broker);
  assert.deepEqual(calls, ["once", "signal", "removed", "kept"]);
  aborted.abort();
  client.removeEventListener("connect", removed);
  await cycle(client, broker);
  assert.deepEqual(calls, ["once", "signal", "removed", "kept", "kept"]);
});

Deno.test("ClientEventTarget: on() refuses unknown events and non-function handlers", () => {
  const { client } = setup();
  assert.throws(() => client.on("disconnect" as "end", () => {}), {
    name: "TypeError",
    message:
      'Unknown event "disconnect": expected connect, reconnect, message, end, error or close',
  });
  assert.throws(() => client.on("end", "handler" as never), {
    name: "TypeError",
    message: 'Invalid handler for "end": expected a function',
  });
});

Deno.test("ClientEventTarget: a listener added with and without capture is two registrations", async () => {
  const { broker, client } = setup();
  const calls: string[] = [];
  const listener = () => calls.push("listener");
  client.addEventListener("connect", listener);
  client.addEventListener("connect", listener, { capture: true });
  // Removing the capture registration leaves the other one, which must still be dispatched to.
  client.removeEventListener("connect", listener, true);
  await cycle(client, broker);
  assert.deepEqual(calls, ["listener"]);
  client.removeEventListener("connect", listener);
  await cycle(client, broker);
  assert.deepEqual(calls, ["listener"]);
});
