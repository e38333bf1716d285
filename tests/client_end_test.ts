// end() against a real mosquitto while QoS 2 acknowledgements are lost on the way back: the client
// must still say DISCONNECT after its bounded wait, so the broker does not publish the will. A
// loopback proxy between client and broker sees every packet the client sends and can drop what
// the broker answers.
import assert from "node:assert/strict";
import { Decoder } from "../codec/mod.ts";
import type { Packet } from "../codec/packets.ts";
import { Client, MqttClosedError, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { deadline, signal, until } from "./fixtures/wait.ts";

const text = new TextDecoder();

/** A one-connection TCP proxy that decodes the client's packets and can mute the broker. */
function startProxy(upstreamPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sent: Packet[] = [];
  const state = { muted: false, dropped: 0 };
  const upstream = Promise.withResolvers<Deno.TcpConn>();
  const done = (async () => {
    const client = await listener.accept();
    listener.close();
    const broker = await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
    upstream.resolve(broker);
    const decoder = new Decoder();
    const up = (async () => {
      const buffer = new Uint8Array(16 * 1024);
      try {
        for (let n; (n = await client.read(buffer)) !== null;) {
          const chunk = buffer.slice(0, n);
          decoder.feed(chunk);
          for (let p; (p = decoder.next()) !== undefined;) sent.push(p);
          await broker.write(chunk);
        }
      } catch { /* either side closed */ }
      try {
        broker.close();
      } catch { /* already closed */ }
    })();
    const down = (async () => {
      const buffer = new Uint8Array(16 * 1024);
      try {
        for (let n; (n = await broker.read(buffer)) !== null;) {
          if (state.muted) state.dropped += n;
          else await client.write(buffer.slice(0, n));
        }
      } catch { /* either side closed */ }
      try {
        client.close();
      } catch { /* already closed */ }
    })();
    await Promise.all([up, down]);
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  /** Hangs up on the broker without a word, as a crashed client would. */
  const kill = async () => (await upstream.promise).close();
  return { url: `mqtt://127.0.0.1:${port}`, sent, state, done, kill };
}

for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `end() v${version}: unacknowledged QoS 2 still ends with DISCONNECT, and no will`,
    async fn() {
      await using broker = await startMosquitto();
      const watcher = new Client({ protocol_version: version, client_id: `watcher-v${version}` });
      const received: string[] = [];
      const sentinel = signal();
      watcher.on("message", (_topic, payload) => {
        const body = text.decode(payload);
        received.push(body);
        if (body === "sentinel") sentinel.resolve();
      });
      await watcher.connect(broker.url);
      await watcher.subscribe("wills/#", { qos: QoS.AtLeastOnce });

      const proxy = startProxy(broker.port);
      const subject = new Client({
        protocol_version: version,
        client_id: `subject-v${version}`,
        will: { topic: "wills/subject", payload: "will", qos: QoS.AtLeastOnce },
        connect_timeout: 300,
        reconnect: false,
      });
      try {
        await subject.connect(proxy.url);
        proxy.state.muted = true; // PUBREC never reaches the client.
        const publishing = subject.publishAsync("data", "x", { qos: QoS.ExactlyOnce })
          .catch((e) => e);
        await until(() => proxy.state.dropped > 0, 5000, "the broker's PUBREC");
        await deadline(subject.end(), 5000, "end() with an unacknowledged QoS 2 publication");
        const outcome = await publishing;
        assert.ok(outcome instanceof MqttClosedError, String(outcome));
        await deadline(proxy.done, 5000, "the proxy's connections closing");
        assert.deepEqual(
          proxy.sent.map((p) => p.type),
          ["connect", "publish", "disconnect"],
          "the client's packets",
        );
        // The subject's socket is closed: had the broker not seen DISCONNECT, the will would be
        // published by now; the sentinel published after it arrives after any will.
        await watcher.publish("wills/sentinel", "sentinel", { qos: QoS.AtLeastOnce });
        await sentinel.wait(5000, "the sentinel");
        assert.deepEqual(received, ["sentinel"], "no will published");
      } finally {
        await subject.end();
        await watcher.end();
      }
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "end() control: a connection dropped without DISCONNECT does publish the will",
  async fn() {
    await using broker = await startMosquitto();
    const watcher = new Client({ client_id: "watcher-control" });
    const will = signal<string>();
    watcher.on("message", (_topic, payload) => will.resolve(text.decode(payload)));
    await watcher.connect(broker.url);
    await watcher.subscribe("wills/#", { qos: QoS.AtLeastOnce });
    const proxy = startProxy(broker.port);
    const subject = new Client({
      client_id: "subject-control",
      will: { topic: "wills/subject", payload: "will", qos: QoS.AtLeastOnce },
      reconnect: false,
    });
    try {
      await subject.connect(proxy.url);
      await proxy.kill();
      assert.equal(await will.wait(5000, "the will"), "will");
      await deadline(proxy.done, 5000, "the proxy's connections closing");
      assert.ok(!proxy.sent.some((p) => p.type === "disconnect"));
      await deadline(subject.idle(), 5000, "the subject noticing the loss");
    } finally {
      await subject.end();
      await watcher.end();
    }
  },
});
