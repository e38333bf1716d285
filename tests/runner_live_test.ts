/**
 * The live figures end to end, against mosquitto: the live lines on piped stderr (one a second)
 * and the HTML report's time-true seconds agree with the rate the broker counted (its
 * `$SYS/broker/publish/messages/received`, asked for every second with `sys_interval 1`); a
 * connect storm shows the clients connected rising and the connects per second, in the live
 * lines and the report's connections chart; a broker that refuses shows connect failures;
 * `--quiet` prints no live line.
 */

import assert from "node:assert/strict";
import { Client } from "../mod.ts";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { freePort } from "./fixtures/ports.ts";
import { explain, mqload, TempDir } from "./_runner_helpers.ts";

const RATE = 1000;

/** One publisher VU paced at RATE msg/s (QoS 0) for SECS seconds, one subscriber VU. */
const STEADY = `
import { Client } from "k6/x/mqtt";
import { sleep } from "k6";
const RATE = ${RATE}, SECS = 8;
export const options = { scenarios: {
  sub: { executor: "per-vu-iterations", vus: 1, iterations: 1, exec: "sub" },
  pub: { executor: "per-vu-iterations", vus: 1, iterations: 1, exec: "pub" },
} };
export async function sub() {
  const c = new Client();
  await c.connect(__ENV.BROKER);
  await c.subscribe("live/steady");
  await sleep(SECS + 0.5);
  await c.end();
}
export async function pub() {
  const c = new Client();
  await c.connect(__ENV.BROKER);
  await sleep(0.1); // the subscription is in place
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < SECS * 1000) {
    const due = Math.floor((performance.now() - start) * RATE / 1000) + 1;
    if (sent >= due) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    c.publish("live/steady", "x");
    sent++;
  }
  await c.end();
}
`;

/** A live line's figures, with the second it shows (from the run line printed before it). */
interface LiveFigures {
  second: number;
  line: string;
  connected?: number;
  connects?: number;
  connectFailures?: number;
  pub?: number;
  recv?: number;
}

const num = (s: string | undefined) => s === undefined ? undefined : Number(s.replace(/,/g, ""));

/** The live lines of piped stderr; each follows the run line of the tick that printed it. */
function liveLines(stderr: string): LiveFigures[] {
  const out: LiveFigures[] = [];
  let elapsed = NaN;
  for (const line of stderr.split("\n")) {
    const run = /^running \((\d+)m(\d+(?:\.\d+)?)s\)/.exec(line);
    if (run) elapsed = Number(run[1]) * 60 + Number(run[2]);
    if (!line.startsWith("live ")) continue;
    const conn = /conn (\S+) \+([\d,]+)\/s ([\d,]+) fail/.exec(line);
    out.push({
      // Printed half-way through second k + 1, about second k.
      second: Math.round(elapsed - 1.5),
      line,
      connected: num(conn?.[1]),
      connects: num(conn?.[2]),
      connectFailures: num(conn?.[3]),
      pub: num(/pub ([\d,]+)\/s/.exec(line)?.[1]),
      recv: num(/recv ([\d,]+)\/s/.exec(line)?.[1]),
    });
  }
  return out;
}

/** The per-second values of a report chart, from its hover titles (`3s: sent 1000/s · …`). */
function chartSeries(html: string, id: string): Map<string, number[]> {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `no chart ${id}`);
  const figure = html.slice(start, html.indexOf("</figure>", start));
  const series = new Map<string, number[]>();
  for (const [, title] of figure.matchAll(/<title>\d+s: ([^<]*)<\/title>/g)) {
    for (const part of title.split(" · ")) {
      const m = /^(.*) (–|[\d.]+k?)(?:\/s)?$/.exec(part);
      assert.ok(m, `unexpected part "${part}"`);
      const v = m[2] === "–"
        ? NaN
        : m[2].endsWith("k")
        ? Number(m[2].slice(0, -1)) * 1000
        : Number(m[2]);
      series.set(m[1], [...series.get(m[1]) ?? [], v]);
    }
  }
  return series;
}

