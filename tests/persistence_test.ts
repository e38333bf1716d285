// Persistent sessions across a broker restart: mosquitto with persistence on is restarted while
// 10,000 QoS 1 or QoS 2 messages flow between two clients with fixed identifiers and persistent
// sessions. None may be lost; at QoS 2 none may be delivered twice.
import assert from "node:assert/strict";
import { Client, type ClientOptions, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { deadline, signal, until } from "./fixtures/wait.ts";

const COUNT = 10_000;
const RECONNECT = { initial_delay: 20, max_delay: 200, jitter: false } as const;

for (
  const [qos, version] of [
    [QoS.AtLeastOnce, 4],
    [QoS.AtLeastOnce, 5],
    [QoS.ExactlyOnce, 4],
    [QoS.ExactlyOnce, 5],
  ] as const
) {
  const session: ClientOptions = version === 4
    ? { protocol_version: 4, clean_session: false }
    : { protocol_version: 5, clean_start: false, session_expiry_interval: 600 };
  Deno.test({
    ...needsMosquitto,
    name:
      `persistence v${version}: mosquitto restarted amid ${COUNT} QoS ${qos} messages loses none${
        qos === QoS.ExactlyOnce ? " and repeats none" : ""
      }`,
    async fn() {
      await using broker = await startMosquitto({ persistence: true });
      const topic = `persist/v${version}/q${qos}`;
      const subscriber = new Client({
        client_id: `persist-sub-v${version}-q${qos}`,
        reconnect: RECONNECT,
        ...session,
      });
      const publisher = new Client({
        client_id: `persist-pub-v${version}-q${qos}`,
        reconnect: RECONNECT,
        ...session,
      });
      const times = new Uint16Array(COUNT);
      let distinct = 0;
      let deliveries = 0;
      let redelivered = 0;
      let reconnects = 0;
      let restart: Promise<void> | undefined;
      const end = signal();
      subscriber.on("message", (_topic, payload, info) => {
        const body = new TextDecoder().decode(payload);
        if (body === "end") return end.resolve();
        const seq = Number(body);
        deliveries++;
        if (info.dup) redelivered++;
        if (times[seq]++ === 0 && ++distinct === COUNT / 4) {
          // Restart while messages flow both into and out of the broker: in-flight state on
          // both sides of it must survive.
          restart = broker.restart();
        }
      });
      subscriber.on("connect", () => reconnects++);
      try {
        const first = await subscriber.connect(broker.url);
        assert.equal(first.sessionPresent, false);
        await subscriber.subscribe(topic, { qos });
        await publisher.connect(broker.url);

        let acked = 0;
        const acks: Promise<void>[] = [];
        for (let i = 0; i < COUNT; i++) {
          acks.push(publisher.publish(topic, String(i), { qos }).then(() => void acked++));
          if (i % 1000 === 999) await new Promise((resolve) => setTimeout(resolve, 0));
        }
        await deadline(Promise.all(acks), 60_000, `acknowledgements (${acked}/${COUNT})`);
        assert.ok(restart, "the broker was restarted");
        await restart;
        await publisher.publish(topic, "end", { qos });
        await end.wait(60_000, `"end" after ${distinct}/${COUNT} distinct messages`);
        await until(() => distinct === COUNT, 1000, () => `${distinct}/${COUNT} distinct`);

        assert.equal(distinct, COUNT, "no message lost");
        assert.ok(reconnects >= 2, "the subscriber reconnected");
        if (qos === QoS.ExactlyOnce) {
          assert.equal(deliveries, COUNT, `no message delivered twice (${redelivered} had DUP)`);
        } else {
          assert.ok(deliveries >= COUNT);
        }
      } finally {
        await publisher.end();
        await subscriber.end();
      }
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "persistence v4: a persistent session resumes with sessionPresent and queued messages",
  async fn() {
    await using broker = await startMosquitto({ persistence: true });
    const options = { client_id: "resume-sub", clean_session: false, protocol_version: 4 } as const;
    const first = new Client(options);
    assert.equal((await first.connect(broker.url)).sessionPresent, false);
    await first.subscribe("resume/#", { qos: QoS.AtLeastOnce });
    await first.end();

    const publisher = new Client();
    await publisher.connect(broker.url);
    for (let i = 0; i < 100; i++) await publisher.publish(`resume/${i}`, String(i), { qos: 1 });
    await publisher.end();
    await broker.restart();

    const second = new Client(options);
    const received: number[] = [];
    const all = signal();
    second.on("message", (_t, payload) => {
      received.push(Number(new TextDecoder().decode(payload)));
      if (received.length === 100) all.resolve();
    });
    try {
      const info = await second.connect(broker.url);
      assert.equal(info.sessionPresent, true, "the session survived the restart");
      await all.wait(10_000, `queued messages (${received.length}/100)`);
      assert.deepEqual(received, Array.from({ length: 100 }, (_, i) => i));
    } finally {
      await second.end();
    }
  },
});
