/**
 * xk6-mqtt's details a k6 script sees, run through `mqload run` against mosquitto, with what
 * xk6-mqtt's Go source does as the expected result:
 * - `end()` counts `mqtt_calls{method:end}` on every call and never throws, on a client that
 *   never connected too; it fires `end` once per client, as its first call stops the client's
 *   event loop (`client_end.go`, `fire()` after `stopLoop()`, since grafana/xk6-mqtt#75);
 * - `connect()` with no URL fails before any connection attempt (`connectPrepare` →
 *   `validateAddress("")`: "lookup : no such host"), so it throws even with an `error` handler
 *   and counts no `mqtt_errors`; a refused connection (`connectExecute` → `handleError`) goes to
 *   the handler as an MQTTError and counts one;
 * - a client's handlers stop for good at its first `end()` or at a `connect()` that follows
 *   another (`disconnect()` → `stopLoop()`): a client reused across iterations fires its
 *   `message` handler in the first only, while its messages are still counted, and a failure
 *   its `error` handler would have taken is thrown (`fire()` returns false);
 * - a call's `tags` reach its `mqtt_calls` sample (`tagsForMethod`), not `mqtt_messages_sent`
 *   (the client's and the topic's tags) nor `data_sent` (the VU's), and mqload's own trends, so
 *   thresholds on those filter by them (`mqtt_publish_duration{kind:x}`).
 */

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { freePort } from "./fixtures/ports.ts";
import { count, explain, mqload, type ScriptRun, TempDir } from "./_runner_helpers.ts";
import type { SummaryExport } from "../runner/summary/data.ts";

/** Runs a script with `--summary-export` and `--out json`, the broker URL in the environment. */
async function run(
  dir: TempDir,
  source: string,
  url: string,
): Promise<ScriptRun & { points: Array<{ metric: string; tags: Record<string, string> }> }> {
  const script = await dir.write("script.js", source);
  const summaryPath = `${dir.path}/summary.json`;
  const pointsPath = `${dir.path}/points.json`;
  const r = await mqload(
    ["run", "-q", "--summary-export", summaryPath, "--out", `json=${pointsPath}`, script],
    { MQTT_BROKER_ADDRESS: url },
  );
  let summary = undefined as unknown as SummaryExport;
  let points: Array<{ metric: string; tags: Record<string, string> }> = [];
  try {
    summary = JSON.parse(await Deno.readTextFile(summaryPath));
    points = (await Deno.readTextFile(pointsPath)).split("\n").filter((l) => l !== "")
      .map((l) => JSON.parse(l)).filter((p) => p.type === "Point")
      .map((p) => ({ metric: p.metric, tags: p.data.tags ?? {} }));
  } catch { /* no outputs: the assertions on the exit code say why */ }
  return { ...r, summary, points };
}

const END_SCRIPT = `
import { Client } from "k6/x/mqtt";
import { Counter } from "k6/metrics";

const ends = new Counter("end_events");
const refused = new Counter("not_connected");

export const options = {
  iterations: 3,
  thresholds: {
    "mqtt_calls{method:end}": ["count>=0"],
    "mqtt_calls{method:end,second:yes}": ["count>=0"],
    end_events: ["count>=0"],
    not_connected: ["count>=0"],
  },
};

export default function () {
  const idle = new Client();
  idle.on("end", () => ends.add(1));
  for (const tags of [undefined, { second: "yes" }]) {
    try {
      idle.end({ tags });
    } catch (e) {
      if (/not connected/.test(String(e))) refused.add(1);
    }
  }
  const used = new Client();
  used.on("end", () => ends.add(1));
  used.connect(__ENV.MQTT_BROKER_ADDRESS);
  used.end();
}
`;

