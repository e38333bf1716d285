// The InfluxDB output keeps its password secret: given in the URL (`user:pass@`) or in
// K6_INFLUXDB_PASSWORD, right or wrong, against an influxd that checks it, the marker must never
// show up in the banner, the logs, the summary, the summary export or the HTML report.
import assert from "node:assert/strict";
import { needsInfluxdb, startInfluxdb } from "./fixtures/influxdb.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { secretChecker, spellingsOf } from "./fixtures/secrets.ts";
import { count, explain, mqload, TempDir } from "./_runner_helpers.ts";

const MARKER = "Infl-S3cr3t-MARKER-7e1a";
const WRONG = `${MARKER}-wrong`;
const USER = "k6writer";

/** Fails when a text holds the password as is, URL-encoded, base64 or in basic auth's base64. */
const assertClean = secretChecker([...spellingsOf(MARKER), btoa(`${USER}:${MARKER}`)]);

const SCRIPT = `
import { Client } from "k6/x/mqtt";
export const options = { vus: 1, iterations: 3 };
export default async function () {
  const client = new Client();
  await client.connect(__ENV.MQTT_BROKER_ADDRESS);
  await client.publish("secrets/influx", "hello", { qos: 1 });
  await client.end();
}
`;

Deno.test({
  ignore: needsMosquitto.ignore || needsInfluxdb.ignore,
  name: "security: mqload run --out influxdb prints, exports and reports no password",
  async fn() {
    await using broker = await startMosquitto();
    await using influx = await startInfluxdb({ auth: true });
    // With authentication on and no user yet, InfluxDB accepts this one request anonymously.
    const created = await influx.query(
      "",
      `CREATE USER "${USER}" WITH PASSWORD '${MARKER}' WITH ALL PRIVILEGES`,
    );
    assert.equal(created.results[0].error, undefined, JSON.stringify(created));
    const dir = await TempDir.create();
    try {
      const script = await dir.write("secrets.js", SCRIPT);
      const host = `127.0.0.1:${influx.port}`;
      const ways: Array<[label: string, url: string, env: Record<string, string>]> = [];
      for (const [label, password] of [["right", MARKER], ["wrong", WRONG]] as const) {
        ways.push(
          [
            `URL credentials (${label})`,
            `http://${USER}:${encodeURIComponent(password)}@${host}/${label}_url`,
            {},
          ],
          [
            `K6_INFLUXDB_PASSWORD (${label})`,
            `http://${host}/${label}_env`,
            { K6_INFLUXDB_USERNAME: USER, K6_INFLUXDB_PASSWORD: password },
          ],
        );
      }
      for (const [label, url, env] of ways) {
        const slug = label.replace(/\W+/g, "_");
        const r = await mqload([
          "run",
          "-e",
          `MQTT_BROKER_ADDRESS=${broker.url}`,
          "--out",
          `influxdb=${url}`,
          "--summary-export",
          `${dir.path}/${slug}.json`,
          "--report",
          `${dir.path}/${slug}.html`,
          script,
        ], env);
        assert.equal(r.code, 0, `${label}: ${explain(r)}`);
        // The banner names the output, without credentials.
        assert.match(r.stdout + r.stderr, /output: InfluxDBv1 \(http:\/\/127\.0\.0\.1:\d+\)/);
        const summary = await dir.read(`${slug}.json`);
        assert.equal(count(JSON.parse(summary), "iterations"), 3);
        const db = new URL(url).pathname.slice(1);
        const written = await influx.query(db, `SELECT sum("value") FROM "iterations"`, {
          username: USER,
          password: MARKER,
        });
        if (label.includes("wrong")) {
          // Refused by InfluxDB: reported as dropped points, with InfluxDB's reason.
          assert.match(r.stderr, /points dropped in the last 1s: HTTP 401/, explain(r));
          assert.equal(written.results[0].series, undefined);
        } else {
          assert.doesNotMatch(r.stderr, /points dropped/, explain(r));
          assert.equal(written.results[0].series?.[0].values[0][1], 3, JSON.stringify(written));
        }
        assertClean(`${label}: stdout`, r.stdout);
        assertClean(`${label}: stderr`, r.stderr);
        assertClean(`${label}: --summary-export`, summary);
        assertClean(`${label}: --report`, await dir.read(`${slug}.html`));
      }
    } finally {
      await dir.remove();
    }
  },
});
