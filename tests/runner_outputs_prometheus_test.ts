// --out experimental-prometheus-rw against a real Prometheus (remote write receiver) and a real
// mosquitto: what Prometheus stores equals the summary; an unreachable endpoint only costs
// the samples, reported, with exit code 0.
import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { needsPrometheus, startPrometheus } from "./fixtures/prometheus.ts";
import { count, explain, mqload, type RunResult, TempDir } from "./_runner_helpers.ts";
import { pushSeries } from "../runner/outputs/_remote_write.ts";
import type { SummaryExport } from "../runner/summary/data.ts";

const PUBSUB = `
import { sleep } from "k6";
import { Client } from "k6/x/mqtt";
export const options = { vus: 2, duration: "3s" };
export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.MQTT_BROKER_ADDRESS);
  let received;
  const got = new Promise((resolve) => (received = resolve));
  client.on("message", () => received());
  await client.subscribeAsync("prom/" + __VU, { qos: 1 });
  await client.publishAsync("prom/" + __VU, "hello", { qos: 1 });
  await got;
  await client.endAsync();
  sleep(0.05);
}
`;

/** Runs PUBSUB with the output, the K6_PROMETHEUS_RW_* variables in its environment (as k6). */
async function run(
  dir: TempDir,
  broker: string,
  env: Record<string, string>,
): Promise<RunResult & { summary: SummaryExport }> {
  const script = await dir.write("pubsub.js", PUBSUB);
  const summaryPath = `${dir.path}/summary.json`;
  const r = await mqload([
    "run",
    "-q",
    "-e",
    `MQTT_BROKER_ADDRESS=${broker}`,
    "--out",
    "experimental-prometheus-rw",
    "--summary-export",
    summaryPath,
    script,
  ], env);
  return { ...r, summary: JSON.parse(await Deno.readTextFile(summaryPath)) };
}

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function stat(summary: SummaryExport, key: string, name: string): number {
  return (summary.metrics[key] as Record<string, number>)[name];
}

Deno.test({
  ignore: needsMosquitto.ignore || needsPrometheus.ignore,
  name: "runner outputs: experimental-prometheus-rw writes what the summary counts",
  async fn(t) {
    const prometheus = await startPrometheus();
    const broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      await t.step("Prometheus accepts the encoder's WriteRequest", async () => {
        const now = Date.now();
        await pushSeries(
          { url: prometheus.writeUrl, headers: {} },
          [{
            labels: [{ name: "__name__", value: "mqload_fixture" }, {
              name: "topic",
              value: "a/ü",
            }],
            samples: [{ value: 0.25, timestampMs: now }],
          }],
          AbortSignal.timeout(5000),
        );
        const [series] = await prometheus.query("mqload_fixture");
        assert.deepEqual(series.metric, { __name__: "mqload_fixture", topic: "a/ü" });
        assert.equal(series.value[1], "0.25");
      });

      await t.step("counters equal the summary; trend stats are in seconds", async () => {
        const r = await run(dir, broker.url, {
          K6_PROMETHEUS_RW_SERVER_URL: prometheus.writeUrl,
          K6_PROMETHEUS_RW_PUSH_INTERVAL: "1s",
          K6_PROMETHEUS_RW_TREND_STATS: "p(99),max,count",
        });
        assert.equal(r.code, 0, explain(r));
        assert.doesNotMatch(r.stderr, /ERRO/, explain(r));
        const received = count(r.summary, "mqtt_messages_received");
        assert.ok(received > 10, explain(r));
        const total = await prometheus.query("sum(k6_mqtt_messages_received_total)");
        assert.equal(Number(total[0]?.value[1]), received, JSON.stringify(total));
        const iterations = await prometheus.query("sum(k6_iterations_total)");
        assert.equal(Number(iterations[0]?.value[1]), count(r.summary, "iterations"));
        // Several pushes happened (1 s apart over a 3 s test), each with the running total: at
        // least two, as on a loaded machine two seconds' snapshots can reach the same push.
        const pushes = await prometheus.query("max(count_over_time(k6_iterations_total[5m]))");
        assert.ok(Number(pushes[0]?.value[1]) >= 2, JSON.stringify(pushes));
        // Time trends in seconds: the max over the series is the summary's max in ms / 1000.
        const max = await prometheus.query("max(k6_mqtt_publish_duration_max)");
        const summaryMax = stat(r.summary, "mqtt_publish_duration", "max");
        assert.ok(
          Math.abs(Number(max[0]?.value[1]) - summaryMax / 1000) < 1e-9,
          `${max} vs ${summaryMax}`,
        );
        const p99 = await prometheus.query("k6_mqtt_publish_duration_p99");
        assert.ok(p99.length > 0, "a p99 series per tag set");
        for (const s of p99) {
          const v = Number(s.value[1]);
          assert.ok(v > 0 && v <= summaryMax / 1000 + 1e-9, `p99 ${v} s`);
        }
        const counts = await prometheus.query("sum(k6_mqtt_publish_duration_count)");
        assert.equal(
          Number(counts[0]?.value[1]),
          count(r.summary, "mqtt_messages_sent"), // one publish duration per message sent
        );
      });

      await t.step("an unreachable endpoint: exit 0, drops reported", async () => {
        const r = await run(dir, broker.url, {
          K6_PROMETHEUS_RW_SERVER_URL: `http://127.0.0.1:${closedPort()}/api/v1/write`,
          K6_PROMETHEUS_RW_PUSH_INTERVAL: "1s",
        });
        assert.equal(r.code, 0, explain(r));
        assert.ok(count(r.summary, "mqtt_messages_received") > 10, explain(r));
        assert.match(
          r.stderr,
          /Failed to send the time series data to the endpoint: .*samples dropped/,
        );
        assert.match(r.stderr, /Prometheus remote write: \d+ samples were not delivered/);
      });
    } finally {
      await dir.remove();
      await broker.stop();
      await prometheus.stop();
    }
  },
});
