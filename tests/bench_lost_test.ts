// `mqload bench` when the broker goes away mid-run, against mosquitto killed and restarted: each
// lost connection is reported with its reason (emqtt-bench's `client(N): EXIT for Reason`) and
// counted (`disconnected`), and fails the run (exit 99), as failed publications do; with
// --reconnect, reconnects are counted apart with the reasons of their failures; a conn bench
// prints its connected clients each second; a wildcard publish topic is refused up front.

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { bench, brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";

const EXIT_LINE = /^\d+s client\(\d+\): EXIT for Connection closed by the broker$/m;
const LOST_REASON = /connections lost by reason:\n {4}Connection closed by the broker: (\d+) /;

Deno.test({
  name: "bench conn: a broker killed mid-hold shows EXIT lines, disconnected, connected 0, exit 99",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const conn = startBench([
      "conn",
      ...brokerFlags(mosquitto.port),
      "-c",
      "5",
      "--workers",
      "1",
      "--duration",
      "4s",
    ], 5);
    await conn.connected;
    await mosquitto.kill();
    const r = await conn.done;
    assert.equal(r.code, 99, explain(r));
    assert.match(r.stdout, /^\d+s connected total=5$/m);
    assert.match(r.stdout, /^\d+s connected total=0$/m);
    // The first three clients of the reason are named; all five are counted.
    assert.equal(r.stdout.match(new RegExp(EXIT_LINE, "gm"))?.length, 3, r.stdout);
    assert.match(r.stdout, /^\d+s disconnected total=5 /m);
    assert.equal(total(r.stdout, "disconnected"), 5, r.stdout);
    assert.equal(LOST_REASON.exec(r.stdout)?.[1], "5", r.stdout);
    assert.match(r.stdout, /threshold crossed: bench_conn_lost: count==0/);
  },
});

Deno.test({
  name: "bench conn: connected clients are printed each second while held, and exit 0",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const r = await bench(["conn", ...brokerFlags(mosquitto.port), "-c", "2", "--duration", "3s"]);
    assert.equal(r.code, 0, explain(r));
    const held = r.stdout.match(/^\d+s connected total=2$/gm) ?? [];
    assert.ok(held.length >= 2, r.stdout);
    assert.equal(total(r.stdout, "disconnected"), 0, r.stdout);
    assert.doesNotMatch(r.stdout, /EXIT for/);
  },
});

Deno.test({
  name: "bench pub: a broker killed mid-run shows EXIT lines and fails the run",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const pub = startBench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "2",
      "-I",
      "100",
      "-t",
      "bench/%i",
      "--duration",
      "4s",
    ], 2);
    await pub.connected;
    await mosquitto.kill();
    const r = await pub.done;
    assert.equal(r.code, 99, explain(r));
    assert.match(r.stdout, EXIT_LINE);
    assert.equal(total(r.stdout, "disconnected"), 2, r.stdout);
    // A publisher stops with its connection (no --reconnect): the loss fails the run, whether
    // or not a publication was in flight when the broker went.
    assert.match(r.stdout, /threshold crossed: bench_conn_lost/);
  },
});

Deno.test({
  name: "bench sub: a broker killed mid-run shows an EXIT line, disconnected 1, exit 99",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const sub = startBench([
      "sub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "1",
      "-t",
      "bench/#",
      "--duration",
      "3s",
    ], 1);
    await sub.connected;
    await mosquitto.kill();
    const r = await sub.done;
    assert.equal(r.code, 99, explain(r));
    assert.match(r.stdout, EXIT_LINE);
    assert.equal(total(r.stdout, "disconnected"), 1, r.stdout);
  },
});

Deno.test({
  name: "bench --reconnect: reconnects counted apart, with their failures' reasons; exit 0",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const conn = startBench([
      "conn",
      ...brokerFlags(mosquitto.port),
      "-c",
      "2",
      "--reconnect",
      "20",
      "--duration",
      "9s",
    ], 2);
    await conn.connected;
    await mosquitto.kill();
    // Long enough for a second attempt, whose event carries the first one's failure.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await mosquitto.restart();
    const r = await conn.done;
    assert.equal(r.code, 0, explain(r));
    assert.equal(total(r.stdout, "connect_succ"), 2, r.stdout);
    assert.equal(total(r.stdout, "connect_fail"), 0, r.stdout);
    assert.equal(total(r.stdout, "disconnected"), 2, r.stdout);
    assert.ok(total(r.stdout, "reconnect_succ") >= 1, r.stdout);
    assert.ok(total(r.stdout, "reconnect_fail") >= 1, r.stdout);
    assert.match(r.stdout, /^\d+s client\(\d+\): reconnect error - Connection refused/m);
    assert.match(r.stdout, /reconnect errors by reason:\n {4}Connection refused/);
  },
});

Deno.test({
  name: "bench pub refuses a wildcard topic before connecting (exit 2); sub takes it",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    for (const topic of ["a/#", "a/+/%i", "+"]) {
      const r = await bench(["pub", ...brokerFlags(mosquitto.port), "-t", topic, "-I", "10"]);
      assert.equal(r.code, 2, explain(r));
      assert.match(r.stderr, /for --topic: a publish topic cannot hold the wildcard [+#]/);
      assert.match(r.stderr, /See 'mqload bench --help'/);
      assert.equal(r.stdout, "");
    }
    const sub = await bench([
      "sub",
      ...brokerFlags(mosquitto.port),
      "-t",
      "a/#",
      "-c",
      "1",
      "--duration",
      "1s",
    ]);
    assert.equal(sub.code, 0, explain(sub));
    assert.match(sub.stdout, /connect_succ total=1 /);
  },
});
