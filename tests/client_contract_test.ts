// The Client against the xk6-mqtt contract (grafana/xk6-mqtt index.d.ts and the k6 Client
// reference): names, options and their defaults, events and their handler arguments, QoS, the
// `connected` property, the MQTTError shape, and behaviours, checked against a real mosquitto
// (and, for the exact CONNECT fields, the fake broker). Where mqload deliberately differs, the
// test asserts the documented difference and says so.
import assert from "node:assert/strict";
import type { ConnectPacket } from "../codec/packets.ts";
import { Client, MqttConnectError, MqttError, QoS } from "../mod.ts";
import { startFakeBroker } from "./fixtures/fake_broker.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { deadline, signal } from "./fixtures/wait.ts";

const text = new TextDecoder();
const bytes = (s: string) => new TextEncoder().encode(s);

/** Resolves with the next `count` messages the client receives through its `on` handler. */
function messages(client: Client, count: number): Promise<Array<[string, ArrayBuffer]>> {
  const got: Array<[string, ArrayBuffer]> = [];
  const done = signal<Array<[string, ArrayBuffer]>>();
  client.on("message", (topic, payload) => {
    got.push([topic, payload]);
    if (got.length === count) done.resolve(got);
  });
  return done.wait(5000, `${count} message(s)`);
}

Deno.test("contract: QoS enum and the Client's method names", () => {
  assert.equal(QoS.AtMostOnce, 0);
  assert.equal(QoS.AtLeastOnce, 1);
  assert.equal(QoS.ExactlyOnce, 2);
  const client = new Client();
  for (
    const name of [
      "connect",
      "connectAsync",
      "reconnect",
      "reconnectAsync",
      "subscribe",
      "subscribeAsync",
      "unsubscribe",
      "unsubscribeAsync",
      "publish",
      "publishAsync",
      "end",
      "endAsync",
      "on",
    ] as const
  ) {
    assert.equal(typeof client[name], "function", name);
  }
  // `connected` is read-only, as in xk6-mqtt.
  assert.equal(client.connected, false);
  assert.throws(() => {
    (client as unknown as { connected: boolean }).connected = true;
  }, TypeError);
  assert.equal(client.connected, false);
});

Deno.test("contract: CONNECT defaults: empty client id, clean session, keepalive 60, MQTT 3.1.1", async () => {
  await using broker = startFakeBroker();
  const client = new Client();
  await client.connect(broker.url);
  const connection = await broker.nextConnection();
  const connect = await connection.next("connect") as ConnectPacket;
  assert.equal(connect.protocolVersion, 4);
  assert.equal(connect.clientId, "", "no client_id: the broker assigns one");
  assert.equal(connect.cleanStart, true);
  assert.equal(connect.keepalive, 60);
  assert.equal(connect.username, undefined);
  assert.equal(connect.will, undefined);
  await client.end();
});

Deno.test("contract: constructor options reach the CONNECT (client_id, clientId, credentials, will)", async () => {
  await using broker = startFakeBroker();
  const withWill = new Client({
    client_id: "c-1",
    username: "user",
    password: "secret",
    will: { topic: "status/c-1", payload: "gone", qos: QoS.AtLeastOnce, retain: true },
    tags: { fleet: "a" },
  });
  await withWill.connect(broker.url, { keepalive: 15, clean_session: false });
  const connect = await (await broker.nextConnection()).next("connect") as ConnectPacket;
  assert.equal(connect.clientId, "c-1");
  assert.equal(connect.username, "user");
  assert.equal(text.decode(connect.password), "secret");
  assert.equal(connect.keepalive, 15);
  assert.equal(connect.cleanStart, false);
  assert.equal(connect.will?.topic, "status/c-1");
  assert.equal(text.decode(connect.will?.payload), "gone");
  assert.equal(connect.will?.qos, 1);
  assert.equal(connect.will?.retain, true);
  await withWill.end();

  // index.d.ts spells it clientId; the reference and Go code client_id: both work.
  const camel = new Client({ clientId: "c-2" });
  await camel.connect(broker.url);
  const second = await (await broker.nextConnection()).next("connect") as ConnectPacket;
  assert.equal(second.clientId, "c-2");
  await camel.end();

  // credentials_provider wins over username/password, and is asked on every connect.
  let asked = 0;
  const provided = new Client({
    username: "static",
    password: "static",
    credentials_provider: () => ({ username: "dynamic", password: `token-${++asked}` }),
  });
  await provided.connect(broker.url);
  const third = await (await broker.nextConnection()).next("connect") as ConnectPacket;
  assert.equal(third.username, "dynamic");
  assert.equal(text.decode(third.password), "token-1");
  await provided.reconnect();
  const fourth = await (await broker.nextConnection()).next("connect") as ConnectPacket;
  assert.equal(text.decode(fourth.password), "token-2");
  await provided.end();
});

