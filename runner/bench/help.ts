/**
 * `mqload bench --help`: the jobs and their flags, emqtt-bench's names and defaults.
 *
 * @module
 */

import type { BenchKind } from "./config.ts";

const CONNECTION = `Connection:
  -h, --host H                  broker host (default localhost); help is --help only
  -p, --port N                  broker port (default 1883)
      --url URL                 the broker as a URL instead: mqtt://, mqtts://, ws://, wss://
                                (user:password@ in it is used, never shown)
  -V, --version 3|4|5           MQTT version (default 5)
  -c, --count N                 clients (default 200)
  -n, --startnumber N           sequence numbers (%i) start after N (default 0)
  -i, --interval MS             ms between two connects (default 10)
  -R, --connrate N              connects per second (replaces -i)
  -u, --username U              username (%i or %rand_N alone: one per client)
  -P, --password P              password (never printed by mqload, but deno task echoes
                                its command line: set MQTT_PASSWORD in the environment instead)
  -k, --keepalive S             keep alive, seconds (default 300)
  -C, --clean [true|false]      clean session / clean start (default true)
  -x, --session-expiry S        session expiry interval, seconds (MQTT 5, default 0)
  -S, --ssl [true|false]        TLS; with --cacertfile, --certfile, --keyfile FILE
      --ws [true|false]         WebSocket (path /mqtt)
      --prefix P                client id prefix: P_bench_JOB_N (default HOST_bench_JOB_RANDOM_N)
      --shortids                client id N (PN with --prefix)
      --num-retry-connect N     retries of a failed connect, a second apart (default 0)
      --reconnect N             reconnects after a lost connection, a second apart
                                (default 0: none)
      --duration D              stop after D (30s, 2m; a bare number is seconds; pub waits
                                2 s more for acknowledgements); conn and sub otherwise run
                                until Ctrl+C, pub until -L is reached
`;

const PUBLISH = `Publishing (pub):
  -t, --topic T                 topic: %i sequence number, %c client id, %u username,
                                %rand_N a random number from 1 to N (no + or #)
  -q, --qos 0|1|2               QoS (default 0)
  -r, --retain [true|false]     retain (default false)
  -s, --size N                  payload bytes (default 256), after the payload headers
  -m, --message M               payload text instead (%i, %c, %TIMESTAMP%, %UNIQUE%, %RANDOM%…)
      --topics-payload FILE     emqtt-bench's JSON file of topics, payloads and intervals
  -L, --limit N                 messages per publisher (default 0: no limit)
  -I, --interval_of_msg MS      ms between a publisher's messages (default 1000; 0: each
                                after the last is acknowledged)
  -F, --inflight N              QoS 1/2 messages in flight per client (default 1; 0: 65535):
                                a broker slower than -I holds the rate back
      --tick MS                 messages due within a tick go out together at its end, so
                                publishers share wakeups (default 10; 0: each at its due time;
                                -I 0 has none)
  -w, --wait-before-publishing  publish once the last client's connect is due
      --min-random-wait MS      each publisher starts after a random wait from min…
      --max-random-wait MS      …to max ms (default 0)
      --payload-hdrs cnt64,ts   payload headers (emqtt-bench's): a per-publisher counter and
                                the send time, 8 bytes each in the order given
`;

const SUBSCRIBE = `Subscribing (sub):
  -t, --topic T                 topic filter(s), comma-separated (%i, %c, %u)
  -q, --qos 0|1|2               QoS (default 0)
      --shared GROUP            subscribe as $share/GROUP/…
      --payload-hdrs cnt64,ts   read the publishers' headers: count lost, duplicated and
                                out-of-order messages per publisher (per topic) and measure
                                the end-to-end latency, on any MQTT version
  -L, --limit N                 messages each publisher sends: streams are expected from their
                                first message, and those missing after the last one received
                                count as lost too (at the end of --duration)
`;

const RUN = `Run (as mqload run):
      --threshold METRIC:EXPR   a threshold, repeatable (exit 99 when crossed), e.g.
                                bench_lost:count==0, bench_latency:p(99)<50
  -o, --out NAME=ARG            an output, repeatable (json, csv, influxdb, …)
      --summary-export FILE     the summary as JSON (mqload merge adds segments up)
      --report FILE             a self-contained HTML report
      --execution-segment S     run this share of the clients, e.g. 0:1/2
      --execution-segment-sequence S
      --workers N               Workers (default: what the planned rates and clients need, at
                                most one per CPU core; -I 0: one per core)
      --quiet                   no per-second lines
      --no-color                no ANSI colours
      --print-script            print the equivalent k6 script instead of running it
      --help                    show this help
`;

const METRICS = `Each second, the counters that moved: connect_succ, connect_fail, connect_retried,
disconnected, reconnect_succ, reconnect_fail, pub, pub_fail, sub, sub_fail, recv (total and
rate), the latency p50/p99 of the second, the first client of each reason a connect failed
(connect error), a connection was lost (EXIT for), a reconnect, a publication or a subscription
failed; conn: the clients connected. At the end, a
summary: totals, rates over the seconds each was active, latency p50/p95/p99/p99.9/max, lost,
duplicated and out-of-order messages by publisher. Metrics for --threshold: the client's
(mqtt_messages_sent, mqtt_errors, …) and bench_connect_failed (clients that gave up; by default
it must stay 0), bench_subscribe_error (sub: refused subscriptions; by default 0),
bench_subscribed, bench_publish_error, bench_conn_lost (connections lost; by default 0, without --reconnect),
bench_reconnect_gave_up (--reconnect; by default 0), bench_reconnecting_at_end,
bench_connect_retried, bench_reconnected, bench_connect_unfinished, bench_pub_late, bench_lost,
bench_duplicated, bench_out_of_order, bench_latency.

Exit codes: 0 ok, 99 a threshold crossed (by default: a client could not connect, a connection
was lost, a client gave up reconnecting) or publications failed (pub_fail), 2 bad flags.
`;

/**
 * The help of `mqload bench` or one of its jobs.
 *
 * @param kind The job, or undefined for all.
 * @returns The text.
 *
 * @example Usage
 * ```ts
 * import { benchHelp } from "./help.ts";
 * import assert from "node:assert/strict";
 * assert.match(benchHelp("pub"), /--interval_of_msg/);
 * ```
 */
export function benchHelp(kind: BenchKind | undefined): string {
  const usage = kind === undefined
    ? `Benchmark an MQTT broker with emqtt-bench's jobs and flags, on mqload's runner.

Usage:
  mqload bench conn [flags]     connect clients and hold them
  mqload bench pub [flags]      connect publishers and publish
  mqload bench sub [flags]      connect subscribers and count what arrives

Examples:
  mqload bench conn -c 5000 -R 500 --duration 30s
  mqload bench sub -c 1 -t 'bench/#' -q 1 --payload-hdrs cnt64,ts --duration 20s &
  mqload bench pub -c 100 -I 100 -q 1 -t 'bench/%i' --payload-hdrs cnt64,ts --duration 15s
`
    : `Usage:
  mqload bench ${kind} [flags]
`;
  const parts = [usage, CONNECTION];
  if (kind === undefined || kind === "pub") parts.push(PUBLISH);
  if (kind === undefined || kind === "sub") parts.push(SUBSCRIBE);
  parts.push(RUN, METRICS);
  return parts.join("\n");
}
