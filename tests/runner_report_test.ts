/**
 * `--report` end to end: `mqload run` against the embedded broker writes one self-contained
 * HTML file with the run's series (VUs, messages) and the thresholds' verdicts, also when a
 * threshold fails or the script aborts the test; `mqload merge --report` renders merged
 * summaries. The trend table shows k6's `count` trend stat as a number of samples, not a
 * duration.
 */

import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { explain, mqload, runScript, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { Client } from "k6/x/mqtt";
import { check } from "k6";
export const options = {
  scenarios: { pub: { executor: "constant-vus", vus: 2, duration: "2500ms" } },
  thresholds: {
    mqtt_messages_sent: ["count>0"],
    checks: ["rate==1"],
    iterations: ["count<1"],
  },
};
export default async function () {
  const client = new Client();
  await client.connect(__ENV.MQTT_BROKER_ADDRESS);
  for (let i = 0; i < 3; i++) await client.publish("report/" + __VU, "m" + i, { qos: 1 });
  check(client, { "still connected": (c) => c.connected });
  await client.end();
}
`;

/** The markup of `<figure id="…">`. */
function figure(html: string, id: string): string {
  const start = html.indexOf(`<figure class="chart" id="${id}"`);
  assert.ok(start >= 0, `no chart ${id}`);
  return html.slice(start, html.indexOf("</figure>", start));
}

/** The `d` attribute of a chart's line for a series. */
function line(chart: string, series: string): string {
  const m = chart.match(new RegExp(`<path class="line" data-series="${series}" d="([^"]*)"`));
  assert.ok(m, `no line for ${series} in:\n${chart.slice(0, 500)}`);
  return m[1];
}

function assertSelfContained(html: string): void {
  assert.ok(html.startsWith("<!doctype html>"));
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  assert.doesNotMatch(html, /url\(\s*["']?(https?:)?\/\//i);
  assert.doesNotMatch(html, /@import/i);
}

Deno.test("runner --report: a self-contained HTML report of the run", async (t) => {
  const broker = await startBroker({ port: 0 });
  const dir = await TempDir.create();
  const env = ["-e", `MQTT_BROKER_ADDRESS=${broker.url}`];
  try {
    await t.step("written with the series and the verdicts when a threshold fails", async () => {
      const report = `${dir.path}/report.html`;
      const r = await runScript(dir, SCRIPT, [...env, "--report", report], "pub.js");
      assert.equal(r.code, 99, explain(r));
      const html = await Deno.readTextFile(report);
      assertSelfContained(html);
      assert.match(html, /<h1><span class="brand">mqload<\/span> pub\.js<\/h1>/);
      assert.match(html, /1 of 3 thresholds failed/);

      const vus = figure(html, "chart-vus");
      assert.ok(Number(vus.match(/data-points="(\d+)"/)?.[1]) >= 2, vus.slice(0, 300));
      assert.match(line(vus, "VUs"), /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+$/);
      assert.match(vus, /<title>[^<]*VUs 2<\/title>/, "the VUs series reaches 2");

      const messages = figure(html, "chart-messages");
      assert.match(line(messages, "sent"), /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+$/);
      const sent = r.summary.metrics.mqtt_messages_sent as Record<string, number>;
      assert.ok(sent.count > 0);
      assert.ok(line(figure(html, "chart-publish"), "p95").length > 0, "publish RTT drawn");

      const table = html.slice(html.indexOf('<table id="thresholds"'));
      const row = (metric: string) =>
        table.match(
          new RegExp(`<tr class="threshold (ok|bad)">(?:(?!</tr>).)*?<code>${metric}</code>`),
        )
          ?.[1];
      assert.equal(row("mqtt_messages_sent"), "ok");
      assert.equal(row("checks"), "ok");
      assert.equal(row("iterations"), "bad");
      assert.match(html, /<pre id="options">[^<]*constant-vus/);
    });

    await t.step("written when the script aborts the test (exit 108)", async () => {
      const report = `${dir.path}/aborted.html`;
      const r = await runScript(
        dir,
        `import exec from "k6/execution";
export const options = { vus: 1, duration: "10s", thresholds: { iterations: ["count>0"] } };
export default function () { if (exec.scenario.iterationInTest >= 2) exec.test.abort("enough"); }`,
        ["--report", report],
        "abort.js",
      );
      assert.equal(r.code, 108, explain(r));
      const html = await Deno.readTextFile(report);
      assertSelfContained(html);
      assert.match(html, /<code>iterations<\/code>/);
    });

    await t.step("mqload merge --report renders the merged summaries", async () => {
      const report = `${dir.path}/merged.html`;
      const merged = await mqload([
        "merge",
        "--report",
        report,
        `${dir.path}/pub.js.summary.json`,
        `${dir.path}/abort.js.summary.json`,
      ]);
      assert.equal(merged.code, 99, explain(merged));
      const html = await Deno.readTextFile(report);
      assertSelfContained(html);
      assert.match(html, /2 merged segments/);
      assert.match(html, /<tr class="threshold bad">(?:(?!<\/tr>).)*<code>iterations<\/code>/);
      assert.equal(JSON.parse(merged.stdout).mqload.version, 1);
    });
  } finally {
    await dir.remove();
    await broker.close();
  }
});

const COUNT_STAT_SCRIPT = `
import { Client } from "k6/x/mqtt";

export const options = { vus: 1, iterations: 3, summaryTrendStats: ["avg", "p(99)", "count"] };

export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  await client.endAsync();
}
`;

Deno.test("runner --report: the trend table shows the count stat as a number", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const script = await dir.write("script.js", COUNT_STAT_SCRIPT);
    const report = `${dir.path}/report.html`;
    const r = await mqload(["run", "-q", "--report", report, "-e", `BROKER=${broker.url}`, script]);
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stdout, /mqtt_connect_duration\.*: avg=\S+ +p\(99\)=\S+ +count=3\b/);
    const html = await Deno.readTextFile(report);
    const row = /<tr><td><code>mqtt_connect_duration<\/code><\/td>(.*?)<\/tr>/.exec(html);
    assert.ok(row, "a row for mqtt_connect_duration");
    const cells = [...row[1].matchAll(/<td class="num">(.*?)<\/td>/g)].map((m) => m[1]);
    assert.equal(cells.length, 3);
    assert.equal(cells[2], "3");
  } finally {
    await dir.remove();
  }
});

Deno.test("runner progress: the VUs of the progress line agree with vus_max", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write(
      "rate.js",
      `export const options = { scenarios: { rate: { executor: "constant-arrival-rate", rate: 5,
  duration: "1s", preAllocatedVUs: 2, maxVUs: 10 } } };
export default function () {}`,
    );
    const summary = `${dir.path}/summary.json`;
    const r = await mqload(["run", "--summary-export", summary, script]);
    assert.equal(r.code, 0, explain(r));
    // The banner shows the most VUs possible; progress and vus_max the VUs initialized (k6).
    assert.match(r.stderr, /1 scenario, 10 max VUs/);
    const lines = [...r.stderr.matchAll(/running \([^)]*\), (\d+)\/(\d+) VUs/g)];
    assert.ok(lines.length > 0, r.stderr);
    const vusMax = JSON.parse(await Deno.readTextFile(summary)).metrics.vus_max.value;
    assert.equal(vusMax, 2);
    for (const [, , max] of lines) assert.equal(Number(max), vusMax, lines.join("\n"));
  } finally {
    await dir.remove();
  }
});
