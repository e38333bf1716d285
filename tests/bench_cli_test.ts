// `mqload bench` as a command: bad flags (exit 2), --help, --print-script (a script `mqload run`
// runs to the same counts), and the run flags it shares with `mqload run`: execution segments
// merged by `mqload merge`, --out, --report, --threshold (exit 99).

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { bench, brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";
import { mqload, TempDir } from "./_runner_helpers.ts";

Deno.test("bench with a bad flag says which and exits 2; --help lists emqtt-bench's flags", async () => {
  const bad = await bench(["pub", "-t", "a", "-q", "7"]);
  assert.equal(bad.code, 2, explain(bad));
  assert.match(bad.stderr, /mqload: Invalid value "7" for --qos: expected an integer from 0 to 2/);
  assert.match(bad.stderr, /See 'mqload bench --help'/);
  const help = await mqload(["bench", "--help"]);
  assert.equal(help.code, 0);
  for (
    const flag of [
      "--connrate",
      "--interval_of_msg",
      "--payload-hdrs",
      "--shared",
      "--print-script",
    ]
  ) {
    assert.match(help.stdout, new RegExp(flag));
  }
  const main = await mqload(["--help"]);
  assert.match(main.stdout, /mqload bench conn\|pub\|sub/);
});

Deno.test({
  name: "bench --print-script prints a script that mqload run runs to the same counts",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const printed = await bench([
        "pub",
        ...brokerFlags(mosquitto.port),
        "-c",
        "3",
        "-I",
        "2",
        "-L",
        "7",
        "-q",
        "1",
        "-t",
        "printed/%i",
        "-u",
        "someone",
        "-P",
        "pw-never-printed",
        "--print-script",
      ]);
      assert.equal(printed.code, 0, explain(printed));
      // Not emqtt-bench's -L, which counts every publisher together: said so.
      assert.match(printed.stderr, /-L 7 is per publisher: 21 messages from 3 clients/);
      assert.doesNotMatch(printed.stdout, /pw-never-printed/);
      assert.match(printed.stdout, /^\/\/ mqload bench pub .* -P '\*\*\*'/m);
      const script = await dir.write("bench.js", printed.stdout);
      const run = await mqload(["run", "-q", "--summary-export", `${dir.path}/s.json`, script]);
      assert.equal(run.code, 0, explain(run));
      const summary = JSON.parse(await dir.read("s.json"));
      assert.equal(summary.metrics.mqtt_messages_sent.count, 21);
    } finally {
      await dir.remove();
    }
  },
});

Deno.test({
  name: "bench --print-script draws the client ids' random part when it runs: two runs, two ids",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto({ extraConfig: "log_type all" });
    const dir = await TempDir.create();
    try {
      const printed = await bench([
        "conn",
        ...brokerFlags(mosquitto.port),
        "-c",
        "1",
        "--duration",
        "300ms",
        "--print-script",
      ]);
      assert.equal(printed.code, 0, explain(printed));
      const script = await dir.write("conn.js", printed.stdout);
      for (let i = 0; i < 2; i++) {
        const run = await mqload(["run", "-q", script]);
        assert.equal(run.code, 0, explain(run));
      }
      const ids = [...mosquitto.log().matchAll(/as (127\.0\.0\.1_bench_conn_\d+_1) /g)];
      assert.equal(ids.length, 2, mosquitto.log());
      assert.notEqual(ids[0][1], ids[1][1]);
    } finally {
      await dir.remove();
    }
  },
});

Deno.test({
  name:
    "bench pub in two execution segments: distinct clients, merged counts exact, --out and --report",
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
        "seg/#",
        "-q",
        "1",
        "--payload-hdrs",
        "cnt64",
        "-L",
        "10",
        "--duration",
        "5s",
      ], 1);
      await sub.connected;
      const common = [
        "pub",
        ...brokerFlags(mosquitto.port),
        "-c",
        "10",
        "-I",
        "1",
        "-L",
        "10",
        "-q",
        "1",
        "-t",
        "seg/%i",
        "--payload-hdrs",
        "cnt64",
        "--quiet",
      ];
      const first = await bench([
        ...common,
        "--execution-segment",
        "0:1/2",
        "--summary-export",
        `${dir.path}/a.json`,
        "--out",
        `json=${dir.path}/points.ndjson`,
      ]);
      const second = await bench([
        ...common,
        "--execution-segment",
        "1/2:1",
        "--summary-export",
        `${dir.path}/b.json`,
        "--report",
        `${dir.path}/report.html`,
      ]);
      assert.equal(total(first.stdout, "pub"), 50, explain(first));
      assert.equal(total(second.stdout, "pub"), 50, explain(second));
      const got = await sub.done;
      // Ten publishers, each its own stream: the segments' client numbers do not overlap.
      assert.equal(total(got.stdout, "recv"), 100, explain(got));
      assert.equal(total(got.stdout, "lost"), 0, got.stdout);
      assert.equal(total(got.stdout, "duplicated"), 0, got.stdout);
      const merged = await mqload(["merge", `${dir.path}/a.json`, `${dir.path}/b.json`]);
      assert.equal(merged.code, 0, explain(merged));
      assert.equal(JSON.parse(merged.stdout).metrics.mqtt_messages_sent.count, 100);
      assert.match(await dir.read("points.ndjson"), /"metric":"mqtt_messages_sent"/);
      assert.match(await dir.read("report.html"), /<html/i);
    } finally {
      await dir.remove();
    }
  },
});

Deno.test({
  name: "bench --threshold crossed exits 99 and says which",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const r = await bench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "2",
      "-I",
      "1",
      "-L",
      "5",
      "-t",
      "th/%i",
      "--threshold",
      "mqtt_messages_sent:count>10",
      "--quiet",
    ]);
    assert.equal(r.code, 99, explain(r));
    assert.equal(total(r.stdout, "pub"), 10);
    assert.match(r.stdout, /threshold crossed: mqtt_messages_sent: count>10/);
  },
});

Deno.test({
  name: "bench sub -L without --payload-hdrs cnt64 says it is ignored",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const base = ["sub", ...brokerFlags(mosquitto.port), "-c", "1", "-t", "l/#", "-L", "5"];
    const plain = await bench([...base, "--duration", "1s"]);
    assert.equal(plain.code, 0, explain(plain));
    assert.match(plain.stderr, /-L needs --payload-hdrs cnt64; ignored without it/);
    const counted = await bench([...base, "--payload-hdrs", "cnt64", "--duration", "1s"]);
    assert.equal(counted.code, 0, explain(counted));
    assert.doesNotMatch(counted.stderr, /-L needs/);
  },
});
