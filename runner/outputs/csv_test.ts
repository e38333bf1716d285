import assert from "node:assert/strict";
import { MetricRegistry } from "../metrics/registry.ts";
import { InvalidConfigError } from "../config/options.ts";
import type { Point } from "../metrics/registry.ts";
import type { Sink } from "./_csv_sink.ts";
import { csvConfig } from "./_csv_config.ts";
import {
  CSV_HEADER,
  csvField,
  CsvOutput,
  csvOutput,
  csvRow,
  csvTime,
  csvValue,
  MAX_PENDING_BYTES,
} from "./csv.ts";

const END = { summary: {} as never, thresholds: [] };

Deno.test("CSV_HEADER is k6's header", () => {
  assert.equal(
    CSV_HEADER.join(","),
    "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method," +
      "name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata",
  );
});

Deno.test("csvConfig() takes k6's defaults, then the environment, then the argument", () => {
  assert.deepEqual(csvConfig("", {}), {
    fileName: "file.csv",
    saveIntervalMs: 1000,
    timeFormat: "unix",
  });
  const env = {
    K6_CSV_FILENAME: "env.csv",
    K6_CSV_SAVE_INTERVAL: "5s",
    K6_CSV_TIME_FORMAT: "RFC3339",
  };
  assert.deepEqual(csvConfig("", env), {
    fileName: "env.csv",
    saveIntervalMs: 5000,
    timeFormat: "rfc3339",
  });
  assert.equal(csvConfig("arg.csv", env).fileName, "arg.csv");
  assert.deepEqual(csvConfig("fileName=a.csv,timeFormat=unix_nano,saveInterval=250ms", env), {
    fileName: "a.csv",
    saveIntervalMs: 250,
    timeFormat: "unix_nano",
  });
});

Deno.test("csvConfig() refuses what k6 refuses, with k6's messages", () => {
  const refused = (arg: string, env = {}): string => {
    try {
      csvConfig(arg, env);
    } catch (e) {
      assert.ok(e instanceof InvalidConfigError);
      return e.message;
    }
    throw new Error(`accepted ${arg}`);
  };
  assert.equal(refused("fileName="), `couldn't parse "fileName=" as argument for csv output`);
  assert.equal(refused("color=red"), `unknown key "color" as argument for csv output`);
  assert.equal(
    refused("", { K6_CSV_TIME_FORMAT: "iso" }),
    "iso does not belong to TimeFormat values",
  );
  assert.match(refused("saveInterval=soon"), /save interval/);
});

Deno.test("csvTime() writes every k6 time format", () => {
  const t = Date.UTC(2021, 1, 24, 13, 37, 10, 5) + 0.067;
  assert.equal(csvTime(t, "unix"), "1614173830");
  assert.equal(csvTime(t, "unix_milli"), "1614173830005");
  assert.equal(csvTime(t, "unix_micro"), "1614173830005067");
  assert.equal(csvTime(t, "unix_nano"), "1614173830005067000");
  assert.equal(csvTime(t, "rfc3339"), "2021-02-24T13:37:10Z");
  assert.equal(csvTime(t, "rfc3339_nano"), "2021-02-24T13:37:10.005067Z");
  // Go's RFC3339Nano drops trailing zeros, and the dot with them.
  assert.equal(csvTime(Date.UTC(2021, 1, 24), "rfc3339_nano"), "2021-02-24T00:00:00Z");
  // A microsecond fraction that rounds up carries into the millisecond.
  assert.equal(csvTime(1000.9999, "unix_micro"), "1001000");
});

Deno.test("csvField() quotes as Go's encoding/csv", () => {
  assert.equal(csvField(""), "");
  assert.equal(csvField("plain/text"), "plain/text");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('a"b'), '"a""b"');
  assert.equal(csvField("a\nb"), '"a\nb"');
  assert.equal(csvField("a\rb"), '"a\rb"');
  assert.equal(csvField(" lead"), '" lead"');
  assert.equal(csvField("\tlead"), '"\tlead"');
  assert.equal(csvField("trail "), "trail ");
  assert.equal(csvField("\\."), '"\\."');
  assert.equal(csvField("\uFEFFbom"), "\uFEFFbom");
});

Deno.test("csvValue() writes Go's %f", () => {
  assert.equal(csvValue(0), "0.000000");
  assert.equal(csvValue(3.14159265), "3.141593");
  assert.equal(csvValue(-2.5), "-2.500000");
  assert.equal(csvValue(1e21), "1000000000000000000000.000000");
  assert.equal(csvValue(NaN), "NaN");
  assert.equal(csvValue(Infinity), "+Inf");
});

