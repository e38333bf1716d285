import assert from "node:assert/strict";
import { parseBenchArgs } from "./flags.ts";
import { UsageError } from "../cli/usage_error.ts";
import type { BenchArgs } from "./flags.ts";

function parsed(args: string[]): BenchArgs {
  const result = parseBenchArgs(args);
  assert.ok(!("help" in result), "not help");
  return result;
}

Deno.test("parseBenchArgs() gives emqtt-bench's defaults", () => {
  const { config } = parsed(["sub", "-t", "bench/#"]);
  const c = config.connection;
  assert.equal(c.url, "mqtt://localhost:1883");
  assert.equal(c.version, 5);
  assert.equal(c.count, 200);
  assert.equal(c.connectIntervalMs, 10);
  assert.equal(c.keepalive, 300);
  assert.equal(c.clean, true);
  assert.equal(config.subscribe?.qos, 0);
  const pub = parsed(["pub", "-t", "t"]).config.publish!;
  assert.deepEqual(
    [pub.size, pub.intervalMs, pub.limit, pub.inflight, pub.qos, pub.retain],
    [256, 1000, 0, 1, 0, false],
  );
});

Deno.test("parseBenchArgs() reads short flags, optional booleans and -R over -i", () => {
  const { config } = parsed([
    "pub",
    "-h",
    "broker",
    "-p",
    "1884",
    "-V",
    "4",
    "-c",
    "5",
    "-n",
    "100",
    "-R",
    "500",
    "-i",
    "7",
    "-C",
    "false",
    "-r",
    "-w",
    "-k",
    "30",
    "-t",
    "a/%i",
    "-q",
    "2",
    "-s",
    "10",
    "-L",
    "3",
    "-I",
    "5",
    "-F",
    "0",
    "--payload-hdrs",
    "ts,cnt64",
  ]);
  const c = config.connection;
  assert.equal(c.url, "mqtt://broker:1884");
  assert.equal(c.connectIntervalMs, 2);
  assert.equal(c.clean, false);
  assert.equal(c.startNumber, 100);
  assert.equal(config.publish?.retain, true);
  assert.equal(config.publish?.waitBeforePublishing, true);
  assert.equal(config.publish?.inflight, 0);
  assert.deepEqual(config.payloadHeaders, ["ts", "cnt64"]);
});

Deno.test("parseBenchArgs() builds URLs for -S and --ws, takes credentials out of --url", () => {
  assert.equal(
    parsed(["conn", "-S", "-p", "8883"]).config.connection.url,
    "mqtts://localhost:8883",
  );
  assert.equal(
    parsed(["conn", "--ws", "-p", "8080"]).config.connection.url,
    "ws://localhost:8080/mqtt",
  );
  const { config } = parsed(["conn", "--url", "mqtt://u:p%40ss@h:1900"]);
  assert.equal(config.connection.url, "mqtt://h:1900");
  assert.equal(config.connection.username, "u");
  assert.equal(config.connection.password, "p@ss");
  assert.doesNotMatch(config.commandLine, /p%40ss/);
  assert.doesNotMatch(parsed(["conn", "-P", "hunter2"]).config.commandLine, /hunter2/);
});

Deno.test("parseBenchArgs() turns --threshold into thresholds and keeps the segment's offset", () => {
  const { config, run } = parsed([
    "conn",
    "-c",
    "10",
    "--threshold",
    "mqtt_errors{method:connect}:count<5",
    "--execution-segment",
    "1/2:1",
  ]);
  assert.deepEqual(config.thresholds["mqtt_errors{method:connect}"], ["count<5"]);
  assert.equal(run.executionSegment, "1/2:1");
});

