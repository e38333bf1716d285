// Secrets stay secret: a marker password given through the `password` option, a
// `credentials_provider` and URL credentials must never show up in metric tags, NDJSON points,
// the end-of-test summary, the summary export, error messages, stacks, JSON or
// inspection of errors, or the runner's logs — for right and wrong passwords alike. Also: TLS
// verification is on by default, and the embedded broker listens on loopback unless told
// otherwise.
import assert from "node:assert/strict";
import { Client, type CloseInfo, type MetricsSink, MqttConnectError, MqttError } from "../mod.ts";
import { parseBrokerUrl } from "../client/url.ts";
import { startBroker } from "../runner/cli/broker.ts";
import { makeCertificates } from "./fixtures/certs.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { secretChecker, spellingsOf } from "./fixtures/secrets.ts";
import { count, explain, mqload, TempDir } from "./_runner_helpers.ts";

const MARKER = "S3cr3t-MARKER-9d41c";
const WRONG = `${MARKER}-wrong`;
const USER = "alice";

/** Fails when a text holds the password in any spelling: as is, URL-encoded or base64. */
const assertClean = secretChecker(spellingsOf(MARKER));

/** Every way an error is turned into text: String, message, stack, JSON, inspection. */
function errorTexts(error: unknown): string {
  const e = error as Error;
  return [
    String(e),
    e.message,
    e.stack ?? "",
    JSON.stringify(e),
    JSON.stringify(e, Object.getOwnPropertyNames(e)),
    Deno.inspect(e, { depth: 10, showHidden: true, getters: true }),
    String(e.cause ?? ""),
    Deno.inspect(e.cause, { depth: 10 }),
  ].join("\n");
}

/** A sink that keeps every sample as text. */
function recordingSink(lines: string[]): MetricsSink {
  return { add: (metric, value, tags) => lines.push(JSON.stringify({ metric, value, tags })) };
}

Deno.test("security: parseBrokerUrl() keeps credentials out of href and error messages", () => {
  const url = parseBrokerUrl(`mqtts://${USER}:${MARKER}@127.0.0.1:8883`);
  assert.equal(url.password, MARKER);
  assertClean("href", url.href);
  assertClean("JSON of the URL minus password", JSON.stringify({ ...url, password: undefined }));
  for (
    const bad of [
      `http://${USER}:${MARKER}@127.0.0.1`,
      `mqtt://${USER}:${MARKER}@`,
      `mqtt://${USER}:${MARKER}@[::1`,
      `mqtt://${USER}:${MARKER}@host:99999`,
      `mqtt://${USER}:${encodeURIComponent(MARKER)}@exa mple`,
      `${USER}:${MARKER}@127.0.0.1:notaport`,
      `mqtt://${USER}:${MARKER}@127.0.0.1/a@b`,
    ]
  ) {
    let thrown: unknown;
    try {
      parseBrokerUrl(bad);
    } catch (error) {
      thrown = error;
    }
    if (thrown === undefined) continue; // accepted: nothing is printed
    assert.ok(thrown instanceof TypeError, String(thrown));
    assertClean(`error for ${bad}`, errorTexts(thrown));
  }
});

