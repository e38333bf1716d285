import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import type { SummaryExport } from "../runner/summary/data.ts";
import { explain, mqload, TempDir } from "./_runner_helpers.ts";

// xk6-mqtt ignores option keys it does not know and warns about unknown event names; scripts
// written for it may rely on that (an MQTT.js habit such as `on("offline")`, an option of another
// client). The k6/x/mqtt module does the same, warning once per Worker, while the library's own
// Client keeps refusing them to catch typos.

const SCRIPT = `
import { Client } from "k6/x/mqtt";
import { check } from "k6";

export const options = { iterations: 3, thresholds: { checks: ["rate==1"] } };

export default async function () {
  const client = new Client({ client_id: "lenient-" + __ITER, reconnectPeriod: 1000 });
  let got = 0;
  client.on("offline", () => {});
  client.on("message", () => { got++; });
  await client.connectAsync(__ENV.MQTT_BROKER_ADDRESS, { rejectUnauthorized: false });
  await client.subscribeAsync("lenient/" + __ITER, { qos: 1, nl: false });
  await client.publishAsync("lenient/" + __ITER, "hi", { qos: 1, dup: false });
  await client.unsubscribeAsync("lenient/" + __ITER, { bogus: 1 });
  await client.endAsync({ force: true });
  check(got, { "message arrived": (n) => n === 1 });
}
`;

Deno.test("k6/x/mqtt: unknown options and events are ignored with one warning each", async () => {
  const broker = await startBroker();
  const dir = await TempDir.create();
  try {
    const script = await dir.write("lenient.js", SCRIPT);
    const summary = `${dir.path}/summary.json`;
    const r = await mqload([
      "run",
      "--quiet",
      "--workers",
      "1",
      "--summary-export",
      summary,
      "-e",
      `MQTT_BROKER_ADDRESS=${broker.url}`,
      script,
    ]);
    assert.equal(r.code, 0, explain(r));
    const data = JSON.parse(await Deno.readTextFile(summary)) as SummaryExport;
    assert.equal(data.metrics.iterations.count, 3);
    assert.equal(data.metrics.checks.passes, 3);
    const output = r.stdout + r.stderr;
    for (
      const warning of [
        'unknown client option "reconnectPeriod" ignored',
        'unknown connect option "rejectUnauthorized" ignored',
        'unknown subscribe option "nl" ignored',
        'unknown publish option "dup" ignored',
        'unknown unsubscribe option "bogus" ignored',
        'unknown end option "force" ignored',
        'unknown event "offline" ignored',
      ]
    ) {
      // Once per Worker, although every iteration repeats it.
      assert.equal(output.split(warning).length - 1, 1, `${warning}\n${explain(r)}`);
    }
  } finally {
    await dir.remove();
    await broker.close();
  }
});
