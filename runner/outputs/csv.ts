/**
 * `--out csv=FILE`: k6's CSV output (grafana/k6 `internal/output/csv/`), every sample as a row
 * under k6's header, written every save interval. FILE `-` is stdout; a `.gz` FILE is gzipped.
 *
 * ```
 * metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata
 * mqtt_calls,1735787045,1.000000,,,,,,publish,,MQTT/3.1.1,default,,,,,mqtt://127.0.0.1:1883,topic=a/b,
 * ```
 *
 * As k6: the argument is a file name, or `fileName=…,timeFormat=…,saveInterval=…`; the
 * environment's `K6_CSV_FILENAME`, `K6_CSV_TIME_FORMAT` and `K6_CSV_SAVE_INTERVAL` apply under
 * it. The columns are k6's default system tags; the sample's other tags go to `extra_tags` as
 * `k=v&k2=v2`; `metadata` stays empty (mqload has no non-indexed sample metadata).
 *
 * @module
 */

import { InvalidConfigError } from "../config/options.ts";
import { parseDuration } from "../config/duration.ts";
import type { MetricsSnapshot, Point, Tags } from "../metrics/registry.ts";
import { formatTime } from "./ndjson.ts";
import type { Output, OutputParams, OutputType } from "./output.ts";

/** k6's tag columns: its default system tags minus the non-indexable `vu` and `iter`, sorted. */
const TAG_COLUMNS: readonly string[] = ("check error error_code expected_response group method " +
  "name proto scenario service status subproto tls_version url").split(" ");
const IS_COLUMN: ReadonlySet<string> = new Set(TAG_COLUMNS);

/** k6's CSV header, in its order. */
export const CSV_HEADER: readonly string[] = Object.freeze([
  "metric_name",
  "timestamp",
  "metric_value",
  ...TAG_COLUMNS,
  "extra_tags",
  "metadata",
]);

/** k6's `K6_CSV_TIME_FORMAT` values. */
export const CSV_TIME_FORMATS = [
  "unix",
  "unix_milli",
  "unix_micro",
  "unix_nano",
  "rfc3339",
  "rfc3339_nano",
] as const;

/** How the `timestamp` column is written. */
export type CsvTimeFormat = typeof CSV_TIME_FORMATS[number];

/** The CSV output's settings, consolidated as k6's `GetConsolidatedConfig` does. */
export interface CsvConfig {
  /** The file (`-` or empty for stdout). */
  fileName: string;
  /** How often rows are written, in ms. */
  saveIntervalMs: number;
  /** How timestamps are written. */
  timeFormat: CsvTimeFormat;
}

/**
 * Consolidates the CSV output's settings: k6's defaults (`file.csv`, 1 s, `unix`), then the
 * environment, then the `--out` argument.
 *
 * @param arg What follows `csv=`: a file name, or `fileName=…,timeFormat=…,saveInterval=…`.
 * @param env The environment (`K6_CSV_FILENAME`, `K6_CSV_TIME_FORMAT`, `K6_CSV_SAVE_INTERVAL`).
 * @returns The settings.
 * @throws {InvalidConfigError} With k6's message for a malformed argument or value.
 *
 * @example Usage
 * ```ts
 * import { csvConfig } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(csvConfig("out.csv", { K6_CSV_TIME_FORMAT: "unix_milli" }), {
 *   fileName: "out.csv", saveIntervalMs: 1000, timeFormat: "unix_milli",
 * });
 * assert.equal(csvConfig("fileName=a.csv,saveInterval=2s", {}).saveIntervalMs, 2000);
 * ```
 */
export function csvConfig(
  arg: string,
  env: Readonly<Record<string, string | undefined>>,
): CsvConfig {
  let fileName = env.K6_CSV_FILENAME ?? "file.csv";
  let saveInterval = env.K6_CSV_SAVE_INTERVAL ?? "1s";
  let timeFormat = env.K6_CSV_TIME_FORMAT ?? "unix";
  if (arg !== "" && !arg.includes("=")) {
    fileName = arg;
  } else if (arg !== "") {
    for (const pair of arg.split(",")) {
      const at = pair.indexOf("=");
      const [key, value] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
      if (value === "") {
        throw new InvalidConfigError([`couldn't parse "${arg}" as argument for csv output`]);
      }
      if (key === "fileName") fileName = value;
      else if (key === "saveInterval") saveInterval = value;
      else if (key === "timeFormat") timeFormat = value;
      else throw new InvalidConfigError([`unknown key "${key}" as argument for csv output`]);
    }
  }
  const saveIntervalMs = parseDuration(saveInterval);
  if (saveIntervalMs === undefined || saveIntervalMs <= 0) {
    throw new InvalidConfigError([`invalid csv save interval "${saveInterval}"`]);
  }
  // k6's generated enum parser accepts the names in any case.
  const format = CSV_TIME_FORMATS.find((f) => f === timeFormat.toLowerCase());
  if (format === undefined) {
    throw new InvalidConfigError([`${timeFormat} does not belong to TimeFormat values`]);
  }
  return { fileName, saveIntervalMs, timeFormat: format };
}

