/**
 * Throughput of mqload's Client beside MQTT.js (both under Deno) and a raw socket, through one
 * local mosquitto this script starts:
 *
 * (a) publisher → subscriber messages per second at QoS 0, 1 and 2 (QoS 1/2 both as an
 *     unbounded publish loop and with an in-flight window of 100);
 * (b) client CPU time per message (publisher and subscriber in this process); the windowed flows
 *     also on raw sockets answering every read with one write, the floor of their system calls;
 * (c) publisher-only ingest at QoS 0, beside pre-encoded PUBLISH packets on a raw socket;
 * (d) fan-out: one publisher, FAN_OUT subscribers of its topic in this process (a load test's
 *     many moderate subscribers), deliveries per second and CPU per delivery at QoS 0 and 1; the
 *     publisher waits 1 ms every 100 messages, so mosquitto's fan-out, not its queues, sets the
 *     pace.
 *
 * 64-byte payloads; publish loops yield to the event loop every 1,000 messages, by default for one
 * turn of the event loop (`--yield turn`), or with `setTimeout(0)` (`--yield timer`, which under
 * load waits 1.8-2.8 ms and then bounds every loop near 400k msg/s). Every run is bounded in
 * messages and time.
 *
 *     deno run -A bench/throughput.ts [--qos0 200000] [--qos12 50000] [--fanout 10000] [--cap 60]
 *                                     [--yield turn|timer]
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { type BenchClientFactory, mqttjs, ours } from "./_adapters.ts";
import { fence, publishBatch, rawConnect, rawWindow } from "./_raw.ts";
import { ratio, round, table } from "./_table.ts";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";

const PAYLOAD = crypto.getRandomValues(new Uint8Array(64));
const WINDOW = 100;
const YIELD_EVERY = 1000;
const FAN_OUT = 50;

interface Result {
  /** Messages per second (received, or ingested). */
  rate: number;
  /** Client CPU microseconds per message (user + system of this process). */
  cpuPerMessage: number;
  /** Messages counted. */
  count: number;
  /** Whether the time cap cut the run short. */
  capped: boolean;
}

// Yields one turn of the event loop (sockets polled) through a MessageChannel, or (`--yield
// timer`) with setTimeout(0): under load its callback comes 1.8-2.8 ms later (Deno's timers have
// millisecond granularity), which caps any loop yielding every 1,000 messages near 400k msg/s
// whatever the client.
const channel = new MessageChannel();
const waiting: Array<() => void> = [];
channel.port2.onmessage = () => waiting.shift()?.();
let tick = () =>
  new Promise<void>((resolve) => {
    waiting.push(resolve);
    channel.port1.postMessage(null);
  });