Deno.test({
  ...needsMosquitto,
  name: "security: the client leaks no password through errors, events or metrics",
  async fn() {
    await using broker = await startMosquitto({ passwordFile: { [USER]: MARKER } });
    type Way = [label: string, options: ConstructorParameters<typeof Client>[0], url: string];
    const ways: Way[] = [];
    for (const [label, password] of [["right", MARKER], ["wrong", WRONG]] as const) {
      ways.push(
        [`password option (${label})`, { username: USER, password }, broker.url],
        [
          `credentials_provider (${label})`,
          { credentials_provider: () => ({ username: USER, password }) },
          broker.url,
        ],
        [
          `URL credentials (${label})`,
          {},
          `mqtt://${USER}:${encodeURIComponent(password)}@127.0.0.1:${broker.port}`,
        ],
      );
    }
    for (const version of [4, 5] as const) {
      for (const [label, options, url] of ways) {
        const samples: string[] = [];
        const events: string[] = [];
        const client = new Client({
          ...options,
          protocol_version: version,
          reconnect: false,
          metrics: recordingSink(samples),
          tags: { purpose: "secrets" },
        });
        client.on("error", (e) => events.push(errorTexts(e)));
        client.on("close", (info: CloseInfo) => events.push(errorTexts(info.error)));
        client.on("connect", (info) => events.push(JSON.stringify(info)));
        const outcome = await client.connectAsync(url).then(
          async (info) => {
            await client.subscribeAsync("sec/#", { qos: 1 });
            await client.publishAsync("sec/x", "payload", { qos: 1 });
            return JSON.stringify(info);
          },
          (error: unknown) => error,
        );
        if (label.includes("wrong")) {
          assert.ok(outcome instanceof MqttConnectError, `${label}: ${outcome}`);
          assertClean(`v${version} ${label}: error`, errorTexts(outcome));
        } else {
          assert.equal(typeof outcome, "string", `${label}: ${outcome}`);
          assertClean(`v${version} ${label}: connect info`, outcome as string);
        }
        await client.end();
        // A call failing afterwards (not connected) must not repeat the secret either.
        const late = await client.publishAsync("sec/y", "x", { qos: 1 }).catch((e) => e);
        assert.ok(late instanceof MqttError);
        assertClean(`v${version} ${label}: late error`, errorTexts(late));
        assertClean(`v${version} ${label}: events`, events.join("\n"));
        assertClean(`v${version} ${label}: metric samples`, samples.join("\n"));
        assert.ok(samples.length > 0, "the sink saw samples");
        assertClean(`v${version} ${label}: Deno.inspect(client)`, Deno.inspect(client));
        await client.idle();
      }
    }
  },
});

const SCRIPT = `
import { Client } from "k6/x/mqtt";
import http from "k6/http";

export const options = { vus: 1, iterations: 1 };

const PASSWORD = __ENV.MQTT_PASSWORD;
const USER = __ENV.MQTT_USER;

function show(label, error) {
  console.log(label, String(error));
  console.log(error.message);
  console.log(error.stack);
  console.log(JSON.stringify(error));
  console.log(error);
  console.error(error);
}

async function use(client, url, wrong) {
  try {
    await client.connectAsync(url);
    await client.subscribeAsync("sec/#", { qos: 1 });
    await client.publishAsync("sec/x", "hello", { qos: 1 });
  } catch (error) {
    show(wrong ? "expected failure" : "UNEXPECTED", error);
  } finally {
    // As in xk6-mqtt, ending a client that is not connected throws ("not connected").
    await client.endAsync();
  }
}

export default async function () {
  // k6/http: credentials in a URL, given as a string and written in an http.url template (a
  // refused port: the requests fail, and are recorded with their tags all the same).
  await http.get("http://" + USER + ":" + PASSWORD + "@127.0.0.1:9/plain", { timeout: "2s" });
  await http.get(http.url\`http://\${USER}:${MARKER}@127.0.0.1:9/templated/\${1}\`, { timeout: "2s" });
  for (const password of [PASSWORD, PASSWORD + "-wrong"]) {
    const wrong = password !== PASSWORD;
    await use(new Client({ username: USER, password, reconnect: false }), __ENV.BROKER, wrong);
    await use(
      new Client({ credentials_provider: () => ({ username: USER, password }), reconnect: false }),
      __ENV.BROKER,
      wrong,
    );
    const withCredentials = __ENV.BROKER.replace("mqtt://", "mqtt://" + USER + ":" +
      encodeURIComponent(password) + "@");
    await use(new Client({ reconnect: false }), withCredentials, wrong);
  }
  // A sync-named connect that fails reports through the error event, which nobody handles.
  const unhandled = new Client({ username: USER, password: PASSWORD + "-wrong", reconnect: false });
  unhandled.connect(__ENV.BROKER);
  // And one failure left to the runner: the iteration throws it.
  const thrown = new Client({ reconnect: false });
  await thrown.connectAsync(__ENV.BROKER.replace("mqtt://", "mqtt://" + USER + ":" +
    encodeURIComponent(PASSWORD + "-wrong") + "@"));
}
`;

