/**
 * `mqload run` flags, with k6's names, turned into options (the highest-precedence layer) and
 * run settings, plus the help texts.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseDuration } from "../config/duration.ts";
import { parseStageFlag, type TestOptions } from "../config/options.ts";
import type { RunSettings } from "../engine/run.ts";
import { UsageError } from "./usage_error.ts";
import { parseLogFlags } from "./_log_flags.ts";
import { applyCompatFlags } from "./_k6_compat_flags.ts";
import { applyK6RunFlags, K6_RUN_FLAGS, k6FlagForms } from "./_k6_run_flags.ts";
import { outputsHelp, parseOutputSpec } from "../outputs/registry.ts";
import { checkOutFlags, checkPathFlags, checkSegmentFlag } from "./run_flag_checks.ts";
import type { SummaryMode } from "../summary/report.ts";

export { UsageError };

/** The help of `mqload`. */
export const MAIN_HELP = `mqload: MQTT load testing with k6-compatible scripts

Usage:
  mqload run [flags] <script>    run a load test (see mqload run --help)
  mqload bench conn|pub|sub [flags]
                                 benchmark a broker with emqtt-bench's flags
                                 (see mqload bench --help)
  mqload demo [run flags]        run the ~15 s demo test against a broker of its
                                 own (mosquitto when installed, else embedded)
  mqload broker [--port N] [--host 127.0.0.1]
                                 run the embedded MQTT broker until Ctrl+C
  mqload merge [flags] <a.json> <b.json>…
                                 merge the --summary-export files of execution
                                 segments exactly (see mqload merge --help)
  mqload version                 print the version

Flags:
  -h, --help                     show help
`;

/** The help of `mqload run`. */
export const RUN_HELP = `Run a k6-style load test script (k6 + xk6-mqtt scripts run unchanged).

Usage:
  mqload run [flags] <script.ts|script.js>

Flags:
  -u, --vus N                    number of VUs (shortcut scenario)
  -d, --duration D               test duration, e.g. 30s, 1m30s (constant-vus)
  -i, --iterations N             total iterations (shared-iterations)
  -s, --stage D:N                ramping stage, repeatable or comma-separated:
                                 -s 10s:20 -s 30s:20, --stage 5s:10,5m:20 (ramping-vus)
  -c, --config FILE              k6's JSON options file (also K6_CONFIG): above the
                                 defaults, below the script's options
      --no-setup                 don't run setup()
      --no-teardown              don't run teardown()
  -e, --env KEY=VALUE            add to __ENV, repeatable
      --include-system-env-vars  include the process environment in __ENV (default true)
      --tag NAME=VALUE           tag every sample, repeatable
  -o, --out NAME=ARG             an output, repeatable (also K6_OUT, comma-separated):
${outputsHelp(" ".repeat(33))}
      --summary-export FILE      write the end-of-test summary as JSON
      --report FILE              write a self-contained HTML report (charts over
                                 time, thresholds, checks, metrics, options)
      --summary-trend-stats S    trend statistics, e.g. "avg,min,med,max,p(90),p(95)"
      --summary-time-unit U      time unit of the summary: s, ms or us
      --summary-mode M           compact (default), full (adds groups and scenarios),
                                 legacy (k6 < 1.0's layout) or disabled (k6 2.x's
                                 --no-summary)
      --no-summary               no end-of-test summary (nor handleSummary, nor the export)
      --no-thresholds            do not evaluate thresholds
      --no-color                 no ANSI colours
  -q, --quiet                    no progress and no banner
      --log-output O             where logs go: stderr (default), stdout, none or
                                 file=PATH (loki is not supported)
      --log-format F             text (default), json (one logrus JSON object a line)
                                 or raw (the message only)
  -v, --verbose                  show debug lines (console.debug) too
      --console-output FILE      console.log and the like go to FILE instead of the log
      --compatibility-mode M     k6's extended, base or experimental_enhanced: accepted
                                 (Deno runs the script the same way for each)
      --system-tags T            accepted; mqload emits its fixed set of tags (warned)
  -w, --throw                    a failed k6/http request throws (k6's option throw)
      --min-iteration-duration D a shorter full iteration waits for the rest
      --max-redirects N          k6/http: redirects a request follows (default 10)
      --batch N                  k6/http: http.batch() requests at once (default 20)
      --batch-per-host N         the same, per host (default 6)
      --user-agent S             k6/http: the User-Agent of requests that set none
      --http-debug[=full]        k6/http: log each request and response (full: bodies)
      --discard-response-bodies  k6/http: null bodies, unless a request's responseType
      --rps, --dns, --local-ips, --blacklist-ip, --block-hostnames, --no-connection-reuse,
      --no-vu-connection-reuse, --traces-output, --new-machine-readable-summary, --features,
      --secret-source, --profiling-enabled
                                 accepted for k6 command lines; not applied (warned)
  -p, --paused, -t, --type archive
                                 refused: mqload has no REST API to resume a test, and
                                 runs scripts, not k6 archives
  -a, --address A                accepted; mqload has no REST API (warned)
  -l, --linger                   after the summary, wait for Ctrl+C before exiting
      --insecure-skip-tls-verify skip the TLS host name check of brokers (k6's option;
                                 Deno checks the chain still: DENO_CERT=ca.pem trusts a CA)
      --no-usage-report          accepted for k6 command lines (mqload sends none)
      --workers N                Workers running VUs (default: one per 2,000 VUs, at most
                                 one per CPU core)
      --execution-segment S      run this share of the test, e.g. 1/4:2/4
      --execution-segment-sequence S
                                 all the segments, e.g. 0,1/4,2/4,3/4,1
  -h, --help                     show this help

Precedence (k6's): flags, then K6_* environment variables (K6_VUS, K6_DURATION,
K6_ITERATIONS, K6_STAGES, K6_OUT, K6_SUMMARY_EXPORT, K6_NO_SUMMARY, …), then the script's
\`export const options\`, then the --config file.

Exit codes (k6's): 0 ok, 99 thresholds failed, 100 setup timeout, 101 teardown timeout,
104 invalid options, 105 stopped by a signal, 107 script error (cannot load, or a Worker
crashed), 108 test.abort(), 110 exec.test.fail(); 255 for a bad command line.
`;

