import assert from "node:assert/strict";
import { completeSeconds, DashboardData, type DashboardState } from "./_dashboard_state.ts";
import { Timeline } from "./timeline.ts";
import { renderDashboardPage } from "./_dashboard_page.ts";
import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
import { parseThresholds } from "../metrics/thresholds.ts";
import {
  CHECKS,
  ITERATIONS,
  MQTT_CONNECT_DURATION,
  MQTT_ERRORS,
  MQTT_MESSAGES_RECEIVED,
  MQTT_MESSAGES_SENT,
  MQTT_PUBLISH_DURATION,
} from "../metrics/builtin.ts";
import type { TestEnd } from "./output.ts";

const T0 = Date.UTC(2026, 0, 1);

function worker(): MetricRegistry {
  const r = new MetricRegistry();
  defineBuiltins(r);
  return r;
}

const value = (state: DashboardState, id: string) =>
  [...state.live.figures, ...state.totals].find((f) => f.id === id)?.value;
const text = (state: DashboardState, id: string) =>
  [...state.live.figures, ...state.totals].find((f) => f.id === id)?.text;

function end(thresholdsOk: boolean[]): TestEnd {
  return {
    summary: {
      root_group: {
        name: "",
        path: "",
        id: "",
        groups: [],
        checks: [{ name: "final check", path: "::final check", id: "x", passes: 9, fails: 1 }],
      },
      options: { summaryTrendStats: ["avg"], summaryTimeUnit: "", noColor: true },
      state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 4200.4 },
      metrics: {},
    },
    thresholds: thresholdsOk.map((ok, i) => ({
      metric: MQTT_ERRORS,
      expression: `count<${i}`,
      ok,
      value: 3,
      abortOnFail: false,
      skipped: false,
    })) as unknown as TestEnd["thresholds"],
  };
}

Deno.test("DashboardData.state() before the start: waiting, no figures", () => {
  const state = new DashboardData().state(T0);
  assert.equal(state.phase, "waiting");
  assert.equal(state.live.second, null);
  assert.equal(value(state, "live-received"), null);
  assert.equal(text(state, "live-received"), "–");
  assert.equal(value(state, "total-received"), 0);
  assert.match(state.html.status, /Waiting for the test to start/);
  assert.match(state.html.charts, /id="chart-vus"/);
});

Deno.test("DashboardData.state() gives the last complete second and the totals", () => {
  const w = worker();
  const data = new DashboardData();
  data.record(w.drain(), T0 - 100); // before the start: ignored, as in the report
  data.start(T0);
  for (const [second, sent] of [[0, 10], [1, 30], [2, 7]]) {
    for (let i = 0; i < sent; i++) w.add(MQTT_MESSAGES_SENT, 1);
    for (let i = 0; i < sent - 1; i++) w.add(MQTT_MESSAGES_RECEIVED, 1);
    w.add(ITERATIONS, 1);
    w.add(MQTT_PUBLISH_DURATION, 2 + second);
    data.record(w.drain(), T0 + second * 1000 + 400);
  }
  w.add(MQTT_ERRORS, 1);
  data.record(w.drain(), T0 + 1500);
  data.status({ vus: 4, vusMax: 5, atMs: T0 + 2100 });

  // At 2.5 s the third second is still filling: the figures are the second one's.
  const s = data.state(T0 + 2500);
  assert.equal(s.phase, "running");
  assert.equal(s.elapsedMs, 2500);
  assert.equal(s.live.second, 2);
  assert.equal(value(s, "live-sent"), 30);
  assert.equal(value(s, "live-received"), 29);
  assert.equal(value(s, "live-errors"), 1);
  assert.ok(Math.abs(value(s, "live-publish-p50")! - 3) < 0.1);
  assert.equal(text(s, "live-sent"), "30/s");
  assert.equal(value(s, "live-vus"), 4);
  assert.equal(text(s, "live-vus"), "4 of 5");
  assert.equal(value(s, "total-sent"), 47);
  assert.equal(value(s, "total-received"), 44);
  assert.equal(value(s, "total-iterations"), 3);
  assert.equal(value(s, "total-errors"), 1);
  assert.match(s.html.status, /Running · 2\.5s|Running · 2s/);
  assert.match(s.html.charts, /<path class="line" data-series="sent"/);

  // Later, seconds without samples read as 0/s, not as the last second seen.
  const later = data.state(T0 + 9000);
  assert.equal(later.live.second, 8);
  assert.equal(value(later, "live-sent"), 0);
  assert.equal(value(later, "live-publish-p50"), null);
  assert.equal(value(data.state(T0 + 3100), "live-sent"), 30, "second 3 still settles");
  assert.equal(value(data.state(T0 + 3500), "live-sent"), 7);
});

