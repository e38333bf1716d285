/**
 * The k6 script of a bench: what `mqload bench` runs through `mqload run`'s pipeline, and what
 * `--print-script` prints as a starting point. One `per-vu-iterations` scenario with one VU per
 * client and one long iteration each: connect on the run's schedule, then hold (conn), publish
 * on absolute due times through the Worker's scheduler (pub), or count what arrives (sub). The
 * password never appears in it: the script reads `MQTT_PASSWORD` from the environment.
 *
 * @module
 */

import { type BenchConfig, END_WAIT_MS } from "./config.ts";
import { BENCH_METRIC_NAMES as M } from "./metric_names.ts";
import { pubBody, pubDeclarations, publishLoop } from "./_script_pub.ts";

/** The environment variable the script reads the random part of default client ids from. */
export const RANDOM_ENV = "MQLOAD_BENCH_RANDOM";

/** The environment variable the script reads the password from. */
export const PASSWORD_ENV = "MQTT_PASSWORD";

/** What the summary's trends show: the percentiles a broker benchmark reads. */
export const BENCH_TREND_STATS: readonly string[] = Object.freeze([
  "avg",
  "min",
  "med",
  "p(95)",
  "p(99)",
  "p(99.9)",
  "max",
]);

/** Hours a run without `--duration` may last (below setTimeout's 24.8-day ceiling). */
const FOREVER = "480h";

/**
 * How long after the scenario's start a bench's schedule begins (ms): a Worker starts its clients
 * one after another, about 0.1 ms each, and a few ms go to the Workers' own start; turns due
 * meanwhile would be made up in a burst (234 connects in the first 127 ms at 1,000/s).
 */
function connectLeadMs(clients: number): number {
  return Math.min(1000, Math.ceil(50 + clients * 0.1));
}

/**
 * Writes the script of a bench.
 *
 * @param config The bench.
 * @returns JavaScript source, runnable with `mqload run`.
 *
 * @example Usage
 * ```ts
 * import { benchScript } from "./script.ts";
 * import { parseBenchArgs } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * const parsed = parseBenchArgs(["conn", "-c", "5"]);
 * assert.ok(!("help" in parsed));
 * assert.match(benchScript(parsed.config), /executor: "per-vu-iterations"/);
 * ```
 */
