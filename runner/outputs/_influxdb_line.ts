/**
 * InfluxDB line protocol as k6's InfluxDB v1 output writes it through influxdb1-client
 * (`models/points.go`): `measurement,tag=v,… field=v,… timestamp`, tags sorted and without empty
 * values, fields sorted, the sample's value in the field `value`, tags listed in
 * `K6_INFLUXDB_TAGS_AS_FIELDS` moved to typed fields.
 *
 * Beyond influxdb1-client: a newline ends a point, and InfluxDB 1.x's line protocol has no escape
 * for one outside a quoted string field value, so a CR or LF in a measurement, a tag key or value
 * or a field key is written as a space (escaped as `\ `, as any space there). A string field
 * value keeps its newlines: InfluxDB reads a quoted value across them.
 *
 * @module
 */

import type { Point, SnapshotSource, Tags } from "../metrics/registry.ts";
import type { FieldKind } from "./_influxdb_config.ts";
import { epochMicros } from "./_sample_time.ts";

/** CR and LF, which line protocol cannot carry outside quotes: written as spaces. */
const NEWLINES = /[\r\n]/g;

/**
 * A measurement name escaped: CR and LF become spaces, `,` and space get a backslash.
 *
 * @param name The metric name.
 * @returns The escaped name.
 *
 * @example Usage
 * ```ts
 * import { escapeMeasurement } from "./_influxdb_line.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeMeasurement("a b,c=d"), "a\\ b\\,c=d");
 * assert.equal(escapeMeasurement("two\nlines"), "two\\ lines");
 * ```
 */
export function escapeMeasurement(name: string): string {
  return name.replace(NEWLINES, " ").replace(/[, ]/g, "\\$&");
}

/**
 * A tag key or value escaped: CR and LF become spaces, `,`, `=` and space get a backslash.
 *
 * @param text The key or value.
 * @returns The escaped text.
 *
 * @example Usage
 * ```ts
 * import { escapeTag } from "./_influxdb_line.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeTag("a b,c=d"), "a\\ b\\,c\\=d");
 * assert.equal(escapeTag("a\r\nb"), "a\\ \\ b");
 * ```
 */
export function escapeTag(text: string): string {
  return text.replace(NEWLINES, " ").replace(/[, =]/g, "\\$&");
}

/**
 * A field key escaped as influxdb1-client's `escape.String` (`,`, `"`, `=` and space get a
 * backslash), CR and LF first written as spaces.
 *
 * @param key The field key.
 * @returns The escaped key.
 */
