// `mqload bench pub --tick`: messages due within a tick go out together at its end. Nothing is
// lost, doubled or reordered by it, a message due before --duration's end still goes out, and
// the printed script says the tick. A run lasts its --duration, whenever its last message was due.

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { bench, brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";

Deno.test({
  name: "bench pub --tick 25 -c 10 -I 10 -L 100: 1,000 published, 1,000 received in order",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const sub = startBench([
      "sub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "1",
      "-t",
      "tick/#",
      "-q",
      "1",
      "--payload-hdrs",
      "cnt64,ts",
      "-L",
      "100",
      "--duration",
      "8s",
    ], 1);
    await sub.connected;
    const pub = await bench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "10",
      "-I",
      "10",
      "-L",
      "100",
      "--tick",
      "25",
      "-q",
      "1",
      "-t",
      "tick/%i",
      "--payload-hdrs",
      "cnt64,ts",
    ]);
    assert.equal(pub.code, 0, explain(pub));
    assert.equal(total(pub.stdout, "pub"), 1000, pub.stdout);
    const got = await sub.done;
    assert.equal(got.code, 0, explain(got));
    assert.equal(total(got.stdout, "recv"), 1000, got.stdout);
    for (const fault of ["lost", "duplicated", "out_of_order"]) {
      assert.equal(total(got.stdout, fault), 0, `${fault}\n${got.stdout}`);
    }
  },
});

Deno.test({
  name: "bench pub --tick 100 --duration 2s stops at the end, nothing failed",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const started = Date.now();
    const pub = await bench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "4",
      "-I",
      "50",
      "--tick",
      "100",
      "-q",
      "1",
      "-t",
      "tick/%i",
      "--duration",
      "2s",
    ]);
    const tookMs = Date.now() - started;
    assert.equal(pub.code, 0, explain(pub));
    // At most 40 due per publisher in 2 s; the connects take a little of it.
    const sent = total(pub.stdout, "pub");
    assert.ok(sent <= 160 && sent >= 120, `${sent} published\n${pub.stdout}`);
    assert.equal(total(pub.stdout, "pub_fail"), 0, pub.stdout);
    assert.ok(tookMs < 10_000, `took ${tookMs} ms`);
  },
});

Deno.test("bench pub --print-script carries --tick; --tick takes whole ms from 0 to 1000", async () => {
  const printed = await bench(["pub", "-t", "t", "--tick", "25", "--print-script"]);
  assert.equal(printed.code, 0, explain(printed));
  assert.match(printed.stdout, /^const TICK_MS = 25;$/m);
  const bad = await bench(["pub", "-t", "t", "--tick", "2000"]);
  assert.equal(bad.code, 2, explain(bad));
  assert.match(bad.stderr, /--tick/);
  // A negative number is the flag's value, refused for its range (not "ambiguous").
  const negative = await bench(["pub", "-t", "t", "--tick", "-1"]);
  assert.equal(negative.code, 2, explain(negative));
  assert.match(
    negative.stderr,
    /Invalid value "-1" for --tick: expected an integer from 0 to 1000/,
  );
});

Deno.test({
  name: "bench pub -I 1000 --duration 3s lasts its 3 s, though the last message is due at 2 s",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const pub = await bench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "2",
      "-I",
      "1000",
      "-t",
      "long/%i",
      "--duration",
      "3s",
    ]);
    assert.equal(pub.code, 0, explain(pub));
    assert.equal(total(pub.stdout, "pub"), 6, pub.stdout);
    // The summary's duration is the run's: the publishers held their connections to the end.
    const seconds = Number(/bench pub summary \((\d+\.\d)s\)/.exec(pub.stdout)?.[1]);
    assert.ok(seconds >= 2.9 && seconds < 4, pub.stdout);
    assert.equal(total(pub.stdout, "disconnected"), 0, pub.stdout);
    // Each client ended as the script says, not abandoned by the runner after an exception.
    assert.doesNotMatch(pub.stderr, /ERRO|failed with an exception/, pub.stderr);
  },
});
