/**
 * `--out influxdb=http://HOST:PORT/DB`: k6's InfluxDB v1 output (grafana/k6
 * `internal/output/influxdb/`): every sample as a line-protocol point (measurement = metric,
 * tags = the sample's tags, field `value`, ns timestamps), pushed to `/write` every push interval
 * with at most `K6_INFLUXDB_CONCURRENT_WRITES` writes in flight; `CREATE DATABASE` at start.
 *
 * Beyond k6, an unreachable or failing InfluxDB costs the run nothing but the points:
 *
 * - at most {@linkcode MAX_PENDING_POINTS} points wait to be sent; past that, new points are
 *   dropped (memory stays bounded however long InfluxDB is away);
 * - a failed write drops its batch (as k6: no retry), and each write gives up after
 *   {@linkcode REQUEST_TIMEOUT_MS};
 * - each push interval that dropped points logs how many and why; stop() logs the total;
 * - stop() sends what is left, waiting at most {@linkcode STOP_WAIT_MS}, then aborts what is
 *   still in flight, the `CREATE DATABASE` included (writes wait for it, and give up with it).
 *
 * The password goes in a basic-auth header only: descriptions and messages go through
 * `_redact.ts`'s {@linkcode redact} with the password and the header's token.
 *
 * @module
 */

import { formatDuration } from "../config/duration.ts";
import type { MetricsSnapshot, Point, SnapshotSource } from "../metrics/registry.ts";
import { type InfluxConfig, influxConfig } from "./_influxdb_config.ts";
import { basicAuthToken, redact } from "./_redact.ts";
import { LineFormatter } from "./_influxdb_line.ts";
import type { Output, OutputParams, OutputType } from "./output.ts";

/** Most points waiting to be sent (about 100 bytes each, so some 10 MB at most). */
export const MAX_PENDING_POINTS = 100_000;
/** Most points in one write (InfluxDB's default body limit is 25 MB; this is about 2 MB). */
const BATCH_POINTS = 10_000;
/**
 * How long one write (or the `CREATE DATABASE`) may take before it is abandoned; stop() aborts
 * them sooner, after {@linkcode STOP_WAIT_MS}.
 */
export const REQUEST_TIMEOUT_MS = 10_000;
/** How long stop() waits for the last writes. */
export const STOP_WAIT_MS = 5_000;

/** Points waiting to be sent, with the Worker that made them. */
interface Pending {
  points: Point[];
  source: SnapshotSource | undefined;
}

/** A write in flight. */
interface Write {
  controller: AbortController;
  done: Promise<void>;
}

class InfluxdbOutput implements Output {
  readonly #config: InfluxConfig;
  readonly #log: (text: string) => void;
  readonly #lines: LineFormatter;
  readonly #headers: Headers;
  readonly #writeUrl: string;
  #pending: Pending[] = [];
  #pendingCount = 0;
  readonly #writes = new Set<Write>();
  #ready: Promise<void> = Promise.resolve();
  /** The `CREATE DATABASE` request's, aborted by stop(). */
  #createController: AbortController | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  /** Points dropped since the last report, and why (the latest reason). */
  #dropped = 0;
  #reason = "";
  #droppedTotal = 0;
  #total = 0;

  constructor(config: InfluxConfig, log: (text: string) => void) {
    this.#config = config;
    const secrets = [config.password];
    this.#lines = new LineFormatter(config.tagsAsFields, config.precision);
    this.#headers = new Headers({ "User-Agent": "mqload" });
    if (config.username !== "") {
      const token = basicAuthToken(config.username, config.password);
      this.#headers.set("Authorization", `Basic ${token}`);
      secrets.push(token);
    }
    this.#log = (text) => log(redact(text, secrets));
    const params = new URLSearchParams({
      db: config.db,
      rp: config.retention,
      precision: config.precision,
      consistency: config.consistency,
    });
    this.#writeUrl = `${config.addr}/write?${params}`;
  }

  /** As k6 names it: the server's address (the database is not part of it). */
  description(): string {
    return `InfluxDBv1 (${this.#config.addr})`;
  }

