/**
 * The k6 scripts of `bench/shapes.ts`, written as users write them for `mqload run`: async
 * xk6-mqtt calls, `await sleep()`. Each reads its shape from `__ENV`: the broker, the roles' VU
 * counts, the publish rate, and `START_AT`/`END_AT` (epoch ms), so that every connection is
 * made before the steady window the bench measures and held until after it.
 *
 * @module
 */

/** What a shape's script reads from `__ENV`, set by the bench. */
export interface ShapeEnv {
  BROKER: string;
  /** Epoch ms at which publishing (or, for the connect storm, connecting) starts. */
  START_AT: string;
  /** Epoch ms at which publishing stops. */
  END_AT: string;
  /** Publishing VUs. */
  PUBLISHERS: string;
  /** Subscribing VUs. */
  SUBSCRIBERS: string;
  /** Messages per second per publisher. */
  RATE: string;
  /** QoS of publications and subscriptions. */
  QOS: string;
  /** 4 (MQTT 3.1.1, latency stamped in the payload) or 5 (stamped in a user property). */
  PROTOCOL: string;
  /** The subscribers' filter. */
  FILTER: string;
  [key: string]: string;
}

const COMMON = `
import { sleep } from "k6";
import exec from "k6/execution";
import { Client } from "k6/x/mqtt";
import { publishEvery } from "@mqload/mqload";

const START_AT = Number(__ENV.START_AT);
const END_AT = Number(__ENV.END_AT);
const PROTOCOL = Number(__ENV.PROTOCOL);
const QOS = Number(__ENV.QOS);

function newClient(prefix) {
  return new Client({
    client_id: prefix + "-" + exec.vu.idInTest,
    protocol_version: PROTOCOL,
    latency_stamp: PROTOCOL === 5 ? "property" : "payload",
    keepalive: 60,
  });
}

async function sleepUntil(at) {
  const ms = at - Date.now();
  if (ms > 0) await sleep(ms / 1000);
}
`;

/**
 * Subscribers hold a subscription through the window; publishers publish at a fixed rate, each
 * in its own loop, or with `PACED=1` through `publishEvery()` (one scheduler per Worker).
 */
export const MESSAGES_SCRIPT = COMMON + `
const PUBLISHERS = Number(__ENV.PUBLISHERS);
const SUBSCRIBERS = Number(__ENV.SUBSCRIBERS);
const RATE = Number(__ENV.RATE);

export const options = {
  scenarios: {
    subscribers: {
      executor: "per-vu-iterations", vus: SUBSCRIBERS, iterations: 1, maxDuration: "10m",
      exec: "subscriber",
    },
    publishers: {
      executor: "per-vu-iterations", vus: PUBLISHERS, iterations: 1, maxDuration: "10m",
      exec: "publisher",
    },
  },
  summaryTrendStats: ["avg", "min", "med", "p(90)", "p(99)", "max"],
};

export async function subscriber() {
  const client = newClient("sub");
  // Connects spread over the first half of the time before START_AT.
  const lead = (START_AT - Date.now()) / 2;
  await sleep(Math.max(0, (lead * exec.scenario.iterationInTest) / SUBSCRIBERS) / 1000);
  await client.connectAsync(__ENV.BROKER);
  await client.subscribeAsync(__ENV.FILTER, { qos: QOS });
  await sleepUntil(END_AT + 2000);
  await client.endAsync();
}

export async function publisher() {
  const client = newClient("pub");
  const lead = (START_AT - Date.now()) / 2;
  const index = exec.scenario.iterationInTest;
  await sleep(Math.max(0, lead + (lead * index) / PUBLISHERS / 2) / 1000);
  await client.connectAsync(__ENV.BROKER);
  const topic = "shapes/" + index;
  const interval = 1000 / RATE;
  // Publishers' phases spread over one interval, as independent devices would be.
  let next = START_AT + (interval * index) / PUBLISHERS;
  if (__ENV.PACED === "1") {
    // The Worker's scheduler paces every VU's publications (--paced).
    await publishEvery(client, topic, "0123456789abcdef0123456789abcdef", {
      qos: QOS,
      every: interval,
      start: next,
      until: END_AT,
      tick: Number(__ENV.PACED_TICK ?? 10),
    });
    next = END_AT;
  }
  await sleepUntil(next);
  while (next < END_AT) {
    await client.publishAsync(topic, "0123456789abcdef0123456789abcdef", { qos: QOS });
    next += interval;
    await sleepUntil(next);
  }
  await sleepUntil(END_AT + 2000);
  await client.endAsync();
}
`;

/** The connect storm: VUs connect at a fixed rate from START_AT and hold until END_AT. */
export const CONNECT_SCRIPT = COMMON + `
const VUS = Number(__ENV.PUBLISHERS);
const RATE = Number(__ENV.RATE);

export const options = {
  scenarios: {
    storm: { executor: "per-vu-iterations", vus: VUS, iterations: 1, maxDuration: "10m" },
  },
  summaryTrendStats: ["avg", "min", "med", "p(90)", "p(99)", "max"],
};

export default async function () {
  const client = newClient("conn");
  await sleepUntil(START_AT + (exec.scenario.iterationInTest * 1000) / RATE);
  await client.connectAsync(__ENV.BROKER);
  await sleepUntil(END_AT);
  await client.endAsync();
}
`;
