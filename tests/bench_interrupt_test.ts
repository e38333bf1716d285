// Ctrl+C on `mqload bench pub -I 0` against mosquitto: a publisher that publishes as fast as its
// window allows stops at once, every Worker's last metrics are merged, and the summary's count
// is the broker's: what mosquitto received is what the bench published, plus (QoS 1) what was
// still in flight when it stopped.

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import {
  brokerFlags,
  explain,
  followReceived,
  interrupt,
  startBench,
  total,
} from "./_bench_helpers.ts";

for (const qos of [0, 1]) {
  Deno.test({
    name: `bench pub -I 0 -q ${qos} on 2 Workers: Ctrl+C stops it, with the broker's count`,
    ignore: needsMosquitto.ignore,
    async fn() {
      await using mosquitto = await startMosquitto({ extraConfig: "sys_interval 1" });
      await using received = await followReceived(mosquitto);
      const pub = startBench([
        "pub",
        ...brokerFlags(mosquitto.port),
        "-c",
        "4",
        "--workers",
        "2",
        "-I",
        "0",
        "-q",
        String(qos),
        "-s",
        "64",
        "-t",
        "bench/%i",
      ], 4);
      await pub.connected;
      await new Promise((r) => setTimeout(r, 2000));
      const r = await interrupt(pub);
      assert.equal(r.code, 0, explain(r));
      const published = total(r.stdout, "pub");
      assert.ok(published > 0, r.stdout);
      assert.equal(total(r.stdout, "pub_fail"), 0, r.stdout);
      // QoS 0 has no acknowledgement: a message written is a message published.
      const unacked = qos === 0 ? 0 : Math.max(0, total(r.stdout, "pub_unacked") || 0);
      assert.equal(published + unacked, await received.settled(), r.stdout);
    },
  });
}