const within = (value: number, target: number, share: number) =>
  Math.abs(value - target) <= target * share;

Deno.test("runner live: pub/s and recv/s of the live lines and the report match mosquitto's count", async () => {
  await using broker = await startMosquitto({ extraConfig: "sys_interval 1" });
  const dir = await TempDir.create();
  const sys = new Client();
  // The broker's cumulative PUBLISH count, with when it arrived (every second).
  const counts: Array<{ at: number; value: number }> = [];
  sys.on("message", (_topic, payload) => {
    counts.push({ at: performance.now(), value: Number(new TextDecoder().decode(payload)) });
  });
  try {
    await sys.connect(broker.url);
    await sys.subscribe("$SYS/broker/publish/messages/received");
    const script = await dir.write("steady.js", STEADY);
    const report = `${dir.path}/report.html`;
    const r = await mqload(["run", "-e", `BROKER=${broker.url}`, "--report", report, script]);
    assert.equal(r.code, 0, explain(r));

    // mosquitto's $SYS updates come every 1 to 2 s, not aligned with the test's seconds, and
    // arrive with some jitter: the broker's rate is taken over the updates inside the steady
    // part of the run (busy before and after), 2 s or more apart, which keeps the jitter's share
    // small. The test's seconds are compared with it, and it with the target rate.
    const busy = (i: number) =>
      counts[i].value - counts[i - 1].value > (counts[i].at - counts[i - 1].at) * RATE / 2000;
    const inside = counts.filter((_, i) =>
      i > 0 && i < counts.length - 1 && busy(i) && busy(i + 1)
    );
    assert.ok(inside.length >= 2, `$SYS counts ${JSON.stringify(counts)}`);
    const [first, last] = [inside[0], inside[inside.length - 1]];
    assert.ok(last.at - first.at >= 1900, `$SYS counts ${JSON.stringify(counts)}`);
    const brokerRate = (last.value - first.value) / ((last.at - first.at) / 1000);
    assert.ok(within(brokerRate, RATE, 0.05), `broker rate ${brokerRate}`);

    // Every full second but the first and last: seconds 1 to 6 of the 8 s publication.
    const live = liveLines(r.stderr).filter((l) => l.second >= 1 && l.second <= 6);
    assert.equal(live.length, 6, r.stderr);
    for (const l of live) {
      assert.ok(within(l.pub!, brokerRate, 0.05), `pub/s ${l.line} vs broker ${brokerRate}`);
      assert.ok(within(l.recv!, brokerRate, 0.05), `recv/s ${l.line} vs broker ${brokerRate}`);
    }
    const messages = chartSeries(await Deno.readTextFile(report), "chart-messages");
    for (const name of ["sent", "received"]) {
      const values = messages.get(name)!.slice(1, 7);
      assert.equal(values.length, 6);
      for (const v of values) {
        assert.ok(within(v, brokerRate, 0.05), `${name} ${values} vs broker ${brokerRate}`);
      }
    }
  } finally {
    await sys.end();
    await dir.remove();
  }
});

/** 200 VUs connect at 100/s (2 s of arrivals), each holding its connection 3 s. */
const STORM = `
import { Client } from "k6/x/mqtt";
import { sleep } from "k6";
export const options = { scenarios: { storm: {
  executor: "constant-arrival-rate", rate: 100, timeUnit: "1s", duration: "2s",
  preAllocatedVUs: 200, maxVUs: 200,
} } };
export default async function () {
  const c = new Client();
  await c.connect(__ENV.BROKER);
  await sleep(3);
  await c.end();
}
`;

