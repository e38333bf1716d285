/**
 * The VU scripts of `bench/load.ts`: the same VU written with `await` and in k6's sync style.
 *
 * @module
 */

/** Each VU connects, subscribes and waits for one message on `load/all`, with `await`. */
export const ASYNC_STYLE = `
import { sleep } from "k6";
import { Trend } from "k6/metrics";
import exec from "k6/execution";
import { Client } from "k6/x/mqtt";

const connectedAt = new Trend("load_connected_at", true);

export const options = {
  scenarios: {
    hold: { executor: "per-vu-iterations", vus: Number(__ENV.VUS), iterations: 1, maxDuration: "5m" },
  },
  summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(99)"],
};

export default async function () {
  const id = exec.vu.idInTest;
  // --stagger: VUs start connecting spread over this many ms (an arrival rate of connections).
  const stagger = Number(__ENV.STAGGER_MS || 0);
  if (stagger > 0) await sleep(((id - 1) * stagger) / Number(__ENV.VUS) / 1000);
  const client = new Client({ client_id: "load-" + id });
  const released = new Promise((resolve) => client.on("message", resolve));
  await client.connect(__ENV.BROKER);
  await client.subscribe(["load/" + id, "load/all"], { qos: 1 });
  connectedAt.add(Date.now() - exec.scenario.startTime);
  await released;
  await client.end();
}
`;

/** The same VU in k6's sync style: the transform awaits its calls; the handler ends it. */
export const SYNC_STYLE = `
import { sleep } from "k6";
import { Trend } from "k6/metrics";
import exec from "k6/execution";
import { Client } from "k6/x/mqtt";

const connectedAt = new Trend("load_connected_at", true);

export const options = {
  scenarios: {
    hold: { executor: "per-vu-iterations", vus: Number(__ENV.VUS), iterations: 1, maxDuration: "5m" },
  },
  summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(99)"],
};

export default function () {
  const id = exec.vu.idInTest;
  const stagger = Number(__ENV.STAGGER_MS || 0);
  if (stagger > 0) sleep(((id - 1) * stagger) / Number(__ENV.VUS) / 1000);
  const client = new Client({ client_id: "load-" + id });
  client.on("message", () => client.end());
  client.connect(__ENV.BROKER);
  client.subscribe(["load/" + id, "load/all"], { qos: 1 });
  connectedAt.add(Date.now() - exec.scenario.startTime);
}
`;
