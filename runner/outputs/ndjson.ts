/**
 * k6's `--out json` stream, the writer under the `json` output (`json.ts`):
 * newline-delimited JSON, one `Metric` line the first time a metric appears,
 * then one `Point` line per sample.
 *
 * ```
 * {"type":"Metric","data":{"name":"mqtt_calls","type":"counter","contains":"default","thresholds":["count==5"],"submetrics":null},"metric":"mqtt_calls"}
 * {"type":"Point","data":{"time":"2025-01-02T03:04:05.123456Z","value":1,"tags":{"method":"publish"}},"metric":"mqtt_calls"}
 * ```
 *
 * @module
 */

import type { Point } from "../metrics/registry.ts";
import { formatDuration } from "../config/duration.ts";
import { epochMicros } from "./_sample_time.ts";
import { InvalidConfigError } from "../config/options.ts";
import type { MetricCatalog, Thresholds } from "../metrics/thresholds.ts";

/** Where the lines go: a `Deno.FsFile`, `Deno.stdout`, or any byte writer. */
export interface ByteWriter {
  /** Writes some of `p`, resolving with the number of bytes written. */
  write(p: Uint8Array): Promise<number>;
}

/** Options of {@linkcode NdjsonOutput}. */
export interface NdjsonOutputOptions {
  /** Metric definitions, for the `Metric` lines' type and value type. */
  metrics: MetricCatalog;
  /** The test's thresholds, listed on `Metric` lines (with submetrics) as k6 does. */
  thresholds?: Thresholds;
  /** Close the writer on {@linkcode NdjsonOutput.close} (default true; never for stdout). */
  closeWriter?: boolean;
}

const encoder = new TextEncoder();
/** Lines per write: bounds the size of one string for very large batches. */
const LINES_PER_CHUNK = 8192;

/**
 * Writes k6's `--out json` NDJSON. Batches go out in order, one write per
 * chunk of lines; call {@linkcode NdjsonOutput.close} to flush and close.
 *
 * @example Usage
 * ```ts
 * import { MetricRegistry } from "../metrics/registry.ts";
 * import { NdjsonOutput } from "./ndjson.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new MetricRegistry({ recordPoints: true });
 * registry.define("mqtt_calls", "counter");
 * registry.add("mqtt_calls", 1, { method: "publish" }, Date.UTC(2025, 0, 2, 3, 4, 5, 123) + 0.456);
 * const chunks: Uint8Array[] = [];
 * const out = new NdjsonOutput(
 *   { write: (p) => (chunks.push(p.slice()), Promise.resolve(p.length)) },
 *   { metrics: registry },
 * );
 * await out.write(registry.drain().points);
 * await out.close();
 * const lines = new TextDecoder().decode(chunks[0]).trimEnd().split("\n").map((l) => JSON.parse(l));
 * assert.equal(lines[0].type, "Metric");
 * assert.deepEqual(lines[1].data, {
 *   time: "2025-01-02T03:04:05.123456Z",
 *   value: 1,
 *   tags: { method: "publish" },
 * });
 * ```
 */
export class NdjsonOutput {
  readonly #writer: ByteWriter & { close?(): void };
  readonly #options: NdjsonOutputOptions;
  readonly #seen = new Set<string>();
  /** Metric → alias names that thresholds reference (legacy xk6-mqtt names), built lazily. */
  #aliases: Map<string, string[]> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #finish: (() => Promise<void>) | undefined;

  /**
   * Wraps a writer. Use {@linkcode NdjsonOutput.open} to write to a path.
   *
   * @param writer A `Deno.FsFile` or any {@linkcode ByteWriter}.
   * @param options Metric definitions and thresholds.
   */
  constructor(writer: ByteWriter & { close?(): void }, options: NdjsonOutputOptions) {
    this.#writer = writer;
    this.#options = options;
  }

