// The Client against mosquitto with a password file and an ACL: refusals surface as typed
// errors carrying the broker's return or reason code.
import assert from "node:assert/strict";
import { Client, MqttConnectError, MqttError, QoS } from "../mod.ts";
import { anonymousAcls, needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { signal } from "./fixtures/wait.ts";

const USERS = { alice: "wonderland", eve: "listening" };
const ACL = `user alice
topic readwrite #

user eve
topic readwrite public/#
`;

Deno.test({
  ...needsMosquitto,
  name: "mosquitto auth: right password connects, wrong one is refused with code 5 / 0x86-0x87",
  async fn() {
    await using broker = await startMosquitto({ passwordFile: USERS });
    for (const version of [4, 5] as const) {
      const good = new Client({
        protocol_version: version,
        username: "alice",
        password: "wonderland",
      });
      try {
        const info = await good.connect(broker.url);
        assert.equal(info.sessionPresent, false);
        assert.equal(good.connected, true);
      } finally {
        await good.end();
      }

      for (const credentials of [{ username: "alice", password: "wrong" }, {}]) {
        const bad = new Client({ protocol_version: version, reconnect: false, ...credentials });
        let events = 0;
        bad.on("error", () => events++);
        const error = await bad.connect(broker.url).then(
          () => assert.fail("connect must be refused"),
          (e: unknown) => e,
        );
        assert.ok(error instanceof MqttConnectError, String(error));
        assert.ok(error instanceof MqttError);
        assert.equal(error.name, "MQTTError");
        assert.equal(error.code, "refused");
        assert.equal(error.method, "connect");
        if (version === 4) assert.equal(error.reasonCode, 5, error.message);
        else assert.ok([0x86, 0x87].includes(error.reasonCode), `v5 reason ${error.reasonCode}`);
        assert.equal(bad.connected, false);
        assert.equal(events, 0, "an awaited connect() reports its failure once: by its promise");
        await bad.end();
        await bad.idle();
      }
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto auth: credentials_provider is asked on connect",
  async fn() {
    await using broker = await startMosquitto({ passwordFile: USERS });
    let calls = 0;
    const client = new Client({
      protocol_version: 5,
      credentials_provider: () => {
        calls++;
        return Promise.resolve({ username: "eve", password: "listening" });
      },
    });
    try {
      await client.connect(broker.url);
      assert.equal(calls, 1);
    } finally {
      await client.end();
    }
  },
});

// mosquitto 2.0 with an acl_file grants every SUBSCRIBE (it filters at delivery), so refused
// subscriptions come from the dynamic-security plugin; anonymous clients get the role below.
const DYNSEC = anonymousAcls([
  { acltype: "subscribePattern", topic: "secret/#", priority: 0, allow: false },
  { acltype: "publishClientSend", topic: "secret/#", priority: 0, allow: false },
]);

for (const [version, failure] of [[4, 0x80], [5, 0x87]] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `mosquitto ACL v${version}: a refused filter rejects subscribe with 0x${
      failure.toString(16)
    }`,
    async fn() {
      await using broker = await startMosquitto({ dynamicSecurity: DYNSEC });
      const client = new Client({ protocol_version: version });
      try {
        await client.connect(broker.url);
        let events = 0;
        client.on("error", () => events++);
        const error = await client.subscribeAsync(["public/a", "secret/b"], {
          qos: QoS.ExactlyOnce,
        })
          .then(() => assert.fail("subscription must be refused"), (e: unknown) => e);
        assert.ok(error instanceof MqttError, String(error));
        assert.equal(error.code, "refused");
        assert.equal(error.reasonCode, failure);
        assert.equal(error.method, "subscribe");
        assert.equal(events, 0, "subscribeAsync reports through its promise only");
        // The sync-named form rejects too; it fires `error` only when nobody awaits it.
        const awaited = await client.subscribe("secret/c").then(() => undefined, (e) => e);
        assert.ok(awaited instanceof MqttError);
        assert.equal(events, 0);
        const reported = new Promise((resolve) => client.on("error", resolve));
        client.subscribe("secret/d");
        assert.equal(((await reported) as MqttError).reasonCode, failure);
        assert.deepEqual(await client.subscribeAsync("public/#", { qos: QoS.AtLeastOnce }), [1]);
        assert.equal(client.connected, true, "a refusal does not cost the connection");
      } finally {
        await client.end();
      }
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "mosquitto ACL v5: a denied QoS 1 PUBLISH rejects with PUBACK 0x87 and is not delivered",
  async fn() {
    await using broker = await startMosquitto({ passwordFile: USERS, acl: ACL });
    const alice = new Client({ protocol_version: 5, username: "alice", password: "wonderland" });
    const eve = new Client({ protocol_version: 5, username: "eve", password: "listening" });
    try {
      await alice.connect(broker.url);
      await eve.connect(broker.url);
      const topics: string[] = [];
      const marker = signal();
      alice.on(
        "message",
        (topic) => topic === "public/marker" ? marker.resolve() : topics.push(topic),
      );
      await alice.subscribe(["secret/#", "public/#"], { qos: QoS.AtLeastOnce });

      const error = await eve.publishAsync("secret/plans", "x", { qos: QoS.AtLeastOnce }).then(
        () => assert.fail("publish must be refused"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof MqttError, String(error));
      assert.equal(error.reasonCode, 0x87);
      assert.equal(error.method, "publish");
      await eve.publish("public/marker", "x", { qos: QoS.AtLeastOnce });
      await marker.wait(5000, "marker from eve");
      assert.deepEqual(topics, []);
      assert.equal(eve.connected, true);
    } finally {
      await eve.end();
      await alice.end();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "mosquitto ACL v3.1.1: a denied QoS 1 PUBLISH is acknowledged and dropped",
  async fn() {
    await using broker = await startMosquitto({ passwordFile: USERS, acl: ACL });
    const alice = new Client({ protocol_version: 4, username: "alice", password: "wonderland" });
    const eve = new Client({ protocol_version: 4, username: "eve", password: "listening" });
    try {
      await alice.connect(broker.url);
      await eve.connect(broker.url);
      const topics: string[] = [];
      const marker = signal();
      alice.on(
        "message",
        (topic) => topic === "public/marker" ? marker.resolve() : topics.push(topic),
      );
      await alice.subscribe(["secret/#", "public/#"], { qos: QoS.AtLeastOnce });
      // MQTT 3.1.1 PUBACK has no reason code: the publication resolves, nothing is delivered.
      await eve.publish("secret/plans", "x", { qos: QoS.AtLeastOnce });
      await eve.publish("public/marker", "x", { qos: QoS.AtLeastOnce });
      await marker.wait(5000, "marker from eve");
      assert.deepEqual(topics, []);
    } finally {
      await eve.end();
      await alice.end();
    }
  },
});
