// Secrets stay secret on the web dashboard too: a marker password given to the clients (as the
// `password` option and in URL credentials) and put in the script's options (a cloud token, a
// TLS key, a broker URL with credentials) must never show up on the dashboard's page, in its
// Server-Sent Events, in the HTML report it exports, or in the runner's output. Also: the
// dashboard listens on loopback unless K6_WEB_DASHBOARD_HOST says otherwise.
import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { freePort, waitForPort } from "./fixtures/ports.ts";
import { secretChecker, spellingsOf } from "./fixtures/secrets.ts";
import { explain, mqload, TempDir } from "./_runner_helpers.ts";
import { webDashboardOutput } from "../runner/outputs/web_dashboard.ts";
import { MetricRegistry } from "../runner/metrics/registry.ts";

const MARKER = "S3cr3t-DASH-7c2e1";
const USER = "alice";

/** Fails when a text holds the password as is, URL-encoded, base64 or as a JSON string. */
const assertClean = secretChecker([...spellingsOf(MARKER), JSON.stringify(MARKER)]);

const SCRIPT = `
import { Client } from "k6/x/mqtt";
import { check } from "k6";

const PASSWORD = __ENV.MQTT_PASSWORD;
const BROKER = __ENV.BROKER;
const withCredentials = BROKER.replace("mqtt://", "mqtt://${USER}:" + encodeURIComponent(PASSWORD) + "@");

export const options = {
  scenarios: { pub: { executor: "constant-vus", vus: 2, duration: "4s" } },
  thresholds: { checks: ["rate==1"] },
  cloud: { token: PASSWORD },
  tlsAuth: [{ domains: ["example.com"], cert: "not a secret", key: PASSWORD }],
  ext: { mqtt: { broker: withCredentials, password: PASSWORD } },
};

export default async function () {
  const client = __VU % 2 === 0
    ? new Client({ username: "${USER}", password: PASSWORD, reconnect: false })
    : new Client({ reconnect: false });
  await client.connectAsync(__VU % 2 === 0 ? BROKER : withCredentials);
  for (let i = 0; i < 20; i++) await client.publishAsync("sec/dash", "m" + i, { qos: 1 });
  check(client, { "connected with the password": (c) => c.connected });
  await client.endAsync();
}
`;

/** Reads an event stream for `ms`, then lets it go. */
async function readEvents(url: string, ms: number): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

Deno.test({
  ...needsMosquitto,
  name: "security: the web dashboard's page, events and export show no password",
  async fn() {
    await using broker = await startMosquitto({ passwordFile: { [USER]: MARKER } });
    const dir = await TempDir.create();
    try {
      const script = await dir.write("secrets.js", SCRIPT);
      const port = freePort();
      const exported = `${dir.path}/dashboard.html`;
      let running = true;
      const run = mqload([
        "run",
        "-e",
        `MQTT_PASSWORD=${MARKER}`,
        "-e",
        `BROKER=${broker.url}`,
        // k6's query-string argument, for once, instead of the K6_WEB_DASHBOARD_* variables.
        "--out",
        `web-dashboard=port=${port}&period=500ms&export=${exported}`,
        script,
      ]).finally(() => running = false);
      await waitForPort(port, { timeoutMs: 20_000, alive: () => running });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      const events = await readEvents(`http://127.0.0.1:${port}/events`, 1500);
      const r = await run;
      assert.equal(r.code, 0, explain(r));

      assert.match(page, /id="fig-total-sent" data-value="[1-9]/, "the page shows the run");
      assert.match(page, /\[redacted\]/, "the options are shown, redacted");
      assert.ok((events.match(/^event: snapshot$/gm) ?? []).length >= 2, events.slice(0, 500));
      const html = await Deno.readTextFile(exported);
      assert.match(html, /"token": "\[redacted\]"|&quot;token&quot;: &quot;\[redacted\]&quot;/);
      assertClean("the dashboard page", page);
      assertClean("the event stream", events);
      assertClean("the exported report", html);
      assertClean("stdout", r.stdout);
      assertClean("stderr", r.stderr);
    } finally {
      await dir.remove();
    }
  },
});

Deno.test("security: the web dashboard listens on 127.0.0.1 unless a host is given", async () => {
  const out = await webDashboardOutput.create({
    arg: "port=0",
    metrics: new MetricRegistry(),
    script: "t.js",
    options: {},
    log: (text) => assert.fail(text),
  });
  try {
    const url = new URL(out.description().split(" ")[1]);
    assert.equal(url.hostname, "127.0.0.1");
    const addresses = Deno.networkInterfaces()
      .filter((i) => i.family === "IPv4" && !i.address.startsWith("127."))
      .map((i) => i.address);
    for (const address of addresses) {
      // The port is open on loopback, so a refusal on another interface proves the binding.
      const outcome = await Deno.connect({ hostname: address, port: Number(url.port) }).then(
        (conn) => {
          conn.close();
          return "accepted";
        },
        () => "refused",
      );
      assert.equal(outcome, "refused", `reachable on ${address}`);
    }
  } finally {
    await out.stop({
      summary: {
        root_group: { name: "", path: "", id: "", groups: [], checks: [] },
        options: { summaryTrendStats: ["avg"], summaryTimeUnit: "", noColor: true },
        state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 0 },
        metrics: {},
      },
      thresholds: [],
    });
  }
});
