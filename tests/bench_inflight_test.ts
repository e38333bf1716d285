// `mqload bench pub -I 0 -F N` against mosquitto: emqtt-bench's max-throughput test keeps N QoS 1
// messages in flight, and those still in flight when Ctrl+C stops the bench are reported as
// such, not as failed publications.

import assert from "node:assert/strict";
import { Client } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";

Deno.test({
  name:
    "bench pub -I 0 -F 10 -q 1 keeps 10 in flight; Ctrl+C reports them as pub_unacked, not failed",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const pub = startBench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "1",
      "-I",
      "0",
      "-F",
      "10",
      "-q",
      "1",
      "-t",
      "inflight",
      "--duration",
      "20s",
    ], 1);
    const watcher = new Client({ client_id: "watcher" });
    let received = 0;
    watcher.on("message", () => received++);
    await watcher.connectAsync(mosquitto.url);
    await watcher.subscribeAsync("inflight", { qos: 1 });
    try {
      await pub.connected;
      await new Promise((r) => setTimeout(r, 300));
      // A broker that stops reading: the publisher fills its window of 10, then waits.
      const pid = mosquitto.pid!;
      Deno.kill(pid, "SIGSTOP");
      let before = 0;
      try {
        await new Promise((r) => setTimeout(r, 700));
        before = received;
        pub.kill("SIGINT");
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        Deno.kill(pid, "SIGCONT");
      }
      const r = await pub.done;
      assert.equal(r.code, 0, explain(r));
      assert.ok(total(r.stdout, "pub") > 0, r.stdout);
      // Stopped mid-flight: neither failures of the broker nor publications lost from view.
      assert.equal(total(r.stdout, "pub_fail"), 0, r.stdout);
      assert.equal(total(r.stdout, "pub_unacked"), 10, r.stdout);
      // The broker reads, once it runs again, the window the publisher had in flight.
      const deadline = Date.now() + 3000;
      while (received - before < 5 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 200));
      // Many at once, never more than -F (one at a time, it would be one).
      assert.ok(received - before >= 5 && received - before <= 10, `${received - before}`);
    } finally {
      await watcher.endAsync().catch(() => {});
    }
  },
});
