// `mqload bench conn` against mosquitto: the connect schedule's exact counts, holding until
// --duration or Ctrl+C, an unreachable broker, and the connection flags as mosquitto logs them
// (client ids, protocol version, clean session, keepalive), TLS, WebSocket and credentials.

import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { freePort } from "./fixtures/ports.ts";
import { bench, brokerFlags, explain, startBench, total } from "./_bench_helpers.ts";

Deno.test({
  name: "bench conn -c 2000 -R 500 connects 2,000 clients and holds them until --duration",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const r = await bench([
      "conn",
      ...brokerFlags(mosquitto.port),
      "-c",
      "2000",
      "-R",
      "500",
      "--duration",
      "5s",
    ]);
    assert.equal(r.code, 0, explain(r));
    assert.equal(total(r.stdout, "connect_succ"), 2000, r.stdout);
    assert.equal(total(r.stdout, "connect_fail"), 0, r.stdout);
    // Each second of the schedule connects its 500 (the last one the rest).
    const lines = [...r.stdout.matchAll(/^(\d)s connect_succ total=(\d+) rate=([\d.]+)\/sec$/gm)];
    assert.ok(lines.length >= 4, r.stdout);
    assert.equal(Number(lines.at(-1)![2]), 2000);
  },
});

Deno.test({
  name: "bench conn without --duration holds until Ctrl+C, then exits 0 with its summary",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto({ extraConfig: "log_type all" });
    const conn = startBench([
      "conn",
      ...brokerFlags(mosquitto.port),
      "-c",
      "5",
      "-V",
      "4",
      "-C",
      "false",
      "-k",
      "42",
      "--prefix",
      "held",
    ], 5);
    await conn.connected;
    await new Promise((r) => setTimeout(r, 300));
    // The clients are still connected: mosquitto saw no disconnect yet.
    assert.doesNotMatch(mosquitto.log(), /Client held_bench_conn_\d (closed|disconnected)/);
    assert.match(mosquitto.log(), /as held_bench_conn_3 \(p2, c0, k42\)/);
    conn.kill("SIGINT");
    const r = await conn.done;
    assert.equal(r.code, 0, explain(r));
    assert.equal(total(r.stdout, "connect_succ"), 5, r.stdout);
  },
});

Deno.test({
  name: "bench conn to an unreachable broker reports the failures each second and exits 99",
  async fn() {
    const r = await bench([
      "conn",
      ...brokerFlags(freePort()),
      "-c",
      "3",
      "-i",
      "1",
      "--num-retry-connect",
      "1",
    ]);
    assert.equal(r.code, 99, explain(r));
    // 3 clients, each tried twice: gave up 3 times (emqtt-bench's connect_fail), retried 3.
    assert.equal(total(r.stdout, "connect_fail"), 3, r.stdout);
    assert.equal(total(r.stdout, "connect_retried"), 3, r.stdout);
    assert.equal(total(r.stdout, "connect_succ"), 0, r.stdout);
    assert.match(r.stdout, /^\ds connect_fail total=\d+ rate=/m);
    assert.match(r.stdout, /threshold crossed: bench_connect_failed: count==0/);
  },
});

Deno.test({
  name: "bench conn: clients that connect after retries are no connect_fail, as emqtt-bench's",
  ignore: needsMosquitto.ignore,
  async fn() {
    const port = freePort();
    const conn = startBench(
      ["conn", ...brokerFlags(port), "-c", "3", "--num-retry-connect", "5", "--duration", "4s"],
      3,
    );
    // The broker comes up while the clients retry (each second).
    await new Promise((r) => setTimeout(r, 1500));
    await using _mosquitto = await startMosquitto({ port });
    const r = await conn.done;
    assert.equal(r.code, 0, explain(r));
    assert.equal(total(r.stdout, "connect_succ"), 3, r.stdout);
    assert.equal(total(r.stdout, "connect_fail"), 0, r.stdout);
    assert.ok(total(r.stdout, "connect_retried") >= 3, r.stdout);
  },
});

