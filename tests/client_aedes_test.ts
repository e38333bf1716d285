// The client against the embedded aedes broker (an independent MQTT 3.1.1 implementation), over
// TCP and WebSocket.

import assert from "node:assert/strict";
import {
  Client,
  type ClientEventMap,
  type MessageInfo,
  MqttClosedError,
  type MqttError,
  QoS,
} from "../mod.ts";
import { openTransport, type Transport, type TransportFactory } from "../client/mod.ts";
import { type Broker, startBroker } from "../runner/cli/broker.ts";

/** A message as the `on("message")` handler receives it, collected. */
type Message = MessageInfo & { topic: string; payload: ArrayBuffer };

const decoder = new TextDecoder();
const text = (payload: ArrayBuffer) => decoder.decode(payload);

async function withBroker(fn: (broker: Broker) => Promise<void>): Promise<void> {
  const broker = await startBroker({ websocket: true });
  try {
    await fn(broker);
  } finally {
    await broker.close();
  }
}

/** Resolves with the next event of `type`. */
function next<K extends keyof ClientEventMap>(client: Client, type: K): Promise<ClientEventMap[K]> {
  return new Promise((resolve) => client.addEventListener(type, resolve, { once: true }));
}

/** Collects messages until `count` arrived. */
function collect(client: Client, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  return new Promise((resolve) => {
    const listener = (event: ClientEventMap["message"]) => {
      messages.push({ topic: event.topic, payload: event.payload, ...event.info });
      if (messages.length === count) {
        client.removeEventListener("message", listener);
        resolve(messages);
      }
    };
    client.addEventListener("message", listener);
  });
}

/** A transport factory that remembers the transports it opened, to cut them like a network would. */
function tapped(): { factory: TransportFactory; transports: Transport[] } {
  const transports: Transport[] = [];
  return {
    transports,
    factory: async (options) => {
      const transport = await openTransport(options);
      transports.push(transport);
      return transport;
    },
  };
}

for (const wire of ["tcp", "ws"] as const) {
  Deno.test(`Client over ${wire} - publishes and receives at QoS 0, 1 and 2`, async () => {
    await withBroker(async (broker) => {
      const client = new Client({ client_id: `loop-${wire}` });
      const info = await client.connect(wire === "tcp" ? broker.url : broker.wsUrl);
      assert.equal(info.sessionPresent, false);
      assert.equal(client.connected, true);
      assert.deepEqual(await client.subscribe("loop/#", { qos: QoS.ExactlyOnce }), [2]);
      const received = collect(client, 3);
      await client.publish("loop/0", "zero");
      await client.publish("loop/1", new TextEncoder().encode("one"), { qos: QoS.AtLeastOnce });
      await client.publish("loop/2", new TextEncoder().encode("two").buffer, { qos: 2 });
      const messages = await received;
      assert.deepEqual(
        messages.map((m) => [m.topic, text(m.payload), m.qos, m.retain]),
        [["loop/0", "zero", 0, false], ["loop/1", "one", 1, false], ["loop/2", "two", 2, false]],
      );
      assert.equal(messages[0].packetId, undefined);
      assert.equal(typeof messages[1].packetId, "number");
      await client.end();
      assert.equal(client.connected, false);
      await client.idle();
    });
  });
}

Deno.test("Client - many QoS 1 and 2 publications in flight complete, in order per QoS", async () => {
  await withBroker(async (broker) => {
    const client = new Client({ max_inflight: 10 });
    await client.connect(broker.url);
    await client.subscribe("bulk/+", { qos: 2 });
    const received = collect(client, 200);
    const sent = [];
    for (let i = 0; i < 200; i++) {
      const qos = (i % 2 + 1) as 1 | 2;
      sent.push(client.publish(`bulk/${qos}`, String(i), { qos }));
    }
    await Promise.all(sent);
    const messages = await received;
    // MQTT orders messages per topic and QoS, not across them.
    for (const topic of ["bulk/1", "bulk/2"]) {
      const values = messages.filter((m) => m.topic === topic).map((m) => Number(text(m.payload)));
      assert.equal(values.length, 100);
      assert.deepEqual(values, values.toSorted((a, b) => a - b));
    }
    await client.end();
  });
});