/** Waits for `done()` to return true, polling, up to `capMs`; returns false on the cap. */
async function waitUntil(done: () => boolean, capMs: number, start: number): Promise<boolean> {
  while (!done()) {
    if (performance.now() - start > capMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return true;
}

/** A measurement under way: when it started, and its result for the messages counted by now. */
interface Measurement {
  readonly start: number;
  result(count: number, capped: boolean): Result;
}

/** Starts measuring this process's CPU time and the wall time. */
function measure(): Measurement {
  const cpu = process.cpuUsage();
  const start = performance.now();
  return {
    start,
    result(count, capped) {
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      return {
        rate: count / seconds,
        cpuPerMessage: (used.user + used.system) / Math.max(1, count),
        count,
        capped,
      };
    },
  };
}

/** Waits for `expected` messages (up to the cap); the rate and CPU per message measured. */
async function measured(
  received: () => number,
  expected: number,
  capMs: number,
  measurement: Measurement,
): Promise<Result> {
  const complete = await waitUntil(() => received() >= expected, capMs, measurement.start);
  return measurement.result(received(), !complete);
}

let runs = 0;

async function pubSub(
  factory: BenchClientFactory,
  url: string,
  qos: 0 | 1 | 2,
  count: number,
  windowed: boolean,
  capMs: number,
): Promise<Result> {
  const run = ++runs;
  const topic = `bench/${run}`;
  const subscriber = await factory(url, `bench-sub-${run}`);
  const publisher = await factory(url, `bench-pub-${run}`);
  try {
    await subscriber.subscribe(topic, qos);
    let received = 0;
    subscriber.onMessage(() => received++);
    const measurement = measure();
    const start = measurement.start;
    if (windowed) {
      let inflight = 0;
      let wake: (() => void) | undefined;
      const release = () => {
        inflight--;
        wake?.();
      };
      for (let i = 0; i < count && performance.now() - start < capMs; i++) {
        while (inflight >= WINDOW) await new Promise<void>((resolve) => wake = resolve);
        inflight++;
        publisher.publish(topic, PAYLOAD, qos, release);
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await tick();
      }
    } else {
      for (let i = 0; i < count && performance.now() - start < capMs; i++) {
        publisher.publish(topic, PAYLOAD, qos);
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await tick();
      }
    }
    return await measured(() => received, count, capMs, measurement);
  } finally {
    await publisher.end();
    await subscriber.end();
  }
}

/** One publisher, FAN_OUT subscribers: deliveries per second and CPU per delivery. */
async function fanOut(
  factory: BenchClientFactory,
  url: string,
  qos: 0 | 1,
  count: number,
  capMs: number,
): Promise<Result> {
  const run = ++runs;
  const topic = `fan/${run}`;
  const subscribers = [];
  for (let i = 0; i < FAN_OUT; i++) subscribers.push(await factory(url, `fan-sub-${run}-${i}`));
  const publisher = await factory(url, `fan-pub-${run}`);
  try {
    let received = 0;
    for (const subscriber of subscribers) {
      await subscriber.subscribe(topic, qos);
      subscriber.onMessage(() => received++);
    }
    const measurement = measure();
    for (let i = 0; i < count && performance.now() - measurement.start < capMs; i++) {
      publisher.publish(topic, PAYLOAD, qos);
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return await measured(() => received, count * FAN_OUT, capMs, measurement);
  } finally {
    await publisher.end();
    for (const subscriber of subscribers) await subscriber.end();
  }
}

async function ingest(
  factory: BenchClientFactory,
  url: string,
  count: number,
  capMs: number,
): Promise<Result> {
  const run = ++runs;
  const publisher = await factory(url, `bench-ingest-${run}`);
  try {
    const measurement = measure();
    let sent = 0;
    for (; sent < count && performance.now() - measurement.start < capMs; sent++) {
      publisher.publish(`ingest/${run}`, PAYLOAD, 0);
      if (sent % YIELD_EVERY === YIELD_EVERY - 1) await tick();
    }
    // The PUBACK of a QoS 1 fence means the broker has read everything before it.
    await publisher.publishAsync(`ingest/${run}/fence`, PAYLOAD, 1);
    return measurement.result(sent, sent < count);
  } finally {
    await publisher.end();
  }
}

/** The windowed pub→sub flow on raw sockets: rate and CPU per message. */
async function rawPubSub(port: number, qos: 1 | 2, count: number, capMs: number): Promise<Result> {
  const run = ++runs;
  const measurement = measure();
  const { received, capped } = await rawWindow(
    port,
    `bench/raw/${run}`,
    PAYLOAD,
    qos,
    count,
    WINDOW,
    capMs,
  );
  return measurement.result(received, capped);
}

async function rawIngest(port: number, count: number, capMs: number): Promise<Result> {
  const run = ++runs;
  const batchSize = 1000;
  const batch = publishBatch(`ingest/${run}`, PAYLOAD, batchSize);
  const conn = await rawConnect(port, `bench-raw-${run}`);
  try {
    const measurement = measure();
    let sent = 0;
    for (; sent < count && performance.now() - measurement.start < capMs; sent += batchSize) {
      await conn.write(batch);
    }
    await conn.write(fence(`ingest/${run}/fence`, 1));
    await conn.waitFor("puback");
    return measurement.result(sent, sent < count);
  } finally {
    conn.close();
  }
}

function describe(result: Result | undefined, digits = 0): string | number {
  if (!result) return "-";
  const value = round(result.rate, digits);
  return result.capped ? `${value} (capped at ${result.count})` : value;
}

/**
 * A table row: rates and CPU per message of mqload and MQTT.js, with the ratios, then the raw
 * sockets' when measured.
 */
function comparison(name: string, results: Record<string, Result>): Array<string | number> {
  const a = results["mqload"];
  const b = results["MQTT.js"];
  const raw = results["raw"];
  const row = [
    name,
    describe(a),
    describe(b),
    ratio(a.rate, b.rate),
    round(a.cpuPerMessage, 2),
    round(b.cpuPerMessage, 2),
    ratio(a.cpuPerMessage, b.cpuPerMessage),
  ];
  if (raw === undefined) return row;
  return [
    ...row,
    describe(raw),
    round(raw.cpuPerMessage, 2),
    ratio(raw.cpuPerMessage, b.cpuPerMessage),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      qos0: { type: "string", default: "200000" },
      qos12: { type: "string", default: "50000" },
      cap: { type: "string", default: "60" },
      warmup: { type: "string", default: "5000" },
      yield: { type: "string", default: "turn" },
      fanout: { type: "string", default: "10000" },
    },
  });
  if (values.yield === "timer") tick = () => new Promise((resolve) => setTimeout(resolve, 0));
  else if (values.yield !== "turn") {
    throw new TypeError(`--yield: turn or timer, got ${values.yield}`);
  }
  const qos0 = Number(values.qos0);
  const qos12 = Number(values.qos12);
  const capMs = Number(values.cap) * 1000;
  const warmup = Number(values.warmup);

  const fanCount = Number(values.fanout);
  // Subscribers' queues hold a fan-out burst (mosquitto's default is 1,000 per client at QoS 1).
  const broker = await startMosquitto({
    extraConfig: "set_tcp_nodelay true\nmax_queued_messages 1000000",
  });
  try {
    const impls: Array<[string, BenchClientFactory]> = [["mqload", ours], ["MQTT.js", mqttjs]];
    for (const [, factory] of impls) {
      await pubSub(factory, broker.url, 1, warmup, false, capMs);
      await ingest(factory, broker.url, warmup, capMs);
    }
    await rawIngest(broker.port, warmup, capMs);
    await rawPubSub(broker.port, 1, warmup, capMs);

    const scenarios: Array<[string, 0 | 1 | 2, number, boolean]> = [
      ["pub→sub QoS 0", 0, qos0, false],
      ["pub→sub QoS 1", 1, qos12, false],
      [`pub→sub QoS 1, window ${WINDOW}`, 1, qos12, true],
      ["pub→sub QoS 2", 2, qos12, false],
      [`pub→sub QoS 2, window ${WINDOW}`, 2, qos12, true],
    ];
    const rows: Array<Array<string | number>> = [];
    for (const [name, qos, count, windowed] of scenarios) {
      const results: Record<string, Result> = {};
      for (const [label, factory] of impls) {
        results[label] = await pubSub(factory, broker.url, qos, count, windowed, capMs);
        console.error(`${name} ${label}: ${round(results[label].rate)} msg/s`);
      }
      if (windowed && qos !== 0) {
        results["raw"] = await rawPubSub(broker.port, qos, count, capMs);
        console.error(`${name} raw: ${round(results["raw"].rate)} msg/s`);
      }
      rows.push(comparison(`${name} (${count})`, results));
    }
    console.log(
      `\n(a) throughput and (b) client CPU per message, 64 B payloads, mosquitto on loopback, loops yield every ${YIELD_EVERY} messages (--yield ${values.yield})`,
    );
    console.log(table(
      [
        "scenario",
        "mqload msg/s",
        "MQTT.js msg/s",
        "ours/MQTT.js",
        "mqload µs CPU/msg",
        "MQTT.js µs CPU/msg",
        "ours/MQTT.js",
        "raw msg/s",
        "raw µs CPU/msg",
        "raw/MQTT.js",
      ],
      rows,
    ));

    const ingested: Record<string, Result> = {};
    for (const [label, factory] of impls) {
      ingested[label] = await ingest(factory, broker.url, qos0, capMs);
      console.error(`ingest ${label}: ${round(ingested[label].rate)} msg/s`);
    }
    ingested["raw"] = await rawIngest(broker.port, qos0, capMs);
    console.error(`ingest raw: ${round(ingested["raw"].rate)} msg/s`);
    console.log(
      `\n(c) publisher-only ingest, QoS 0, ${qos0} messages (until the broker acked a fence)`,
    );
    console.log(table(
      ["publisher", "msg/s", "µs CPU/msg", "ours/MQTT.js", "ours/raw"],
      ["mqload", "MQTT.js", "raw"].map((label) => [
        label,
        describe(ingested[label]),
        round(ingested[label].cpuPerMessage, 2),
        label === "mqload" ? ratio(ingested.mqload.rate, ingested["MQTT.js"].rate) : "",
        label === "mqload" ? ratio(ingested.mqload.rate, ingested.raw.rate) : "",
      ]),
    ));

    // Last: thousands of queued deliveries leave mosquitto slower for a while.
    const fanRows: Array<Array<string | number>> = [];
    for (const qos of [0, 1] as const) {
      const results: Record<string, Result> = {};
      for (const [label, factory] of impls) {
        results[label] = await fanOut(factory, broker.url, qos, fanCount, capMs);
        console.error(`fan-out QoS ${qos} ${label}: ${round(results[label].rate)} deliveries/s`);
      }
      fanRows.push(comparison(`QoS ${qos} (${fanCount} × ${FAN_OUT})`, results));
    }
    console.log(`\n(d) fan-out: one publisher, ${FAN_OUT} subscribers in this process`);
    console.log(table(
      [
        "fan-out",
        "mqload deliveries/s",
        "MQTT.js deliveries/s",
        "ours/MQTT.js",
        "mqload µs CPU/delivery",
        "MQTT.js µs CPU/delivery",
        "ours/MQTT.js",
      ],
      fanRows,
    ));
  } finally {
    channel.port1.close();
    await broker.stop();
  }
}

if (import.meta.main) await main();
