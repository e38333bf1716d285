// `mqload bench pub -I 0 -F N` against mosquitto: emqtt-bench's max-throughput test keeps N QoS 1
// messages in flight. Those in flight when Ctrl+C stops the bench are no failures: acknowledged
// while it stops, they count as published, so `pub` is what the broker took (never acknowledged,
// they would be `pub_unacked`: see bench_unacked_export_test.ts).

import assert from "node:assert/strict";
import { Client } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";

Deno.test({
  name: "bench pub -I 0 -F 10 -q 1 keeps 10 in flight; those acknowledged as Ctrl+C stops it count",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    // Subscribed before the bench starts: it sees every publication.
    const watcher = new Client({ client_id: "watcher" });
    let received = 0;
    watcher.on("message", () => received++);
    await watcher.connectAsync(mosquitto.url);
    await watcher.subscribeAsync("inflight", { qos: 1 });
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
      // Stopped mid-flight: no failures, and the window the broker took once it ran again is
      // published (the stop waits for it), none left unacknowledged.
      assert.equal(total(r.stdout, "pub_fail"), 0, r.stdout);
      assert.ok(Number.isNaN(total(r.stdout, "pub_unacked")), r.stdout);
      // The broker reads, once it runs again, the window the publisher had in flight.
      const deadline = Date.now() + 3000;
      while (received - before < 5 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 200));
      // Many at once, never more than -F (one at a time, it would be one).
      assert.ok(received - before >= 5 && received - before <= 10, `${received - before}`);
      // What the bench counts is what the broker took.
      assert.equal(total(r.stdout, "pub"), received, r.stdout);
    } finally {
      await watcher.endAsync().catch(() => {});
    }
  },
});