function escapeFieldKey(key: string): string {
  return key.replace(NEWLINES, " ").replace(/[,"= ]/g, "\\$&");
}

/**
 * A float field value as Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits that
 * read back as the same number, never with an exponent.
 *
 * @param value A finite number.
 * @returns The digits.
 *
 * @example Usage
 * ```ts
 * import { formatFloat } from "./_influxdb_line.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatFloat(1.5), "1.5");
 * assert.equal(formatFloat(1e21), "1000000000000000000000");
 * assert.equal(formatFloat(1.5e-7), "0.00000015");
 * ```
 */
export function formatFloat(value: number): string {
  const text = String(value);
  const e = text.indexOf("e");
  if (e < 0) return text;
  const sign = value < 0 ? "-" : "";
  const mantissa = text.slice(sign.length, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const point = (dot < 0 ? mantissa.length : dot) + exponent; // where the decimal point goes
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * A tag's value as a field of the given kind; as k6, a value that does not parse as the kind
 * stays a string.
 *
 * @param value The tag's value.
 * @param kind The field's type.
 * @returns The field value in line protocol.
 *
 * @example Usage
 * ```ts
 * import { fieldValue } from "./_influxdb_line.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fieldValue("12", "int"), "12i");
 * assert.equal(fieldValue("12", "string"), '"12"');
 * assert.equal(fieldValue('say "hi" \\o/', "float"), '"say \\"hi\\" \\\\o/"');
 * ```
 */
export function fieldValue(value: string, kind: FieldKind): string {
  switch (kind) {
    case "int":
      if (INTEGER.test(value)) {
        const n = BigInt(value);
        if (n >= -(2n ** 63n) && n < 2n ** 63n) return `${n}i`;
      }
      break;
    case "float":
      if (FLOAT.test(value) && Number.isFinite(Number(value))) return formatFloat(Number(value));
      break;
    case "bool":
      if (TRUE.has(value)) return "true";
      if (FALSE.has(value)) return "false";
      break;
  }
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}

/** A tag set's part of a line: the tags, and the fields before and after `value=`. */
interface TagPart {
  tags: string;
  before: string;
  after: string;
}

/** The latest timestamp given to a series' points from one source: its µs and their count. */
interface SeriesClock {
  micros: number;
  count: number;
}

/** Points without a source (the runner's own gauges, or a formatter used alone). */
const ALONE: SnapshotSource = { index: 0, of: 1 };

/**
 * Formats points as lines, caching each tag set's part (the Workers share one tags object
 * between the points of a series, so most points reuse it).
 *
 * @example Usage
 * ```ts
 * import { LineFormatter } from "./_influxdb_line.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = new LineFormatter(new Map([["url", "string"]]), "");
 * const tags = { method: "publish", url: "mqtt://h:1883", group: "" };
 * assert.equal(
 *   lines.line({ metric: "mqtt_calls", time: 1735787045123.456, value: 1, tags }),
 *   'mqtt_calls,method=publish url="mqtt://h:1883",value=1 1735787045123456000\n',
 * );
 * ```
 */
export class LineFormatter {
  readonly #fields: ReadonlyMap<string, FieldKind>;
  readonly #divisor: bigint;
  /** Per source index, each series' clock, by `measurement,tags`. */
  readonly #clocks = new Map<number, Map<string, SeriesClock>>();
  readonly #measurements = new Map<string, string>();
  readonly #parts = new WeakMap<Tags, TagPart>();

  /**
   * Makes a formatter.
   *
   * @param fields Tags written as fields, with their types.
   * @param precision The write's precision (`""` or `n`/`ns` for nanoseconds).
   */
  constructor(fields: ReadonlyMap<string, FieldKind>, precision: string) {
    this.#fields = fields;
    this.#divisor = BigInt(DIVISORS[precision] ?? 1);
  }

  /**
   * One point as a line with its `\n`.
   *
   * @param point The sample.
   * @param source The Worker that made it, when the run has several.
   * @returns The line, or undefined when the value is NaN or infinite (InfluxDB refuses them).
   */
  line(point: Point, source: SnapshotSource = ALONE): string | undefined {
    if (!Number.isFinite(point.value)) return undefined;
    let measurement = this.#measurements.get(point.metric);
    if (measurement === undefined) {
      measurement = escapeMeasurement(point.metric);
      this.#measurements.set(point.metric, measurement);
    }
    let part = this.#parts.get(point.tags);
    if (part === undefined) {
      part = this.#part(point.tags);
      this.#parts.set(point.tags, part);
    }
    return `${measurement}${part.tags} ${part.before}value=${
      formatFloat(point.value)
    }${part.after} ${this.#timestamp(point.time, measurement + part.tags, source)}\n`;
  }

  #part(tags: Tags): TagPart {
    let line = "";
    const fields: string[] = [];
    for (const key of Object.keys(tags).sort()) {
      const value = tags[key];
      const kind = this.#fields.get(key);
      // The sample's value wins over a tag named "value", as in k6.
      if (kind !== undefined) {
        if (key !== "value") fields.push(`${escapeFieldKey(key)}=${fieldValue(value, kind)}`);
      } else if (value !== "" && key !== "") {
        line += `,${escapeTag(key)}=${escapeTag(value)}`;
      }
    }
    // Fields are sorted by key; `value` takes its place among them.
    const at = fields.findIndex((f) => f > "value");
    const before = at < 0 ? fields : fields.slice(0, at);
    const after = at < 0 ? [] : fields.slice(at);
    return {
      tags: line,
      before: before.map((f) => f + ",").join(""),
      after: after.map((f) => "," + f).join(""),
    };
  }

  /**
   * Nanoseconds as text (they exceed 2^53), divided for a coarser precision. Samples are timed
   * to the µs, and InfluxDB keeps one point per series and timestamp: two points of one series
   * in the same µs (a burst read at once, or two Workers' checks) would overwrite each other.
   * The ns digits keep them apart: a Worker's index among `of` Workers owns the digits
   * `index + of·k`, and its points of a series in one µs take k = 0, 1, 2… (a Worker's own
   * clock never goes back, so each series' latest µs and count say what it used). A burst past
   * its digits moves on to the next µs.
   */
  #timestamp(ms: number, series: string, source: SnapshotSource): string {
    const micros = epochMicros(ms);
    if (this.#divisor !== 1n) return String(BigInt(`${micros}000`) / this.#divisor);
    let clocks = this.#clocks.get(source.index);
    if (clocks === undefined) this.#clocks.set(source.index, clocks = new Map());
    let clock = clocks.get(series);
    if (clock === undefined) clocks.set(series, clock = { micros: -1, count: 0 });
    if (micros > clock.micros) {
      clock.micros = micros;
      clock.count = 0;
    } else {
      clock.count++;
    }
    const of = Math.min(source.of, 1000);
    const index = source.index % 1000;
    let digits = index + of * clock.count;
    if (digits >= 1000) {
      clock.micros++;
      clock.count = 0;
      digits = index;
    }
    return `${clock.micros}${String(digits).padStart(3, "0")}`;
  }
}

/** influxdb1-client's `GetPrecisionMultiplier`, in ns. */
const DIVISORS: Record<string, number> = {
  u: 1e3,
  us: 1e3,
  "µ": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
