// k6's blocking semantics, observed: sync-style k6 + xk6-mqtt scripts run through `mqload run`
// against mosquitto, each asserting the result k6 gives. In k6 a sync-named call returns when
// done and event handlers run only once the script's JavaScript is back on the event loop.
import assert from "node:assert/strict";
import { needsMosquitto } from "./fixtures/mosquitto.ts";
import { freePort } from "./fixtures/ports.ts";
import {
  count,
  explain,
  runOnMosquitto,
  runScript,
  type ScriptRun,
  TempDir,
} from "./_runner_helpers.ts";

function trend(r: ScriptRun, key: string): Record<string, number> {
  const value = r.summary.metrics[key] as Record<string, number> | undefined;
  assert.ok(value !== undefined, `${key} missing\n${explain(r)}`);
  return value;
}

// Calls made in a handler and delayed by the body's sleep started on timers of their own, which
// could fire out of order: a publish overtook the subscribe before it and the message was lost.
const REORDER = `
import { sleep } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const got = new Counter("got");
export const options = { vus: 20, iterations: 400 };

export default function () {
  const topic = "reorder/" + __VU + "/" + __ITER;
  const client = new Client();
  client.on("connect", () => {
    client.subscribe(topic);
    client.publish(topic, "x");
  });
  client.on("message", () => {
    got.add(1);
    client.end();
  });
  client.connect(__ENV.BROKER);
  sleep(0.05);
}
`;

Deno.test({
  name:
    "runner k6 blocking: a handler's subscribe then publish, behind the body's sleep, loses nothing (10 runs)",
  ignore: needsMosquitto.ignore,
  async fn() {
    for (let run = 0; run < 10; run++) {
      const r = await runOnMosquitto(REORDER);
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "got"), 400, `run ${run}: ${explain(r)}`);
      assert.equal(count(r.summary, "iterations"), 400, explain(r));
    }
  },
});

// Handlers run after the body has returned, so a round trip timed in them does not include the
// body's sleep.
const HANDLER_TIMED = `
import { sleep } from "k6";
import { Trend } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const rtt = new Trend("handler_rtt", true);
export const options = { vus: 2, iterations: 4 };

export default function () {
  const topic = "rtt/" + __VU + "/" + __ITER;
  const client = new Client();
  let sent = 0;
  client.on("connect", () => {
    client.subscribe(topic);
    sent = Date.now();
    client.publish(topic, "x");
  });
  client.on("message", () => {
    rtt.add(Date.now() - sent);
    client.end();
  });
  client.connect(__ENV.BROKER);
  sleep(0.5);
}
`;

Deno.test({
  name: "runner k6 blocking: a round trip timed in handlers leaves out the body's sleep",
  ignore: needsMosquitto.ignore,
  async fn() {
    const r = await runOnMosquitto(HANDLER_TIMED);
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "iterations"), 4, explain(r));
    // Before, it read the 500 ms sleep; a loopback round trip is a few ms.
    assert.ok(trend(r, "handler_rtt").max < 250, explain(r));
  },
});

// A refused connect: right after connect() the client is not connected, in the error handler
// neither, and a check on it fails (exit 99 by the threshold).
const REFUSED = `
import { check } from "k6";
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const errors = new Counter("errors_handled");
export const options = { iterations: 2, thresholds: { checks: ["rate==1"] } };

export default function () {
  const client = new Client();
  client.on("error", () => {
    errors.add(1);
    check(client, { "not connected in the error handler": (c) => !c.connected });
  });
  client.connect(__ENV.DEAD);
  check(client, { "connected": (c) => c.connected });
}
`;

Deno.test("runner k6 blocking: a refused connect leaves the client not connected and its check failing", async () => {
  const port = freePort();
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, REFUSED, ["-e", `DEAD=mqtt://127.0.0.1:${port}`]);
    assert.equal(r.code, 99, explain(r));
    assert.equal(count(r.summary, "errors_handled"), 2, explain(r));
    assert.equal(count(r.summary, "iterations"), 2, explain(r));
    const checks = r.summary.metrics.checks as Record<string, number>;
    // The connected check fails twice; the error handler's passes twice.
    assert.deepEqual([checks.passes, checks.fails], [2, 2], explain(r));
  } finally {
    await dir.remove();
  }
});

