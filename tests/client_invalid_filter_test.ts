// A topic filter the protocol forbids, given while the client is still connecting: the call
// fails, and the connection, whose CONNACK sends what was queued, lives on. The filter was once
// checked only as its SUBSCRIBE was encoded, in the middle of the CONNACK's handling: every
// connection then failed and the client reconnected forever.
import assert from "node:assert/strict";
import { Client, type MqttCloseEvent } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";

Deno.test({
  ...needsMosquitto,
  name: "client: a misplaced wildcard throws at the call, even while connecting",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client();
    const closes: MqttCloseEvent[] = [];
    client.addEventListener("close", (e) => closes.push(e as MqttCloseEvent));
    const connecting = client.connectAsync(broker.url);
    assert.throws(() => client.subscribeAsync("a/#/b"), {
      name: "TypeError",
      message: /'#' must be the last character of "a\/#\/b"/,
    });
    assert.throws(() => client.unsubscribeAsync("a/b+"), {
      name: "TypeError",
      message: /'\+' must occupy a whole level/,
    });
    await connecting;
    assert.deepEqual(await client.subscribeAsync("ok/+"), [0]);
    assert.equal(client.connected, true);
    await client.endAsync();
    assert.equal(closes.filter((e) => e.info.error !== undefined).length, 0);
  },
});

Deno.test({
  ...needsMosquitto,
  name: "client: an MQTT 5 shared subscription without a name fails its call, not the connection",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ protocol_version: 5 });
    let lost = 0;
    client.on("close", (info) => void (info.error === undefined ? 0 : lost++));
    const connecting = client.connectAsync(broker.url);
    // Checked once the version is known: as the queued SUBSCRIBE goes out after the CONNACK.
    const refused = client.subscribeAsync("$share//x");
    await assert.rejects(refused, {
      name: "MQTTError",
      code: "invalid",
      method: "subscribe",
      message: /invalid share name/,
    });
    await connecting;
    assert.deepEqual(await client.subscribeAsync("$share/g/ok"), [0]);
    assert.equal(client.connected, true);
    await client.endAsync();
    assert.equal(lost, 0);
  },
});
