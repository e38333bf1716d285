/**
 * The contract of an output, in the spirit of k6's `output.Output`: a destination for a run's
 * metrics that is started when the test clock starts, given the samples as the main thread
 * merges them (per-second aggregates from every Worker, plus each sample when the output asks
 * for points), and stopped with the end-of-test summary (without one when the run failed).
 * Outputs register by name in `registry.ts`; each fails alone, logging, without stopping the run
 * or the other outputs.
 *
 * @module
 */

import type { MetricsSnapshot } from "../metrics/registry.ts";
import type { MetricCatalog, ThresholdResult, Thresholds } from "../metrics/thresholds.ts";
import type { SummaryData } from "../summary/data.ts";

/** What an output is made with: the run it belongs to. */
export interface OutputParams {
  /** The argument after `name=` in `--out name=arg` (empty when absent). */
  arg: string;
  /** Metric definitions: types and value types, for outputs that describe metrics. */
  metrics: MetricCatalog;
  /** The test's thresholds, for outputs that list them. */
  thresholds?: Thresholds;
  /** The script's path or URL, as given. */
  script: string;
  /** The consolidated options of the run. */
  options: Readonly<Record<string, unknown>>;
  /** Reports a problem of this output (logged as an error; the run goes on). */
  log(text: string): void;
}

/** The VU figures of the run, given each time a Worker reports (about once a second). */
export interface RunStatus {
  /** VUs running an iteration now, in all Workers. */
  vus: number;
  /** VUs initialized so far (`vus_max`). */
  vusMax: number;
  /** Clients connected now, in all Workers (absent when not reported). */
  connections?: number;
  /**
   * When to chart the figures, in ms since the epoch: the middle of the reporting Worker's
   * period, so that they land in the same second as its samples (they are read at the period's
   * end), else when it reported.
   */
  atMs: number;
}

/** What an output receives when the run ends. */
export interface TestEnd {
  /** The end-of-test summary, as `handleSummary(data)` gets it. */
  summary: SummaryData;
  /** The thresholds' verdicts with their observed values. */
  thresholds: readonly ThresholdResult[];
}

/** A destination for a run's metrics. */
export interface Output {
  /** k6's `Description()`: the banner's text for this output, such as `json (points.ndjson)`. */
  description(): string;
  /**
   * The test clock started.
   *
   * @param startMs The test start, in ms since the epoch.
   */
  start(startMs: number): void;
  /**
   * A snapshot the main thread merged: a Worker's aggregates of the last second (with each
   * sample as a point when {@linkcode OutputType.points} is true), or the runner's own gauges.
   * Snapshots merged before {@linkcode Output.start} come from the scripts' init and setup.
   * Once the test clock runs, a Worker's snapshot covers one second of it, from
   * `snapshot.periodStartMs` to `snapshot.periodEndMs` (the Workers drain on its whole
   * seconds), and `atMs` is that period's middle: an output that buckets by `atMs` puts the
   * samples in the second they were made in, whenever the message arrived.
   *
   * @param snapshot The snapshot.
   * @param atMs The time its samples belong to, in ms since the epoch: its period's middle
   * when it has a period, else when it was merged.
   */
  addSamples(snapshot: MetricsSnapshot, atMs: number): void;
  /** The VU figures, each time a Worker reports (optional, as k6's `WithRunStatusUpdates`). */
  addStatus?(status: RunStatus): void;
  /**
   * The run ended: write what is left and release what the output holds. Called once, also
   * when the run failed before its end (another output could not be opened, `setup()` timed
   * out or threw, the Workers could not start): `end` is then undefined, and an output that
   * needs the summary (a report) writes nothing.
   *
   * @param end The summary and the thresholds' verdicts; undefined when the run ended without
   * a summary.
   * @returns Resolves when the output is flushed and closed.
   */
  stop(end?: TestEnd): Promise<void>;
}

/** An output's entry in the registry. */
export interface OutputType {
  /** `mqload run --help`'s line: the `--out` form and what it writes, e.g. `json=FILE  …`. */
  readonly usage: string;
  /** Whether the Workers must keep every sample as a point for this output (costly). */
  readonly points: boolean;
  /**
   * Makes the output; opens what it writes to.
   *
   * @throws {InvalidConfigError} When the argument is wrong or the target cannot be opened, so
   * that the run ends with exit code 104 before the test starts.
   */
  create(params: OutputParams): Promise<Output>;
}