// sleep() in setup() blocks it, so setupTimeout applies (k6 exits 100).
const SLOW_SETUP = `
import { sleep } from "k6";
export const options = { iterations: 1, setupTimeout: "1s" };
export function setup() {
  sleep(3);
}
export default function () {}
`;

Deno.test("runner k6 blocking: sleep() in setup() counts against setupTimeout (exit 100)", async () => {
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, SLOW_SETUP);
    assert.equal(r.code, 100, explain(r));
  } finally {
    await dir.remove();
  }
});

// group() lasts as long as the blocking calls in it: its sleep, its connect.
const GROUPS = `
import { group, sleep } from "k6";
import { Client } from "k6/x/mqtt";

export const options = {
  iterations: 2,
  thresholds: { "group_duration{group:::think}": ["max>=0"], "group_duration{group:::connect}": ["max>=0"] },
};

export default function () {
  const client = new Client();
  group("connect", () => client.connect(__ENV.BROKER));
  group("think", () => sleep(0.3));
  client.end();
}
`;

Deno.test({
  name: "runner k6 blocking: group_duration includes the group's sleep and connect",
  ignore: needsMosquitto.ignore,
  async fn() {
    const r = await runOnMosquitto(GROUPS);
    assert.equal(r.code, 0, explain(r));
    assert.ok(trend(r, "group_duration{group:::think}").min >= 299, explain(r));
    const connect = trend(r, "mqtt_connect_duration").min;
    assert.ok(trend(r, "group_duration{group:::connect}").min >= connect, explain(r));
  },
});

// A sync-named call's failure is thrown where it is made (no error handler), so try/catch takes
// it; Date.now() around a QoS 1 publish includes its round trip.
const TRY_AND_TIME = `
import { Counter, Trend } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const caught = new Counter("caught");
const wall = new Trend("publish_wall", true);
export const options = { iterations: 5 };

export default function () {
  const client = new Client();
  try {
    client.publish("try/" + __ITER, "before connect");
  } catch (e) {
    caught.add(1);
  }
  client.connect(__ENV.BROKER);
  const start = Date.now();
  client.publish("try/" + __ITER, "x", { qos: 1 });
  wall.add(Date.now() - start);
  client.end();
}
`;

Deno.test({
  name: "runner k6 blocking: try/catch takes a call's failure; Date.now() spans a QoS 1 publish",
  ignore: needsMosquitto.ignore,
  async fn() {
    const r = await runOnMosquitto(TRY_AND_TIME);
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "caught"), 5, explain(r));
    const wall = trend(r, "publish_wall");
    const publish = trend(r, "mqtt_publish_duration");
    // Date.now() counts whole milliseconds: 1 ms of rounding either way.
    assert.ok(wall.max + 1 >= publish.max && wall.avg + 1 >= publish.avg, explain(r));
  },
});

// Where a call cannot wait as in k6, the run says so once, naming the place.
const UNWAITABLE = `
import { Client } from "k6/x/mqtt";

export const options = { iterations: 3 };

export default function () {
  const client = new Client();
  client.connect(__ENV.BROKER);
  [2, 1].sort((a, b) => {
    client.publish("warn/t", "x");
    return a - b;
  });
  client.end();
}
`;

Deno.test({
  name: "runner k6 blocking: a call that cannot wait is named once at load, file:line:col",
  ignore: needsMosquitto.ignore,
  async fn() {
    const r = await runOnMosquitto(UNWAITABLE);
    assert.equal(r.code, 0, explain(r));
    const warnings =
      r.stderr.match(/script\.js:9:15: .*\[2, 1\]\.sort\(\) does not wait for it/g) ?? [];
    assert.equal(warnings.length, 1, explain(r));
  },
});

