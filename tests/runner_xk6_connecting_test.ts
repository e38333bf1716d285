// The `k6/x/mqtt` Client's `connecting` against mosquitto killed mid-connection: true while the
// client reconnects (its calls wait), false once it ends or gives up (its calls fail at once),
// and false from a blocking end() call on, as `connected` is: what tells a script's publisher
// that a client reconnecting will take more, and one ended will not.

import assert from "node:assert/strict";
import { Client } from "../runner/k6/mqtt.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { signal } from "./fixtures/wait.ts";

const BACKOFF = { initial_delay: 20, max_delay: 100, jitter: false };

for (const blocking of [false, true]) {
  Deno.test({
    ...needsMosquitto,
    name: `k6/x/mqtt connecting: reconnecting, then not from an ${
      blocking ? "end()" : "endAsync()"
    } call on`,
    async fn() {
      await using broker = await startMosquitto();
      const client = new Client({ reconnect: BACKOFF });
      const lost = signal();
      client.on("close", () => lost.resolve());
      assert.equal(client.connecting, false);
      const connecting = client.connectAsync(broker.url);
      assert.equal(client.connecting, true);
      await connecting;
      assert.equal(client.connecting, false);
      await broker.kill("SIGKILL");
      await lost.wait(5000, "the client noticing the loss");
      assert.equal(client.connected, false);
      assert.equal(client.connecting, true);
      const ending = blocking ? client.end() : client.endAsync();
      assert.equal(client.connecting, false);
      await ending;
      assert.equal(client.connecting, false);
      await assert.rejects(client.publishAsync("gone", "x", { qos: 1 }), { code: "closed" });
      await client.idle();
    },
  });
}

Deno.test({
  ...needsMosquitto,
  name: "k6/x/mqtt connecting: false once the client gave up reconnecting",
  async fn() {
    await using broker = await startMosquitto();
    const client = new Client({ reconnect: { ...BACKOFF, max_attempts: 2 } });
    const ended = signal();
    client.on("end", () => ended.resolve());
    client.on("error", () => {});
    await client.connectAsync(broker.url);
    await broker.kill("SIGKILL");
    await ended.wait(10_000, "end after the last attempt");
    assert.equal(client.connected, false);
    assert.equal(client.connecting, false);
    await client.idle();
  },
});