Deno.test("Client - the broker publishes the will when the connection drops", async () => {
  await withBroker(async (broker) => {
    const watcher = new Client();
    await watcher.connect(broker.url);
    await watcher.subscribe("status/+", { qos: 1 });
    const { factory, transports } = tapped();
    const doomed = new Client({
      client_id: "doomed",
      will: { topic: "status/doomed", payload: "gone", qos: QoS.AtLeastOnce },
      transport: factory,
      reconnect: false,
    });
    await doomed.connect(broker.url);
    const will = next(watcher, "message");
    const closed = next(doomed, "close");
    await transports[0].close(); // The network goes away: no DISCONNECT.
    const event = await closed;
    assert.equal(event.info.reconnecting, false);
    assert.ok(event.info.error instanceof MqttClosedError);
    const message = await will;
    assert.equal(message.topic, "status/doomed");
    assert.equal(text(message.payload), "gone");
    await doomed.idle();
    await watcher.end();
  });
});

Deno.test("Client - a new subscriber gets the retained message, flagged retain", async () => {
  await withBroker(async (broker) => {
    const publisher = new Client();
    await publisher.connect(broker.url);
    await publisher.publish("config/mode", "eco", { qos: 1, retain: true });
    await publisher.end();
    const subscriber = new Client();
    await subscriber.connect(broker.url);
    const retained = next(subscriber, "message");
    await subscriber.subscribe("config/#");
    const event = await retained;
    assert.equal(text(event.payload), "eco");
    assert.equal(event.info.retain, true);
    await subscriber.end();
  });
});

Deno.test("Client - unsubscribe stops delivery", async () => {
  await withBroker(async (broker) => {
    const client = new Client();
    await client.connect(broker.url);
    await client.subscribe(["muted", "marker"], { qos: 1 });
    await client.unsubscribe("muted");
    const received = collect(client, 1);
    await client.publish("muted", "should not arrive", { qos: 1 });
    await client.publish("marker", "done", { qos: 1 });
    assert.deepEqual((await received).map((m) => m.topic), ["marker"]);
    await client.end();
  });
});

Deno.test("Client - events fire in order and idle() resolves after end", async () => {
  await withBroker(async (broker) => {
    const order: string[] = [];
    const client = new Client();
    client.on("connect", () => order.push("connect"));
    client.on("message", (topic) => order.push(`message ${topic}`));
    client.on("end", () => order.push("end"));
    client.addEventListener("connect", () => order.push("connect listener"));
    await client.connect(broker.url);
    await client.subscribe("e");
    const message = next(client, "message");
    await client.publish("e", "x");
    await message;
    await client.end();
    await client.idle();
    assert.deepEqual(order, ["connect", "connect listener", "message e", "end"]);
    // Nothing left to close, but as xk6-mqtt every end() call fires `end`.
    await client.end();
    assert.deepEqual(order, ["connect", "connect listener", "message e", "end", "end"]);
  });
});

Deno.test("Client - an xk6-mqtt script that never awaits runs to the end", async () => {
  await withBroker(async (broker) => {
    const seen: string[] = [];
    // Written as for k6: handlers, no await, connect last.
    const client = new Client();
    client.on("connect", () => {
      client.subscribe("greeting");
      client.publish("greeting", "Hello MQTT!");
    });
    client.on("message", (topic, message) => {
      seen.push(`${topic}: ${String.fromCharCode(...new Uint8Array(message))}`);
      client.end();
    });
    client.on("end", () => seen.push("end"));
    client.connect(broker.url);
    await client.idle();
    assert.deepEqual(seen, ["greeting: Hello MQTT!", "end"]);
  });
});

Deno.test("Client - calls made while connecting wait for the connection", async () => {
  await withBroker(async (broker) => {
    const client = new Client();
    const connected = client.connect(broker.url);
    const subscribed = client.subscribe("early", { qos: 1 });
    const message = next(client, "message");
    const published = client.publish("early", "bird", { qos: 1 });
    await Promise.all([connected, subscribed, published]);
    assert.equal(text((await message).payload), "bird");
    await client.end();
  });
});