Deno.test({
  ...needsMosquitto,
  name: "security: mqload run prints, exports and reports no password",
  async fn() {
    await using broker = await startMosquitto({ passwordFile: { [USER]: MARKER } });
    const dir = await TempDir.create();
    try {
      const script = await dir.write("secrets.js", SCRIPT);
      const r = await mqload([
        "run",
        "-e",
        `MQTT_PASSWORD=${MARKER}`,
        "-e",
        `MQTT_USER=${USER}`,
        "-e",
        `BROKER=${broker.url}`,
        "--out",
        `json=${dir.path}/points.ndjson`,
        "--summary-export",
        `${dir.path}/summary.json`,
        "--report",
        `${dir.path}/report.html`,
        script,
      ]);
      assert.ok(r.code === 0 || r.code === 97 || r.code === 99 || r.code === 107, explain(r));
      const summary = await dir.read("summary.json");
      const points = await dir.read("points.ndjson");
      // The run happened: right passwords worked, wrong ones were counted as errors.
      assert.match(r.stdout + r.stderr, /expected failure/, explain(r));
      assert.doesNotMatch(r.stdout + r.stderr, /UNEXPECTED/, explain(r));
      const exported = JSON.parse(summary);
      // Three wrong passwords, then the first of the last two to fail ends the iteration (in k6
      // the unhandled sync connect() throws, and the last one never starts); the runner closes
      // the other client silently.
      assert.ok(count(exported, "mqtt_errors") >= 4, `mqtt_errors: ${summary.slice(0, 2000)}`);
      assert.ok(count(exported, "mqtt_messages_sent") >= 3, "messages were sent");
      assert.match(points, /"metric":"mqtt_errors"/);
      assertClean("stdout", r.stdout);
      assertClean("stderr", r.stderr);
      assertClean("--summary-export", summary);
      assertClean("--out json", points);
      assertClean("--report", await dir.read("report.html"));
    } finally {
      await dir.remove();
    }
  },
});

Deno.test("security: the embedded broker listens on 127.0.0.1 unless a hostname is given", async () => {
  const broker = await startBroker();
  try {
    assert.match(broker.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const addresses = Deno.networkInterfaces()
      .filter((i) => i.family === "IPv4" && !i.address.startsWith("127."))
      .map((i) => i.address);
    for (const address of addresses) {
      // The port is open on loopback, so a refusal on another interface proves the binding.
      const outcome = await Deno.connect({ hostname: address, port: broker.port }).then(
        (conn) => {
          conn.close();
          return "accepted";
        },
        (error: unknown) => error,
      );
      assert.ok(outcome instanceof Deno.errors.ConnectionRefused, `${address}: ${outcome}`);
    }
    const local = await Deno.connect({ hostname: "127.0.0.1", port: broker.port });
    local.close();
  } finally {
    await broker.close();
  }
  const ipv6 = await startBroker({ hostname: "::1" });
  try {
    assert.match(ipv6.url, /^mqtt:\/\/\[::1\]:\d+$/);
    const client = new Client();
    await client.connect(ipv6.url);
    assert.equal(client.connected, true);
    await client.end();
  } finally {
    await ipv6.close();
  }
});

Deno.test({
  ...needsMosquitto,
  name: "security: TLS verification is on by default: a self-signed broker is refused without ca",
  async fn() {
    const certs = await makeCertificates();
    await using broker = await startMosquitto({
      tls: { certFile: certs.selfSignedServer.certFile, keyFile: certs.selfSignedServer.keyFile },
    });
    for (const version of [4, 5] as const) {
      const client = new Client({ protocol_version: version, reconnect: false });
      const error = await client.connectAsync(broker.tlsUrl!).catch((e: unknown) => e);
      assert.ok(error instanceof MqttError, `connected without trusting the broker: ${error}`);
      assert.equal(error.method, "connect");
      assert.notEqual(error.code, "timeout");
      assert.equal(client.connected, false);
      await client.end();
    }
    // Trusting that very certificate makes the same broker acceptable: the refusal was about trust.
    const trusting = new Client({ tls: { ca: certs.selfSignedServer.cert }, reconnect: false });
    try {
      await trusting.connect(broker.tlsUrl!);
      assert.equal(trusting.connected, true);
    } finally {
      await trusting.end();
    }
  },
});
