// The Client's iterators as a long-running service uses them, against mosquitto: a full iterator
// does not hold back the SUBACK, a resumed session's queue is not lost whichever comes first
// (subscribe or messages()), and with manual_ack a consumer killed mid-stream loses nothing.
import assert from "node:assert/strict";
import { Client, type MessageStream, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { queueFor } from "./fixtures/client_fixtures.ts";
import { deadline } from "./fixtures/wait.ts";

/** The payloads (numbers) of the next `count` messages of `stream`. */
async function take(stream: MessageStream, count: number): Promise<number[]> {
  const seen: number[] = [];
  if (count === 0) return seen;
  for await (const message of stream) {
    seen.push(Number(message.text()));
    if (seen.length === count) break;
  }
  return seen;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

Deno.test({
  ...needsMosquitto,
  name: "service: an awaited subscribe() settles while more is queued than messages() holds",
  async fn() {
    await using broker = await startMosquitto();
    await queueFor(broker.url, "svc-hang", "queued/a", 50);
    const client = new Client({ client_id: "svc-hang", clean_session: false, reconnect: false });
    const stream = client.messages({ capacity: 4 }); // Before connect(), for the session's queue.
    try {
      await client.connect(broker.url);
      const granted = client.subscribe("other", { qos: QoS.AtLeastOnce });
      assert.deepEqual(await deadline(granted, 5000, "the SUBACK behind queued messages"), [1]);
      const seen = await deadline(take(stream, 50), 10_000, "the 50 queued messages");
      assert.deepEqual(seen.toSorted((a, b) => a - b), range(50));
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: connect, subscribe, then messages(): a resumed session's 200 messages all arrive",
  async fn() {
    await using broker = await startMosquitto();
    await queueFor(broker.url, "svc-order", "queued/b", 200);
    const client = new Client({ client_id: "svc-order", clean_session: false, reconnect: false });
    try {
      const info = await client.connect(broker.url);
      assert.equal(info.sessionPresent, true);
      await client.subscribe("queued/b", { qos: QoS.AtLeastOnce });
      const seen = await deadline(take(client.messages(), 200), 10_000, "200 queued messages");
      assert.deepEqual(seen.toSorted((a, b) => a - b), range(200));
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: manual_ack: a consumer killed after 30 acks loses nothing of 100",
  async fn() {
    await using broker = await startMosquitto();
    const id = "svc-killed";
    await queueFor(broker.url, id, "jobs", 100);
    const consumer = new URL("./fixtures/manual_ack_consumer.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", consumer, broker.url, id, "30"],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const acked: number[] = [];
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      let buffered = "";
      while (!buffered.includes("stuck\n")) {
        const { value, done } = await deadline(lines.read(), 20_000, "the consumer's acks");
        if (done) break;
        buffered += value;
      }
      for (const line of buffered.split("\n")) if (/^\d+$/.test(line)) acked.push(Number(line));
      assert.equal(acked.length, 30, buffered);
    } finally {
      child.kill("SIGKILL");
      await lines.cancel();
      await child.status;
    }
    // The next consumer of the session gets what was not acknowledged, resent by the broker.
    const next = new Client({ client_id: id, clean_session: false, reconnect: false });
    const stream = next.messages();
    try {
      await next.connect(broker.url);
      const rest = await deadline(take(stream, 70), 10_000, "the 70 unacknowledged messages");
      const all = new Set([...acked, ...rest]);
      assert.deepEqual([...all].toSorted((a, b) => a - b), range(100));
    } finally {
      await next.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: subscription() gets its retained message and only its topics, and ends on break",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ reconnect: false });
    try {
      await client.connect(broker.url);
      await client.publish("rooms/1/temp", "21", { qos: 1, retain: true });
      const temps = client.subscription("rooms/+/temp", { qos: QoS.AtLeastOnce });
      const granted = await temps.granted;
      assert.deepEqual(granted, [1]);
      await client.publish("rooms/1/humidity", "40", { qos: 1 });
      await client.publish("rooms/2/temp", "19", { qos: 1 });
      const seen: Array<[string, string, boolean]> = [];
      for await (const message of temps) {
        seen.push([message.topic, message.text(), message.retain]);
        if (seen.length === 2) break;
      }
      assert.deepEqual(seen, [["rooms/1/temp", "21", true], ["rooms/2/temp", "19", false]]);
      assert.equal(temps.closed, true);
    } finally {
      await client.end();
    }
  },
});

for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name:
      `service v${version}: two subscription()s of one filter: leaving or unsubscribing one leaves the other`,
    async fn() {
      await using broker = await startMosquitto();
      const client = new Client({ reconnect: false, protocol_version: version });
      try {
        await client.connect(broker.url);
        const a = client.subscription("same/t", { qos: QoS.AtLeastOnce });
        const b = client.subscription("same/t", { qos: QoS.AtLeastOnce });
        const c = client.subscription("same/t", { qos: QoS.AtLeastOnce });
        await Promise.all([a.granted, b.granted, c.granted]);
        await client.publish("same/t", "0", { qos: 1 });
        assert.deepEqual(await take(a, 1), [0]); // leaves a's loop
        await c.unsubscribe(); // b still holds the filter: no UNSUBSCRIBE
        await client.publish("same/t", "1", { qos: 1 });
        assert.deepEqual(await deadline(take(b, 2), 5000, "b's messages"), [0, 1]);
      } finally {
        await client.end();
      }
    },
  });
}

// A broker may send a message once per matching subscription (mosquitto does with MQTT 5):
// each subscription() takes the copy sent for its own subscription, once.
for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `service v${version}: subscription()s of overlapping filters each get a message once`,
    async fn() {
      await using broker = await startMosquitto();
      const client = new Client({ reconnect: false, protocol_version: version });
      try {
        await client.connect(broker.url);
        const deep = client.subscription("ov/#", { qos: QoS.AtLeastOnce });
        const level = client.subscription("ov/+", { qos: QoS.AtLeastOnce });
        const both = client.messages();
        await Promise.all([deep.granted, level.granted]);
        await client.publish("ov/x", "1", { qos: 1 });
        await client.publish("ov/x/y", "2", { qos: 1 });
        await client.publish("ov/z", "3", { qos: 1 });
        // A second copy would show here: [1, 1, 2] (the loops end once they have their count).
        assert.deepEqual(await deadline(take(deep, 3), 5000, "ov/#"), [1, 2, 3]);
        assert.deepEqual(await deadline(take(level, 2), 5000, "ov/+"), [1, 3]);
        // messages() gets what the broker sent: with MQTT 5, mosquitto's copy per subscription.
        const copies = version === 5 ? [1, 1, 2, 3, 3] : [1, 2, 3];
        assert.deepEqual((await take(both, copies.length)).sort(), copies);
      } finally {
        await client.end();
      }
    },
  });
}

