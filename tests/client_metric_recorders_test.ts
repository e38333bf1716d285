// A sink may hand the client a recorder per series (`MetricsSink.recorder`) for its per-message
// samples: the samples must be the same, metric by metric and tag set by tag set, as those of a
// sink with `add` alone, whatever tags the calls carry, and a new connection's tags must reach
// them. Both clients make the same exchange through a real mosquitto.
import assert from "node:assert/strict";
import { Client, type MetricRecorder, type MetricsSink, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";

/** Samples folded per metric and tag set (without `client_id`): count and, for counters, sum. */
type Folded = Map<string, { count: number; sum: number }>;

const TRENDS = new Set([
  "mqtt_publish_duration",
  "mqtt_subscribe_duration",
  "mqtt_message_latency",
  "mqtt_connect_duration",
]);

function fold(into: Folded, metric: string, value: number, tags: Record<string, string>): void {
  const { client_id: _id, ...rest } = tags;
  const key = metric + " " + JSON.stringify(Object.entries(rest).sort());
  const entry = into.get(key) ?? { count: 0, sum: 0 };
  into.set(key, entry);
  // Wire bytes come per read and write, as the socket batched them, and carry the client id.
  if (metric.startsWith("mqtt_bytes_")) return;
  entry.count++;
  // Durations differ from run to run; their number does not.
  if (!TRENDS.has(metric)) entry.sum += value;
}

function addOnly(): MetricsSink & { folded: Folded } {
  const folded: Folded = new Map();
  return { folded, add: (metric, value, tags) => fold(folded, metric, value, tags) };
}

function withRecorders(): MetricsSink & { folded: Folded; recorders: number } {
  const folded: Folded = new Map();
  const sink = {
    folded,
    recorders: 0,
    add: (metric: string, value: number, tags: Record<string, string>) =>
      fold(folded, metric, value, tags),
    recorder(metric: string, tags: Readonly<Record<string, string>>): MetricRecorder {
      assert.ok(Object.isFrozen(tags), `tags of a ${metric} recorder are frozen`);
      sink.recorders++;
      return { add: (value) => fold(folded, metric, value, tags) };
    },
  };
  return sink;
}

/** Two connections, each publishing to itself on two topics with no, shared and own tags. */
async function exchange(url: string, id: string, metrics: MetricsSink): Promise<void> {
  const client = new Client({
    client_id: id,
    protocol_version: 5,
    metrics,
    reconnect: false,
  });
  const shared = Object.freeze({ kind: "shared" });
  for (const run of ["r1", "r2"]) {
    await client.connectAsync(url, { tags: { run } });
    // The same topics for both clients, one after the other: the same topic tags.
    const topic = (n: number) => `recorders/${n}`;
    let received = 0;
    const all = Promise.withResolvers<void>();
    client.on("message", () => {
      if (++received === 12) all.resolve();
    });
    await client.subscribeAsync("recorders/#", { qos: QoS.AtLeastOnce });
    for (let i = 0; i < 2; i++) {
      for (const n of [1, 2]) {
        await client.publishAsync(topic(n), "a", { qos: QoS.AtLeastOnce });
        await client.publishAsync(topic(n), "bb", { qos: QoS.AtLeastOnce, tags: shared });
        await client.publishAsync(topic(n), "ccc", { qos: QoS.AtMostOnce, tags: { kind: "own" } });
      }
    }
    await all.promise;
    await client.endAsync();
  }
}

Deno.test({
  name: "metric recorders: the same samples, per metric and tags, as add() alone",
  ...needsMosquitto,
  async fn() {
    await using broker = await startMosquitto();
    const plain = addOnly();
    const recording = withRecorders();
    await exchange(broker.url, "plain", plain);
    await exchange(broker.url, "recording", recording);
    assert.ok(recording.recorders > 0, "the client asked for recorders");
    assert.deepEqual(
      [...recording.folded].sort(),
      [...plain.folded].sort(),
    );
    // The second connection's tags reached the recorded per-message samples.
    const keys = [...recording.folded.keys()];
    for (const metric of ["mqtt_messages_received", "mqtt_messages_sent", "mqtt_bytes_sent"]) {
      for (const run of ["r1", "r2"]) {
        assert.ok(
          keys.some((k) => k.startsWith(metric + " ") && k.includes(`["run","${run}"]`)),
          `${metric} with run ${run}`,
        );
      }
    }
    const latency = keys.filter((k) => k.startsWith("mqtt_message_latency "));
    assert.equal(latency.length, 4, "latency per topic and connection");
    const received = [...recording.folded].filter(([k]) => k.startsWith("mqtt_messages_received "));
    assert.equal(received.reduce((n, [, v]) => n + v.sum, 0), 24);
  },
});
