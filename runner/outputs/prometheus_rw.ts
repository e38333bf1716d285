/**
 * `--out experimental-prometheus-rw`: k6's Prometheus remote write output
 * (grafana/xk6-output-prometheus-remote, built into k6 under this name) as an {@linkcode Output}.
 * Configured by `K6_PROMETHEUS_RW_*` variables of the process environment, as k6 reads them
 * (`_prometheus_config.ts`); every push interval it sends the series updated since the last
 * delivered push (`_prometheus_series.ts`) as a snappy-compressed protobuf `WriteRequest`
 * (`_remote_write.ts`).
 *
 * An endpoint that is down or slow never stops the test nor grows memory: what is kept is one
 * cumulative value per series, at most one push is in flight (a tick that finds one running is
 * merged into the next), each push has k6's 5 s timeout, and a failed push is reported once per
 * reason with the samples it lost; the next push carries the totals. The end pushes what is
 * left within {@linkcode STOP_WAIT_MS} and reports the samples never delivered.
 *
 * @module
 */

import type { Output, OutputParams, OutputType } from "./output.ts";
import type { MetricsSnapshot } from "../metrics/registry.ts";
import { parsePrometheusRwConfig, type PrometheusRwConfig, redact } from "./_prometheus_config.ts";
import { type Batch, PromSeriesStore } from "./_prometheus_series.ts";
import { type PromSeries, pushSeries } from "./_remote_write.ts";

/** A push's timeout, in ms (k6's `defaultTimeout`). */
export const PUSH_TIMEOUT_MS = 5000;

/** How long the end of the run waits for the last pushes, in ms. */
export const STOP_WAIT_MS = 5000;

class PrometheusRwOutput implements Output {
  readonly #config: PrometheusRwConfig;
  readonly #log: (text: string) => void;
  readonly #store: PromSeriesStore;
  #timer: ReturnType<typeof setInterval> | undefined;
  #inFlight: Promise<void> | undefined;
  #saidSlow = false;
  #dropped = 0;
  #failures = new Set<string>();
  #stopped = false;

  constructor(config: PrometheusRwConfig, params: OutputParams) {
    this.#config = config;
    // Fetch errors quote the URL and could quote a header: nothing leaves unredacted.
    this.#log = (text) => params.log(redact(text, config.secrets));
    this.#store = new PromSeriesStore(config.trendStats);
    for (const warning of config.warnings) this.#log(warning);
  }

  description(): string {
    return `Prometheus remote write (${this.#config.url})`;
  }

  start(): void {
    const timer = setInterval(() => this.#tick(), this.#config.pushIntervalMs);
    // The run's end stops the pushes; a timer must not keep a failed run's process alive.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  addSamples(snapshot: MetricsSnapshot, atMs: number): void {
    this.#store.add(snapshot, atMs);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return; // once: a second stop has nothing left to push
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    const deadline = AbortSignal.timeout(STOP_WAIT_MS);
    if (this.#inFlight) await this.#inFlight;
    await this.#push(this.#store.batch(), deadline);
    if (this.#config.staleMarkers) {
      const stale = this.#store.staleMarkers(Date.now());
      await this.#send(stale, deadline).catch((e) =>
        this.#log(`Prometheus remote write: marking the series stale failed: ${reason(e)}`)
      );
    }
    const refused = this.#store.refused;
    if (this.#dropped > 0 || refused > 0) {
      this.#log(
        `Prometheus remote write: ${this.#dropped} samples were not delivered` +
          (refused > 0
            ? `, and ${refused} samples of series past the series limit were dropped`
            : ""),
      );
    }
  }

  #tick(): void {
    if (this.#inFlight) {
      // Said once: a slow endpoint would otherwise say it every interval.
      if (!this.#saidSlow) {
        this.#saidSlow = true;
        this.#log(
          "Prometheus remote write: a push took longer than the push interval; " +
            "the series go with the next push",
        );
      }
      return;
    }
    this.#inFlight = this.#push(this.#store.batch(), AbortSignal.timeout(PUSH_TIMEOUT_MS))
      .finally(() => this.#inFlight = undefined);
  }

  /** Sends a batch; never rejects: a failure is counted and reported once per reason. */
  async #push(batch: Batch, signal: AbortSignal): Promise<void> {
    if (batch.samples === 0) return;
    try {
      await this.#send(batch.series, signal);
      batch.delivered();
    } catch (e) {
      this.#dropped += batch.samples;
      const why = reason(e);
      if (this.#failures.has(why)) return;
      if (this.#failures.size < 20) this.#failures.add(why);
      this.#log(
        `Failed to send the time series data to the endpoint: ${why} ` +
          `(${batch.samples} samples dropped; the next push carries the totals)`,
      );
    }
  }

  #send(series: readonly PromSeries[], signal: AbortSignal): Promise<void> {
    return pushSeries({ url: this.#config.url, headers: this.#config.headers }, series, signal);
  }
}

function reason(e: unknown): string {
  if (e instanceof DOMException && e.name === "TimeoutError") {
    return `no answer within ${PUSH_TIMEOUT_MS / 1000}s`;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Makes the output from a given environment (the registry entry passes the process's).
 *
 * @param params The run's output parameters.
 * @param env The `K6_PROMETHEUS_RW_*` variables.
 * @returns The output.
 * @throws {InvalidConfigError} When a variable is wrong.
 *
 * @example Usage
 * ```ts
 * import { createPrometheusRwOutput } from "./prometheus_rw.ts";
 * import { MetricRegistry } from "../metrics/registry.ts";
 * import assert from "node:assert/strict";
 *
 * const logs: string[] = [];
 * const out = createPrometheusRwOutput(
 *   { arg: "", metrics: new MetricRegistry(), script: "t.js", options: {}, log: (t) => logs.push(t) },
 *   { K6_PROMETHEUS_RW_SERVER_URL: "http://127.0.0.1:9/api/v1/write" },
 * );
 * assert.equal(out.description(), "Prometheus remote write (http://127.0.0.1:9/api/v1/write)");
 * out.start(Date.now());
 * await out.stop({ summary: {} as never, thresholds: [] });
 * assert.deepEqual(logs, []); // nothing to send, nothing sent
 * ```
 */
export function createPrometheusRwOutput(
  params: OutputParams,
  env: Readonly<Record<string, string>>,
): Output {
  return new PrometheusRwOutput(parsePrometheusRwConfig(env), params);
}

/**
 * The `experimental-prometheus-rw` output's registry entry. It reads the `K6_PROMETHEUS_RW_*`
 * variables of the process environment (k6's output parameters carry the process environment,
 * not `-e`).
 *
 * @example Usage
 * ```ts
 * import { prometheusRwOutput } from "./prometheus_rw.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(prometheusRwOutput.points, false);
 * assert.match(prometheusRwOutput.usage, /^experimental-prometheus-rw /);
 * ```
 */
export const prometheusRwOutput: OutputType = {
  usage: "experimental-prometheus-rw  Prometheus remote write (K6_PROMETHEUS_RW_* variables)",
  points: false,
  create(params: OutputParams): Promise<Output> {
    try {
      return Promise.resolve(createPrometheusRwOutput(params, Deno.env.toObject()));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};