Deno.test("csvRow() puts k6's tags in their columns and the others in extra_tags", () => {
  const point: Point = {
    metric: "mqtt_messages_received",
    time: Date.UTC(2025, 0, 2, 3, 4, 5),
    value: 1,
    tags: {
      scenario: "default",
      topic: "a/b",
      url: "mqtt://h:1883",
      group: "",
      proto: "MQTT/5.0",
      note: 'say "hi", twice',
    },
  };
  const row = csvRow(point, "unix_milli");
  assert.equal(
    row,
    "mqtt_messages_received,1735787045000,1.000000,,,,,,,,MQTT/5.0,default,,,,,mqtt://h:1883," +
      '"topic=a/b&note=say ""hi"", twice",\n',
  );
});

Deno.test("the csv output writes the header, then every sample, gzipped for .gz", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["rows.csv", "rows.csv.gz"]) {
      const path = `${dir}/${name}`;
      const metrics = new MetricRegistry({ recordPoints: true });
      metrics.define("mqtt_calls", "counter");
      const errors: string[] = [];
      const out = await csvOutput.create({
        arg: `fileName=${path},saveInterval=10ms`,
        metrics,
        script: "t.js",
        options: {},
        log: (text) => errors.push(text),
      });
      out.start(Date.now());
      for (let i = 0; i < 3; i++) {
        metrics.add("mqtt_calls", 1, { method: "publish" }, Date.now());
        out.addSamples(metrics.drain(), Date.now());
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      await out.stop(END);
      let bytes: Uint8Array<ArrayBuffer> = await Deno.readFile(path);
      if (name.endsWith(".gz")) {
        const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
        bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      }
      const lines = new TextDecoder().decode(bytes).trimEnd().split("\n");
      assert.equal(lines[0], CSV_HEADER.join(","));
      assert.equal(lines.length, 4, lines.join("\n"));
      assert.ok(lines.slice(1).every((l) => l.startsWith("mqtt_calls,")));
      assert.deepEqual(errors, []);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the csv output reports a write error and goes on", async () => {
  const metrics = new MetricRegistry({ recordPoints: true });
  metrics.define("iterations", "counter");
  const errors: string[] = [];
  // /dev/full opens but every write fails with ENOSPC.
  const out = await csvOutput.create({
    arg: "/dev/full",
    metrics,
    script: "t.js",
    options: {},
    log: (text) => errors.push(text),
  });
  out.start(Date.now());
  for (let i = 0; i < 3; i++) {
    metrics.add("iterations", 1, {}, Date.now());
    out.addSamples(metrics.drain(), Date.now());
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }
  await out.stop(END);
  await out.stop(END); // a second stop() returns at once and says nothing again
  // The first failure is said once, not every save interval; the total at the end.
  assert.equal(errors.length, 2, errors.join("\n"));
  assert.match(errors[0], /^csv \(\/dev\/full\): /);
  assert.equal(errors[1], "csv (/dev/full): 3 of 3 rows were not written");
});

Deno.test("the csv output keeps rows bounded behind a stuck sink, and counts what it drops", async () => {
  const writes: number[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  // A sink whose writes do not end until the test releases them (a stalled pipe or disk).
  const sink: Sink = {
    write: (bytes) => {
      writes.push(bytes.length);
      return released;
    },
    close: () => Promise.resolve(),
  };
  const errors: string[] = [];
  const bound = 4096;
  const out = new CsvOutput(
    { fileName: "x.csv", saveIntervalMs: 5, timeFormat: "unix" },
    sink,
    (text) => errors.push(text),
    bound,
  );
  const metrics = new MetricRegistry({ recordPoints: true });
  metrics.define("iterations", "counter");
  const batch = (n: number) => {
    for (let i = 0; i < n; i++) metrics.add("iterations", 1, { scenario: "s" }, 1735689600000);
    out.addSamples(metrics.drain());
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const row = "iterations,1735689600,1.000000,,,,,,,,,s,,,,,,,\n".length;
  out.start();
  batch(10);
  await sleep(30); // the first write (header and 10 rows) starts, and stays in flight
  assert.equal(writes.length, 1);
  for (let i = 0; i < 20; i++) {
    batch(50);
    await sleep(10);
  }
  // No write started behind the stuck one; the rows waiting never pass the bound.
  assert.equal(writes.length, 1);
  assert.ok(out.pendingBytes <= bound, `${out.pendingBytes} bytes waiting`);
  const kept = Math.floor(bound / row);
  assert.equal(out.pendingBytes, kept * row);
  // The first drop is said once, however many batches are dropped.
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0], /more than 4096 bytes of rows waiting to be written: dropping rows/);
  release();
  await out.stop();
  await out.stop();
  assert.equal(writes.length, 2);
  assert.equal(writes[1], kept * row);
  assert.equal(errors.length, 2, errors.join("\n"));
  assert.equal(errors[1], `csv (x.csv): ${1000 - kept} of 1010 rows were not written`);
  assert.ok(MAX_PENDING_BYTES >= 1 << 20);
});

Deno.test("the csv output refuses a file it cannot create", async () => {
  await assert.rejects(
    csvOutput.create({
      arg: "/nonexistent-dir/x.csv",
      metrics: new MetricRegistry(),
      script: "t.js",
      options: {},
      log: () => {},
    }),
    /could not create the 'csv' output/,
  );
});
