/**
 * Looks at the web dashboard as a person would while a run goes: `mqload run --out
 * web-dashboard` publishes and receives through mosquitto for about 8 s while headless Chromium
 * (Debian package `chromium`) loads the page twice, a few seconds apart, and dumps the DOM its
 * script built from the Server-Sent Events. The figures must move between the two looks and
 * agree with the run's summary; at the end `K6_WEB_DASHBOARD_EXPORT` must have written the HTML
 * report.
 *
 * Without Chromium the test is skipped, except when `CI=true`: then it fails.
 */

import assert from "node:assert/strict";
import { assertChromium, needsChromium, runChromium } from "./fixtures/chromium.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { freePort, waitForPort } from "./fixtures/ports.ts";
import { count, explain, mqload, TempDir } from "./_runner_helpers.ts";

/**
 * Loads `url` in headless Chromium and returns the DOM it built. Virtual time stands still while
 * the event stream is open; `?updates=2` makes the page close it after two events (the one on
 * connect and the next period's), then the DOM is dumped.
 */
function dumpDom(profile: string, url: string): Promise<string> {
  return runChromium({
    profile,
    url,
    args: ["--virtual-time-budget=5000", "--dump-dom"],
    timeoutMs: 30_000,
  });
}

/** A figure's value on the page (`<div … id="fig-ID" data-value="N">`). */
function figure(dom: string, id: string): number {
  const m = dom.match(new RegExp(`id="fig-${id}" data-value="([^"]*)"`));
  assert.ok(m, `no figure ${id}`);
  return Number(m[1]);
}

/**
 * The live line's `recv N/s` for second `n` (1 is the test's first): the runner prints the line
 * of the last complete second under each progress line, at `running (…s)` = n + 0.5 (a second
 * is complete 400 ms after its end).
 */
function liveLineReceived(stderr: string, n: number): number | undefined {
  let elapsed: number | undefined;
  for (const line of stderr.split("\n")) {
    const progress = line.match(/^running \((\d+)m(\d+(?:\.\d+)?)s\)/);
    if (progress) elapsed = Number(progress[1]) * 60 + Number(progress[2]);
    const live = line.match(/^live .*\brecv ([\d,.]+)(k?)\/s/);
    if (live && elapsed !== undefined && Math.floor(elapsed - 0.4) === n) {
      return Number(live[1].replaceAll(",", "")) * (live[2] === "k" ? 1000 : 1);
    }
  }
  return undefined;
}

const SCRIPT = `
import { Client } from "k6/x/mqtt";
import { check } from "k6";
export const options = {
  scenarios: {
    sub: { executor: "per-vu-iterations", vus: 1, iterations: 1, exec: "sub", maxDuration: "40s" },
    // Long enough that both looks happen while it runs, however slowly Chromium starts under load.
    pub: { executor: "constant-vus", vus: 1, duration: "20s", exec: "pub", startTime: "500ms" },
  },
  thresholds: { checks: ["rate==1"], mqtt_errors: ["count==0"] },
};
export async function sub() {
  const client = new Client();
  await client.connect(__ENV.MQTT_BROKER_ADDRESS);
  let received = 0;
  client.on("message", () => { received++; });
  await client.subscribe("dashboard/#", { qos: 0 });
  await new Promise((resolve) => setTimeout(resolve, 21500));
  check(received, { "received messages": (n) => n > 0 });
  await client.end();
}
export async function pub() {
  const client = new Client();
  await client.connect(__ENV.MQTT_BROKER_ADDRESS);
  for (let i = 0; i < 20; i++) await client.publish("dashboard/x", "m" + i, { qos: 1 });
  await client.end();
}
`;