/**
 * A sample's time as k6 writes it in the `timestamp` column. The RFC 3339 forms are in UTC
 * (k6 uses the machine's zone: the same instant, spelled with an offset).
 *
 * @param ms Milliseconds since the epoch, fractional (to the microsecond).
 * @param format The time format.
 * @returns The column's text.
 *
 * @example Usage
 * ```ts
 * import { csvTime } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * const t = Date.UTC(2025, 0, 2, 3, 4, 5, 123) + 0.456;
 * assert.equal(csvTime(t, "unix"), "1735787045");
 * assert.equal(csvTime(t, "unix_nano"), "1735787045123456000");
 * assert.equal(csvTime(t, "rfc3339"), "2025-01-02T03:04:05Z");
 * ```
 */
export function csvTime(ms: number, format: CsvTimeFormat): string {
  // Whole ms and the µs below them as integers: ns since the epoch exceed 2^53.
  let whole = Math.floor(ms);
  let micros = Math.round((ms - whole) * 1000);
  if (micros === 1000) {
    whole++;
    micros = 0;
  }
  switch (format) {
    case "unix":
      return String(Math.floor(whole / 1000));
    case "unix_milli":
      return String(whole);
    case "unix_micro":
      return whole === 0 ? String(micros) : `${whole}${String(micros).padStart(3, "0")}`;
    case "unix_nano":
      return whole === 0 ? String(micros * 1000) : `${whole}${String(micros).padStart(3, "0")}000`;
    case "rfc3339":
      return new Date(whole).toISOString().slice(0, 19) + "Z";
    case "rfc3339_nano":
      return formatTime(whole + micros / 1000);
  }
}

/** Go's `unicode.IsSpace` on a first character: JS `\s` without U+FEFF, with U+0085. */
const LEADING_SPACE = /^(?!\uFEFF)[\s\u0085]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One field as Go's `encoding/csv` writes it: quoted (inner quotes doubled) when it holds a
 * comma, a quote, a CR or LF, starts with a space, or is `\.`.
 *
 * @param field The text.
 * @returns The field, quoted when needed.
 *
 * @example Usage
 * ```ts
 * import { csvField } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(csvField("a/b"), "a/b");
 * assert.equal(csvField('say "hi", twice'), '"say ""hi"", twice"');
 * ```
 */
export function csvField(field: string): string {
  if (field === "") return field;
  if (field === "\\." || NEEDS_QUOTES.test(field) || LEADING_SPACE.test(field)) {
    return `"${field.replaceAll('"', '""')}"`;
  }
  return field;
}

/**
 * A value as Go's `fmt.Sprintf("%f", v)` writes it: six decimals, `NaN`, `+Inf`, `-Inf`.
 *
 * @param value The sample's value.
 * @returns The `metric_value` column.
 *
 * @example Usage
 * ```ts
 * import { csvValue } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(csvValue(1), "1.000000");
 * assert.equal(csvValue(-Infinity), "-Inf");
 * ```
 */
export function csvValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  // toFixed switches to exponents from 1e21; %f never does.
  return Math.abs(value) < 1e21 ? value.toFixed(6) : `${BigInt(value)}.000000`;
}

/**
 * One sample as a CSV line (with its `\n`), k6's `SampleToRow` then `csv.Writer.Write`.
 *
 * @param point The sample.
 * @param format The time format.
 * @returns The line.
 *
 * @example Usage
 * ```ts
 * import { csvRow } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * const row = csvRow(
 *   { metric: "mqtt_calls", time: 1735787045123, value: 1, tags: { method: "publish", topic: "a,b" } },
 *   "unix",
 * );
 * assert.equal(row, 'mqtt_calls,1735787045,1.000000,,,,,,publish,,,,,,,,,"topic=a,b",\n');
 * ```
 */
export function csvRow(point: Point, format: CsvTimeFormat): string {
  let tagPart = TAG_PARTS.get(point.tags);
  if (tagPart === undefined) {
    tagPart = tagColumns(point.tags);
    TAG_PARTS.set(point.tags, tagPart);
  }
  return `${csvField(point.metric)},${csvTime(point.time, format)},${
    csvValue(point.value)
  }${tagPart}\n`;
}

/**
 * The columns a tags object gives, from `check` to `metadata`, cached: the points of a series
 * share one tags object, so most rows reuse the text instead of quoting 15 fields again.
 */
const TAG_PARTS = new WeakMap<Tags, string>();