export function benchScript(config: BenchConfig): string {
  const c = config.connection;
  const lit = (value: unknown) => value === undefined ? "undefined" : JSON.stringify(value);
  const client = {
    protocol_version: c.version,
    username: c.username,
    // A second apart, no backoff nor jitter: emqtt's fixed reconnect_timeout (5 s there), so
    // that every client is back within a second of the broker.
    reconnect: c.reconnect === 0
      ? false
      : { max_attempts: c.reconnect, initial_delay: 1000, max_delay: 1000, jitter: false },
    topic_tags: false,
    // Latency comes from --payload-hdrs ts, as in emqtt-bench: no MQTT 5 user property added.
    latency_stamp: "none",
  };
  const connect: Record<string, unknown> = {
    keepalive: c.keepalive,
    clean_session: c.clean,
    ...(c.version === 5 ? { session_expiry_interval: c.sessionExpiry } : {}),
    ...(config.publish === undefined
      ? {}
      : { max_inflight: config.publish.inflight === 0 ? 65535 : config.publish.inflight }),
    ...(c.tls === undefined ? {} : { tls: c.tls }),
  };
  const slack = 30_000;
  const maxDuration = config.durationMs === undefined
    ? FOREVER
    : `${Math.ceil((config.durationMs + slack) / 1000)}s`;
  const thresholds = {
    [M.connectFailed]: ["count==0"],
    ...(config.kind === "sub" ? { [M.subError]: ["count==0"] } : {}),
    // A connection lost is a failure; with --reconnect, only one never made again.
    ...(c.reconnect === 0 ? { [M.connLost]: ["count==0"] } : { [M.reconnectGaveUp]: ["count==0"] }),
    ...config.thresholds,
  };
  const lines = [
    `// ${config.commandLine}`,
    "//",
    "// The script of that benchmark: `mqload run script.js` runs it the same way",
    `// (${PASSWORD_ENV}=… for a password). Edit it to grow it into a scenario of your own.`,
    ...(c.tls !== undefined && c.tls.ca === undefined
      ? [
        `// -S without --cacertfile: the bench does not verify the server certificate; Deno skips`,
        `// that only with deno run --unsafely-ignore-certificate-errors=${c.host}.`,
      ]
      : []),
    `import { Client, Counter, exec, Gauge, Trend } from "@mqload/mqload/runner";`,
    `import * as bench from "@mqload/mqload/bench";`,
    "",
    `const BROKER = ${lit(c.url)};`,
    `// Client sequence numbers (%i) of this run start here (-n + 1, after earlier segments).`,
    `const FIRST = ${c.startNumber + 1};`,
    `// ms between two connects of the whole run (-i, or 1000 / -R).`,
    `const CONNECT_EVERY_MS = ${c.connectIntervalMs};`,
    `// The schedule starts once every client is waiting for its turn: turns that came while the`,
    `// Workers were still starting their clients would be made up at once, above the rate.`,
    `const LEAD_MS = ${connectLeadMs(c.count)};`,
    `const CLIENTS = ${c.count};`,
    `const DURATION_MS = ${config.durationMs ?? "Infinity"};`,
    `// How long past the end a client waits for what it sent to be acknowledged.`,
    `const END_WAIT_MS = ${END_WAIT_MS};`,
    `const RETRIES = ${c.retryConnect};`,
    `const ID_STYLE = ${
      lit({
        kind: config.kind,
        host: c.host,
        shortIds: c.shortIds,
        ...(c.prefix === undefined ? {} : { prefix: c.prefix }),
      })
    };`,
    `// topic_tags false: one series per metric, however many topics (%i, %rand_N, wildcards).`,
    `const CLIENT = ${lit(client).slice(0, -1)},"password":__ENV.${PASSWORD_ENV}};`,
    `const CONNECT = ${lit(connect)};`,
    `const HEADERS = ${lit(config.payloadHeaders)};`,
    "",
    `// A stop (Ctrl+C) ends the clients counting what completes meanwhile, no failure.`,
    `bench.countAtStop();`,
    `// When each counter first and last moved: the summary's rates are over that window.`,
    `const events = bench.workerEventWindow(new Gauge("${M.eventTime}"));`,
    `// Connections lost (emqtt-bench's EXIT), made again and not (--reconnect), by reason.`,
    `const reconnecting = new Counter("${M.reconnectingAtEnd}");`,
    `const watched = { lost: new Counter("${M.connLost}"), reconnected: new Counter("${M.reconnected}"), reconnectErrors: new Counter("${M.reconnectError}"), gaveUp: new Counter("${M.reconnectGaveUp}"), events };`,
    `const counters = { retried: new Counter("${M.connectRetried}"), failed: new Counter("${M.connectFailed}"), errors: new Counter("${M.connectError}"), unfinished: new Counter("${M.connectUnfinished}"), events };`,
    ...(config.kind === "sub" ? subDeclarations(config, lit) : []),
    ...(config.kind === "pub" ? pubDeclarations(config, lit) : []),
    "",
    "export const options = {",
    "  scenarios: {",
    `    ${config.kind}: {`,
    `      executor: "per-vu-iterations",`,
    `      vus: CLIENTS,`,
    `      iterations: 1,`,
    `      maxDuration: "${maxDuration}",`,
    `      gracefulStop: "0s",`,
    "    },",
    "  },",
    `  summaryTrendStats: ${lit(BENCH_TREND_STATS)},`,
    `  thresholds: ${lit(thresholds)},`,
    "};",
    "",
    "export default async function () {",
    "  // idInTest numbers the clients across execution segments (k6's striping): no overlap.",
    "  const seq = FIRST + exec.vu.idInTest - 1;",
    "  const start = exec.scenario.startTime + LEAD_MS;",
    "  const end = start + DURATION_MS;",
    "  // Connects follow one schedule for the whole run, whatever Worker a client is in; a turn",
    "  // after the end never comes.",
    "  await bench.sleepUntil(Math.min(start + (exec.vu.idInTest - 1) * CONNECT_EVERY_MS, end));",
    "  if (Date.now() >= end) return counters.unfinished.add(1);",
    "  // emqtt-bench's $RANDOM in default ids: one per run (the bench's own, else from its start),",
    "  // so that two runs of this script never take each other's client ids.",
    `  const random = Number(__ENV.${RANDOM_ENV}) || (Math.floor(start) % 4294967295) + 1;`,
    "  const idStyle = { ...ID_STYLE, random };",
    "  const clientId = bench.clientId(idStyle, seq);",
    "  // Metrics carry the ids' pattern, not each id: one series for all the clients.",
    '  const tags = { client_id: bench.clientId(idStyle, "%i") };',
    "  // -u %i or %rand_N: each client its own, as emqtt-bench fills them.",
    "  const username = bench.renderUsername(CLIENT.username, seq);",
    "  const client = new Client({ ...CLIENT, username, client_id: clientId, tags });",
    ...(config.kind === "sub" ? subBody() : []),
    "  const who = { seq, secret: CLIENT.password };",
    "  if (!(await bench.connectWithRetry(client, BROKER, CONNECT, RETRIES, counters, end, who))) return;",
    "  const values = { seq, clientId, username };",
    "  // A lost connection is reported with its reason; --reconnect: made again, or given up.",
    "  bench.watchConnection(client, watched, who, Boolean(CLIENT.reconnect));",
    ...(config.kind === "conn" ? connBody() : []),
    ...(config.kind === "pub" ? pubBody() : []),
    ...(config.kind === "sub" ? subAfterConnect() : []),
    "  // Still in a reconnect's backoff or attempt at the end: neither connected nor given up.",
    `  if (CLIENT.reconnect && !client.connected && client.connecting) reconnecting.add(1);`,
    "  events.flush();",
    "  // Closed within END_WAIT_MS past the end, or of a stop (at least 0.1 s, for its DISCONNECT):",
    "  // a broker that stopped answering holds it no longer.",
    "  const left = Math.min(END_WAIT_MS, end + END_WAIT_MS - Date.now());",
    "  // A client gone for good (lost, gave up) is not connected: ending it fails, as in xk6-mqtt.",
    "  if (client.connected || client.connecting) {",
    "    await bench.endAtStop(client, Math.ceil(Math.max(100, left))).catch(() => {});",
    "  }",
    "}",
    ...(config.kind === "pub" ? publishLoop() : []),
    "",
  ];
  return lines.join("\n");
}

