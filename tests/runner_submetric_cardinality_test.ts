// A script tags every iteration's samples with a value of its own, so a Worker's registry passes
// its cap of tag sets per metric and folds the rest. Submetric thresholds must still see every
// sample: the tags they filter on survive the fold in the Workers, not only on the main thread.
// A client id per iteration (xk6-mqtt tags each sample with it) splits no series: only the
// custom metric's unique tag folds.
import assert from "node:assert/strict";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

const ITERATIONS = 1200;

const SCRIPT = `
import { Client } from "k6/x/mqtt";
import { Counter } from "k6/metrics";

const marks = new Counter("marks");

export const options = {
  vus: 2,
  iterations: ${ITERATIONS},
  thresholds: {
    "mqtt_calls{method:publish}": ["count==${ITERATIONS}"],
    "mqtt_messages_sent{topic:cardinality/topic}": ["count==${ITERATIONS}"],
    "marks{kind:a}": ["count==${ITERATIONS}"],
  },
};

export default async function () {
  marks.add(1, { kind: "a", unique: "u" + __VU + "-" + __ITER });
  const client = new Client({ client_id: "card-" + __VU + "-" + __ITER });
  await client.connectAsync(__ENV.BROKER);
  await client.publishAsync("cardinality/topic", "x");
  await client.endAsync();
}
`;

Deno.test("runner submetrics: thresholds count every sample past the tag-set cap", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, SCRIPT, ["--workers", "2", "-e", `BROKER=${broker.url}`]);
    assert.equal(r.code, 0, explain(r));
    // "marks" passes the cap, in both Workers and in the merge: said once, naming it (the
    // mqtt_* metrics, tagged with a client id per iteration, do not pass it).
    assert.equal(r.stderr.split("more than 1000 tag sets").length - 1, 1, r.stderr);
    assert.equal(count(r.summary, "mqtt_calls{method:publish}"), ITERATIONS);
    assert.equal(count(r.summary, "mqtt_messages_sent{topic:cardinality/topic}"), ITERATIONS);
    assert.equal(count(r.summary, "marks{kind:a}"), ITERATIONS);
    assert.match(r.stderr, /Metric "marks" \(and any other past the cap\) has more than 1000/);
  } finally {
    await dir.remove();
  }
});