function tagColumns(tags: Tags): string {
  let line = "";
  for (const column of TAG_COLUMNS) line += "," + csvField(tags[column] ?? "");
  let extra = "";
  for (const key in tags) {
    if (IS_COLUMN.has(key)) continue;
    extra += `${extra === "" ? "" : "&"}${key}=${tags[key]}`;
  }
  return `${line},${csvField(extra)},`;
}

const encoder = new TextEncoder();

/** Where the rows go: a file, a gzip stream over a file, or stdout. */
interface Sink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

async function openSink(path: string): Promise<Sink> {
  if (path === "" || path === "-") {
    return {
      write: async (bytes) => {
        for (let at = 0; at < bytes.length;) at += await Deno.stdout.write(bytes.subarray(at));
      },
      close: () => Promise.resolve(),
    };
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, create: true, truncate: true });
  } catch (e) {
    throw new InvalidConfigError([
      `could not create the 'csv' output ${path}: ${(e as Error).message}`,
    ]);
  }
  // file.write, not file.writable: in Deno 2.9 the file's WritableStream resolves writes that
  // failed (ENOSPC on /dev/full), which would lose the error.
  const writeAll = async (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
  };
  if (!path.endsWith(".gz")) {
    return { write: writeAll, close: () => Promise.resolve(file.close()) };
  }
  const gzip = new CompressionStream("gzip");
  const writer = gzip.writable.getWriter();
  const pumped = (async () => {
    for await (const chunk of gzip.readable) await writeAll(chunk);
  })();
  // A failed file write must fail the gzip writes too, or they would wait forever.
  pumped.catch((e) => writer.abort(e).catch(() => {}));
  return {
    write: (bytes) => writer.write(bytes as Uint8Array<ArrayBuffer>),
    async close() {
      try {
        await writer.close();
        await pumped;
      } finally {
        file.close();
      }
    },
  };
}

class CsvOutput implements Output {
  readonly #config: CsvConfig;
  readonly #sink: Sink;
  readonly #log: (text: string) => void;
  #rows: string[] = [];
  #headerDone = false;
  #writes: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(config: CsvConfig, sink: Sink, log: (text: string) => void) {
    this.#config = config;
    this.#sink = sink;
    this.#log = log;
  }

  description(): string {
    const name = this.#config.fileName;
    return name === "" || name === "-" ? "csv (stdout)" : `csv (${name})`;
  }

  start(): void {
    this.#timer = setInterval(() => this.#flush(), this.#config.saveIntervalMs);
  }

  addSamples(snapshot: MetricsSnapshot): void {
    if (snapshot.points.length === 0) return;
    const format = this.#config.timeFormat;
    let rows = "";
    for (const point of snapshot.points) rows += csvRow(point, format);
    this.#rows.push(rows);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#flush();
    await this.#writes;
    await this.#sink.close();
  }

  /** Writes the rows gathered since the last flush (and the header, the first time). */
  #flush(): void {
    if (!this.#headerDone) {
      this.#headerDone = true;
      this.#rows.unshift(CSV_HEADER.join(",") + "\n");
    }
    if (this.#rows.length === 0) return;
    const bytes = encoder.encode(this.#rows.join(""));
    this.#rows = [];
    this.#writes = this.#writes.then(() => this.#sink.write(bytes))
      .catch((e) => this.#log(`${this.description()}: ${(e as Error).message}`));
  }
}

/**
 * The `csv` output's registry entry.
 *
 * @example Usage
 * ```ts
 * import { csvOutput } from "./csv.ts";
 * import { MetricRegistry } from "../metrics/registry.ts";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * const metrics = new MetricRegistry({ recordPoints: true });
 * metrics.define("iterations", "counter");
 * const out = await csvOutput.create({
 *   arg: path, metrics, script: "t.js", options: {}, log: (text) => { throw new Error(text); },
 * });
 * assert.equal(out.description(), `csv (${path})`);
 * metrics.add("iterations", 1, { scenario: "default" }, Date.UTC(2025, 0, 1));
 * out.addSamples(metrics.drain(), Date.now());
 * await out.stop({ summary: {} as never, thresholds: [] });
 * const lines = (await Deno.readTextFile(path)).split("\n");
 * assert.match(lines[0], /^metric_name,timestamp,metric_value,check,/);
 * assert.equal(lines[1], "iterations,1735689600,1.000000,,,,,,,,,default,,,,,,,");
 * await Deno.remove(path);
 * ```
 */
export const csvOutput: OutputType = {
  usage: 'csv=FILE          k6 CSV, a row per sample ("-": stdout; .gz)',
  points: true,
  async create(params: OutputParams): Promise<Output> {
    const config = csvConfig(params.arg, Deno.env.toObject());
    return new CsvOutput(config, await openSink(config.fileName), params.log);
  },
};