  start(): void {
    // As k6: failing to create the database is usually harmless (it exists, or the user may
    // not create databases); a real problem shows in the writes.
    const q = `CREATE DATABASE "${this.#config.db.replace(/["\\]/g, "\\$&")}"`;
    this.#createController = new AbortController();
    const url = `${this.#config.addr}/query?${new URLSearchParams({ q })}`;
    this.#ready = this.#request(url, "", this.#createController).catch(() => {});
    this.#timer = setInterval(() => {
      this.#report();
      this.#push();
    }, this.#config.pushIntervalMs);
  }

  addSamples(snapshot: MetricsSnapshot): void {
    let points = snapshot.points;
    if (points.length === 0) return;
    this.#total += points.length;
    const room = this.#stopped ? 0 : MAX_PENDING_POINTS - this.#pendingCount;
    if (points.length > room) {
      this.#drop(
        points.length - room,
        `more than ${MAX_PENDING_POINTS} points waiting to be sent`,
      );
      points = points.slice(0, room);
    }
    if (points.length === 0) return;
    this.#pending.push({ points, source: snapshot.source });
    this.#pendingCount += points.length;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return; // a second call: the first one reports
    clearInterval(this.#timer);
    this.#stopped = true;
    let expired = false;
    let wake: ReturnType<typeof setTimeout> | undefined;
    const timeUp = new Promise<void>((resolve) => {
      wake = setTimeout(() => {
        expired = true;
        resolve();
      }, STOP_WAIT_MS);
    });
    try {
      while (!expired && (this.#pendingCount > 0 || this.#writes.size > 0)) {
        this.#push();
        if (this.#writes.size === 0) continue; // the batch held only NaN/Inf values
        await Promise.race([timeUp, ...[...this.#writes].map((w) => w.done)]);
      }
    } finally {
      clearTimeout(wake);
    }
    if (this.#pendingCount > 0) {
      this.#drop(
        this.#pendingCount,
        `not sent within the ${formatDuration(STOP_WAIT_MS)} stop wait`,
      );
      this.#pending = [];
      this.#pendingCount = 0;
    }
    const late = new Error(`not done within the ${formatDuration(STOP_WAIT_MS)} stop wait`);
    this.#createController?.abort(late);
    for (const w of this.#writes) w.controller.abort(late);
    await Promise.all([...this.#writes].map((w) => w.done));
    this.#report();
    if (this.#droppedTotal > 0) {
      this.#log(
        `${this.description()}: ${this.#droppedTotal} of ${this.#total} points were not written`,
      );
    }
  }

  /** Sends pending points, in batches, while fewer than `concurrentWrites` are in flight. */
  #push(): void {
    while (this.#pendingCount > 0 && this.#writes.size < this.#config.concurrentWrites) {
      this.#send(this.#take(BATCH_POINTS));
    }
  }

  #take(max: number): Pending[] {
    const batch: Pending[] = [];
    let taken = 0;
    while (taken < max && this.#pending.length > 0) {
      const head = this.#pending[0];
      const n = Math.min(head.points.length, max - taken);
      if (n === head.points.length) {
        batch.push(head);
        this.#pending.shift();
      } else {
        batch.push({ points: head.points.slice(0, n), source: head.source });
        head.points = head.points.slice(n);
      }
      taken += n;
    }
    this.#pendingCount -= taken;
    return batch;
  }

  #send(batch: Pending[]): void {
    let body = "";
    let count = 0;
    let invalid = 0;
    for (const { points, source } of batch) {
      count += points.length;
      for (const point of points) {
        const line = this.#lines.line(point, source);
        if (line === undefined) invalid++;
        else body += line;
      }
    }
    if (invalid > 0) this.#drop(invalid, "NaN or infinite values, which InfluxDB refuses");
    if (body === "") return;
    const controller = new AbortController();
    const write: Write = { controller, done: Promise.resolve() };
    // Waiting for the `CREATE DATABASE` ends with the write's own abort, not only with it.
    write.done = untilAborted(this.#ready, controller.signal)
      .then(() => this.#request(this.#writeUrl, body, controller))
      .catch((e: unknown) => this.#drop(count - invalid, reason(e)))
      .finally(() => this.#writes.delete(write));
    this.#writes.add(write);
  }

  /** A POST with a timeout; rejects unless InfluxDB answers 200 or 204 (influxdb1-client). */
  async #request(url: string, body: string, controller = new AbortController()): Promise<void> {
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${formatDuration(REQUEST_TIMEOUT_MS)}`)),
      REQUEST_TIMEOUT_MS,
    );
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: this.#headers,
        body,
        signal: controller.signal,
      });
      const text = await response.text();
      if (response.status !== 204 && response.status !== 200) {
        throw new Error(`HTTP ${response.status} ${text.trim().slice(0, 300)}`);
      }
    } catch (e) {
      // fetch's own messages quote the URL: ours holds no credentials, and #log redacts anyway.
      throw controller.signal.aborted ? controller.signal.reason : e;
    } finally {
      clearTimeout(timer);
    }
  }

  #drop(count: number, reason: string): void {
    this.#dropped += count;
    this.#droppedTotal += count;
    this.#reason = reason;
  }

  /** Logs the points dropped since the last report, if any. */
  #report(): void {
    if (this.#dropped === 0) return;
    const interval = formatDuration(this.#config.pushIntervalMs);
    this.#log(
      `${this.description()}: ${this.#dropped} points dropped in the last ${interval}: ${this.#reason}`,
    );
    this.#dropped = 0;
  }
}

/**
 * `promise`, or a rejection with the signal's reason as soon as it is aborted.
 *
 * @param promise What to wait for.
 * @param signal What ends the wait.
 * @returns Settles as the first of the two.
 */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => {
    signal.removeEventListener("abort", onAbort);
  });
}

/** An error's message and its cause's: fetch says only "fetch failed", its cause says why. */
function reason(error: unknown): string {
  const e = error as Error;
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : "";
  return `${e.message}${cause}`;
}

/**
 * The `influxdb` output's registry entry. The settings come from the URL and the
 * `K6_INFLUXDB_*` environment, as in k6.
 *
 * @example Usage
 * ```ts
 * import { influxdbOutput } from "./influxdb.ts";
 * import { MetricRegistry } from "../metrics/registry.ts";
 * import assert from "node:assert/strict";
 *
 * const out = await influxdbOutput.create({
 *   arg: "http://user:secret@127.0.0.1:8086/mqload", metrics: new MetricRegistry(),
 *   script: "t.js", options: {}, log: () => {},
 * });
 * assert.equal(out.description(), "InfluxDBv1 (http://127.0.0.1:8086)");
 * await out.stop({ summary: {} as never, thresholds: [] });
 * ```
 */
export const influxdbOutput: OutputType = {
  usage: "influxdb=URL      k6 InfluxDB v1 line protocol (http://host:8086/db)",
  points: true,
  create(params: OutputParams): Promise<Output> {
    const config = influxConfig(params.arg, Deno.env.toObject());
    if (config.insecure && config.addr.startsWith("https:")) {
      params.log(
        "influxdb: K6_INFLUXDB_INSECURE cannot skip TLS verification for one request in Deno; " +
          "start mqload with --unsafely-ignore-certificate-errors=HOST for that",
      );
    }
    return Promise.resolve(new InfluxdbOutput(config, params.log));
  },
};
