/**
 * The load-test runner: `mqload run` as a function ({@linkcode main}, {@linkcode runTest}), the
 * k6 API for scripts that import it natively (`check`, `sleep`, `group`, `fail`, custom
 * metrics, `exec`, and the VU-aware MQTT `Client`), the embedded broker, the metrics,
 * thresholds and summary machinery, the exact merge of segment summaries
 * ({@linkcode mergeSummaries}), the HTML report ({@linkcode renderHtmlReport} over a
 * {@linkcode Timeline}), the per-second figures of a running test ({@linkcode LiveWindow}), and k6's execution segments ({@linkcode ExecutionSegment},
 * {@linkcode ExecutionTuple}) with the schedules they split ({@linkcode rampingVUsSteps},
 * {@linkcode arrivalTimes}).
 *
 * A script can be its own `deno compile` entry: it exports its options and iteration like any
 * k6 script, and calls `main` when it is the main module (the Workers import it again as the
 * script, where `import.meta.main` is false).
 *
 * @example Usage
 * ```ts ignore
 * import { check, Client, main } from "@mqload/mqload/runner";
 *
 * export const options = { vus: 2, iterations: 10, thresholds: { checks: ["rate==1"] } };
 *
 * export default async function () {
 *   const client = new Client();
 *   await client.connect(Deno.env.get("MQTT_BROKER_ADDRESS") ?? "mqtt://127.0.0.1:1883");
 *   check(client, { connected: (c) => c.connected });
 *   await client.end();
 * }
 *
 * if (import.meta.main) Deno.exit(await main(["run", import.meta.url, ...Deno.args]));
 * ```
 *
 * @module
 */

import type { Broker, BrokerOptions } from "./cli/broker.ts";

export { main } from "./cli.ts";
export { EXIT_CODES, type RunSettings, runTest } from "./engine/run.ts";
export type { SyncWriter } from "./engine/finish.ts";
export type { LogSettings } from "./engine/log_sink.ts";
export { check, type Checker, fail, group, randomSeed, sleep } from "./k6/k6.ts";
export { Counter, Gauge, Metric, Rate, Trend } from "./k6/metrics.ts";
export {
  default as exec,
  type ExecInstance,
  type ExecScenario,
  type ExecTest,
  type Execution,
  type ExecVu,
} from "./k6/execution.ts";
export { Client, QoS } from "./k6/mqtt.ts";
// The library client's types, which the VU-aware client's API refers to.
export type {
  BrokerUrl,
  ClientEventMap,
  ClientOptions,
  Clock,
  CloseInfo,
  ConnectInfo,
  ConnectOptions,
  Credentials,
  CredentialsProvider,
  EndOptions,
  Message,
  MessageInfo,
  MessageStream,
  MetricRecorder,
  MetricsSink,
  MqttCloseEvent,
  MqttConnectEvent,
  MqttError,
  MqttErrorEvent,
  MqttMessageEvent,
  MqttReconnectEvent,
  Payload,
  PublishOptions,
  ReconnectInfo,
  ReconnectOptions,
  SubscribeOptions,
  TlsOptions,
  Transport,
  TransportFactory,
  TransportKind,
  TransportOptions,
  UnsubscribeOptions,
  Will,
} from "../client/mod.ts";
export type { Properties, ProtocolVersion, QoSLevel, UserProperty } from "../codec/packets.ts";
export type { Client as LibraryClient } from "../client/client.ts";
export { SharedArray } from "./k6/data.ts";
export { InvalidConfigError, type StageOption, type TestOptions } from "./config/options.ts";
export { ScriptError } from "./script/loader.ts";
export {
  type BoundSeries,
  defineBuiltins,
  type MetricAggregate,
  type MetricInfo,
  MetricQueries,
  MetricRegistry,
  type MetricRegistryOptions,
  type MetricSource,
  type MetricsSnapshot,
  type MetricType,
  type Point,
  type SeriesSnapshot,
  type SnapshotSource,
  type Tags,
  type ValueType,
} from "./metrics/registry.ts";
export type { BucketsJSON, HistogramJSON, LogHistogram } from "./metrics/histogram.ts";
export { type MetricSnapshot, snapshotTime } from "./metrics/types.ts";
export {
  CONNECT_METHODS,
  type LiveCounts,
  type LivePercentiles,
  type LiveSecond,
  type LiveTotals,
  LiveWindow,
  type LiveWindowOptions,
  METHOD_TAG,
} from "./metrics/live_window.ts";
export type { MetricKey, ThresholdExpression } from "./metrics/threshold_parser.ts";
export type { ExportMetricInfo } from "./summary/export.ts";
export {
  type MetricCatalog,
  parseThresholds,
  type ThresholdConfig,
  type ThresholdEntry,
  type ThresholdResult,
  Thresholds,
  type ThresholdsConfig,
} from "./metrics/thresholds.ts";
export {
  type ExportExtras,
  type ExportGroup,
  type ExportMetric,
  type MqloadExportBlock,
  type SummaryCheck,
  type SummaryData,
  summaryData,
  type SummaryExport,
  summaryExport,
  type SummaryGroup,
  type SummaryInfo,
  type SummaryMetric,
} from "./summary/data.ts";
export { textSummary, type TextSummaryOptions } from "./summary/text.ts";
export { failedThresholds, mergeSummaries, summaryDataFromExport } from "./summary/merge.ts";
export { NdjsonOutput } from "./outputs/ndjson.ts";
export type { Output, RunStatus, TestEnd } from "./outputs/output.ts";
export { type HtmlReportInput, renderHtmlReport } from "./outputs/html_report.ts";
export {
  type CounterSeriesJSON,
  type TaggedCounter,
  Timeline,
  TIMELINE_CONNECT_FAILURES,
  TIMELINE_CONNECTIONS,
  TIMELINE_COUNTERS,
  TIMELINE_GAUGES,
  TIMELINE_TAGGED,
  TIMELINE_TRENDS,
  type TimelineJSON,
  type TimelineOptions,
  type TrendSeriesJSON,
} from "./outputs/timeline.ts";
export {
  ExecutionSegment,
  ExecutionSegmentSequence,
  type Fraction,
  parseExecutionSegment,
  parseExecutionSegmentSequence,
} from "./segments/execution_segment.ts";
export { parseFraction } from "./segments/fraction.ts";
export { ExecutionTuple, SegmentedIndex, type StripedOffsets } from "./segments/execution_tuple.ts";
export {
  type ArrivalSchedule,
  arrivalTimes,
  rampingVUsSteps,
  type RampStage,
  type VUStep,
} from "./segments/segment_schedule.ts";
export { formatDuration, parseDuration } from "./config/duration.ts";
export type { Broker, BrokerOptions };

/**
 * Starts the embedded aedes MQTT broker (MQTT 3.1.1, TCP and optionally WebSocket) on loopback.
 * Loaded on demand, so that scripts importing this module do not load the broker.
 *
 * @param options Port (0 for a free one), hostname, WebSocket.
 * @returns The running broker.
 * @throws {RangeError} On a bad port.
 *
 * @example Usage
 * ```ts ignore
 * import { startBroker } from "@mqload/mqload/runner";
 * const broker = await startBroker({ port: 0 });
 * console.log(broker.url);
 * await broker.close();
 * ```
 */
export async function startBroker(options?: BrokerOptions): Promise<Broker> {
  const { startBroker } = await import("./cli/broker.ts");
  return await startBroker(options);
}