// A timer's callback runs on the VU's event loop: never while the VU is blocked, one at a time,
// and not once cleared.
const TIMERS = `
import { sleep } from "k6";
import { Counter, Gauge } from "k6/metrics";
import { setInterval, clearInterval } from "k6/timers";
import { Client } from "k6/x/mqtt";

const ticks = new Counter("ticks");
const calls = new Counter("tick_calls");
const overlap = new Gauge("overlap");
export const options = { iterations: 1 };

export default function () {
  const client = new Client();
  client.connect(__ENV.BROKER);
  let n = 0;
  let inside = 0;
  let peak = 0;
  // No guard against ticks after clearInterval(): in k6 a cleared timer's callback never runs.
  const id = setInterval(() => {
    calls.add(1);
    inside++;
    peak = Math.max(peak, inside);
    client.publish("timers/t", "tick", { qos: 1 });
    sleep(0.02);
    inside--;
    ticks.add(1);
    if (++n === 10) {
      clearInterval(id);
      overlap.add(peak);
      client.end();
    }
  }, 5);
}
`;

Deno.test({
  name: "runner k6 blocking: setInterval callbacks that block run one at a time",
  ignore: needsMosquitto.ignore,
  async fn() {
    const r = await runOnMosquitto(TIMERS);
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "ticks"), 10, explain(r));
    assert.equal(count(r.summary, "tick_calls"), 10, explain(r));
    assert.equal(count(r.summary, "mqtt_messages_sent"), 10, explain(r));
    assert.equal((r.summary.metrics.overlap as Record<string, number>).value, 1, explain(r));
  },
});

// Subscribers asleep in sync-style sleep() while publishers in their Worker send in bursts: the
// connections' reads never wait for a VU. The TCP transport pauses a busy read for a timer
// tick; that timer went through the VU's held-back timers, so a sleeping subscriber stopped
// reading until its sleep ended (5,795 of 70,000 received) and a publisher blocked in publish()
// could wait forever for the acknowledgement behind it.
const BURSTS = `
import { sleep } from "k6";
import exec from "k6/execution";
import { Client } from "k6/x/mqtt";

export const options = {
  scenarios: {
    subs: { executor: "per-vu-iterations", vus: 2, iterations: 1, exec: "sub" },
    pubs: { executor: "per-vu-iterations", vus: 100, iterations: 1, exec: "pub", startTime: "1s" },
  },
};

export function sub() {
  const client = new Client();
  client.connect(__ENV.BROKER);
  client.subscribe("bursts/#", { qos: 0 });
  sleep(7);
  client.end();
}

export function pub() {
  const client = new Client();
  client.connect(__ENV.BROKER);
  for (let k = 0; k < 20; k++) {
    for (let i = 0; i < 5; i++) client.publish("bursts/" + (exec.vu.idInTest % 10), "m", { qos: 1 });
    sleep(0.2);
  }
  client.end();
}
`;

Deno.test({
  name: "runner k6 blocking: subscribers asleep in sleep() read every burst of 100 publishers",
  ignore: needsMosquitto.ignore,
  async fn() {
    const r = await runOnMosquitto(BURSTS, ["--workers", "1"]);
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "mqtt_messages_sent"), 10_000, explain(r));
    assert.equal(count(r.summary, "mqtt_messages_received"), 20_000, explain(r));
  },
});

// xk6-mqtt's end() and endAsync() on a client already ended return without an error: the first
// end() fired `end` and stopped the client's event loop, so later ones fire nothing and only
// count mqtt_calls{method:end} (the API reference's example ends in every message handler).
const END_TWICE = `
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";

const ends = new Counter("ends");
const caught = new Counter("caught");
export const options = { iterations: 3 };

export default async function () {
  const client = new Client();
  client.on("end", () => ends.add(1));
  client.on("error", () => {}); // takes failures of calls, not this one
  client.connect(__ENV.BROKER);
  client.end();
  try {
    client.end();
  } catch (e) {
    if (/not connected/.test(String(e))) caught.add(1);
  }
  try {
    await client.endAsync();
  } catch (e) {
    if (/not connected/.test(String(e))) caught.add(1);
  }
}
`;

Deno.test({
  name:
    "runner k6 blocking: end() on an ended client neither throws nor fires end; each is counted",
  ignore: needsMosquitto.ignore,
  async fn() {
    const r = await runOnMosquitto(END_TWICE);
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "ends"), 3, explain(r));
    assert.equal(count(r.summary, "caught"), 0, explain(r));
    // One connect and three ends per iteration.
    assert.equal(count(r.summary, "mqtt_calls"), 12, explain(r));
  },
});