Deno.test({
  ...needsMosquitto,
  name: "xk6 details: end() counts every call, connected or not, and fires end once per client",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const r = await run(dir, END_SCRIPT, broker.url);
      assert.equal(r.code, 0, explain(r));
      // Per iteration: two end() on a client never connected, counted, the first firing end
      // (xk6-mqtt's end_without_connect test); one on a connected client, firing end.
      assert.equal(count(r.summary, "not_connected"), 0, explain(r));
      assert.equal(count(r.summary, "end_events"), 6, explain(r));
      assert.equal(count(r.summary, "mqtt_calls{method:end}"), 9);
      assert.equal(count(r.summary, "mqtt_calls{method:end,second:yes}"), 3);
    } finally {
      await dir.remove();
    }
  },
});

const REUSE_SCRIPT = `
import { sleep } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const handled = new Counter("handled");
const connects = new Counter("connect_events");
const thrown = new Counter("thrown_errors");
export const options = { vus: 1, iterations: 3 };
let client;

export default function () {
  if (!client) {
    client = new Client();
    client.on("message", () => handled.add(1));
    client.on("connect", () => connects.add(1));
    client.on("error", () => {});
  }
  const topic = "reuse/" + __ITER;
  client.connect(__ENV.MQTT_BROKER_ADDRESS);
  client.subscribe(topic, { qos: 1 });
  client.publish(topic, "x", { qos: 1 });
  sleep(0.3);
  client.end();
  // Connected twice without end(): the second connect() stops the first client's handlers.
  const twice = new Client();
  twice.on("connect", () => connects.add(1));
  twice.on("error", () => {});
  twice.connect(__ENV.MQTT_BROKER_ADDRESS);
  twice.connect(__ENV.MQTT_BROKER_ADDRESS);
  twice.end();
  // Its error handler no longer takes a failure: the call throws.
  try {
    twice.connect("mqtt://127.0.0.1:1");
  } catch {
    thrown.add(1);
  }
  // end() before any connect() stops the loop too.
  const ended = new Client();
  ended.on("error", () => {});
  ended.end();
  try {
    ended.connect("mqtt://127.0.0.1:1");
  } catch {
    thrown.add(1);
  }
}
`;

Deno.test({
  ...needsMosquitto,
  name: "xk6 details: a client's handlers stop at its first end() or second connect()",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const r = await run(dir, REUSE_SCRIPT, broker.url);
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "mqtt_messages_received"), 3, explain(r));
      assert.equal(count(r.summary, "handled"), 1, explain(r));
      // The reused client's first connect, and each twice-connected client's first.
      assert.equal(count(r.summary, "connect_events"), 4, explain(r));
      assert.equal(count(r.summary, "thrown_errors"), 6, explain(r));
    } finally {
      await dir.remove();
    }
  },
});

const CONNECT_SCRIPT = `
import { Client } from "k6/x/mqtt";
import { Counter } from "k6/metrics";

const handled = new Counter("handled_errors");
const thrown = new Counter("thrown_errors");

export const options = {
  iterations: 1,
  thresholds: {
    "mqtt_errors{method:connect}": ["count>=0"],
    handled_errors: ["count>=0"],
    thrown_errors: ["count>=0"],
  },
};

export default async function () {
  const client = new Client();
  client.on("error", (e) => {
    if (e.name === "MQTTError" && e.method === "connect") handled.add(1);
  });
  for (const args of [[], [{}], [{ keepalive: 30 }]]) {
    try {
      client.connect(...args);
    } catch (e) {
      thrown.add(1);
    }
  }
  // A connection the broker's port refuses: the handler takes it, nothing is thrown.
  const refused = new Client({ reconnect: false });
  refused.on("error", (e) => {
    if (e.name === "MQTTError" && e.method === "connect") handled.add(1);
  });
  refused.connect(__ENV.MQTT_BROKER_ADDRESS);
  // connectAsync() too (connectExecute → handleError): the handler takes it, the promise resolves.
  const async = new Client({ reconnect: false });
  async.on("error", (e) => {
    if (e.name === "MQTTError" && e.method === "connect") handled.add(1);
  });
  try {
    await async.connectAsync(__ENV.MQTT_BROKER_ADDRESS);
  } catch {
    thrown.add(1);
  }
}
`;