Deno.test("DashboardData shows the clients connected and the connects of the second", () => {
  const w = worker();
  const data = new DashboardData();
  data.start(T0);
  for (let i = 0; i < 3; i++) w.add(MQTT_CONNECT_DURATION, 1.5);
  w.add(MQTT_ERRORS, 1, { method: "connect" });
  w.add(MQTT_ERRORS, 1, { method: "publish" });
  data.record({ ...w.drain(), periodStartMs: T0, periodEndMs: T0 + 1000 }, T0 + 500);
  data.status({ vus: 3, vusMax: 3, connections: 3, atMs: T0 + 500 });
  const s = data.state(T0 + 1500);
  assert.equal(s.live.second, 1);
  assert.equal(value(s, "live-connected"), 3);
  assert.equal(value(s, "live-connects"), 3);
  assert.equal(value(s, "live-connect-failures"), 1);
  assert.equal(value(s, "live-publish-failures"), 1);
  assert.equal(value(s, "live-errors"), 2);
  assert.equal(value(s, "total-connects"), 3);
  assert.match(s.html.charts, /id="chart-connections"/);
});

Deno.test("DashboardData follows checks live, bounded, then shows the summary's", () => {
  const w = worker();
  const data = new DashboardData({ maxChecks: 2 });
  data.start(T0);
  w.add(CHECKS, 1, { check: "connected" });
  w.add(CHECKS, 0, { check: "connected" });
  w.add(CHECKS, 1, { check: "payload <ok>", group: "::g1" });
  w.add(CHECKS, 1, { check: "third, over the bound" });
  data.record(w.drain(), T0 + 10);
  const live = data.state(T0 + 20).html.checks;
  assert.match(live, /<td>connected<\/td><td class="num">1<\/td><td class="num">1<\/td>/);
  assert.match(live, /g1 › payload &lt;ok&gt;/);
  assert.ok(!live.includes("third"));
  data.end(end([true]));
  assert.match(data.state(T0 + 30).html.checks, /final check/);
});

Deno.test("DashboardData lists the thresholds pending, then their verdicts", () => {
  const thresholds = parseThresholds({ [MQTT_ERRORS]: ["count<1"], checks: ["rate>0.9"] });
  const data = new DashboardData({ thresholds });
  data.start(T0);
  const pending = data.state(T0).html.thresholds;
  assert.equal(pending.match(/<tr class="threshold pending">/g)?.length, 2);
  assert.match(pending, /<code>count&lt;1<\/code>/);
  data.end(end([true, false]));
  const s = data.state(T0 + 99_000);
  assert.equal(s.phase, "ended");
  assert.equal(s.elapsedMs, 4200, "the summary's duration");
  assert.match(s.html.status, /1 of 2 thresholds failed/);
  assert.equal(s.html.thresholds.match(/<tr class="threshold (ok|bad)">/g)?.length, 2);
  assert.match(new DashboardData().state(T0).html.thresholds, /No thresholds were set/);
});

Deno.test("renderDashboardPage() draws the state, redacts options and loads nothing else", () => {
  const w = worker();
  const data = new DashboardData();
  data.start(T0);
  for (let i = 0; i < 12; i++) w.add(MQTT_MESSAGES_RECEIVED, 1);
  data.record(w.drain(), T0 + 100);
  const html = renderDashboardPage({
    title: "a<b>.js",
    state: data.state(T0 + 1500),
    options: { vus: 2, password: "pw-1234", broker: "mqtt://u:pw-5678@h:1883" },
    periodMs: 1000,
  });
  assert.match(html, /<title>a&lt;b&gt;\.js · mqload dashboard<\/title>/);
  assert.match(html, /id="fig-total-received" data-value="12">12</);
  assert.match(html, /id="fig-live-received" data-value="12">12\/s</);
  assert.match(html, /updated every 1 s/);
  assert.ok(!html.includes("pw-1234") && !html.includes("pw-5678"));
  assert.doesNotMatch(html, /\b(src|href)\s*=|https?:\/\/|@import|url\(/i);
  for (const part of ["status", "charts", "thresholds", "checks"]) {
    assert.match(html, new RegExp(`id="part-${part}"`));
  }
});

Deno.test("a DashboardState survives JSON, as the events carry it", () => {
  const data = new DashboardData();
  data.start(T0);
  const state = data.state(T0 + 1500);
  assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
});

Deno.test("completeSeconds() keeps the seconds that are over: the one under way would dip", () => {
  const timeline = new Timeline({ startMs: T0 });
  const r = worker();
  for (const at of [500, 1500]) {
    r.add(MQTT_MESSAGES_SENT, 100, {}, T0 + at);
    timeline.record(r.drain(), T0 + at);
  }
  // Gauges are set as Workers report, in the second under way, before its counters arrive.
  timeline.gauge("vus", 3, T0 + 2100);
  const json = timeline.toJSON();
  assert.equal(json.length, 3);
  completeSeconds(json, T0 + 2300);
  assert.equal(json.length, 1, "second 1 is taken as over 400 ms after its end");
  const again = timeline.toJSON();
  completeSeconds(again, T0 + 2500);
  assert.equal(again.length, 2);
  assert.deepEqual(again.counters[MQTT_MESSAGES_SENT].rate, [100, 100]);
  assert.equal(again.gauges.vus.length, 2);
  completeSeconds(again, T0 + 1000);
  assert.equal(again.length, 0);
});
