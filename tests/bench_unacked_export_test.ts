// `mqload bench pub` past --duration: what a broker has not acknowledged once the end's wait is
// over is `pub_unacked` in the bench's summary, and its exported metrics say the same: no
// mqtt_errors{method:publish} for those publications, which the bench's own end closed.

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";
import { count, explain as explainRun, runScript, TempDir } from "./_runner_helpers.ts";

Deno.test({
  name: "bench pub: publications unacknowledged at the end are pub_unacked, not mqtt_errors",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const dir = await TempDir.create();
    const exported = `${dir.path}/summary.json`;
    try {
      const pub = startBench([
        "pub",
        ...brokerFlags(mosquitto.port),
        ...["-c", "2", "-I", "0", "-F", "5", "-q", "1", "-t", "unacked/%i"],
        ...["--duration", "3s", "--summary-export", exported],
      ], 2);
      // A broker that stops reading before the end: each publisher keeps its window of 5.
      await pub.printed(/^1s pub total=/m);
      const pid = mosquitto.pid!;
      Deno.kill(pid, "SIGSTOP");
      let r;
      try {
        r = await pub.done;
      } finally {
        Deno.kill(pid, "SIGCONT");
      }
      assert.equal(r.code, 0, explain(r));
      assert.ok(total(r.stdout, "pub") > 0, r.stdout);
      assert.equal(total(r.stdout, "pub_fail"), 0, r.stdout);
      assert.equal(total(r.stdout, "pub_unacked"), 10, r.stdout);
      const summary = JSON.parse(await Deno.readTextFile(exported));
      const errors = summary.metrics.mqtt_errors as { count: number } | undefined;
      assert.equal(errors?.count ?? 0, 0, JSON.stringify(summary.metrics.mqtt_errors));
    } finally {
      await dir.remove();
    }
  },
});

const END_SCRIPT = `
import { Client } from "k6/x/mqtt";
import * as bench from "@mqload/mqload/bench";

export const options = {
  iterations: 1,
  thresholds: { mqtt_messages_sent: ["count==100"], mqtt_errors: ["count==0"] },
};

export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  for (let i = 0; i < 100; i++) client.publishAsync("acked/x", "x", { qos: 1 }).catch(() => {});
  // Ended at once: the publications are acknowledged while the end waits for them.
  await bench.endAtStop(client, 5000);
}
`;

Deno.test({
  ...needsMosquitto,
  name: "bench: publications acknowledged while a bench client ends count as sent",
  async fn() {
    await using mosquitto = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const r = await runScript(dir, END_SCRIPT, ["-e", `BROKER=${mosquitto.url}`]);
      assert.equal(r.code, 0, explainRun(r));
      assert.equal(count(r.summary, "mqtt_messages_sent"), 100, explainRun(r));
    } finally {
      await dir.remove();
    }
  },
});