  /**
   * Opens k6's `--out json=<path>` target: `-` or empty for stdout, a
   * `.gz` path for a gzipped file, else a plain file (truncated).
   *
   * @param path The target.
   * @param options Metric definitions and thresholds.
   * @returns The output.
   * @throws {InvalidConfigError} When the file cannot be created (k6: "could not create the
   * 'json' output"), so that the run ends with that sentence rather than a stack trace.
   *
   * @example Usage
   * ```ts
   * import { MetricRegistry } from "../metrics/registry.ts";
   * import { NdjsonOutput } from "./ndjson.ts";
   * import assert from "node:assert/strict";
   *
   * const path = await Deno.makeTempFile({ suffix: ".ndjson" });
   * const out = await NdjsonOutput.open(path, { metrics: new MetricRegistry() });
   * await out.close();
   * assert.equal(await Deno.readTextFile(path), "");
   * await Deno.remove(path);
   * ```
   */
  static async open(path: string, options: NdjsonOutputOptions): Promise<NdjsonOutput> {
    if (path === "" || path === "-") {
      return new NdjsonOutput(Deno.stdout, { ...options, closeWriter: false });
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { write: true, create: true, truncate: true });
    } catch (e) {
      throw new InvalidConfigError([
        `could not create the 'json' output ${path}: ${(e as Error).message}`,
      ]);
    }
    if (!path.endsWith(".gz")) return new NdjsonOutput(file, options);
    const gzip = new CompressionStream("gzip");
    const piped = gzip.readable.pipeTo(file.writable);
    const writer = gzip.writable.getWriter();
    const out = new NdjsonOutput({
      write: async (p) => {
        await writer.write(p as Uint8Array<ArrayBuffer>);
        return p.length;
      },
    }, { ...options, closeWriter: false });
    out.#finish = async () => {
      await writer.close();
      await piped;
    };
    return out;
  }

  /**
   * Appends points (from {@linkcode MetricRegistry.drain}), preceded by a
   * `Metric` line for each metric seen for the first time. Writes are queued,
   * so calls keep their order even when not awaited.
   *
   * @param points The samples.
   * @returns A promise that settles once these lines are written.
   * @throws {TypeError} When the output is closed.
   */
  write(points: readonly Point[]): Promise<void> {
    if (this.#closed) return Promise.reject(new TypeError("Cannot write: the output is closed"));
    if (points.length === 0) return this.#queue;
    const chunks: string[] = [];
    let lines = "";
    let count = 0;
    const aliases = this.#aliases ??= this.#aliasMap();
    for (const p of points) {
      if (!this.#seen.has(p.metric)) {
        this.#seen.add(p.metric);
        lines += this.#metricLine(p.metric);
      }
      const data = `{"type":"Point","data":{"time":"${formatTime(p.time)}","value":${
        JSON.stringify(p.value)
      },"tags":${JSON.stringify(p.tags)}},"metric":`;
      lines += `${data}${JSON.stringify(p.metric)}}\n`;
      // Older xk6-mqtt streamed these metrics under both names: so do we, when thresholds use one.
      for (const alias of aliases.get(p.metric) ?? []) {
        if (!this.#seen.has(alias)) {
          this.#seen.add(alias);
          lines += this.#metricLine(alias);
        }
        lines += `${data}${JSON.stringify(alias)}}\n`;
      }
      if (++count >= LINES_PER_CHUNK) {
        chunks.push(lines);
        lines = "";
        count = 0;
      }
    }
    if (lines !== "") chunks.push(lines);
    const next = this.#queue.then(async () => {
      for (const chunk of chunks) await writeAll(this.#writer, encoder.encode(chunk));
    });
    // Later writes still run after a failed one; the failure goes to this caller.
    this.#queue = next.catch(() => {});
    return next;
  }

  #aliasMap(): Map<string, string[]> {
    const map = new Map<string, string[]>();
    const { metrics, thresholds } = this.#options;
    for (const e of thresholds?.entries ?? []) {
      const target = metrics.canonicalName?.(e.name);
      if (target === undefined || target === e.name) continue;
      const list = map.get(target) ?? [];
      if (!list.includes(e.name)) list.push(e.name);
      map.set(target, list);
    }
    return map;
  }

  #metricLine(name: string): string {
    const info = this.#options.metrics.info(name);
    const thresholds: unknown[] = [];
    const submetrics: Array<{ name: string; suffix: string; tags: Record<string, string> }> = [];
    const subKeys = new Set<string>();
    for (const e of this.#options.thresholds?.entries ?? []) {
      if (e.name !== name) continue;
      if (e.key === name) {
        thresholds.push(
          e.abortOnFail
            ? {
              threshold: e.source,
              abortOnFail: true,
              delayAbortEval: e.delayAbortEvalMs === undefined
                ? null
                : formatDuration(e.delayAbortEvalMs),
            }
            : e.source,
        );
      } else if (!subKeys.has(e.key)) {
        subKeys.add(e.key);
        submetrics.push({ name: e.key, suffix: e.key.slice(name.length + 1, -1), tags: e.filter });
      }
    }
    const data = {
      name,
      type: info?.type ?? "counter",
      contains: info?.contains ?? "default",
      thresholds,
      submetrics: submetrics.length > 0 ? submetrics : null,
    };
    return `{"type":"Metric","data":${JSON.stringify(data)},"metric":${JSON.stringify(name)}}\n`;
  }

  /**
   * Waits for pending writes, then closes the writer (unless it is stdout or
   * `closeWriter` is false). Idempotent.
   *
   * @returns A promise that settles once everything is written and closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    if (this.#finish !== undefined) await this.#finish();
    else if (this.#options.closeWriter ?? true) this.#writer.close?.();
  }
}

async function writeAll(writer: ByteWriter, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await writer.write(bytes.subarray(at));
}

/**
 * Go's `time.Time` JSON form (RFC 3339 with up to 9 fraction digits, trailing
 * zeros dropped), in UTC, to the microsecond.
 *
 * @param ms Milliseconds since the epoch, fractional.
 * @returns For example `"2021-02-24T13:37:10.000123Z"`.
 *
 * @example Usage
 * ```ts
 * import { formatTime } from "./ndjson.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatTime(Date.UTC(2021, 1, 24, 13, 37, 10) + 0.123), "2021-02-24T13:37:10.000123Z");
 * ```
 */
export function formatTime(ms: number): string {
  const us = epochMicros(ms);
  const micros = us % 1000;
  const whole = (us - micros) / 1000;
  const iso = new Date(whole).toISOString(); // 2021-02-24T13:37:10.123Z
  const fraction = (iso.slice(20, 23) + String(micros).padStart(3, "0")).replace(/0+$/, "");
  return iso.slice(0, 19) + (fraction === "" ? "" : "." + fraction) + "Z";
}