Deno.test({
  name:
    "bench conn flags: --shortids -n, -V 3 and 5, TLS with --cacertfile, WebSocket, --url with credentials",
  ignore: needsMosquitto.ignore,
  async fn() {
    const wsPort = freePort();
    await using mosquitto = await startMosquitto({
      tls: true,
      passwordFile: { bench: "s3cret-pw" },
      extraConfig: `log_type all\nlistener ${wsPort} 127.0.0.1\nprotocol websockets`,
    });
    const auth = ["-u", "bench", "-P", "s3cret-pw"];
    const plain = await bench([
      "conn",
      ...brokerFlags(mosquitto.port),
      ...auth,
      "-c",
      "3",
      "-n",
      "10",
      "--shortids",
      "-V",
      "3",
      "--duration",
      "1s",
    ]);
    assert.equal(total(plain.stdout, "connect_succ"), 3, explain(plain));
    assert.match(mosquitto.log(), /as 12 \(p1, c1, k300, u'bench'\)/);
    const v5 = await bench([
      "conn",
      ...brokerFlags(mosquitto.port),
      ...auth,
      "-c",
      "2",
      "--prefix",
      "five",
      "-x",
      "30",
      "--duration",
      "1s",
    ]);
    assert.equal(total(v5.stdout, "connect_succ"), 2, explain(v5));
    assert.match(mosquitto.log(), /as five_bench_conn_2 \(p5, c1, k300, u'bench'\)/);
    const tls = await bench([
      "conn",
      "-h",
      "localhost",
      "-p",
      String(mosquitto.tlsPort),
      "-S",
      "--cacertfile",
      mosquitto.certs!.ca.certFile,
      ...auth,
      "-c",
      "2",
      "--duration",
      "1s",
    ]);
    assert.equal(total(tls.stdout, "connect_succ"), 2, explain(tls));
    const ws = await bench([
      "conn",
      ...brokerFlags(wsPort),
      "--ws",
      ...auth,
      "-c",
      "2",
      "--duration",
      "1s",
    ]);
    assert.equal(total(ws.stdout, "connect_succ"), 2, explain(ws));
    const url = await bench([
      "conn",
      "--url",
      `mqtt://bench:s3cret-pw@127.0.0.1:${mosquitto.port}`,
      "-c",
      "2",
      "--duration",
      "1s",
      "--print-script",
    ]);
    assert.doesNotMatch(url.stdout, /s3cret/);
    const byUrl = await bench([
      "conn",
      "--url",
      `mqtt://bench:s3cret-pw@127.0.0.1:${mosquitto.port}`,
      "-c",
      "2",
      "--duration",
      "1s",
    ]);
    assert.equal(total(byUrl.stdout, "connect_succ"), 2, explain(byUrl));
    const wrong = await bench([
      "conn",
      ...brokerFlags(mosquitto.port),
      "-u",
      "bench",
      "-P",
      "nope-pw",
      "-c",
      "1",
    ]);
    assert.equal(wrong.code, 99, explain(wrong));
    for (const r of [plain, v5, tls, ws, url, byUrl, wrong]) {
      assert.doesNotMatch(r.stdout + r.stderr, /s3cret-pw|nope-pw/);
    }
  },
});

Deno.test({
  name: "bench conn --reconnect: clients come back after the broker restarts, counted again",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const conn = startBench([
      "conn",
      ...brokerFlags(mosquitto.port),
      "-c",
      "2",
      "--reconnect",
      "5",
      "--duration",
      "5s",
    ], 2);
    await conn.connected;
    await mosquitto.restart();
    const r = await conn.done;
    assert.equal(r.code, 0, explain(r));
    // Two first connects and two reconnections, counted apart; the losses were made good.
    assert.equal(total(r.stdout, "connect_succ"), 2, r.stdout);
    assert.equal(total(r.stdout, "reconnect_succ"), 2, r.stdout);
    assert.equal(total(r.stdout, "disconnected"), 2, r.stdout);
  },
});

Deno.test({
  name: "bench conn --reconnect: attempts a second apart bring every client back within a second",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const conn = startBench([
      "conn",
      ...brokerFlags(mosquitto.port),
      "-c",
      "20",
      "--reconnect",
      "20",
      "--duration",
      "6s",
    ], 20);
    await conn.connected;
    // Down for 3 s: with a doubling backoff (1, 2, 4 s and jitter) clients would still be
    // waiting when the run ends; at a fixed second, all are back a second after the broker.
    await mosquitto.kill();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await mosquitto.restart();
    const r = await conn.done;
    assert.equal(r.code, 0, explain(r));
    assert.equal(total(r.stdout, "reconnect_succ"), 20, r.stdout);
    assert.doesNotMatch(r.stdout, /^ {2}reconnecting +\d/m);
  },
});

Deno.test({
  name: "bench conn --reconnect: clients still reconnecting at the end are counted as such",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto();
    const conn = startBench([
      "conn",
      ...brokerFlags(mosquitto.port),
      "-c",
      "3",
      "--reconnect",
      "50",
      "--duration",
      "3s",
    ], 3);
    await conn.connected;
    await mosquitto.stop();
    const r = await conn.done;
    // Lost, neither connected again nor given up: before, the summary did not say where they
    // were (disconnected 3, nothing else).
    assert.equal(total(r.stdout, "disconnected"), 3, r.stdout);
    assert.match(r.stdout, /^ {2}reconnecting +3 +clients still reconnecting at the end$/m);
    assert.doesNotMatch(r.stdout, /reconnect_gave_up/);
    assert.equal(r.code, 0, explain(r));
  },
});
