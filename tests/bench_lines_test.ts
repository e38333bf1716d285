// `mqload bench`'s per-second lines and its bounds against mosquitto: totals that always add up
// to the summary (even when the bench stalled and its Workers reported late), and --duration as
// an upper bound whatever the publish interval.

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { bench, brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";
import { TempDir } from "./_runner_helpers.ts";

/** The totals of a counter's per-second lines, in order. */
function lineTotals(stdout: string, name: string): number[] {
  const pattern = new RegExp(`^\\d+s ${name} total=(\\d+) rate=([\\d.]+)/sec$`, "gm");
  return [...stdout.matchAll(pattern)].map((m) => Number(m[1]));
}

Deno.test({
  name: "bench sub's per-second totals grow and end at the summary's, after a stall of the bench",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const sub = startBench([
      "sub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "1",
      "-t",
      "stall/#",
      "--duration",
      "6s",
    ], 1);
    await sub.connected;
    const pub = startBench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "4",
      "-I",
      "5",
      "-t",
      "stall/%i",
      "--duration",
      "4s",
    ], 4);
    await pub.connected;
    // Stopped for two seconds, the subscriber's Workers report those seconds late.
    sub.kill("SIGSTOP");
    await new Promise((r) => setTimeout(r, 2000));
    sub.kill("SIGCONT");
    const [p, s] = await Promise.all([pub.done, sub.done]);
    assert.equal(p.code, 0, explain(p));
    assert.equal(s.code, 0, explain(s));
    for (const [out, name] of [[s.stdout, "recv"], [p.stdout, "pub"], [p.stdout, "connect_succ"]]) {
      const totals = lineTotals(out, name);
      assert.ok(totals.length > 0, out);
      for (let i = 1; i < totals.length; i++) assert.ok(totals[i] > totals[i - 1], out);
      assert.equal(totals.at(-1), total(out, name), out);
    }
  },
});

Deno.test({
  name: "bench pub -I 20000 --duration 2s stops at 2 s, not at the next due publish",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const r = await bench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "2",
      "-I",
      "20000",
      "-t",
      "slow/%i",
      "--duration",
      "2s",
    ]);
    assert.equal(r.code, 0, explain(r));
    // Each publisher's first message is due at once, the next one long after the end.
    assert.ok(total(r.stdout, "pub") <= 2, r.stdout);
    const elapsed = Number(/summary \(([\d.]+)s\)/.exec(r.stdout)?.[1]);
    // The run's length is the flag's meaning: well before the 20 s the next publish was due.
    assert.ok(elapsed < 10, r.stdout);
  },
});

Deno.test({
  name: "bench pub's summary rate of a phase shorter than a second is over its own window",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    // Six messages 100 ms apart: 10/s over half a second, in one or two calendar seconds.
    const r = await bench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "1",
      "-I",
      "100",
      "-L",
      "6",
      "-t",
      "short",
    ]);
    assert.equal(r.code, 0, explain(r));
    const rate = /^ {2}pub +6 +([\d.]+)\/sec over ([\d.]+)s/m.exec(r.stdout);
    assert.ok(rate !== null, r.stdout);
    // The schedule's rate (due times are absolute), not 6/s or 3/s over calendar seconds.
    assert.ok(Number(rate[1]) > 8 && Number(rate[1]) < 12.5, r.stdout);
    // One connect has no rate; lines of counters that did not move have none either.
    assert.match(r.stdout, /^ {2}connect_succ +1$/m);
    assert.doesNotMatch(r.stdout, /^\d+s connect_succ total=1 .*\n(?:.*\n)*\d+s connect_succ/m);
  },
});

Deno.test({
  name: "bench sub --payload-hdrs cnt64 exports bench_lost, bench_duplicated, bench_out_of_order",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const sub = startBench([
        "sub",
        ...brokerFlags(mosquitto.port),
        "-c",
        "1",
        "-t",
        "exp/#",
        "--payload-hdrs",
        "cnt64",
        "--duration",
        "3s",
        "--summary-export",
        `${dir.path}/sub.json`,
      ], 1);
      await sub.connected;
      const pub = await bench([
        "pub",
        ...brokerFlags(mosquitto.port),
        "-c",
        "1",
        "-I",
        "10",
        "-L",
        "20",
        "-t",
        "exp/1",
        "--payload-hdrs",
        "cnt64",
      ]);
      assert.equal(pub.code, 0, explain(pub));
      const r = await sub.done;
      assert.equal(r.code, 0, explain(r));
      assert.equal(total(r.stdout, "recv"), 20, r.stdout);
      const exported = JSON.parse(await dir.read("sub.json"));
      for (const name of ["bench_lost", "bench_duplicated", "bench_out_of_order"]) {
        assert.equal(exported.metrics[name]?.count, 0, name);
      }
    } finally {
      await dir.remove();
    }
  },
});
