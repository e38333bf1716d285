// Automatic reconnection against a real mosquitto that is killed and started again on the same
// port: backoff attempts are reported, and the subscriptions of a clean session are restored.
import assert from "node:assert/strict";
import { Client, type Clock, type CloseInfo, MqttError, QoS, type ReconnectInfo } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { signal, until } from "./fixtures/wait.ts";

/** The system clock, recording every delay the client asks for. */
function recordingClock(delays: number[]): Clock {
  return {
    now: () => performance.timeOrigin + performance.now(),
    setTimeout: (callback, ms) => {
      delays.push(ms);
      return setTimeout(callback, ms);
    },
    clearTimeout: (id) => clearTimeout(id as number),
  };
}

for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name:
      `reconnect v${version}: broker killed and restarted; backoff attempts; subscriptions restored`,
    async fn() {
      await using broker = await startMosquitto();
      const delays: number[] = [];
      const client = new Client({
        client_id: `reconnecting-v${version}`,
        protocol_version: version,
        connect_timeout: 3000,
        keepalive: 30,
        reconnect: { initial_delay: 25, max_delay: 200, multiplier: 2, jitter: false },
        clock: recordingClock(delays),
      });
      const attempts: ReconnectInfo[] = [];
      const closes: CloseInfo[] = [];
      let connects = 0;
      client.on("reconnect", (info) => attempts.push(info));
      client.on("close", (info) => closes.push(info));
      client.on("connect", () => connects++);
      const messages: string[] = [];
      const got = signal();
      client.on("message", (topic, payload) => {
        messages.push(`${topic}=${new TextDecoder().decode(payload)}`);
        got.resolve();
      });
      const other = new Client({ protocol_version: version });
      try {
        await client.connect(broker.url);
        await client.subscribe("restored/#", { qos: QoS.AtLeastOnce });
        assert.equal(connects, 1);

        await broker.kill("SIGKILL");
        // While the broker is down every attempt fails; wait for several of them.
        await until(() => attempts.length >= 4, 10_000, () => `4 attempts, saw ${attempts.length}`);
        assert.equal(client.connected, false);
        assert.equal(closes.length, 1);
        assert.equal(closes[0].reconnecting, true);
        assert.deepEqual(attempts.slice(0, 4).map((a) => a.attempt), [1, 2, 3, 4]);
        for (const attempt of attempts.slice(1)) {
          assert.ok(attempt.error, `attempt ${attempt.attempt} says why the previous one failed`);
        }
        // Exponential backoff: the small delays the client scheduled double up to max_delay.
        const backoff = delays.filter((ms) => ms > 0 && ms <= 200);
        assert.ok(backoff.length >= 3, `backoff delays ${backoff}`);
        for (let i = 1; i < backoff.length; i++) {
          assert.equal(backoff[i], Math.min(200, backoff[i - 1] * 2), `delays ${backoff}`);
        }

        await broker.restart();
        await until(() => client.connected, 10_000, "reconnection after the restart");
        assert.equal(connects, 2);
        // The broker lost the clean session; the client must have subscribed again.
        await other.connect(broker.url);
        await other.publish("restored/x", "back", { qos: QoS.AtLeastOnce });
        await got.wait(5000, "message on the restored subscription");
        assert.deepEqual(messages, ["restored/x=back"]);
      } finally {
        await other.end();
        await client.end();
      }
      await client.idle();
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "reconnect: after max_attempts the client gives up: close, end and an error event",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({
      reconnect: { initial_delay: 10, max_delay: 20, jitter: false, max_attempts: 3 },
      connect_timeout: 2000,
    });
    const attempts: number[] = [];
    const closes: CloseInfo[] = [];
    const ended = signal();
    client.on("reconnect", (info) => attempts.push(info.attempt));
    client.on("close", (info) => closes.push(info));
    const errors: MqttError[] = [];
    client.on("end", () => ended.resolve());
    client.on("error", (error) => errors.push(error));
    await client.connect(broker.url);
    await broker.kill("SIGKILL");
    await ended.wait(10_000, "end after the last attempt");
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(closes.at(-1)?.reconnecting, false);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof MqttError);
    assert.equal(errors[0].code, "closed");
    assert.equal(client.connected, false);
    await client.idle();
    await client.end();
  },
});

Deno.test({
  ...needsMosquitto,
  name: "reconnect: publications made while the broker is down are sent after reconnection",
  async fn() {
    // The subscriber's persistent session (saved on SIGTERM) holds what arrives before it is back.
    await using broker = await startMosquitto({ persistence: true });
    const publisher = new Client({
      client_id: "queued-pub",
      reconnect: { initial_delay: 20, max_delay: 100, jitter: false },
    });
    const subscriber = new Client({
      client_id: "queued-sub",
      clean_session: false,
      reconnect: { initial_delay: 20, max_delay: 100, jitter: false },
    });
    const received: string[] = [];
    const all = signal();
    subscriber.on("message", (_t, payload) => {
      received.push(new TextDecoder().decode(payload));
      if (received.length === 10) all.resolve();
    });
    try {
      await publisher.connect(broker.url);
      await subscriber.connect(broker.url);
      await subscriber.subscribe("queued", { qos: QoS.AtLeastOnce });
      const closed = signal();
      publisher.on("close", () => closed.resolve());
      await broker.kill("SIGTERM");
      await closed.wait(5000, "publisher noticing the loss");
      const acks = Array.from(
        { length: 10 },
        (_, i) => publisher.publish("queued", String(i), { qos: QoS.AtLeastOnce }),
      );
      await broker.restart();
      await Promise.all(acks);
      await all.wait(10_000, `queued messages (${received.length}/10)`);
      assert.deepEqual(received, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    } finally {
      await publisher.end();
      await subscriber.end();
    }
  },
});
