import assert from "node:assert/strict";
import type { SummaryExport } from "../runner/summary/data.ts";
import { needsInfluxdb, startInfluxdb } from "./fixtures/influxdb.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { freePort } from "./fixtures/ports.ts";
import { count, explain, mqload, type RunResult, TempDir } from "./_runner_helpers.ts";

// --out csv and --out influxdb end to end: a run against mosquitto, then the rows in the file
// and the points in a real influxd add up to the summary's counts; an unreachable InfluxDB
// costs the run nothing but its points.

const SCRIPT = `
import { check, sleep } from "k6";
import { Client } from "k6/x/mqtt";
export const options = { vus: 2, iterations: 6 };
export default async function () {
  const client = new Client();
  await client.connect(__ENV.MQTT_BROKER_ADDRESS);
  await client.subscribe("outs/" + __VU, { qos: 1 });
  for (let i = 0; i < 5; i++) await client.publish("outs/" + __VU, "m" + i, { qos: 1 });
  // Checks in a burst: many points of one series in the same µs, from two Workers.
  for (let i = 0; i < 1000; i++) check(i, { "in range": (n) => n >= 0 });
  await sleep(0.2);
  await client.end();
}
`;

const PASSWORD = "Infl-MARKER-5c2e";

interface Run extends RunResult {
  summary: SummaryExport;
}

async function run(dir: TempDir, broker: string, args: string[], env = {}): Promise<Run> {
  const script = await dir.write("outs.js", SCRIPT);
  const summaryPath = `${dir.path}/summary.json`;
  await Deno.remove(summaryPath).catch(() => {});
  const r = await mqload([
    "run",
    "-q",
    "--workers",
    "2",
    "-e",
    `MQTT_BROKER_ADDRESS=${broker}`,
    "--summary-export",
    summaryPath,
    ...args,
    script,
  ], env);
  const summary = await Deno.readTextFile(summaryPath).then(JSON.parse, () => undefined);
  return { ...r, summary };
}

/** Sum of `metric_value` and number of rows per metric in a k6 CSV. */
function csvTotals(text: string): Map<string, { rows: number; sum: number }> {
  const lines = text.trimEnd().split("\n");
  assert.match(lines[0], /^metric_name,timestamp,metric_value,check,error,error_code,/);
  const totals = new Map<string, { rows: number; sum: number }>();
  for (const line of lines.slice(1)) {
    // Metric names, timestamps and values hold no comma or quote: the first three fields split.
    const [metric, timestamp, value] = line.split(",", 3);
    assert.match(timestamp, /^\d{10}$/, line);
    const t = totals.get(metric) ?? { rows: 0, sum: 0 };
    t.rows++;
    t.sum += Number(value);
    totals.set(metric, t);
  }
  return totals;
}

async function gunzip(path: string): Promise<string> {
  const file = await Deno.open(path);
  const stream = file.readable.pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

Deno.test({
  ...needsMosquitto,
  name: "runner outputs: --out csv rows add up to the summary's counts (plain and .gz)",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const r = await run(dir, broker.url, [
        "--out",
        `csv=${dir.path}/rows.csv`,
        "--out",
        `csv=${dir.path}/rows.csv.gz`,
      ]);
      assert.equal(r.code, 0, explain(r));
      const received = count(r.summary, "mqtt_messages_received");
      assert.ok(received > 0, explain(r));
      for (const text of [await dir.read("rows.csv"), await gunzip(`${dir.path}/rows.csv.gz`)]) {
        const totals = csvTotals(text);
        assert.equal(totals.get("mqtt_messages_received")?.sum, received);
        assert.equal(totals.get("mqtt_messages_sent")?.sum, count(r.summary, "mqtt_messages_sent"));
        assert.equal(totals.get("mqtt_messages_sent")?.rows, 30);
        assert.equal(totals.get("iterations")?.rows, 6);
      }
      assert.match(await dir.read("rows.csv"), /\nmqtt_messages_received,.*,topic=outs\/[12],\n/);
    } finally {
      await dir.remove();
    }
  },
});

Deno.test({
  ignore: needsMosquitto.ignore || needsInfluxdb.ignore,
  name: "runner outputs: --out influxdb points in influxd add up to the summary's counts",
  async fn() {
    await using broker = await startMosquitto();
    await using influx = await startInfluxdb();
    const dir = await TempDir.create();
    try {
      const r = await run(dir, broker.url, ["--out", `influxdb=${influx.url}/mqload`]);
      assert.equal(r.code, 0, explain(r));
      assert.doesNotMatch(r.stderr, /InfluxDB/, explain(r));
      const sum = async (metric: string) => {
        const answer = await influx.query("mqload", `SELECT sum("value") FROM "${metric}"`);
        return answer.results[0].series?.[0].values[0][1];
      };
      const received = count(r.summary, "mqtt_messages_received");
      assert.ok(received > 0, explain(r));
      assert.equal(await sum("mqtt_messages_received"), received, influx.log());
      assert.equal(await sum("mqtt_messages_sent"), count(r.summary, "mqtt_messages_sent"));
      assert.equal(await sum("iterations"), 6);
      // No two points of a series share a timestamp: InfluxDB would keep only one of them.
      const checks = await influx.query("mqload", `SELECT count("value") FROM "checks"`);
      assert.equal(checks.results[0].series?.[0].values[0][1], 6000, influx.log());
      // Tags are tags (k6's tagsAsFields moves url to a field).
      const tagged = await influx.query(
        "mqload",
        `SELECT count("value") FROM "mqtt_calls" WHERE "method" = 'publish' AND "scenario" = 'default'`,
      );
      assert.equal(tagged.results[0].series?.[0].values[0][1], 30);
      const fields = await influx.query("mqload", `SHOW FIELD KEYS FROM "mqtt_calls"`);
      assert.deepEqual(fields.results[0].series?.[0].values.map((v) => v[0]).sort(), [
        "url",
        "value",
      ]);
    } finally {
      await dir.remove();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "runner outputs: an unreachable InfluxDB leaves the run and its results whole",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const port = freePort(); // closed: nothing listens there
      const r = await run(dir, broker.url, ["--out", `influxdb=http://127.0.0.1:${port}/mqload`], {
        K6_INFLUXDB_USERNAME: "mqload",
        K6_INFLUXDB_PASSWORD: PASSWORD,
      });
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "iterations"), 6);
      assert.equal(count(r.summary, "mqtt_messages_sent"), 30);
      assert.match(
        r.stderr,
        /InfluxDBv1 \(http:\/\/127\.0\.0\.1:\d+\): \d+ points dropped/,
      );
      assert.match(r.stderr, /(\d+) of \1 points were not written/);
      for (const text of [r.stdout, r.stderr, JSON.stringify(r.summary)]) {
        assert.ok(!text.includes(PASSWORD), "the password shows");
      }
    } finally {
      await dir.remove();
    }
  },
});
