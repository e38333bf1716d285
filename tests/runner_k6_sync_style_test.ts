// k6 + xk6-mqtt scripts in the blocking style, without a sleep between the calls: in k6
// `connect()` returns connected, so the next lines may publish, check `client.connected` and
// end the client. mqload must not let `end()` abort the connection attempt in progress. A client
// still open when its iteration is interrupted or fails is closed by the runner silently: in k6
// the VU's context ends and xk6-mqtt stops calling the script.
import assert from "node:assert/strict";
import { startFakeBroker } from "./fixtures/fake_broker.ts";
import { count, explain, runOnMosquitto, runScript, TempDir } from "./_runner_helpers.ts";

const SYNC_STYLE = `
import { check } from "k6";
import { Client } from "k6/x/mqtt";

export const options = {
  vus: 2,
  iterations: 6,
  thresholds: {
    checks: ["rate==1"],
    mqtt_errors: ["count==0"],
    mqtt_messages_sent: ["count==6"],
    "mqtt_calls{method:end}": ["count==6"],
  },
};

export default function () {
  const topic = "sync/sync/" + __VU + "/" + __ITER;
  const client = new Client();
  check(client, { "not connected before connect()": (c) => !c.connected });
  client.on("end", () => check(client, { "not connected in end handler": (c) => !c.connected }));
  client.connect(__ENV.BROKER);
  check(client, { "connected after connect()": (c) => c.connected });
  client.subscribe(topic);
  client.publish(topic, "hello", { qos: 1 });
  client.end();
  check(client, { "not connected after end()": (c) => !c.connected });
}
`;

Deno.test("runner k6 sync style: connect, publish, end with no sleep between them, as in k6", async () => {
  const r = await runOnMosquitto(SYNC_STYLE);
  assert.equal(r.code, 0, explain(r));
  assert.equal(count(r.summary, "iterations"), 6);
  assert.equal(count(r.summary, "mqtt_errors"), 0, explain(r));
  const checks = r.summary.metrics.checks as Record<string, number>;
  assert.deepEqual([checks.passes, checks.fails], [24, 0], explain(r));
  assert.doesNotMatch(r.stderr, /ERRO/, explain(r));
});

const INTERRUPTED = `
import { check } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const ends = new Counter("ends_seen");

export const options = {
  scenarios: {
    held: { executor: "per-vu-iterations", vus: 1, iterations: 1, maxDuration: "1s", gracefulStop: "0s" },
  },
  thresholds: { "mqtt_calls{method:connect}": ["count>=0"], "mqtt_calls{method:end}": ["count>=0"] },
};

export default function () {
  const client = new Client();
  client.on("end", () => {
    ends.add(1);
    check(client, { "ended": (c) => !c.connected });
  });
  client.connect(__ENV.BROKER);
  client.subscribe("sync/held");
}
`;

Deno.test("runner k6 sync style: a client the runner closes after an interrupted iteration reports nothing", async () => {
  const r = await runOnMosquitto(INTERRUPTED);
  assert.equal(r.code, 0, explain(r));
  assert.equal(count(r.summary, "mqtt_calls{method:connect}"), 1, explain(r));
  assert.equal(count(r.summary, "ends_seen"), 0, explain(r));
  assert.equal(count(r.summary, "mqtt_calls{method:end}"), 0, explain(r));
  assert.equal(count(r.summary, "mqtt_errors"), 0, explain(r));
});

// The iteration fails while its connect() waits for CONNACK: the runner aborts that attempt,
// which neither counts as an MQTT error nor reaches the script's handlers.
const FAILS_WHILE_CONNECTING = `
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const handled = new Counter("handled");

export const options = {
  vus: 1,
  iterations: 2,
  thresholds: { "mqtt_calls{method:connect}": ["count>=0"], "mqtt_calls{method:end}": ["count>=0"] },
};

export default function () {
  const client = new Client();
  client.on("error", () => handled.add(1));
  client.on("end", () => handled.add(1));
  client.connect(__ENV.BROKER);
  throw new Error("the script gives up");
}
`;

Deno.test("runner k6 sync style: an iteration failing during connect() adds no MQTT error", async () => {
  const r = await runOnMosquitto(FAILS_WHILE_CONNECTING);
  assert.equal(r.code, 0, explain(r));
  assert.match(r.stderr, /the script gives up/, explain(r));
  assert.equal(count(r.summary, "iterations"), 2, explain(r));
  assert.equal(count(r.summary, "mqtt_errors"), 0, explain(r));
  assert.equal(count(r.summary, "handled"), 0, explain(r));
  assert.equal(count(r.summary, "mqtt_calls{method:end}"), 0, explain(r));
  assert.doesNotMatch(r.stderr, /ended before connecting/, explain(r));
});