Deno.test({
  ...needsMosquitto,
  name: "contract: the Client's behaviours against mosquitto",
  async fn(t) {
    await using broker = await startMosquitto();

    await t.step("connect(url) fires connect; connected follows; end fires end", async () => {
      const client = new Client();
      const events: string[] = [];
      client.on("connect", () => events.push("connect"));
      client.on("end", (...args: unknown[]) => events.push(`end(${args.length})`));
      assert.equal(client.connected, false);
      await client.connect(broker.url);
      assert.equal(client.connected, true);
      await client.end();
      assert.equal(client.connected, false);
      assert.deepEqual(events, ["connect", "end(0)"]);
    });

    await t.step("connect() takes options alone, with the brokers in servers", async () => {
      const client = new Client();
      await client.connect({ servers: [broker.url], keepalive: 20 });
      assert.equal(client.connected, true);
      await client.end();
      // With no argument at all, connect() uses the constructor's servers.
      const configured = new Client({ servers: ["mqtt://127.0.0.1:1", broker.url] });
      const info = await configured.connect();
      assert.equal(info.url, broker.url, "the first server refuses, the second accepts");
      await configured.end();
    });

    await t.step("a broker URL without a scheme is mqtt://", async () => {
      const client = new Client();
      const info = await client.connect(`127.0.0.1:${broker.port}`);
      assert.equal(info.url, `mqtt://127.0.0.1:${broker.port}`);
      await client.end();
    });

    await t.step("connect() with no URL and no servers throws a TypeError", () => {
      const client = new Client();
      assert.throws(() => client.connect(), { name: "TypeError", message: /no broker URL/ });
      assert.throws(() => client.connect({ keepalive: 5 }), TypeError);
    });

    await t.step("subscribe() takes a topic, an array of topics, or topic → options", async () => {
      const client = new Client();
      await client.connect(broker.url);
      assert.deepEqual(await client.subscribe("one", { qos: QoS.AtLeastOnce }), [1]);
      assert.deepEqual(await client.subscribe(["two", "three"], { qos: QoS.ExactlyOnce }), [2, 2]);
      assert.deepEqual(
        await client.subscribe({ four: { qos: QoS.AtMostOnce }, five: { qos: QoS.AtLeastOnce } }),
        [0, 1],
      );
      const got = messages(client, 5);
      for (const topic of ["one", "two", "three", "four", "five"]) {
        await client.publish(topic, topic, { qos: QoS.AtLeastOnce });
      }
      const received = await got;
      assert.deepEqual(received.map(([topic]) => topic).sort(), [
        "five",
        "four",
        "one",
        "three",
        "two",
      ]);
      for (const [topic, payload] of received) assert.equal(text.decode(payload), topic);
      await client.end();
    });

    await t.step(
      "publish() takes a string or an ArrayBuffer; message gives an ArrayBuffer",
      async () => {
        const client = new Client();
        await client.connect(broker.url);
        await client.subscribe("payloads");
        const got = messages(client, 3);
        await client.publish("payloads", "text é");
        await client.publish("payloads", bytes("buffer").buffer as ArrayBuffer);
        await client.publish("payloads", bytes("view")); // Beyond xk6-mqtt: a Uint8Array too.
        const received = await got;
        for (const [topic, payload] of received) {
          assert.equal(topic, "payloads");
          assert.ok(payload instanceof ArrayBuffer);
        }
        assert.deepEqual(received.map(([, p]) => text.decode(p)), ["text é", "buffer", "view"]);
        await client.end();
      },
    );

    await t.step("publish() with retain keeps the message for later subscribers", async () => {
      const publisher = new Client();
      await publisher.connect(broker.url);
      await publisher.publish("retained", "kept", { qos: QoS.AtLeastOnce, retain: true });
      await publisher.end();
      const subscriber = new Client();
      await subscriber.connect(broker.url);
      const got = messages(subscriber, 1);
      await subscriber.subscribe("retained");
      assert.equal(text.decode((await got)[0][1]), "kept");
      await subscriber.publish("retained", "", { retain: true }); // Clear it.
      await subscriber.end();
    });

    await t.step("on() keeps one handler per event: a second one replaces the first", async () => {
      const client = new Client();
      const calls: string[] = [];
      client.on("message", () => calls.push("first"));
      client.on("message", () => calls.push("second"));
      client.on("connect", () => calls.push("connect"));
      await client.connect(broker.url);
      await client.subscribe("replace");
      const done = signal();
      client.on("end", () => done.resolve());
      const arrived = signal();
      client.on("message", () => {
        calls.push("third");
        arrived.resolve();
      });
      await client.publish("replace", "x");
      await arrived.wait(5000, "the message");
      client.end();
      await done.wait(5000, "end");
      assert.deepEqual(calls, ["connect", "third"]);
    });

    await t.step("unsubscribe() stops delivery (one topic or an array)", async () => {
      const client = new Client();
      await client.connect(broker.url);
      await client.subscribe(["u1", "u2", "u3"]);
      await client.unsubscribe("u1");
      await client.unsubscribeAsync(["u2"]);
      const got = messages(client, 1);
      await client.publish("u1", "1", { qos: 1 });
      await client.publish("u2", "2", { qos: 1 });
      await client.publish("u3", "3", { qos: 1 });
      assert.deepEqual((await got).map(([topic]) => topic), ["u3"]);
      await client.end();
    });

    await t.step("reconnect() fires reconnect, then connect, with the same settings", async () => {
      const client = new Client({ client_id: "again" });
      const events: string[] = [];
      client.on("connect", () => events.push("connect"));
      client.on("reconnect", () => events.push("reconnect"));
      await client.connect(broker.url);
      const info = await client.reconnect();
      assert.equal(info.clientId, "again");
      assert.equal(client.connected, true);
      assert.deepEqual(events, ["connect", "reconnect", "connect"]);
      await client.end();
    });

    await t.step(
      "errors are MQTTError with message and method; error handler gets them",
      async () => {
        const client = new Client();
        const reported = signal<MqttError>();
        client.on("error", (error) => reported.resolve(error));
        // Not connected: the sync-named call reports to the error handler (rejection handled).
        client.publish("t", "x");
        const error = await reported.wait(5000, "the error event");
        assert.ok(error instanceof MqttError);
        assert.ok(error instanceof Error);
        assert.equal(error.name, "MQTTError");
        assert.equal(error.method, "publish");
        assert.equal(error.code, "closed");
        assert.match(error.message, /not connected/);
        // The *Async twin rejects instead, with the same shape.
        await assert.rejects(client.subscribeAsync("t"), {
          name: "MQTTError",
          method: "subscribe",
        });
      },
    );

    await t.step("end() on a client never connected fires end, as xk6-mqtt", async () => {
      const calls: string[] = [];
      const client = new Client({
        metrics: { add: (name, _value, tags) => calls.push(`${name} ${tags.method}`) },
      });
      let ended = 0;
      client.on("end", () => ended++);
      await client.end();
      await client.endAsync();
      assert.equal(ended, 2, "one end event per end() call");
      assert.deepEqual(calls, ["mqtt_calls end", "mqtt_calls end"]);
      assert.equal(client.connected, false);
    });
  },
});

Deno.test({
  ...needsMosquitto,
  name: "contract: a refusing broker gives MqttConnectError with code and reasonCode",
  async fn() {
    await using broker = await startMosquitto({ passwordFile: { alice: "wonderland" } });
    for (const version of [4, 5] as const) {
      const client = new Client({
        protocol_version: version,
        username: "alice",
        password: "wrong",
        reconnect: false,
      });
      const error = await deadline(
        client.connectAsync(broker.url).then(() => undefined, (e: unknown) => e),
        5000,
        "the refusal",
      );
      assert.ok(error instanceof MqttConnectError, String(error));
      assert.equal(error.name, "MQTTError");
      assert.equal(error.code, "refused");
      assert.equal(error.method, "connect");
      if (version === 4) assert.equal(error.reasonCode, 5);
      else assert.ok([0x86, 0x87].includes(error.reasonCode), String(error.reasonCode));
      assert.match(
        error.message,
        version === 4 ? /Bad user name or password|Not authorized/ : /0x8/,
      );
      assert.equal(client.connected, false);
      await client.end();
    }
  },
});
