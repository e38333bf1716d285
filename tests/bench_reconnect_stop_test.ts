// Ctrl+C on `mqload bench pub --reconnect` against mosquitto: the run's end closes each client
// for good, so its publisher stops there as one without --reconnect does, rather than taking the
// ended client for one reconnecting. pub_unacked is what was sent and not acknowledged (never
// more than clients × -F), and pub, pub_fail and pub_unacked add up to the publications started,
// whether the broker was there at the stop or had been killed (the connections lost reported;
// what was made while reconnecting, never sent, failed).

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { count, type RunResult, TempDir } from "./_runner_helpers.ts";
import {
  type BackgroundBench,
  brokerFlags,
  explain,
  followReceived,
  interrupt,
  startBench,
  total,
} from "./_bench_helpers.ts";

const CLIENTS = 4;
const INFLIGHT = 10;

/** A QoS 1 publisher (flat out at -I 0) that reconnects, over 2 Workers. */
function startPublisher(port: number, summaryExport: string, intervalMs = 0): BackgroundBench {
  return startBench([
    "pub",
    ...brokerFlags(port),
    "-c",
    String(CLIENTS),
    "--workers",
    "2",
    "-I",
    String(intervalMs),
    "-q",
    "1",
    "-F",
    String(INFLIGHT),
    "-s",
    "64",
    "-t",
    "bench/%i",
    "--reconnect",
    "100",
    "--summary-export",
    summaryExport,
  ], CLIENTS);
}

/** The summary's publications: published, failed, in flight at stop (each 0 when not shown). */
function publications(r: RunResult) {
  const shown = (name: string) => total(r.stdout, name) || 0;
  return { published: shown("pub"), failed: shown("pub_fail"), unacked: shown("pub_unacked") };
}

Deno.test({
  name: "bench pub -I 0 -q 1 --reconnect: Ctrl+C counts in flight only the window, as the broker",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto({ extraConfig: "sys_interval 1" });
    await using received = await followReceived(mosquitto);
    const dir = await TempDir.create();
    try {
      const pub = startPublisher(mosquitto.port, `${dir.path}/summary.json`);
      await pub.connected;
      await new Promise((r) => setTimeout(r, 2000));
      const r = await interrupt(pub);
      assert.equal(r.code, 0, explain(r));
      const { published, failed, unacked } = publications(r);
      assert.ok(published > 0, r.stdout);
      assert.equal(failed, 0, r.stdout);
      assert.ok(unacked <= CLIENTS * INFLIGHT, r.stdout);
      const summary = JSON.parse(await dir.read("summary.json"));
      assert.equal(count(summary, "bench_pub_started"), published + unacked, r.stdout);
      // What was in flight at the stop reached the broker, and nothing started after it.
      assert.equal(published + unacked, await received.settled(), r.stdout);
    } finally {
      await dir.remove();
    }
  },
});

for (const intervalMs of [0, 10]) {
  Deno.test({
    name:
      `bench pub -I ${intervalMs} -q 1 --reconnect, broker killed, then Ctrl+C: the counts add up`,
    ignore: needsMosquitto.ignore,
    async fn() {
      await using mosquitto = await startMosquitto();
      const dir = await TempDir.create();
      try {
        const pub = startPublisher(mosquitto.port, `${dir.path}/summary.json`, intervalMs);
        await pub.connected;
        await mosquitto.kill();
        await pub.printed(new RegExp(`^\\d+s disconnected total=${CLIENTS} `, "m"));
        const r = await interrupt(pub);
        assert.equal(total(r.stdout, "disconnected"), CLIENTS, r.stdout);
        assert.match(r.stdout, /connections lost by reason:\n {4}Connection /);
        const { published, failed, unacked } = publications(r);
        assert.ok(published > 0, r.stdout);
        assert.ok(unacked <= CLIENTS * INFLIGHT, r.stdout);
        if (intervalMs === 0) {
          // Flat out, each client's window was full when the broker went, in flight (neither
          // acknowledged nor failed); it published no more.
          assert.ok(unacked > 0 && failed + unacked <= CLIENTS * INFLIGHT, r.stdout);
        } else {
          // On schedule, what the clients made while reconnecting was never sent: failed.
          assert.ok(failed > 0, r.stdout);
          assert.equal(r.code, 99, explain(r));
          assert.match(r.stdout, /publications failed: pub_fail is not 0/);
        }
        const summary = JSON.parse(await dir.read("summary.json"));
        assert.equal(count(summary, "bench_pub_started"), published + failed + unacked, r.stdout);
      } finally {
        await dir.remove();
      }
    },
  });
}