function connBody(): string[] {
  return [
    "  // Hold the connection until --duration ends (or the run is stopped).",
    "  await bench.sleepUntil(end);",
  ];
}

function subDeclarations(config: BenchConfig, lit: (v: unknown) => string): string[] {
  const s = config.subscribe!;
  const topics = s.topics.map((t) => s.shared === undefined ? t : `$share/${s.shared}/${t}`);
  return [
    `const TOPICS = ${lit(topics)};`,
    `const QOS = ${s.qos};`,
    `// -L on sub: what each publisher sends, so that a lost head or tail counts too (0: unknown).`,
    `const EXPECTED = ${s.expected};`,
    `// A shared subscription's receivers count each publisher's stream together.`,
    `const SHARED = ${s.shared !== undefined};`,
    `const subscribed = new Counter("${M.subscribed}");`,
    `const subErrors = new Counter("${M.subError}");`,
    `const lost = new Counter("${M.lost}");`,
    `const duplicated = new Counter("${M.duplicated}");`,
    `const outOfOrder = new Counter("${M.outOfOrder}");`,
    `const latency = new Trend("${M.latency}", true);`,
  ];
}

function subBody(): string[] {
  return [
    "  // With EXPECTED, every stream is counted from its first message (0).",
    "  const tracker = SHARED",
    "    ? (EXPECTED > 0 ? bench.WORKER_TRACKER_FROM_ZERO : bench.WORKER_TRACKER)",
    "    : new bench.StreamTracker(EXPECTED > 0);",
    "  const headers = new bench.PayloadHeaders(HEADERS);",
    "  bench.onMessageInRead(client, (topic, payload) => {",
    "    const now = Date.now();",
    '    events.note("recv", now);',
    "    const got = headers.read(payload, now);",
    "    if (got === undefined) return bench.warnHeaderless(HEADERS);",
    "    if (got.sentAt !== undefined) latency.add(Math.max(0, now - got.sentAt));",
    "    if (got.count === undefined) return;",
    "    const seen = tracker.receive(topic, got.count);",
    "    const publisher = { publisher: topic };",
    "    if (seen.lost !== 0) lost.add(seen.lost, publisher);",
    "    if (seen.duplicated !== 0) duplicated.add(seen.duplicated, publisher);",
    "    if (seen.outOfOrder !== 0) outOfOrder.add(seen.outOfOrder, publisher);",
    "  });",
  ];
}

function subAfterConnect(): string[] {
  return [
    "  // With cnt64 the faults are always reported, 0 on a clean run.",
    '  if (HEADERS.includes("cnt64")) for (const c of [lost, duplicated, outOfOrder]) c.add(0);',
    "  const topics = TOPICS.map((t) => bench.renderTopic(t, values));",
    "  try {",
    "    await client.subscribeAsync(topics, { qos: QOS });",
    "  } catch (error) {",
    "    // mqload's sub_fail (emqtt-bench counts a SUBACK with refusals as sub): a refused filter",
    "    // is named; a client with none granted gives up and ends its connection.",
    "    const reason = bench.connectErrorReason(error, CLIENT.password);",
    '    subErrors.add(1, bench.reasonTags("subscribe", reason, seq));',
    '    events.note("sub_fail");',
    "    if (!(error?.reasonCodes ?? []).some((code) => code < 0x80)) {",
    "      events.flush();",
    "      if (client.connected) await bench.endAtStop(client, 100).catch(() => {});",
    "      return;",
    "    }",
    "  }",
    "  subscribed.add(1);",
    '  events.note("sub");',
    "  await bench.sleepUntil(end);",
    "  for (const [publisher, missing] of EXPECTED > 0 ? tracker.takeTails(EXPECTED) : []) {",
    "    lost.add(missing, { publisher });",
    "  }",
  ];
}
