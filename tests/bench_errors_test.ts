// `mqload bench` when things go wrong, against mosquitto: why connects failed (refused, bad
// credentials with the CONNACK reason code, certificates) and why publications failed, never
// with the password; TLS without
// --cacertfile; and the exit codes of clients that gave up and of bad flags.

import assert from "node:assert/strict";
import { anonymousAcls, needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { freePort } from "./fixtures/ports.ts";
import { bench, brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";
import { CLI } from "./_runner_helpers.ts";

Deno.test({
  name: "bench conn says why connects failed: refused, not authorized (0x87 / 0x05), no password",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto({ passwordFile: { alice: "right-pw" } });
    const down = await bench(["conn", ...brokerFlags(freePort()), "-c", "2", "--duration", "1s"]);
    assert.equal(down.code, 99, explain(down));
    assert.match(down.stdout, /^\d+s client\(1\): connect error - Connection refused/m);
    assert.match(down.stdout, /connect errors by reason:\n {4}Connection refused.*: 2 \(first/);
    for (const [version, code] of [["5", "0x87"], ["4", "0x05"]]) {
      const r = await bench([
        "conn",
        ...brokerFlags(mosquitto.port),
        "-c",
        "3",
        "-V",
        version,
        "-u",
        "alice",
        "-P",
        "wrong-secret-pw",
        "--duration",
        "1s",
      ]);
      assert.equal(r.code, 99, explain(r));
      const line = new RegExp(`client\\(1\\): connect error - broker refused with ${code} Not `);
      assert.match(r.stdout, line);
      assert.match(r.stdout, new RegExp(`broker refused with ${code} Not authorized: 3 \\(`));
      assert.doesNotMatch(r.stdout + r.stderr, /wrong-secret-pw/);
    }
  },
});

Deno.test({
  name: "bench pub says why publications failed: the broker's refusal, one reason for all topics",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto({
      passwordFile: { alice: "pub-secret-pw" },
      acl: "user alice\ntopic readwrite allowed/#\n",
    });
    const r = await bench([
      "pub",
      ...brokerFlags(mosquitto.port),
      "-u",
      "alice",
      "-P",
      "pub-secret-pw",
      "-V",
      "5",
      "-q",
      "1",
      "-c",
      "2",
      "-I",
      "20",
      "-t",
      "denied/%i",
      "-L",
      "1",
    ]);
    assert.equal(r.code, 99, explain(r));
    assert.equal(total(r.stdout, "pub_fail"), 2, r.stdout);
    assert.match(r.stdout, /client\(1\): publish error - broker refused with 0x87 Not authorized/);
    assert.match(
      r.stdout,
      /publish errors by reason:\n {4}broker refused with 0x87 Not authorized: 2 \(first client\(1\)\)/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /pub-secret-pw/);
  },
});

Deno.test({
  name: "bench sub counts sub and sub_fail (a refused SUBSCRIBE, by reason), as emqtt-bench",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto({
      dynamicSecurity: anonymousAcls([
        { acltype: "subscribePattern", topic: "secret/#", priority: 0, allow: false },
      ]),
    });
    const ok = await bench([
      "sub",
      ...brokerFlags(mosquitto.port),
      "-c",
      "3",
      "-t",
      "open/%i",
      "--duration",
      "1s",
    ]);
    assert.equal(ok.code, 0, explain(ok));
    assert.equal(total(ok.stdout, "sub"), 3, ok.stdout);
    assert.match(ok.stdout, /^ {2}sub_fail +0$/m);
    const refused = await bench([
      "sub",
      ...brokerFlags(mosquitto.port),
      "-V",
      "5",
      "-c",
      "2",
      "-t",
      "secret/%i",
      "--duration",
      "1s",
    ]);
    assert.equal(refused.code, 99, explain(refused));
    assert.equal(total(refused.stdout, "sub_fail"), 2, refused.stdout);
    assert.match(
      refused.stdout,
      /client\(1\): subscribe error - broker refused with 0x87 Not authorized/,
    );
    assert.match(
      refused.stdout,
      /subscribe errors by reason:\n {4}broker refused with 0x87 Not authorized: 2/,
    );
  },
});

Deno.test({
  name: "bench conn out of file descriptors says so, whatever error Deno gives for it",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    // localhost: Deno's name lookup fails first, with EINVAL instead of EMFILE.
    for (const host of ["localhost", "127.0.0.1"]) {
      const out = await new Deno.Command("sh", {
        args: [
          "-c",
          `ulimit -n 200 && exec "$0" run -A "$1" bench conn -h ${host} -p ${mosquitto.port} ` +
          "-c 300 -R 1000 --duration 2s",
          Deno.execPath(),
          CLI,
        ],
        env: { NO_COLOR: "1" },
        stdin: "null",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 99, stdout);
      assert.match(
        stdout,
        /connect error - .*\(os error \d+\) \(out of file descriptors: the limit is 200; raise it with ulimit -n\)/,
      );
    }
  },
});

Deno.test({
  name: "bench conn -S without --cacertfile connects without verifying, and says so",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto({ tls: true });
    const r = await bench([
      "conn",
      ...brokerFlags(mosquitto.tlsPort!),
      "-S",
      "-c",
      "2",
      "--duration",
      "1s",
    ]);
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stdout, /connect_succ total=2 /);
    assert.match(r.stderr, /the server certificate is not verified.*--cacertfile/);
    // Run again in a child process, which a SIGINT to the bench reaches: it stops with its summary.
    const held = startBench(["conn", ...brokerFlags(mosquitto.tlsPort!), "-S", "-c", "2"], 2);
    await held.connected;
    held.kill("SIGINT");
    const stopped = await held.done;
    assert.equal(stopped.code, 0, explain(stopped));
    assert.match(stopped.stdout, /connect_succ total=2 /);
  },
});

Deno.test({
  name: "bench conn --reconnect: clients that gave up fail the run (exit 99), named in the summary",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const conn = startBench([
      "conn",
      ...brokerFlags(mosquitto.port),
      "-c",
      "2",
      "--reconnect",
      "1",
      "--duration",
      "5s",
    ], 2);
    await conn.connected;
    await mosquitto.stop();
    const r = await conn.done;
    assert.equal(r.code, 99, explain(r));
    assert.match(r.stdout, /^ {2}reconnect_gave_up +2 +clients$/m);
    assert.match(r.stdout, /threshold crossed: bench_reconnect_gave_up: count==0/);
    // Each client lost its connection once and failed its one attempt: giving up is neither a
    // second loss nor a second failed attempt (before: 4 and 4, and "connected" went below 0).
    assert.equal(total(r.stdout, "disconnected"), 2, r.stdout);
    assert.equal(total(r.stdout, "reconnect_fail"), 2, r.stdout);
    assert.doesNotMatch(r.stdout, /EXIT for Cannot reconnect|reconnect error - Cannot reconnect/);
  },
});

Deno.test("bench --threshold with a bad expression exits 2 naming the flag", async () => {
  const r = await bench(["conn", "-c", "1", "--threshold", "bench_connect_failed:count=>=0"]);
  assert.equal(r.code, 2, explain(r));
  assert.match(r.stderr, /Invalid value "bench_connect_failed:count=>=0" for --threshold: /);
});