Deno.test("xk6 details: connect() with no URL throws despite an error handler, a refused one (sync or async) goes to it", async () => {
  const dir = await TempDir.create();
  try {
    // Nothing listens on the port: the connection is refused.
    const r = await run(dir, CONNECT_SCRIPT, `mqtt://127.0.0.1:${freePort()}`);
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "thrown_errors"), 3, explain(r));
    assert.equal(count(r.summary, "handled_errors"), 2, explain(r));
    assert.equal(count(r.summary, "mqtt_errors{method:connect}"), 2, explain(r));
  } finally {
    await dir.remove();
  }
});

const TAGS_SCRIPT = `
import { Client } from "k6/x/mqtt";

export const options = {
  iterations: 2,
  thresholds: {
    "mqtt_publish_duration{kind:x}": ["max>=0"],
    "mqtt_subscribe_duration{kind:s}": ["max>=0"],
  },
};

export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.MQTT_BROKER_ADDRESS);
  await client.subscribeAsync("details/tags", { tags: { kind: "s" } });
  await client.publishAsync("details/tags", "one", { qos: 1, tags: { kind: "x" } });
  await client.publishAsync("details/tags", "two", { qos: 2, tags: { kind: "x" } });
  await client.publishAsync("details/tags", "three", { qos: 0, tags: { kind: "x" } });
  await client.publishAsync("details/tags", "untagged", { qos: 1 });
  await client.endAsync();
}
`;

Deno.test({
  ...needsMosquitto,
  name: "xk6 details: a call's tags reach its mqtt_calls sample and mqload's trends, as xk6-mqtt's",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const r = await run(dir, TAGS_SCRIPT, broker.url);
      assert.equal(r.code, 0, explain(r));
      const tagged = (metric: string, kind: string) =>
        r.points.filter((p) => p.metric === metric && p.tags.kind === kind).length;
      // Per iteration: QoS 1 and 2 publications timed, three tagged publications counted.
      assert.equal(tagged("mqtt_publish_duration", "x"), 4, explain(r));
      assert.equal(tagged("mqtt_calls", "x"), 6);
      // xk6-mqtt gives a publication's tags to mqtt_calls alone (client_publish.go): the message
      // carries the client's and the topic's tags, the bytes the VU's.
      assert.equal(tagged("mqtt_messages_sent", "x"), 0);
      assert.equal(tagged("data_sent", "x"), 0);
      assert.equal(r.points.filter((p) => p.metric === "mqtt_messages_sent").length, 8);
      // xk6-mqtt tags data_sent and data_received with the VU's tags, not the client's.
      const data = r.points.filter((p) => p.metric === "data_sent" || p.metric === "data_received");
      assert.ok(data.length >= 8);
      for (const { tags } of data) {
        assert.deepEqual([tags.client_id, tags.url, tags.proto], [undefined, undefined, undefined]);
        assert.equal(tags.scenario, "default");
      }
      assert.equal(tagged("mqtt_subscribe_duration", "s"), 2);
      assert.equal(tagged("mqtt_calls", "s"), 2);
      // The untagged publication's duration carries no kind; the topic stays on every one.
      const durations = r.points.filter((p) => p.metric === "mqtt_publish_duration");
      assert.equal(durations.length, 6);
      assert.ok(durations.every((p) => p.tags.topic === "details/tags"));
      // The summary's submetric holds the tagged durations (its threshold is not empty).
      const trend = r.summary.metrics["mqtt_publish_duration{kind:x}"] as Record<string, number>;
      assert.ok(trend.max > 0, JSON.stringify(trend));
    } finally {
      await dir.remove();
    }
  },
});