Deno.test("parseBenchArgs() names the flag of each bad value", () => {
  const cases: Array<[string[], RegExp]> = [
    [["flood"], /unknown bench job "flood"/],
    [["conn", "-c", "many"], /"many" for --count/],
    [["conn", "-c", "0"], /--count: expected an integer from 1/],
    [["conn", "-V", "6"], /"6" for --version: expected an integer from 3 to 5/],
    [["pub"], /needs a topic: -t\/--topic/],
    [["pub", "-t", "a", "-q", "3"], /"3" for --qos/],
    [["pub", "-t", "a", "--payload-hdrs", "cnt32"], /--payload-hdrs: unknown header "cnt32"/],
    [["pub", "-t", "a", "--max-random-wait", "1", "--min-random-wait", "5"], /--max-random-wait/],
    [["conn", "-t", "a"], /--topic is not a flag of bench conn/],
    [["sub", "-t", "a", "--shared", "a/b"], /--shared/],
    [["conn", "--duration", "soon"], /"soon" for --duration/],
    [["conn", "-C", "maybe"], /--clean/],
    [["conn", "--url", "http://h"], /--url/],
    [["conn", "--url", "mqtt://h", "-p", "1"], /--url and -h\/--host or -p\/--port/],
    [["conn", "--cacertfile", "ca.pem"], /need -S\/--ssl/],
    [["conn", "-S", "--cacertfile", "/nonexistent/ca.pem"], /--cacertfile/],
    [["conn", "--threshold", "count==0"], /--threshold: expected METRIC:EXPRESSION/],
    [["conn", "--out", "nope"], /--out: unsupported output "nope"/],
    [["conn", "--execution-segment", "2:3"], /--execution-segment/],
    [["conn", "--bogus"], /bogus/],
    // Above MQTT's largest packet (268,435,455 bytes): no broker could take one.
    [["pub", "-t", "t", "-s", "300000000"], /for --size: expected an integer from 0 to 268435455/],
    [["pub", "-t", "t/%rand_0"], /"t\/%rand_0" for --topic: %rand_0 draws a number from 1 to N/],
    [["sub", "-t", "t/%rand_1,u/%rand_0"], /for --topic: %rand_0/],
    [["conn", "-u", "%rand_0"], /for --username: %rand_0/],
    [["pub", "-t", "a/%rand_x"], /for --topic: %rand_ needs a number/],
    [["sub", "-t", "a/%rand_-1"], /for --topic: %rand_ needs a number/],
    [["sub", "-t", "a/#/b"], /"a\/#\/b" for --topic: '#' must be the last character/],
    [["sub", "-t", "a/b,c+"], /for --topic: '\+' must occupy a whole level of "c\+"/],
    [["sub", "-t", ""], /for --topic: a topic filter must not be empty/],
    [["pub", "-t", "t", "-m", "v%rand_99999999999999999"], /for --message: %rand_9/],
    [
      ["sub", "-t", "a", "--shared", "g", "--payload-hdrs", "cnt64", "--workers", "2"],
      /--workers must be 1/,
    ],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseBenchArgs(args), (e: Error) => {
      assert.ok(e instanceof UsageError, `${args.join(" ")}: ${e}`);
      assert.match(e.message, message, args.join(" "));
      return true;
    });
  }
});

Deno.test("parseBenchArgs() takes --help after a job, as -h is the host", () => {
  assert.deepEqual(parseBenchArgs(["pub", "--help"]), { help: "pub" });
  assert.deepEqual(parseBenchArgs(["--help"]), { help: undefined });
  assert.equal(parsed(["conn", "-h", "10.0.0.1"]).config.connection.host, "10.0.0.1");
});

Deno.test("bench flags given twice: the first counts, as emqtt-bench's; sub subscribes to every -t", () => {
  const sub = parseBenchArgs(["sub", "-t", "a/#", "-t", "b,c/+"]);
  assert.ok("config" in sub);
  assert.deepEqual(sub.config.subscribe?.topics, ["a/#", "b", "c/+"]);
  const pub = parseBenchArgs(["pub", "-t", "x/%i", "-t", "y/%i", "-q", "1", "-q", "2"]);
  assert.ok("config" in pub);
  assert.equal(pub.config.publish?.topic, "x/%i");
  assert.equal(pub.config.publish?.qos, 1);
});