/** The help of `mqload broker`. */
export const BROKER_HELP = `Run the embedded MQTT broker (aedes, MQTT 3.1.1) to try scripts against.

Usage:
  mqload broker [flags]

Flags:
  -p, --port N                   port to listen on (default 1883, 0 for a free one)
      --host H                   address to listen on (default 127.0.0.1)
      --websocket                also serve MQTT over WebSocket on a free port
  -h, --help                     show this help

It runs until Ctrl+C.
`;

/** The help of `mqload merge`. */
export const MERGE_HELP = `Merge the --summary-export files of the execution segments of one test.

Usage:
  mqload merge [flags] <a.json> <b.json>…

Counts, rates and checks add up; trend percentiles come from the merged histograms, so they
are those one process running the whole test would report. The thresholds are evaluated
again on the merged metrics.

Flags:
      --summary-export FILE      write the merged summary there and print the text summary
                                 (without it the merged JSON goes to stdout)
      --summary-mode M           that text summary's layout: compact (default), full or legacy
      --report FILE              write a self-contained HTML report of the merged summary
      --no-color                 no ANSI colours
  -h, --help                     show this help

Exit codes: 0 ok, 99 a threshold failed on the merged result, 2 bad arguments or files.
`;

// `mqload run`'s flags: k6's.
const RUN_FLAGS = {
  vus: { type: "string", short: "u" },
  duration: { type: "string", short: "d" },
  iterations: { type: "string", short: "i" },
  stage: { type: "string", short: "s", multiple: true },
  env: { type: "string", short: "e", multiple: true },
  "include-system-env-vars": { type: "boolean" },
  "no-include-system-env-vars": { type: "boolean" },
  tag: { type: "string", multiple: true },
  out: { type: "string", short: "o", multiple: true },
  "summary-export": { type: "string" },
  report: { type: "string" },
  "summary-trend-stats": { type: "string" },
  "summary-time-unit": { type: "string" },
  "no-summary": { type: "boolean" },
  "no-thresholds": { type: "boolean" },
  "no-color": { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  // Long only: -w is k6's --throw.
  workers: { type: "string" },
  "execution-segment": { type: "string" },
  "execution-segment-sequence": { type: "string" },
  help: { type: "boolean", short: "h" },
  "insecure-skip-tls-verify": { type: "boolean" },
  "summary-mode": { type: "string" },
  // k6 CI command lines carry it; mqload sends no usage report anyway.
  "no-usage-report": { type: "boolean" },
  config: { type: "string", short: "c" },
  "no-setup": { type: "boolean" },
  "no-teardown": { type: "boolean" },
  "log-output": { type: "string" },
  "log-format": { type: "string" },
  verbose: { type: "boolean", short: "v" },
  "console-output": { type: "string" },
  "compatibility-mode": { type: "string" },
  "system-tags": { type: "string", multiple: true },
  throw: { type: "boolean", short: "w" },
  address: { type: "string", short: "a" },
  linger: { type: "boolean", short: "l" },
  ...K6_RUN_FLAGS,
} as const;

const BOOLEAN_FLAGS: ReadonlySet<string> = new Set(
  Object.entries(RUN_FLAGS).filter(([, o]) => o.type === "boolean").map(([name]) => name),
);

/**
 * Parses `mqload run` arguments.
 *
 * @param args Arguments after `run`.
 * @returns The settings, or `help` when asked.
 * @throws {UsageError} On an unknown flag, a bad value or a missing script, naming the flag.
 */
export function parseRunArgs(args: string[]): RunSettings | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: k6FlagForms(args, BOOLEAN_FLAGS),
      allowPositionals: true,
      strict: true,
      options: RUN_FLAGS,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/s, ""));
  }
  const v = parsed.values;
  if (v.help) return "help";
  if (parsed.positionals.length !== 1) {
    throw new UsageError(
      parsed.positionals.length === 0
        ? "mqload run needs a script: mqload run [flags] <script>"
        : `mqload run takes one script, got ${parsed.positionals.length}: ${
          parsed.positionals.join(" ")
        }`,
    );
  }
  const cli: TestOptions = {};
  const count = (flag: string, value: string | undefined, min = 0): number | undefined => {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min) {
      throw new UsageError(`Invalid value "${value}" for --${flag}: expected an integer ≥ ${min}`);
    }
    return Number(value);
  };
  cli.vus = count("vus", v.vus);
  cli.iterations = count("iterations", v.iterations);
  if (v.duration !== undefined) {
    if (parseDuration(v.duration) === undefined) {
      throw new UsageError(
        `Invalid value "${v.duration}" for --duration: expected a duration such as 30s`,
      );
    }
    cli.duration = v.duration;
  }
  if (v.stage !== undefined) {
    // k6's --stage is a string slice: repeated, or comma-separated in one value.
    cli.stages = v.stage.flatMap((text) => text.split(",")).map((text) => {
      try {
        return parseStageFlag(text);
      } catch (e) {
        throw new UsageError(`Invalid value for --stage: ${(e as Error).message}`);
      }
    });
  }
  const pairs = (flag: string, list: string[] | undefined) => {
    const out: Record<string, string> = {};
    for (const item of list ?? []) {
      const at = item.indexOf("=");
      if (at <= 0) {
        throw new UsageError(`Invalid value "${item}" for --${flag}: expected KEY=VALUE`);
      }
      out[item.slice(0, at)] = item.slice(at + 1);
    }
    return out;
  };
  const env = pairs("env", v.env);
  if (v.tag !== undefined) cli.tags = pairs("tag", v.tag);
  if (v["summary-trend-stats"] !== undefined) {
    cli.summaryTrendStats = v["summary-trend-stats"].split(",").map((s) => s.trim());
  }
  if (v["summary-time-unit"] !== undefined) {
    if (!["s", "ms", "us"].includes(v["summary-time-unit"])) {
      throw new UsageError(
        `Invalid value "${v["summary-time-unit"]}" for --summary-time-unit: expected s, ms or us`,
      );
    }
    cli.summaryTimeUnit = v["summary-time-unit"];
  }
  // --summary-mode (K6_SUMMARY_MODE): compact by default, full, k6 1.x's legacy layout, or k6
  // 2.x's disabled (its --no-summary).
  let mode = v["summary-mode"] || Deno.env.get("K6_SUMMARY_MODE") || "compact";
  if (!["compact", "full", "legacy", "disabled"].includes(mode)) {
    throw new UsageError(
      `Invalid value "${mode}" for --summary-mode: expected compact, full, legacy or disabled`,
    );
  }
  if (mode === "disabled") {
    v["no-summary"] = true;
    mode = "compact";
  }
  if (v["no-thresholds"]) cli.noThresholds = true;
  if (v["no-setup"]) cli.noSetup = true;
  if (v["no-teardown"]) cli.noTeardown = true;
  const processEnv = Deno.env.toObject();
  const logging = parseLogFlags(v, processEnv);
  const warnings = [...applyCompatFlags(v, processEnv, cli), ...applyK6RunFlags(v, cli)];
  for (const warning of warnings) console.warn(`mqload: ${warning}`);
  const configFile = v.config ?? (processEnv.K6_CONFIG || undefined);
  if (configFile === "") {
    throw new UsageError(`Invalid value "" for --config: expected a file path`);
  }
  if (v["insecure-skip-tls-verify"]) cli.insecureSkipTLSVerify = true;
  const segment = checkSegmentFlag("execution-segment", v["execution-segment"]);
  if (segment !== undefined) cli.executionSegment = segment;
  const sequence = checkSegmentFlag("execution-segment-sequence", v["execution-segment-sequence"]);
  if (sequence !== undefined) cli.executionSegmentSequence = sequence;
  // k6 reads these from the environment too (K6_OUT, K6_SUMMARY_EXPORT, …); flags win.
  const fromEnv = (name: string) => {
    const value = Deno.env.get(name);
    return value === undefined || value === "" ? undefined : value;
  };
  const isTrue = (name: string) => /^(1|true)$/i.test(fromEnv(name) ?? "");
  v.out ??= fromEnv("K6_OUT")?.split(",").map((s) => s.trim());
  // K6_WEB_DASHBOARD=true adds k6's web dashboard to the outputs, as k6 does.
  if (
    isTrue("K6_WEB_DASHBOARD") &&
    !(v.out ?? []).some((o) => parseOutputSpec(o).name === "web-dashboard")
  ) {
    v.out = [...(v.out ?? []), "web-dashboard"];
  }
  v["summary-export"] ??= fromEnv("K6_SUMMARY_EXPORT");
  v["no-summary"] ??= isTrue("K6_NO_SUMMARY") || undefined;
  v["no-color"] ??= isTrue("K6_NO_COLOR") || undefined;
  if (v["include-system-env-vars"] === undefined && v["no-include-system-env-vars"] === undefined) {
    const include = fromEnv("K6_INCLUDE_SYSTEM_ENV_VARS");
    if (include !== undefined && /^(0|false)$/i.test(include)) {
      v["no-include-system-env-vars"] = true;
    }
  }
  // As k6: with the summary off, neither handleSummary() nor the summary export is made.
  if (v["no-summary"] && v["summary-export"] !== undefined) {
    console.warn(
      `mqload: --summary-export ${v["summary-export"]} is not written: the summary is disabled`,
    );
    v["summary-export"] = undefined;
  }
  checkOutFlags(v.out ?? []);
  checkPathFlags(v, ["summary-export", "report"]);
  const workers = count("workers", v.workers, 1);
  return {
    script: parsed.positionals[0],
    cliOptions: Object.fromEntries(Object.entries(cli).filter(([, x]) => x !== undefined)),
    env,
    includeSystemEnv: !v["no-include-system-env-vars"],
    out: v.out,
    summaryExport: v["summary-export"],
    report: v.report,
    quiet: v.quiet ?? false,
    noSummary: v["no-summary"] ?? false,
    summaryMode: mode as SummaryMode,
    noColor: v["no-color"] ?? Deno.env.get("NO_COLOR") !== undefined,
    workers,
    logging,
    configFile,
    linger: v.linger ?? false,
  };
}