const VU_TAGS_SCRIPT = `
import exec from "k6/execution";
import { Client } from "k6/x/mqtt";

export const options = { iterations: 1 };

export default async function () {
  const client = new Client();
  let got = 0;
  let wake = () => {};
  client.on("message", () => {
    if (++got % 3 === 0) wake();
  });
  await client.connectAsync(__ENV.MQTT_BROKER_ADDRESS);
  await client.subscribeAsync("details/vu-tags", { qos: 1 });
  for (const phase of ["one", "two"]) {
    exec.vu.metrics.tags.phase = phase;
    const three = new Promise((resolve) => wake = resolve);
    for (let i = 0; i < 3; i++) await client.publishAsync("details/vu-tags", "x", { qos: 1 });
    await three;
  }
  await client.endAsync();
}
`;

Deno.test({
  ...needsMosquitto,
  name: "xk6 details: the VU's tags set between messages reach every later message's samples",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const r = await run(dir, VU_TAGS_SCRIPT, broker.url);
      assert.equal(r.code, 0, explain(r));
      const tagged = (metric: string, phase: string, method?: string) =>
        r.points.filter((p) =>
          p.metric === metric && p.tags.phase === phase &&
          (method === undefined || p.tags.method === method)
        ).length;
      for (const phase of ["one", "two"]) {
        // Each phase's three messages, sent and received, with the phase they happened in.
        assert.equal(tagged("mqtt_messages_sent", phase), 3, explain(r));
        assert.equal(tagged("mqtt_messages_received", phase), 3);
        assert.equal(tagged("mqtt_calls", phase, "publish"), 3);
        assert.equal(tagged("mqtt_calls", phase, "message"), 3);
        // And, as k6's dialer trail, the iteration's 0 B of k6's own traffic as it ends.
        assert.equal(tagged("data_received", phase), phase === "two" ? 4 : 3);
        assert.ok(tagged("mqtt_bytes_received", phase) > 0);
      }
    } finally {
      await dir.remove();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name:
    "xk6 details: without points, a message's counters still land with the tags of their moment",
  async fn() {
    // No --out: the per-message counters wait on the client's recorders until the summary reads
    // them, and a recorder bound again to the next phase's tags must leave the first phase's
    // counts behind.
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const thresholds = ["one", "two"].flatMap((phase) =>
        [
          "mqtt_messages_received",
          "mqtt_calls,method:message",
          "mqtt_calls,method:publish",
          "data_received",
          "mqtt_messages_sent",
        ].map((metric) => {
          const [name, extra] = metric.split(",");
          return `"${name}{phase:${phase}${extra ? "," + extra : ""}}": ["count>=0"]`;
        })
      ).join(", ");
      const script = await dir.write(
        "script.js",
        VU_TAGS_SCRIPT.replace(
          "export const options = { iterations: 1 };",
          `export const options = { iterations: 1, thresholds: { ${thresholds} } };`,
        ),
      );
      const summaryPath = `${dir.path}/summary.json`;
      const r = await mqload(["run", "-q", "--summary-export", summaryPath, script], {
        MQTT_BROKER_ADDRESS: broker.url,
      });
      assert.equal(r.code, 0, explain(r));
      const summary = JSON.parse(await Deno.readTextFile(summaryPath)) as SummaryExport;
      const countOf = (name: string) => (summary.metrics[name] as { count?: number })?.count;
      for (const phase of ["one", "two"]) {
        assert.equal(countOf(`mqtt_messages_received{phase:${phase}}`), 3, phase);
        assert.equal(countOf(`mqtt_messages_sent{phase:${phase}}`), 3, phase);
        assert.equal(countOf(`mqtt_calls{phase:${phase},method:message}`), 3, phase);
        assert.equal(countOf(`mqtt_calls{phase:${phase},method:publish}`), 3, phase);
        // "x" and mqload's latency stamp: the same payload bytes in both phases.
        assert.equal(countOf(`data_received{phase:${phase}}`), countOf("data_received{phase:one}"));
      }
      assert.ok((countOf("data_received{phase:one}") ?? 0) >= 3);
    } finally {
      await dir.remove();
    }
  },
});