Deno.test("runner live: a connect storm shows connected clients and connects per second", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const script = await dir.write("storm.js", STORM);
    const report = `${dir.path}/report.html`;
    const r = await mqload(["run", "-e", `BROKER=${broker.url}`, "--report", report, script]);
    assert.equal(r.code, 0, explain(r));
    const live = liveLines(r.stderr);
    const connected = live.map((l) => l.connected ?? 0);
    assert.equal(Math.max(...connected), 200, r.stderr);
    // Rising: about 100 after the first second, 200 after the second (how many exactly depends
    // on how busy the machine is; the totals below do not).
    const first = live.find((l) => l.second === 0)!.connected!;
    assert.ok(first > 0 && first < 200, r.stderr);
    for (const second of [0, 1]) {
      const l = live.find((l) => l.second === second)!;
      assert.ok(l.connects! > 0, `second ${second}: ${l.line}`);
      assert.equal(l.connectFailures, 0);
    }
    const total = live.reduce((sum, l) => sum + (l.connects ?? 0), 0);
    assert.ok(total >= 190 && total <= 200, `${total} connects in the live lines`);

    const html = await Deno.readTextFile(report);
    const chart = chartSeries(html, "chart-connections");
    assert.equal(Math.max(...chart.get("connected")!.filter((v) => !Number.isNaN(v))), 200);
    const perSecond = chart.get("connects/s")!;
    assert.equal(perSecond.reduce((a, b) => a + b, 0), 200, `connects/s ${perSecond}`);
    assert.match(html, /connected <span class="muted">peak 200<\/span>/);
  } finally {
    await dir.remove();
  }
});

const REFUSED = `
import { Client } from "k6/x/mqtt";
import { sleep } from "k6";
export const options = { vus: 2, duration: "2500ms" };
export default async function () {
  const c = new Client();
  try {
    await c.connect(__ENV.BROKER, { connect_timeout: 1 });
  } catch { /* counted in mqtt_errors{method:connect} */ }
  await sleep(0.1);
}
`;

Deno.test("runner live: a broker that refuses shows connect failures", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("refused.js", REFUSED);
    const report = `${dir.path}/report.html`;
    const url = `mqtt://127.0.0.1:${freePort()}`;
    const r = await mqload(["run", "-e", `BROKER=${url}`, "--report", report, script]);
    assert.equal(r.code, 0, explain(r));
    const live = liveLines(r.stderr);
    assert.ok(live.length >= 2, r.stderr);
    for (const l of live) {
      assert.equal(l.connected, 0, l.line);
      assert.equal(l.connects, 0, l.line);
      assert.ok(l.connectFailures! >= 5, l.line); // 2 VUs, about 10 attempts a second each
      assert.match(l.line, new RegExp(`err ${l.connectFailures}/s`));
    }
    const chart = chartSeries(await Deno.readTextFile(report), "chart-connections");
    assert.ok(
      Math.max(...chart.get("connect failures/s")!) >= 5,
      String(chart.get("connect failures/s")),
    );
  } finally {
    await dir.remove();
  }
});

Deno.test("runner live: --quiet prints no live line, nor progress", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const script = await dir.write(
      "quiet.js",
      `import { Client } from "k6/x/mqtt";
import { sleep } from "k6";
export const options = { vus: 1, duration: "2500ms" };
export default async function () {
  const c = new Client();
  await c.connect(__ENV.BROKER);
  await c.publish("live/quiet", "x");
  await sleep(0.5);
  await c.end();
}`,
    );
    const quiet = await mqload(["run", "-q", "-e", `BROKER=${broker.url}`, script]);
    assert.equal(quiet.code, 0, explain(quiet));
    assert.doesNotMatch(quiet.stderr, /^live /m);
    assert.doesNotMatch(quiet.stderr, /^running \(/m);
    const loud = await mqload(["run", "-e", `BROKER=${broker.url}`, script]);
    assert.equal(loud.code, 0, explain(loud));
    // Piped: a run line and a live line each second.
    assert.ok(liveLines(loud.stderr).length >= 2, loud.stderr);
    assert.ok((loud.stderr.match(/^running \(/gm) ?? []).length >= 3, loud.stderr);
  } finally {
    await dir.remove();
  }
});
