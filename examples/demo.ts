/**
 * The demo of `deno task demo` (`mqload demo`): subscribers and publishers at QoS 0, 1 and 2
 * for about 15 seconds, with checks and thresholds as the verdict. `mqload demo` gives it a
 * broker of its own: the embedded aedes broker (MQTT 3.1.1), or a private mosquitto (MQTT 5)
 * with `MQLOAD_MOSQUITTO=/path/to/mosquitto`.
 *
 * It is written natively (typed imports from `@mqload/mqload/runner`); the `xk6_*.js` examples
 * beside it are k6 + xk6-mqtt scripts that run unchanged. Run it against another broker with
 * `deno task mqload run -e MQTT_BROKER_ADDRESS=mqtt://127.0.0.1:1883 examples/demo.ts`.
 *
 * @module
 */

import { check, Client, Counter, exec, QoS, sleep, Trend } from "@mqload/mqload/runner";

// k6's global, set by the runner (`-e KEY=VALUE` and the environment).
declare const __ENV: Record<string, string | undefined>;

const broker = __ENV.MQTT_BROKER_ADDRESS ?? "mqtt://127.0.0.1:1883";
// The publish time travels with each message for the mqtt_message_latency trend: in a user
// property with MQTT 5, in a payload trailer (stripped on receipt) with the embedded broker's
// MQTT 3.1.1.
const protocolVersion = __ENV.MQTT_PROTOCOL_VERSION === "4" ? 4 : 5;
const latencyStamp = protocolVersion === 4 ? "payload" : "property";
const received = new Counter("demo_messages_received");
const transit = new Trend("demo_transit_time", true);

export const options = {
  scenarios: {
    subscribers: {
      executor: "constant-vus",
      exec: "subscriber",
      vus: 6,
      duration: "16s",
      gracefulStop: "5s",
    },
    publishers: {
      executor: "constant-arrival-rate",
      exec: "publisher",
      startTime: "1s",
      rate: 30,
      timeUnit: "1s",
      duration: "14s",
      preAllocatedVUs: 6,
      maxVUs: 20,
    },
  },
  thresholds: {
    checks: ["rate>0.99"],
    mqtt_errors: ["count==0"],
    "mqtt_calls{method:publish}": ["count>=400"],
    "demo_messages_received{qos:2}": ["count>0"],
    mqtt_publish_duration: ["p(95)<250"],
    demo_transit_time: ["p(95)<250"],
    dropped_iterations: ["count<20"],
  },
};

const LEVELS = [QoS.AtMostOnce, QoS.AtLeastOnce, QoS.ExactlyOnce];

/** Each subscriber VU listens to one QoS level, in 4-second sessions. */
export async function subscriber(): Promise<void> {
  const qos = LEVELS[(exec.vu.idInTest - 1) % LEVELS.length];
  const client = new Client({
    client_id: `demo-sub-${exec.vu.idInTest}`,
    protocol_version: protocolVersion,
    latency_stamp: latencyStamp,
  });
  client.on("message", (_topic: string, payload: ArrayBuffer) => {
    const sent = JSON.parse(new TextDecoder().decode(payload)).at as number;
    transit.add(Date.now() - sent, { qos: String(qos) });
    received.add(1, { qos: String(qos) });
    check(payload, { "payload is a demo message": (p) => p.byteLength > 0 });
  });
  await client.connect(broker);
  const granted = await client.subscribe(`demo/qos${qos}/#`, { qos });
  check(granted, { "subscription granted": (g) => g[0] === qos });
  await sleep(4);
  await client.end();
}

/** Each publisher iteration connects, publishes one message at QoS 0, 1 or 2, and leaves. */
export async function publisher(): Promise<void> {
  const n = exec.scenario.iterationInTest;
  const qos = LEVELS[n % LEVELS.length];
  // One client id per VU (its iterations never overlap) keeps the metrics' tag sets few.
  const client = new Client({
    client_id: `demo-pub-${exec.vu.idInTest}`,
    protocol_version: protocolVersion,
    latency_stamp: latencyStamp,
  });
  await client.connect(broker);
  await client.publish(
    `demo/qos${qos}/${exec.vu.idInTest}`,
    JSON.stringify({ n, at: Date.now() }),
    {
      qos,
    },
  );
  check(client, { "still connected after publish": (c) => c.connected });
  await client.end();
}
