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
 * Beyond k6, a slow or failing sink costs the run nothing but rows: a flush is skipped while the
 * previous write is in flight, so rows gather, up to {@linkcode MAX_PENDING_BYTES} of them
 * encoded; past that new rows are dropped. A failed write drops its rows. The first failure and
 * the first drop past the bound are logged, and stop() logs how many rows were not written.
 *
 * The settings are in `_csv_config.ts`, the file, gzip and stdout sinks in `_csv_sink.ts`.
 *
 * @module
 */

import type { MetricsSnapshot, Point, Tags } from "../metrics/registry.ts";
import { type CsvConfig, csvConfig, type CsvTimeFormat } from "./_csv_config.ts";
import { openSink, type Sink } from "./_csv_sink.ts";
import { formatTime } from "./ndjson.ts";
import { epochMicros } from "./_sample_time.ts";
import type { Output, OutputParams, OutputType } from "./output.ts";

/**
 * Most bytes of encoded rows waiting for the sink, besides those of the write in flight (16 MiB,
 * some 150,000 rows): past that, new rows are dropped, so memory stays bounded however slow the
 * sink is.
 */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;

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
  // µs as an exact number; ns since the epoch exceed 2^53, so they are written as µs + "000".
  const us = epochMicros(ms);
  const whole = (us - (us % 1000)) / 1000;
  switch (format) {
    case "unix":
      return String(Math.floor(whole / 1000));
    case "unix_milli":
      return String(whole);
    case "unix_micro":
      return String(us);
    case "unix_nano":
      return us === 0 ? "0" : `${us}000`;
    case "rfc3339":
      return new Date(whole).toISOString().slice(0, 19) + "Z";
    case "rfc3339_nano":
      return formatTime(ms);
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

/**
 * The `csv` output over a sink: {@linkcode csvOutput} makes it with the file's; tests with their
 * own.
 *
 * @example Usage
 * ```ts
 * import { CsvOutput } from "./csv.ts";
 * import assert from "node:assert/strict";
 *
 * const written: Uint8Array[] = [];
 * const sink = { write: async (b: Uint8Array) => void written.push(b), close: async () => {} };
 * const out = new CsvOutput({ fileName: "-", saveIntervalMs: 1000, timeFormat: "unix" }, sink, () => {});
 * await out.stop();
 * assert.match(new TextDecoder().decode(written[0]), /^metric_name,timestamp,/);
 * ```
 */
export class CsvOutput implements Output {
  readonly #config: CsvConfig;
  readonly #sink: Sink;
  readonly #log: (text: string) => void;
  readonly #maxPendingBytes: number;
  /** Encoded rows waiting for the sink, their size and their count. */
  #chunks: Uint8Array[] = [];
  #pendingBytes = 0;
  #pendingRows = 0;
  #headerDone = false;
  /** The write in flight, if any: no other starts until it settles. */
  #writing: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  /** Rows made, and rows dropped (past the bound, or in a failed write). */
  #total = 0;
  #dropped = 0;
  #failureSaid = false;
  #overflowSaid = false;

  /**
   * Makes the output.
   *
   * @param config The settings.
   * @param sink Where rows go.
   * @param log Reports a problem.
   * @param maxPendingBytes Most bytes of rows waiting for the sink.
   */
  constructor(
    config: CsvConfig,
    sink: Sink,
    log: (text: string) => void,
    maxPendingBytes: number = MAX_PENDING_BYTES,
  ) {
    this.#config = config;
    this.#sink = sink;
    this.#log = log;
    this.#maxPendingBytes = maxPendingBytes;
  }

  /** Bytes of encoded rows waiting for the sink (at most the bound). */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  description(): string {
    const name = this.#config.fileName;
    return name === "" || name === "-" ? "csv (stdout)" : `csv (${name})`;
  }

  start(): void {
    this.#timer = setInterval(() => this.#flush(), this.#config.saveIntervalMs);
  }

  addSamples(snapshot: MetricsSnapshot): void {
    const points = snapshot.points;
    if (points.length === 0 || this.#stopped) return;
    this.#total += points.length;
    const room = this.#maxPendingBytes - this.#pendingBytes;
    const format = this.#config.timeFormat;
    // Rows are formatted until their characters pass the room: a UTF-8 byte per character at
    // least, so the rest could not fit.
    const rows: string[] = [];
    let length = 0;
    for (const point of points) {
      const row = csvRow(point, format);
      if (length + row.length > room) break;
      rows.push(row);
      length += row.length;
    }
    let bytes = encoder.encode(rows.join(""));
    if (bytes.length > room) {
      // Characters beyond ASCII took more bytes: leave rows out from the end until they fit.
      let size = bytes.length;
      while (size > room) size -= encoder.encode(rows.pop()!).length;
      bytes = encoder.encode(rows.join(""));
    }
    if (rows.length < points.length) {
      this.#dropped += points.length - rows.length;
      if (!this.#overflowSaid) {
        this.#overflowSaid = true;
        this.#log(
          `${this.description()}: more than ${this.#maxPendingBytes} bytes of rows waiting to ` +
            "be written: dropping rows (the total is reported at the end)",
        );
      }
    }
    if (rows.length === 0) return;
    this.#chunks.push(bytes);
    this.#pendingBytes += bytes.length;
    this.#pendingRows += rows.length;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return; // a second call: the first one reports
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#writing;
    this.#flush();
    await this.#writing;
    await this.#sink.close();
    if (this.#dropped > 0) {
      this.#log(`${this.description()}: ${this.#dropped} of ${this.#total} rows were not written`);
    }
  }

  /**
   * Writes the rows gathered since the last write (and the header, the first time), unless a
   * write is still in flight: then the rows wait for the next save interval.
   */
  #flush(): void {
    if (this.#writing !== undefined) return;
    if (!this.#headerDone) {
      this.#headerDone = true;
      this.#chunks.unshift(encoder.encode(CSV_HEADER.join(",") + "\n"));
    }
    if (this.#chunks.length === 0) return;
    const bytes = concat(this.#chunks);
    const rows = this.#pendingRows;
    this.#chunks = [];
    this.#pendingBytes = 0;
    this.#pendingRows = 0;
    this.#writing = this.#sink.write(bytes)
      .catch((e) => {
        this.#dropped += rows;
        if (!this.#failureSaid) {
          this.#failureSaid = true;
          this.#log(`${this.description()}: ${(e as Error).message}`);
        }
      })
      .finally(() => {
        this.#writing = undefined;
      });
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
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
