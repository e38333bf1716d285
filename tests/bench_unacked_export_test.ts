// `mqload bench pub` past --duration: what a broker has not acknowledged once the end's wait is
// over is `pub_unacked` in the bench's summary, and its exported metrics say the same: no
// mqtt_errors{method:publish} for those publications, which the bench's own end closed.

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";
import { TempDir } from "./_runner_helpers.ts";

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
