// Messages no iterator takes, against mosquitto: a subscribed topic nobody iterates must not
// stall the loops of the others (its QoS 1 messages, held unacknowledged, filled the broker's
// in-flight window); a loop left with messages buffered hands them to the next loop; and with
// MQTT 5, overlapping subscriptions give an iterator each message once.
import assert from "node:assert/strict";
import { Client, type MessageStream, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { queueFor } from "./fixtures/client_fixtures.ts";
import { deadline } from "./fixtures/wait.ts";

/** The payloads (numbers) of the next `count` messages of `stream`, then the loop is left. */
async function take(stream: MessageStream, count: number): Promise<number[]> {
  const seen: number[] = [];
  for await (const message of stream) {
    seen.push(Number(message.text()));
    if (seen.length === count) break;
  }
  return seen;
}

/** mosquitto's default in-flight window, which the tests' config otherwise lifts. */
const WINDOW = "max_inflight_messages 20";

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

async function publishAll(url: string, topic: string, numbers: number[]): Promise<void> {
  const publisher = new Client({ reconnect: false });
  await publisher.connect(url);
  for (const n of numbers) await publisher.publish(topic, String(n), { qos: QoS.AtLeastOnce });
  await publisher.end();
}

for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `service v${version}: a subscribed topic no loop takes does not stall the others`,
    async fn() {
      await using broker = await startMosquitto({ extraConfig: WINDOW });
      const client = new Client({ client_id: `unclaimed-${version}`, protocol_version: version });
      try {
        await client.connect(broker.url);
        const a = client.subscription("a/#", { qos: QoS.AtLeastOnce });
        await a.granted;
        await client.subscribe("b/#", { qos: QoS.AtLeastOnce });
        // More than mosquitto's in-flight window (20) for b, which nobody iterates.
        await publishAll(broker.url, "b/x", range(30));
        await publishAll(broker.url, "a/x", range(10));
        assert.deepEqual(await deadline(take(a, 10), 5000, "a's 10 behind b's 30"), range(10));
        // Held, not lost: a loop made for b later gets them.
        const b = client.subscription("b/#", { qos: QoS.AtLeastOnce });
        assert.deepEqual(await deadline(take(b, 30), 5000, "b's 30, held"), range(30));
      } finally {
        await client.end();
      }
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "service: a resumed session's leftover filter does not stall the new version's loop",
  async fn() {
    await using broker = await startMosquitto({ extraConfig: WINDOW });
    await queueFor(broker.url, "unclaimed-old", "old/x", 40);
    const client = new Client({ client_id: "unclaimed-old", clean_session: false });
    try {
      await client.connect(broker.url);
      const fresh = client.subscription("new/#", { qos: QoS.AtLeastOnce });
      await fresh.granted;
      await publishAll(broker.url, "new/x", range(10));
      assert.deepEqual(await deadline(take(fresh, 10), 5000, "new/x behind old/x"), range(10));
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: a loop left (break, signal) hands what it buffered to the next loop",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ client_id: "unclaimed-left" });
    try {
      await client.connect(broker.url);
      const first = client.subscription("left/#", { qos: QoS.AtLeastOnce });
      await first.granted;
      await publishAll(broker.url, "left/x", range(50));
      assert.deepEqual(await take(first, 5), range(5));
      const controller = new AbortController();
      const second = client.subscription("left/#", { qos: 1, signal: controller.signal });
      assert.deepEqual(await deadline(take(second, 20), 5000, "the next 20"), range(20, 5));
      controller.abort();
      const third = client.subscription("left/#", { qos: QoS.AtLeastOnce });
      assert.deepEqual(await deadline(take(third, 25), 5000, "the last 25"), range(25, 25));
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service v5: overlapping subscriptions give an iterator each message once",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ client_id: "unclaimed-overlap", protocol_version: 5 });
    try {
      await client.connect(broker.url);
      // One iterator beside a plain subscribe() of an overlapping filter.
      const all = client.subscription("o/#", { qos: QoS.AtLeastOnce });
      await all.granted;
      await client.subscribe("o/+", { qos: QoS.AtLeastOnce });
      // Two iterators whose identifiers the caller set.
      const hash = client.subscription("p/#", {
        qos: 1,
        properties: { subscriptionIdentifiers: [7] },
      });
      const plus = client.subscription("p/+", {
        qos: 1,
        properties: { subscriptionIdentifiers: [8] },
      });
      await Promise.all([hash.granted, plus.granted]);
      await publishAll(broker.url, "o/x", range(10));
      await publishAll(broker.url, "p/x", range(10));
      // One more than sent: a second copy of any message would be read before the end marker.
      await publishAll(broker.url, "o/x", [-1]);
      await publishAll(broker.url, "p/x", [-1]);
      for (const [name, stream] of [["o/#", all], ["p/#", hash], ["p/+", plus]] as const) {
        const seen = await deadline(take(stream, 11), 5000, `${name}'s messages`);
        assert.deepEqual(seen, [...range(10), -1], name);
      }
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: a left loop's messages reach the next loop though the hold is full",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ client_id: "unclaimed-full" });
    try {
      await client.connect(broker.url);
      const first = client.subscription("l/#", { qos: QoS.AtLeastOnce });
      // Another loop runs throughout: what nobody takes is held acknowledged, bounded.
      const other = client.subscription("z/#", { qos: QoS.AtLeastOnce });
      await Promise.all([first.granted, other.granted]);
      // More messages of a topic nobody iterates than the hold keeps (1,024).
      await client.subscribe("junk/#", { qos: QoS.AtLeastOnce });
      await publishAll(broker.url, "junk/x", range(1100));
      await publishAll(broker.url, "l/x", range(100));
      assert.deepEqual(await deadline(take(first, 5), 5000, "the first 5"), range(5));
      const next = client.subscription("l/#", { qos: QoS.AtLeastOnce });
      assert.deepEqual(await deadline(take(next, 95), 5000, "the other 95"), range(95, 5));
      assert.equal(next.dropped, 0);
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service v5: the client's own subscription identifiers skip those the caller chose",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ client_id: "unclaimed-ids", protocol_version: 5 });
    try {
      await client.connect(broker.url);
      const chosen = client.subscription("q/#", {
        qos: 1,
        properties: { subscriptionIdentifiers: [1] },
      });
      const own = client.subscription("q/+", { qos: QoS.AtLeastOnce });
      await Promise.all([chosen.granted, own.granted]);
      await publishAll(broker.url, "q/x", [...range(10), -1]);
      for (const [name, stream] of [["q/#", chosen], ["q/+", own]] as const) {
        const seen = await deadline(take(stream, 11), 5000, `${name}'s messages`);
        assert.deepEqual(seen, [...range(10), -1], name);
      }
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: loops started one after another get a resumed session's queue whole",
  async fn() {
    await using broker = await startMosquitto();
    // More than the hold keeps (1,024), queued while the service was down.
    await queueFor(broker.url, "unclaimed-late", "late/x", 1500);
    const client = new Client({ client_id: "unclaimed-late", clean_session: false });
    try {
      await client.connect(broker.url);
      const first = client.subscription("early/#", { qos: QoS.AtLeastOnce });
      await first.granted;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const late = client.subscription("late/#", { qos: QoS.AtLeastOnce });
      const seen = await deadline(take(late, 1500), 10_000, "the 1,500 queued");
      assert.deepEqual(seen.toSorted((a, b) => a - b), range(1500));
      assert.equal(late.dropped, 0);
      await first.return();
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: a hold made again after an iterator emptied one is claimed after its grace too",
  async fn() {
    await using broker = await startMosquitto({ extraConfig: WINDOW });
    const client = new Client({ client_id: "unclaimed-again" });
    try {
      await client.connect(broker.url);
      const a = client.subscription("a/#", { qos: QoS.AtLeastOnce });
      await a.granted;
      await client.subscribe(["b/#", "c/#"], { qos: QoS.AtLeastOnce });
      await publishAll(broker.url, "b/x", range(3));
      await new Promise((resolve) => setTimeout(resolve, 100)); // Held by now.
      // Takes everything held: that hold goes while its grace runs.
      const b = client.subscription("b/#", { qos: QoS.AtLeastOnce });
      await publishAll(broker.url, "c/x", range(30));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await publishAll(broker.url, "a/x", range(10));
      assert.deepEqual(await deadline(take(a, 10), 5000, "a's 10 behind c's 30"), range(10));
      await b.return();
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: a left loop's messages past the hold's capacity outlast the grace",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ client_id: "unclaimed-outlast" });
    try {
      await client.connect(broker.url);
      const other = client.subscription("o/#", { qos: QoS.AtLeastOnce });
      const first = client.subscription("x/#", { qos: QoS.AtLeastOnce, capacity: 3000 });
      await Promise.all([other.granted, first.granted]);
      await publishAll(broker.url, "x/1", range(1500));
      assert.deepEqual(await deadline(take(first, 1), 5000, "the first"), [0]);
      // A restart after a back-off longer than the grace (1 s).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const next = client.subscription("x/#", { qos: QoS.AtLeastOnce, capacity: 3000 });
      const seen = await deadline(take(next, 1499), 5000, "the 1,499 left");
      assert.deepEqual(seen, range(1499, 1));
      assert.equal(next.dropped, 0);
      await other.return();
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service v5: a resumed session's earlier plain subscription does not double an iterator's",
  async fn() {
    await using broker = await startMosquitto();
    const options = { client_id: "unclaimed-resumed", protocol_version: 5 as const };
    const session = { clean_session: false, session_expiry_interval: 60 };
    // An earlier run's plain subscription, which the broker keeps with the session.
    const earlier = new Client(options);
    await earlier.connect(broker.url, session);
    await earlier.subscribe("r/#", { qos: QoS.AtLeastOnce });
    await earlier.end();
    const client = new Client(options);
    try {
      await client.connect(broker.url, session);
      const stream = client.subscription("r/b", { qos: QoS.AtLeastOnce });
      await stream.granted;
      await publishAll(broker.url, "r/b", [...range(5), -1]);
      // The first copy may come before any with identifiers (see Consumers); none after it.
      const seen = await deadline(take(stream, 6), 5000, "r/b's messages");
      assert.deepEqual(seen.slice(1).filter((n, i, all) => all.indexOf(n) !== i), [], `${seen}`);
      assert.ok(seen.filter((n) => n === 1).length === 1, `${seen}`);
    } finally {
      await client.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: the grace of a hold made after an iterator emptied one starts with it",
  async fn() {
    await using broker = await startMosquitto({ extraConfig: WINDOW });
    const client = new Client({ client_id: "unclaimed-fresh-grace" });
    try {
      await client.connect(broker.url);
      const a = client.subscription("a/#", { qos: QoS.AtLeastOnce });
      await a.granted;
      await client.subscribe(["b/#", "c/#"], { qos: QoS.AtLeastOnce });
      await publishAll(broker.url, "b/x", [0]);
      await new Promise((resolve) => setTimeout(resolve, 500)); // Held, its grace half gone.
      const b = client.subscription("b/#", { qos: QoS.AtLeastOnce }); // Empties the hold.
      await b.granted;
      const publishing = publishAll(broker.url, "c/x", range(1500));
      await new Promise((resolve) => setTimeout(resolve, 800));
      const c = client.subscription("c/#", { qos: QoS.AtLeastOnce, capacity: 3000 });
      await publishing;
      const seen = await deadline(take(c, 1500), 10_000, "c's 1,500");
      assert.deepEqual(seen, range(1500));
      assert.equal(c.dropped, 0);
      await Promise.all([a.return(), b.return()]);
    } finally {
      await client.end();
    }
  },
});