// MQTT.js never unsubscribes on its own; here a loop left with a clean session unsubscribes, but
// a persistent session's subscription is part of what the service asked the broker to keep.
Deno.test({
  ...needsMosquitto,
  name: "service: a persistent session keeps its subscription when the loop throws or is left",
  async fn() {
    await using broker = await startMosquitto();
    const publisher = new Client({ reconnect: false });
    const options = { client_id: "keeper", clean_session: false, reconnect: false } as const;
    const service = new Client(options);
    try {
      await publisher.connect(broker.url);
      const readings = service.subscription("keep/t", { qos: QoS.AtLeastOnce });
      await service.connect(broker.url);
      await readings.granted;
      await publisher.publish("keep/t", "0", { qos: 1 });
      const thrown = await (async () => {
        for await (const message of readings) throw new Error(`bad reading ${message.text()}`);
      })().catch((error: Error) => error.message);
      assert.equal(thrown, "bad reading 0");
      await service.end();
      // Published while the service is down: the session holds them.
      for (const n of [1, 2, 3]) await publisher.publish("keep/t", String(n), { qos: 1 });
      const restarted = new Client(options);
      try {
        const again = restarted.subscription("keep/t", { qos: QoS.AtLeastOnce });
        await restarted.connect(broker.url);
        assert.deepEqual(await deadline(take(again, 3), 5000, "the session's queue"), [1, 2, 3]);
      } finally {
        await restarted.end();
      }
    } finally {
      await publisher.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: QoS 0 messages held for no iterator stop at the capacity, drops counted by topic",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ client_id: "svc-held" });
    const publisher = new Client({ client_id: "svc-held-pub" });
    try {
      await client.connect(broker.url);
      await client.subscribe("held/#");
      await publisher.connect(broker.url);
      // A loop that was left: what comes next waits for the next iterator, within bounds.
      await publisher.publish("held/first", "first", { qos: QoS.AtLeastOnce });
      for await (const _ of client.messages()) break;
      const total = 5000;
      for (let i = 0; i < total; i++) publisher.publish("held/x", String(i));
      // Every message has reached the client once a probe published after them has (on a topic
      // of its own: the held messages' routing stays as it was).
      const probe = client.subscription("probe/held");
      await probe.granted;
      await publisher.publish("probe/held", "p");
      for await (const _ of probe) break;
      // An iterator of other topics takes none of the held messages, nor their drops.
      const other = client.subscription("probe/held");
      // What was held is handed over at once: read until nothing more comes for 300 ms.
      const stream = client.messages();
      const messages = stream[Symbol.asyncIterator]();
      let yielded = 0;
      for (;;) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const quiet = new Promise<"quiet">((r) => timer = setTimeout(() => r("quiet"), 300));
        const next = await Promise.race([messages.next(), quiet]);
        clearTimeout(timer);
        if (next === "quiet") break;
        if (next.value?.topic === "held/x") yielded++;
      }
      await messages.return?.();
      // At most the default capacity (1024) and one read's worth; the rest counted as dropped.
      assert.ok(yielded < total, `${yielded} of ${total} held`);
      assert.ok(yielded >= 1024, `${yielded} held`);
      assert.equal(yielded + stream.dropped, total, `${yielded} + ${stream.dropped}`);
      assert.equal(other.dropped, 0);
      await other.return();
    } finally {
      await publisher.end();
      await client.end();
    }
  },
});