Deno.test({
  name: "web dashboard: Chromium sees the run's figures move, then the report is exported",
  ignore: needsMosquitto.ignore || needsChromium.ignore,
  async fn() {
    assertChromium();
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const script = await dir.write("dash.js", SCRIPT);
      const port = freePort();
      const exported = `${dir.path}/export.html`;
      const summaryPath = `${dir.path}/summary.json`;
      let running = true;
      const run = mqload(
        [
          "run",
          "--out",
          "web-dashboard",
          "--summary-export",
          summaryPath,
          "-e",
          `MQTT_BROKER_ADDRESS=${broker.url}`,
          script,
        ],
        {
          K6_WEB_DASHBOARD_PORT: String(port),
          K6_WEB_DASHBOARD_PERIOD: "1s",
          K6_WEB_DASHBOARD_EXPORT: exported,
        },
      ).finally(() => running = false);

      await waitForPort(port, { timeoutMs: 20_000, alive: () => running });
      const url = `http://127.0.0.1:${port}/?updates=2`;
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const first = await dumpDom(`${dir.path}/profile-1`, url);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const second = await dumpDom(`${dir.path}/profile-2`, url);
      const result = await run;
      assert.equal(result.code, 0, explain(result));

      // One line says where the dashboard is, and the banner names the output.
      const said = result.stderr.split("\n").filter((l) => l.startsWith("web dashboard:"));
      assert.deepEqual(said, [`web dashboard: http://127.0.0.1:${port}`]);
      assert.match(
        result.stderr,
        new RegExp(`output: web-dashboard http://127\\.0\\.0\\.1:${port}`),
      );

      const summary = JSON.parse(await Deno.readTextFile(summaryPath));
      const received = count(summary, "mqtt_messages_received");
      const sent = count(summary, "mqtt_messages_sent");
      assert.ok(received > 0 && sent > 0, "the run moved messages");
      for (const [name, dom] of [["first", first], ["second", second]] as const) {
        assert.match(dom, /<body data-phase="running" data-events="2">/, `${name} look: 2 events`);
        assert.match(dom, /id="conn" class="conn">paused after 2 updates</);
        const shown = figure(dom, "total-received");
        assert.ok(shown > 0 && shown <= received, `${name} look: ${shown} of ${received} received`);
        assert.ok(figure(dom, "total-sent") <= sent);
        assert.ok(figure(dom, "live-received") > 0, `${name} look: messages received per second`);
        // VUs in an iteration when a Worker reported: the subscriber, and the publisher but
        // between two of its iterations.
        const vus = figure(dom, "live-vus");
        assert.ok(vus >= 1 && vus <= 2, `${name} look: ${vus} VUs`);
        assert.match(dom, /id="fig-live-vus" data-value="\d">\d of 2</, `${name} look: 2 VUs max`);
        // The subscriber stays; the publisher connects anew each iteration.
        const connected = figure(dom, "live-connected");
        assert.ok(connected >= 1 && connected <= 2, `${name} look: ${connected} connected`);
        assert.match(
          dom,
          /<figure class="chart" id="chart-messages"[^>]*>(?:(?!<\/figure>).)*<path class="line" data-series="received" d="M/s,
        );
        assert.equal(dom.match(/<tr class="threshold pending">/g)?.length, 2, "thresholds listed");
        assert.doesNotMatch(dom, /\b(src|href)\s*=\s*["']?(https?:)?\/\//i, "nothing external");
      }
      // The page's last second agrees with the live line the runner printed for that second.
      for (const dom of [first, second]) {
        const n = Number(dom.match(/id="live-second" class="muted">second (\d+)</)?.[1]);
        const line = liveLineReceived(result.stderr, n);
        assert.ok(line !== undefined, `no live line for second ${n}:\n${result.stderr}`);
        const page = figure(dom, "live-received");
        assert.ok(
          Math.abs(page - line) <= Math.max(0.1 * line, 50),
          `second ${n}: the page shows ${page} received/s, the live line ${line}`,
        );
      }
      assert.ok(
        figure(second, "total-received") > figure(first, "total-received"),
        "the received count moved between the looks",
      );
      assert.ok(figure(second, "total-elapsed") >= figure(first, "total-elapsed") + 2000);

      // The export: the HTML report of the same run, no script, charts drawn, verdicts known.
      const html = await Deno.readTextFile(exported);
      assert.ok(html.startsWith("<!doctype html>"));
      assert.doesNotMatch(html, /<script/i);
      assert.match(html, /<path class="line" data-series="received" d="M[\d.]+ [\d.]+L/);
      assert.match(html, /All 2 thresholds passed/);
      assert.match(html, /received messages/, "the checks");
    } finally {
      await dir.remove();
    }
  },
});
