import assert from "node:assert/strict";
import { InvalidConfigError } from "../config/options.ts";
import { MetricRegistry } from "../metrics/registry.ts";
import type { MetricsSnapshot, Point } from "../metrics/registry.ts";
import { influxConfig } from "./_influxdb_config.ts";
import { basicAuthToken, redact } from "./_redact.ts";
import {
  escapeMeasurement,
  escapeTag,
  fieldValue,
  formatFloat,
  LineFormatter,
} from "./_influxdb_line.ts";
import { influxdbOutput, MAX_PENDING_POINTS, STOP_WAIT_MS } from "./influxdb.ts";

const END = { summary: {} as never, thresholds: [] };

Deno.test("line protocol writes CR and LF outside quoted strings as spaces", () => {
  const lines = new LineFormatter(new Map([["note", "string"]]), "ms");
  const line = lines.line({
    metric: "m\nx",
    time: 1735787045123,
    value: 1,
    tags: { "k\r\ney": "a\nb", note: "keeps\nits newline" },
  })!;
  assert.equal(line, 'm\\ x,k\\ \\ ey=a\\ b note="keeps\nits newline",value=1 1735787045123\n');
  // One point, one line: the only newlines left are inside the quoted string and at the end.
  assert.equal(line.replace(/"[^"]*"/g, "").split("\n").length, 2);
});

Deno.test("line protocol escapes as InfluxDB's rules", () => {
  // Measurements: comma and space; tags: comma, equals and space; `"` and `\` stay.
  assert.equal(escapeMeasurement('m,e a=s"\\'), 'm\\,e\\ a=s"\\');
  assert.equal(escapeTag('k,e y=v"\\'), 'k\\,e\\ y\\=v"\\');
  // String fields: quotes and backslashes.
  assert.equal(fieldValue('a "b" \\c, d=e', "string"), '"a \\"b\\" \\\\c, d=e"');
});

Deno.test("formatFloat() writes Go's FormatFloat(v, 'f', -1, 64)", () => {
  assert.equal(formatFloat(0), "0");
  assert.equal(formatFloat(1), "1");
  assert.equal(formatFloat(-2.25), "-2.25");
  assert.equal(formatFloat(0.1 + 0.2), "0.30000000000000004");
  assert.equal(formatFloat(1.5e-7), "0.00000015");
  assert.equal(formatFloat(-1.25e-10), "-0.000000000125");
  assert.equal(formatFloat(2.5e22), "25000000000000000000000");
  assert.equal(formatFloat(1.2345e21), "1234500000000000000000");
});

Deno.test("fieldValue() converts as k6's tagsAsFields types, else keeps a string", () => {
  assert.equal(fieldValue("-42", "int"), "-42i");
  assert.equal(fieldValue("99999999999999999999", "int"), '"99999999999999999999"');
  assert.equal(fieldValue("4.2", "int"), '"4.2"');
  assert.equal(fieldValue("4.2", "float"), "4.2");
  assert.equal(fieldValue("1e3", "float"), "1000");
  assert.equal(fieldValue("NaN", "float"), '"NaN"');
  assert.equal(fieldValue("T", "bool"), "true");
  assert.equal(fieldValue("0", "bool"), "false");
  assert.equal(fieldValue("yes", "bool"), '"yes"');
});

Deno.test("LineFormatter sorts tags, drops empty ones, places value among sorted fields", () => {
  const lines = new LineFormatter(
    new Map([["vu", "int"], ["url", "string"], ["iter", "string"], ["value", "float"]]),
    "",
  );
  const point: Point = {
    metric: "mqtt calls",
    time: Date.UTC(2025, 0, 2, 3, 4, 5, 123) + 0.456,
    value: 0.5,
    tags: {
      scenario: "a b",
      group: "",
      vu: "3",
      iter: "7",
      url: "mqtt://h",
      method: "publish",
      value: "x",
    },
  };
  assert.equal(
    lines.line(point),
    'mqtt\\ calls,method=publish,scenario=a\\ b iter="7",url="mqtt://h",value=0.5,vu=3i ' +
      "1735787045123456000\n",
  );
  // The cached part of a tags object serves the next point of the series.
  assert.equal(
    lines.line({ ...point, value: 2 }),
    'mqtt\\ calls,method=publish,scenario=a\\ b iter="7",url="mqtt://h",value=2,vu=3i ' +
      "1735787045123456001\n",
  );
  // The same series in the same µs: another ns, so that InfluxDB keeps both points.
  assert.match(lines.line({ ...point, value: 3 })!, / 1735787045123456002\n$/);
  assert.match(lines.line({ ...point, time: point.time + 0.001 })!, / 1735787045123457000\n$/);
  assert.equal(lines.line({ ...point, value: NaN }), undefined);
  assert.equal(lines.line({ ...point, value: -Infinity }), undefined);
});

Deno.test("LineFormatter divides timestamps for a coarser precision", () => {
  const point: Point = { metric: "m", time: 1735787045123.456, value: 1, tags: {} };
  assert.match(new LineFormatter(new Map(), "ms").line(point)!, / 1735787045123\n$/);
  assert.match(new LineFormatter(new Map(), "s").line(point)!, / 1735787045\n$/);
  assert.match(new LineFormatter(new Map(), "u").line(point)!, / 1735787045123456\n$/);
});

Deno.test("influxConfig() takes k6's defaults, the environment, then the URL", () => {
  const defaults = influxConfig("", {});
  assert.equal(defaults.addr, "http://localhost:8086");
  assert.equal(defaults.db, "k6");
  assert.equal(defaults.pushIntervalMs, 1000);
  assert.equal(defaults.concurrentWrites, 4);
  assert.deepEqual([...defaults.tagsAsFields], [["vu", "string"], ["iter", "string"], [
    "url",
    "string",
  ]]);
  const env = {
    K6_INFLUXDB_ADDR: "http://envhost:1",
    K6_INFLUXDB_DB: "envdb",
    K6_INFLUXDB_USERNAME: "eve",
    K6_INFLUXDB_PASSWORD: "envpw",
    K6_INFLUXDB_PUSH_INTERVAL: "3s",
    K6_INFLUXDB_CONCURRENT_WRITES: "2",
    K6_INFLUXDB_INSECURE: "true",
    K6_INFLUXDB_TAGS_AS_FIELDS: "vu:int,topic",
  };
  const fromEnv = influxConfig("", env);
  assert.equal(fromEnv.addr, "http://envhost:1");
  assert.equal(fromEnv.db, "envdb");
  assert.equal(fromEnv.username, "eve");
  assert.equal(fromEnv.password, "envpw");
  assert.equal(fromEnv.pushIntervalMs, 3000);
  assert.equal(fromEnv.concurrentWrites, 2);
  assert.equal(fromEnv.insecure, true);
  assert.deepEqual([...fromEnv.tagsAsFields], [["vu", "int"], ["topic", "string"]]);
  const fromUrl = influxConfig(
    "https://bob:p%40ss@h:9/proxy/influx/mydb?pushInterval=5s&tagsAsFields=a&tagsAsFields=b:bool",
    env,
  );
  assert.equal(fromUrl.addr, "https://h:9/proxy/influx");
  assert.equal(fromUrl.db, "mydb");
  assert.equal(fromUrl.username, "bob");
  assert.equal(fromUrl.password, "p@ss");
  assert.equal(fromUrl.pushIntervalMs, 5000);
  assert.deepEqual([...fromUrl.tagsAsFields], [["a", "string"], ["b", "bool"]]);
  // A trailing slash: the whole path is a prefix, the database stays the default.
  assert.equal(influxConfig("http://h:8086/prefix/", {}).addr, "http://h:8086/prefix");
  assert.equal(influxConfig("http://h:8086/prefix/", {}).db, "k6");
  assert.equal(influxConfig("http://h:8086", {}).db, "k6");
  // No host: the argument is the database.
  assert.equal(influxConfig("justdb", {}).db, "justdb");
  // Credentials in K6_INFLUXDB_ADDR are used, and kept out of the address.
  const addrCreds = influxConfig("", { K6_INFLUXDB_ADDR: "http://al:pw@h:1" });
  assert.deepEqual([addrCreds.addr, addrCreds.username, addrCreds.password], [
    "http://h:1",
    "al",
    "pw",
  ]);
});

Deno.test("influxConfig() refuses what k6 refuses", () => {
  for (
    const [arg, env, message] of [
      ["http://h/db?color=red", {}, /unknown query parameter: color/],
      ["http://h/db?insecure=maybe", {}, /insecure must be true or false, not maybe/],
      ["http://h/db?concurrentWrites=0", {}, /ConcurrentWrites must be a positive number/],
      ["", { K6_INFLUXDB_TAGS_AS_FIELDS: "vu,vu:int" }, /shows up more than once/],
      ["", { K6_INFLUXDB_TAGS_AS_FIELDS: "vu:date" }, /an invalid type \(date\)/],
      ["", { K6_INFLUXDB_PUSH_INTERVAL: "often" }, /invalid duration/],
      ["udp://h:8089", {}, /UDP is not supported/],
      ["http://h/db?precision=week", {}, /invalid precision/],
    ] as const
  ) {
    assert.throws(() => influxConfig(arg, env), (e: unknown) => {
      assert.ok(e instanceof InvalidConfigError);
      assert.match(e.message, message);
      return true;
    });
  }
  // A malformed %-escape is a configuration error naming the part, not a URIError.
  for (
    const [arg, env, part] of [
      ["http://u:50%@h/db", {}, /influxdb URL's password has a malformed %-escape/],
      ["http://u%zz:p@h/db", {}, /influxdb URL's user name has a malformed %-escape/],
      ["http://h/d%e9b", {}, /influxdb URL's database has a malformed %-escape/],
      ["", { K6_INFLUXDB_ADDR: "http://u:p%@h:1" }, /K6_INFLUXDB_ADDR's password has a malformed/],
    ] as const
  ) {
    assert.throws(() => influxConfig(arg, env), (e: unknown) => {
      assert.ok(e instanceof InvalidConfigError, String(e));
      assert.match(e.message, part);
      return true;
    });
  }
  // K6_INFLUXDB_ADDR is parsed with or without credentials: only http(s) URLs pass.
  for (const addr of ["ftp://h:21", "localhost:8086", "http://", "udp://h:8089"]) {
    assert.throws(() => influxConfig("", { K6_INFLUXDB_ADDR: addr }), InvalidConfigError, addr);
  }
  assert.equal(influxConfig("", { K6_INFLUXDB_ADDR: "HTTP://H:1/pre/" }).addr, "http://h:1/pre");
  // The refusal of a URL does not repeat its password.
  assert.throws(() => influxConfig("ftp://u:SECRETPW@h/db", {}), (e: Error) => {
    return !e.message.includes("SECRETPW");
  });
});

Deno.test("redact() takes every spelling of the password out", () => {
  assert.equal(redact("http://u:a%2Fb@h/x", []), "http://u:***@h/x");
  assert.equal(redact("pw is a/b/c or a%2Fb%2Fc", ["a/b/c"]), "pw is *** or ***");
  const token = basicAuthToken("u", "a/b/c");
  assert.equal(redact(`sent Basic ${token}`, ["a/b/c", token]), "sent Basic ***");
  // A password too short to search for leaves the text whole (not every "p" garbled); its
  // basic-auth token is still taken out.
  const short = basicAuthToken("u", "p");
  assert.equal(redact(`a plain point, Basic ${short}`, ["p", short]), "a plain point, Basic ***");
});

/** A loopback port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function snapshotOf(n: number): MetricsSnapshot {
  const metrics = new MetricRegistry({ recordPoints: true });
  metrics.define("iterations", "counter");
  const now = Date.now();
  for (let i = 0; i < n; i++) metrics.add("iterations", 1, { scenario: "s" }, now);
  return metrics.drain();
}

Deno.test("an unreachable InfluxDB: bounded queue, drops reported, stop() ends soon", async () => {
  const logs: string[] = [];
  const out = await influxdbOutput.create({
    arg: `http://user:PASSWORDMARK@127.0.0.1:${closedPort()}/db?pushInterval=50ms`,
    metrics: new MetricRegistry(),
    script: "t.js",
    options: {},
    log: (text) => logs.push(text),
  });
  assert.doesNotMatch(out.description(), /PASSWORDMARK|user/);
  // Before start() nothing is sent: points wait, up to the bound.
  out.addSamples(snapshotOf(MAX_PENDING_POINTS - 10), Date.now());
  out.addSamples(snapshotOf(30), Date.now());
  out.start(Date.now());
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = Date.now();
  await out.stop(END);
  assert.ok(Date.now() - started < 3000, `stop() took ${Date.now() - started} ms`);
  const text = logs.join("\n");
  assert.match(text, /20 points dropped in the last 50ms: more than 100000 points waiting/);
  assert.match(text, /points dropped in the last 50ms: fetch failed: .*Connection refused/);
  assert.match(text, new RegExp(`${MAX_PENDING_POINTS + 20} of ${MAX_PENDING_POINTS + 20} points`));
  assert.doesNotMatch(text, /PASSWORDMARK/);
});

Deno.test("a silent InfluxDB: stop() aborts the CREATE DATABASE and its writes within the wait", async () => {
  // Accepts connections and never answers: the CREATE DATABASE hangs, the writes queue behind it.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) conns.push(conn);
    } catch { /* closed */ }
  })();
  const logs: string[] = [];
  const out = await influxdbOutput.create({
    arg: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/db?pushInterval=50ms`,
    metrics: new MetricRegistry(),
    script: "t.js",
    options: {},
    log: (text) => logs.push(text),
  });
  try {
    out.start(Date.now());
    out.addSamples(snapshotOf(100), Date.now());
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await out.stop(END);
    const took = Date.now() - started;
    assert.ok(took >= STOP_WAIT_MS - 100 && took < STOP_WAIT_MS + 2000, `stop() took ${took} ms`);
    const text = logs.join("\n");
    assert.match(text, /100 points dropped in the last 50ms: not done within the 5s stop wait/);
    assert.match(text, /100 of 100 points were not written/);
    // A second stop() returns at once and logs nothing again.
    const before = logs.length;
    const again = Date.now();
    await out.stop(END);
    assert.ok(Date.now() - again < 50);
    assert.equal(logs.length, before);
  } finally {
    listener.close();
    await accepting;
    for (const conn of conns) conn.close();
  }
});

Deno.test("LineFormatter gives each point of a series its own timestamp, across Workers", () => {
  const lines = new LineFormatter(new Map(), "");
  const time = Date.UTC(2025, 0, 2) + 0.25;
  const tags = { check: "in range" };
  const stamp = (t: number, index: number, of: number) => {
    const line = lines.line({ metric: "checks", time: t, value: 1, tags }, { index, of })!;
    return line.slice(line.lastIndexOf(" ") + 1);
  };
  const micros = `${Date.UTC(2025, 0, 2)}250`;
  // Worker 1 of 3 owns the digits 1, 4, 7…; its points in one µs take them in turn.
  assert.equal(stamp(time, 1, 3), `${micros}001\n`);
  assert.equal(stamp(time, 1, 3), `${micros}004\n`);
  // Another Worker in the same µs: its own digits.
  assert.equal(stamp(time, 2, 3), `${micros}002\n`);
  assert.equal(stamp(time, 0, 3), `${micros}000\n`);
  // A burst past a Worker's digits in one µs moves on to the next µs.
  for (let k = 2; k < 333; k++) {
    assert.equal(stamp(time, 1, 3), `${micros}${String(1 + 3 * k).padStart(3, "0")}\n`);
  }
  assert.equal(stamp(time, 1, 3), `${Number(micros) + 1}001\n`);
  // Points at or before that µs follow it: a Worker's timestamps only go forward.
  assert.equal(stamp(time, 1, 3), `${Number(micros) + 1}004\n`);
});

Deno.test("LineFormatter: two Workers' bursts in lockstep never share a timestamp", () => {
  // Each Worker's batch of 1,000 checks, made in the same µs as the other's: any count shared
  // by all points repeats every 1,000 and would put two of them on one timestamp.
  const lines = new LineFormatter(new Map(), "");
  const start = Date.UTC(2025, 0, 2);
  const seen = new Set<string>();
  let written = 0;
  for (let batch = 0; batch < 3; batch++) {
    for (const index of [0, 1]) {
      for (let i = 0; i < 1000; i++) {
        const time = start + batch + Math.floor(i / 7) / 1000; // 7 checks per µs
        seen.add(lines.line({ metric: "checks", time, value: 1, tags: {} }, { index, of: 2 })!);
        written++;
      }
    }
  }
  assert.equal(seen.size, written);
});