Deno.test("Client - end() right after connect() wins: the client stays ended", async () => {
  await withBroker(async (broker) => {
    const client = new Client();
    const errors: MqttError[] = [];
    client.on("error", (error) => errors.push(error));
    const connected = client.connectAsync(broker.url);
    const published = client.publishAsync("early", "x", { qos: 1 });
    await client.end();
    await assert.rejects(connected, /Client ended before connecting/);
    await assert.rejects(published, MqttClosedError);
    assert.equal(client.connected, false);
    await client.idle(); // Would never resolve if the connect went on after end().
    assert.equal(client.connected, false);
    assert.deepEqual(errors, [], "awaited calls report through their promises only");
  });
});

Deno.test("Client - failures of sync-named calls nobody awaits go to the error handler, once", async () => {
  await withBroker(async (broker) => {
    const client = new Client({ connect_timeout: 2000 });
    const errors: MqttError[] = [];
    client.on("error", (error) => errors.push(error));
    // Not connected, and not awaited: reported to the handler, not an unhandled rejection.
    client.publish("t", "x");
    // Awaited: the caller hears it, the handler does not (one report per failure).
    const refused = client.connect("mqtt://127.0.0.1:1"); // Nothing listens on port 1.
    assert.ok((await refused.then(() => undefined, (e) => e)) instanceof MqttClosedError);
    await client.idle();
    await Promise.resolve();
    assert.deepEqual(errors.map((e) => [e.name, e.method]), [["MQTTError", "publish"]]);
    // The async twin rejects without the event.
    await assert.rejects(client.publishAsync("t", "x"), { code: "closed", method: "publish" });
    assert.equal(errors.length, 1);
    await client.connect(broker.url);
    await client.end();
  });
});

Deno.test("Client - reconnects after a takeover and restores its subscriptions", async () => {
  await withBroker(async (broker) => {
    const a = new Client({
      client_id: "same",
      reconnect: { initial_delay: 0, jitter: false, max_attempts: 1 },
    });
    await a.connect(broker.url);
    await a.subscribe("restored", { qos: 1 });
    const closed = next(a, "close");
    const reconnecting = next(a, "reconnect");
    const b = new Client({ client_id: "same", reconnect: false });
    const bGone = next(b, "close");
    await b.connect(broker.url); // aedes drops `a`, which comes back and drops `b`.
    assert.equal((await closed).info.reconnecting, true);
    assert.equal((await reconnecting).info.attempt, 1);
    await next(a, "connect");
    assert.equal((await bGone).info.reconnecting, false);
    await b.idle();
    const publisher = new Client();
    await publisher.connect(broker.url);
    const message = next(a, "message");
    await publisher.publish("restored", "again", { qos: 1 });
    assert.equal(text((await message).payload), "again");
    await publisher.end();
    await a.end();
  });
});

Deno.test("Client - a persistent session receives what was queued while away", async () => {
  await withBroker(async (broker) => {
    const options = { client_id: "durable", clean_session: false };
    const first = new Client(options);
    await first.connect(broker.url);
    await first.subscribe("inbox", { qos: 1 });
    await first.end();
    const sender = new Client();
    await sender.connect(broker.url);
    await sender.publish("inbox", "while you were out", { qos: 1 });
    await sender.end();
    const second = new Client(options);
    const message = next(second, "message");
    const info = await second.connect(broker.url);
    assert.equal(info.sessionPresent, true);
    assert.equal(text((await message).payload), "while you were out");
    await second.end();
  });
});

Deno.test("Client - messages() iterates received messages and ends with the client", async () => {
  await withBroker(async (broker) => {
    const client = new Client();
    await client.connect(broker.url);
    await client.subscribe("it/#", { qos: 1 });
    const stream = client.messages({ capacity: 2 });
    assert.throws(() => client.messages(), TypeError);
    for (let i = 0; i < 5; i++) client.publish(`it/${i}`, String(i), { qos: 1 });
    const topics: string[] = [];
    for await (const message of stream) {
      topics.push(message.topic);
      if (topics.length === 5) break;
    }
    assert.deepEqual(topics, ["it/0", "it/1", "it/2", "it/3", "it/4"]);
    const again = client.messages();
    await client.end();
    assert.deepEqual(await again.next(), { value: undefined, done: true });
  });
});
