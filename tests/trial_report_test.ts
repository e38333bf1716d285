// The HTML report of a run whose options ask for the `count` trend stat, as k6's
// summaryTrendStats allows: counts are numbers of samples, shown as such, not as durations.
import assert from "node:assert/strict";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { explain, mqload, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { Client } from "k6/x/mqtt";

export const options = { vus: 1, iterations: 3, summaryTrendStats: ["avg", "p(99)", "count"] };

export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  await client.endAsync();
}
`;

Deno.test("trial: the report's trend table shows the count stat as a number", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const script = await dir.write("script.js", SCRIPT);
    const report = `${dir.path}/report.html`;
    const r = await mqload(["run", "-q", "--report", report, "-e", `BROKER=${broker.url}`, script]);
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stdout, /mqtt_connect_duration\.*: avg=\S+ +p\(99\)=\S+ +count=3\b/);
    const html = await Deno.readTextFile(report);
    const row = /<tr><td><code>mqtt_connect_duration<\/code><\/td>(.*?)<\/tr>/.exec(html);
    assert.ok(row, "a row for mqtt_connect_duration");
    const cells = [...row[1].matchAll(/<td class="num">(.*?)<\/td>/g)].map((m) => m[1]);
    assert.equal(cells.length, 3);
    assert.equal(cells[2], "3");
  } finally {
    await dir.remove();
  }
});
