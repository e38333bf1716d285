// A k6 event handler that throws: k6's event loop returns the first failing callback's error and
// drops the callbacks queued behind it, so the iteration fails there and no further handler of it
// runs. Sync-style k6 + xk6-mqtt scripts through `mqload run` against mosquitto.
import assert from "node:assert/strict";
import { needsMosquitto } from "./fixtures/mosquitto.ts";
import { count, explain, runOnMosquitto } from "./_runner_helpers.ts";

// Three messages come back in one burst while the body waits on a timer: the first handler throws.
const THROWING_HANDLER = `
import { Counter } from "k6/metrics";
import { Client } from "k6/x/mqtt";
import { setTimeout } from "k6/timers";

const calls = new Counter("handler_calls");
const timers = new Counter("timer_fired");
export const options = { scenarios: { boom: { executor: "per-vu-iterations", vus: 1, iterations: 2 } } };

export default function () {
  const client = new Client();
  client.on("message", () => {
    calls.add(1);
    throw new Error("handler exploded");
  });
  client.connect(__ENV.BROKER);
  client.subscribe("boom/" + __ITER, { qos: 1 });
  for (const n of [1, 2, 3]) client.publish("boom/" + __ITER, String(n), { qos: 1 });
  setTimeout(() => {
    timers.add(1);
    client.end();
  }, 500);
}
`;

Deno.test({
  name: "runner k6 handlers: the first throwing handler fails the iteration; none after it runs",
  ignore: needsMosquitto.ignore,
  async fn() {
    const r = await runOnMosquitto(THROWING_HANDLER);
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "handler_calls"), 2, explain(r));
    assert.equal(count(r.summary, "timer_fired"), 0, explain(r));
    assert.match(r.stderr, /handler exploded/);
  },
});