// grafana/xk6-mqtt's own connect_async_test.cjs and end_async_test.cjs, with k6's check() in
// place of their test-only `k6/x/assert` module: endAsync() from the connect handler of a
// sync connect() must neither deadlock on the pending connect nor abort it.
const UPSTREAM_CONNECT_END = `
const mqtt = require("k6/x/mqtt");
const { check } = require("k6");
const assert = {
  true: (v, m) => check(v, { [m]: (x) => x === true }),
  false: (v, m) => check(v, { [m]: (x) => x === false }),
};

module.exports.options = { thresholds: { checks: ["rate==1"] } };

module.exports.default = () => {
  const client = new mqtt.Client();
  client.on("connect", async () => {
    assert.true(client.connected, "connected in the connect handler");
    await client.endAsync();
    assert.false(client.connected, "not connected once endAsync() resolved");
  });
  client.on("end", () => assert.false(client.connected, "not connected in the end handler"));
  assert.false(client.connected, "not connected initially");
  client.connect(__ENV.BROKER);
  assert.true(client.connected, "connected after the connect() call");
};
`;

Deno.test("runner k6 sync style: xk6-mqtt's connect/endAsync handler test passes unchanged in spirit", async () => {
  const r = await runOnMosquitto(UPSTREAM_CONNECT_END, [], "t.cjs");
  assert.equal(r.code, 0, explain(r));
  const checks = r.summary.metrics.checks as Record<string, number>;
  assert.deepEqual([checks.passes, checks.fails], [5, 0], explain(r));
});

// end() waits for a pending connect, but the runner's own end of an interrupted iteration must
// not: against a broker that never answers CONNECT, the iteration ends at its hard deadline by
// aborting the attempt, not when connect_timeout (20 s here) fires.
const SILENT_BROKER = `
import { Client } from "k6/x/mqtt";

export const options = {
  scenarios: {
    s: { executor: "per-vu-iterations", vus: 1, iterations: 1, maxDuration: "1s", gracefulStop: "0s" },
  },
};

export default function () {
  const client = new Client();
  client.connect(__ENV.BROKER, { connect_timeout: 20000 });
  client.publish("sync/silent", "x");
  client.end();
}
`;

Deno.test("runner k6 sync style: an interrupted iteration aborts a connect its script's end() waits for", async () => {
  await using silent = startFakeBroker({ script: (p) => p.type === "connect" ? [] : undefined });
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, SILENT_BROKER, ["-e", `BROKER=${silent.url}`]);
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "iterations"), 0, explain(r));
    assert.doesNotMatch(r.stderr, /no CONNACK within 20000 ms|still running 10s after/, explain(r));
  } finally {
    await dir.remove();
  }
});

// k6's calls block, so group() ends after the publish made in it was acknowledged: the calls
// made in it are tagged with the group (as is a message received meanwhile, as in xk6-mqtt,
// which tags a message with the VU's tags of the moment).
const IN_GROUP = `
import { group } from "k6";
import { Client } from "k6/x/mqtt";

export const options = {
  iterations: 2,
  thresholds: {
    "mqtt_calls{group:::send,method:subscribe}": ["count==2"],
    "mqtt_calls{group:::send,method:publish}": ["count==2"],
    "mqtt_messages_sent{group:::send}": ["count==2"],
  },
};

export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  group("send", () => {
    client.subscribe("sync/group");
    client.publish("sync/group", "in a group", { qos: 1 });
  });
  await client.endAsync();
}
`;

Deno.test("runner k6 sync style: calls made in group() carry the group's tag when they settle later", async () => {
  const r = await runOnMosquitto(IN_GROUP);
  assert.equal(r.code, 0, explain(r));
  assert.equal(count(r.summary, "mqtt_calls{group:::send,method:publish}"), 2, explain(r));
  assert.equal(count(r.summary, "mqtt_calls{group:::send,method:subscribe}"), 2, explain(r));
  assert.equal(count(r.summary, "mqtt_messages_sent{group:::send}"), 2, explain(r));
});

// A module-level client the runner closed after a failed iteration is used again by the next:
// its handlers and metrics work as before.
const REUSED = `
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const got = new Counter("got");
let client;
let seen = false;

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: { "mqtt_calls{method:publish}": ["count>=0"], "mqtt_calls{method:connect}": ["count>=0"] },
};

export default async function () {
  if (client === undefined) {
    client = new Client();
    client.on("message", () => {
      got.add(1);
      seen = true;
    });
  }
  seen = false;
  await client.connectAsync(__ENV.BROKER);
  await client.subscribeAsync("sync/reuse");
  await client.publishAsync("sync/reuse", "x", { qos: 1 });
  for (let i = 0; i < 100 && !seen; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  if (__ITER === 0) throw new Error("the first iteration fails");
  await client.endAsync();
}
`;

Deno.test("runner k6 sync style: a client the runner closed works again in the next iteration", async () => {
  const r = await runOnMosquitto(REUSED);
  assert.equal(r.code, 0, explain(r));
  assert.equal(count(r.summary, "mqtt_calls{method:connect}"), 3, explain(r));
  assert.equal(count(r.summary, "mqtt_calls{method:publish}"), 3, explain(r));
  assert.equal(count(r.summary, "mqtt_messages_received"), 3, explain(r));
  // Its handlers, as xk6-mqtt's, stopped at the second connectAsync() (see Xk6EventLoop).
  assert.equal(count(r.summary, "got"), 1, explain(r));
});
