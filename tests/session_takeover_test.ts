// Session takeover against mosquitto: a second client connecting with the same client id makes
// the broker drop the first one, and the first one's `close` event fires. mosquitto 2.0 closes
// the socket without a DISCONNECT even in MQTT 5; brokers that send DISCONNECT 0x8E (Session
// taken over) are covered by the scripted broker in fake_broker_faults_test.ts.
import assert from "node:assert/strict";
import { Client, type CloseInfo, MqttClosedError, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { signal } from "./fixtures/wait.ts";

for (const version of [4, 5] as const) {
  Deno.test({
    ...needsMosquitto,
    name: `takeover v${version}: the first client is dropped and close fires`,
    async fn() {
      await using broker = await startMosquitto();
      const id = `taken-v${version}`;
      const first = new Client({ client_id: id, protocol_version: version, reconnect: false });
      const second = new Client({ client_id: id, protocol_version: version, reconnect: false });
      const closed = signal<CloseInfo>();
      const errors: unknown[] = [];
      first.on("close", (info) => closed.resolve(info));
      first.on("error", (error) => errors.push(error));
      try {
        await first.connect(broker.url);
        await second.connect(broker.url);
        const info = await closed.wait(5000, "close of the client taken over");
        assert.equal(info.reconnecting, false);
        assert.ok(info.error instanceof MqttClosedError, String(info.error));
        assert.equal(info.error.code, "closed");
        if (info.reasonCode !== undefined) {
          assert.equal(info.reasonCode, 0x8e);
          assert.equal(info.error.reasonCode, 0x8e);
          assert.match(info.error.message, /0x8E/i);
          assert.match(info.error.message, /taken over/i);
        }
        assert.equal(first.connected, false);
        await assert.rejects(
          first.publishAsync("t", "x", { qos: QoS.AtLeastOnce }),
          MqttClosedError,
        );
        // The new owner of the id is unaffected.
        assert.equal(second.connected, true);
        await second.publish("t", "x", { qos: QoS.AtLeastOnce });
      } finally {
        await first.end();
        await second.end();
      }
      await first.idle();
    },
  });
}
