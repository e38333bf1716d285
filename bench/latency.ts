/**
 * End-to-end message latency at a fixed rate, QoS 1, MQTT 5: the publisher stamps
 * `performance.timeOrigin + performance.now()` in the user property `mqload-ts` and the
 * subscriber (same process, same clock) takes now − stamp. For mqload this is the Client's own
 * `mqtt_message_latency` metric (read from a MetricsSink); MQTT.js gets the same stamp and
 * measurement by hand. Publications are paced on a 1 ms timer tick (what a load test does), so
 * timer lateness of the sender is part of the figure for both.
 *
 *     deno run -A bench/latency.ts [--rates 1000,10000] [--seconds 10]
 *
 * @module
 */

import mqtt from "mqtt";
import { parseArgs } from "node:util";
import { Client, type MetricsSink } from "../mod.ts";
import { startMosquitto } from "../tests/fixtures/mosquitto.ts";
import { round, table } from "./_table.ts";

const STAMP = "mqload-ts";
const now = () => performance.timeOrigin + performance.now();

interface Side {
  /** Publishes one stamped QoS 1 message (no waiting). */
  publish(payload: Uint8Array): void;
  /** Latencies seen so far, ms. */
  latencies: number[];
  close(): Promise<void>;
}

async function oursSide(url: string): Promise<Side> {
  const latencies: number[] = [];
  const sink: MetricsSink = {
    add(metric, value) {
      if (metric === "mqtt_message_latency") latencies.push(value);
    },
  };
  const sub = new Client({ client_id: "lat-sub", protocol_version: 5, metrics: sink });
  const pub = new Client({ client_id: "lat-pub", protocol_version: 5, metrics: sink });
  await sub.connect(url);
  await sub.subscribe("lat/t", { qos: 1 });
  await pub.connect(url);
  return {
    latencies,
    publish(payload) {
      pub.publish("lat/t", payload, { qos: 1 }).catch(() => {});
    },
    async close() {
      await pub.end();
      await sub.end();
    },
  };
}

async function mqttjsSide(url: string): Promise<Side> {
  const latencies: number[] = [];
  const options = { protocolVersion: 5 as const, reconnectPeriod: 0 };
  const sub = await mqtt.connectAsync(url, { ...options, clientId: "lat-sub-js" });
  sub.on("message", (_topic, _payload, packet) => {
    const stamp = packet.properties?.userProperties?.[STAMP];
    if (typeof stamp === "string") latencies.push(now() - Number(stamp));
  });
  await sub.subscribeAsync("lat/t", { qos: 1 });
  const pub = await mqtt.connectAsync(url, { ...options, clientId: "lat-pub-js" });
  return {
    latencies,
    publish(payload) {
      pub.publish("lat/t", payload as never, {
        qos: 1,
        properties: { userProperties: { [STAMP]: String(now()) } },
      });
    },
    async close() {
      await pub.endAsync();
      await sub.endAsync();
    },
  };
}

/** Publishes `rate` messages per second for `seconds`, paced on a 1 ms tick. */
async function paced(side: Side, rate: number, seconds: number): Promise<number[]> {
  const payload = new Uint8Array(64);
  const total = rate * seconds;
  const start = performance.now();
  let sent = 0;
  while (sent < total && performance.now() - start < seconds * 2000) {
    const due = Math.min(total, Math.floor((performance.now() - start) * rate / 1000) + 1);
    while (sent < due) {
      side.publish(payload);
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const deadline = performance.now() + 5000;
  while (side.latencies.length < sent && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return side.latencies;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p / 100) - 1)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rates: { type: "string", default: "1000,10000" },
      seconds: { type: "string", default: "10" },
    },
  });
  const seconds = Number(values.seconds);
  const broker = await startMosquitto({ extraConfig: "set_tcp_nodelay true" });
  const rows: Array<Array<string | number>> = [];
  try {
    for (const rate of values.rates.split(",").map(Number)) {
      const results: Record<string, number[]> = {};
      for (const [name, open] of [["mqload", oursSide], ["MQTT.js", mqttjsSide]] as const) {
        const side = await open(broker.url);
        try {
          results[name] = [...await paced(side, rate, seconds)].sort((a, b) => a - b);
        } finally {
          await side.close();
        }
        const l = results[name];
        console.error(
          `${name} @ ${rate}/s: ${l.length} messages, p50 ${round(percentile(l, 50), 2)} ms, ` +
            `p99 ${round(percentile(l, 99), 2)} ms`,
        );
      }
      for (const name of ["mqload", "MQTT.js"]) {
        const l = results[name];
        rows.push([
          name,
          rate,
          l.length,
          round(percentile(l, 50), 2),
          round(percentile(l, 90), 2),
          round(percentile(l, 99), 2),
          round(l.at(-1) ?? NaN, 2),
          (percentile(l, 99) / percentile(results["MQTT.js"], 99)).toFixed(2),
        ]);
      }
    }
  } finally {
    await broker.stop();
  }
  console.log(`\nmqtt_message_latency, QoS 1, MQTT 5, 64 B, paced on a 1 ms tick, ${seconds} s`);
  console.log(table(
    ["client", "msg/s", "messages", "p50 ms", "p90 ms", "p99 ms", "max ms", "p99 ÷ MQTT.js"],
    rows,
  ));
}

if (import.meta.main) await main();
