/**
 * `mqload bench conn|pub|sub` flags, with emqtt-bench's names, defaults and meanings, plus the
 * `mqload run` flags a benchmark shares (outputs, thresholds, execution segments). Every bad
 * value is a {@linkcode UsageError} naming the flag (exit 2).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { firstValues, takingRepeats } from "./_repeated_flags.ts";
import { commandLine } from "./_command_line.ts";
import { parseDuration } from "../config/duration.ts";
import { UsageError } from "../cli/usage_error.ts";
import { parsePayloadHeaders } from "./payload_headers.ts";
import {
  type BenchConfig,
  type BenchConnection,
  type BenchKind,
  DEFAULT_TICK_MS,
} from "./config.ts";
import { parseConnectionUrl, readTls } from "./_connection_flags.ts";
import { type BenchRunFlags, parseRunFlags, parseThresholdFlags } from "./_run_flags.ts";

export { type BenchRunFlags, parseThresholdFlags };
import * as topicFlags from "./_topics_payload.ts";
import { isRandomTopic } from "./templates.ts";

/** A parsed bench command line. */
export interface BenchArgs {
  /** The benchmark. */
  config: BenchConfig;
  /** The run settings. */
  run: BenchRunFlags;
  /** `--print-script`: print the script instead of running it. */
  printScript: boolean;
}

/** emqtt-bench's flags that take an optional true/false value (`-C false`, `--ws`). */
const OPTIONAL_BOOLEANS: Readonly<Record<string, string>> = {
  "-C": "clean",
  "--clean": "clean",
  "-S": "ssl",
  "--ssl": "ssl",
  "-r": "retain",
  "--retain": "retain",
  "-w": "wait-before-publishing",
  "--wait-before-publishing": "wait-before-publishing",
  "--ws": "ws",
  "--shortids": "shortids",
};

const OPTIONS = {
  host: { type: "string", short: "h" },
  port: { type: "string", short: "p" },
  url: { type: "string" },
  version: { type: "string", short: "V" },
  count: { type: "string", short: "c" },
  startnumber: { type: "string", short: "n" },
  interval: { type: "string", short: "i" },
  connrate: { type: "string", short: "R" },
  username: { type: "string", short: "u" },
  password: { type: "string", short: "P" },
  keepalive: { type: "string", short: "k" },
  clean: { type: "string" },
  "session-expiry": { type: "string", short: "x" },
  ssl: { type: "string" },
  cacertfile: { type: "string" },
  certfile: { type: "string" },
  keyfile: { type: "string" },
  ws: { type: "string" },
  prefix: { type: "string" },
  shortids: { type: "string" },
  "num-retry-connect": { type: "string" },
  reconnect: { type: "string" },
  topic: { type: "string", short: "t" },
  qos: { type: "string", short: "q" },
  retain: { type: "string" },
  size: { type: "string", short: "s" },
  message: { type: "string", short: "m" },
  "topics-payload": { type: "string" },
  limit: { type: "string", short: "L" },
  interval_of_msg: { type: "string", short: "I" },
  inflight: { type: "string", short: "F" },
  tick: { type: "string" },
  "wait-before-publishing": { type: "string" },
  "min-random-wait": { type: "string" },
  "max-random-wait": { type: "string" },
  duration: { type: "string" },
  shared: { type: "string" },
  "payload-hdrs": { type: "string" },
  threshold: { type: "string", multiple: true },
  out: { type: "string", short: "o", multiple: true },
  "summary-export": { type: "string" },
  report: { type: "string" },
  workers: { type: "string" },
  "execution-segment": { type: "string" },
  "execution-segment-sequence": { type: "string" },
  "no-color": { type: "boolean" },
  quiet: { type: "boolean" },
  "print-script": { type: "boolean" },
  help: { type: "boolean" },
} as const;

/** Flags that only one job takes. */
const ONLY: Readonly<Record<string, readonly BenchKind[]>> = {
  topic: ["pub", "sub"],
  qos: ["pub", "sub"],
  "payload-hdrs": ["pub", "sub"],
  retain: ["pub"],
  size: ["pub"],
  message: ["pub"],
  "topics-payload": ["pub"],
  interval_of_msg: ["pub"],
  inflight: ["pub"],
  tick: ["pub"],
  "wait-before-publishing": ["pub"],
  "min-random-wait": ["pub"],
  "max-random-wait": ["pub"],
  limit: ["pub", "sub"],
  shared: ["sub"],
};

/**
 * Parses the arguments after `mqload bench`.
 *
 * @param args Such as `["pub", "-c", "10", "-t", "bench/%i"]`.
 * @returns The bench, or `help` (with the job, when one was named).
 * @throws {UsageError} On an unknown job or flag or a bad value, naming the flag.
 *
 * @example Usage
 * ```ts
 * import { parseBenchArgs } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * const parsed = parseBenchArgs(["pub", "-c", "10", "-I", "10", "-L", "100", "-t", "bench/%i"]);
 * assert.ok(typeof parsed !== "string" && !("help" in parsed));
 * assert.equal(parsed.config.connection.count, 10);
 * assert.equal(parsed.config.publish?.limit, 100);
 * ```
 */
export function parseBenchArgs(
  args: string[],
): BenchArgs | { help: BenchKind | undefined } {
  const [kind, ...rest] = args;
  if (kind === undefined || kind === "--help" || kind === "help") return { help: undefined };
  if (kind !== "conn" && kind !== "pub" && kind !== "sub") {
    throw new UsageError(`unknown bench job "${kind}": expected conn, pub or sub`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: withNegativeValues(withBooleanValues(rest)),
      options: takingRepeats(OPTIONS),
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/s, ""));
  }
  // emqtt-bench's: a repeated flag's first value, but every -t of bench sub (see below).
  const v = firstValues(parsed.values, new Set(["threshold", "out"]));
  if (v.help) return { help: kind };
  for (const [flag, kinds] of Object.entries(ONLY)) {
    if (v[flag] !== undefined && !kinds.includes(kind)) {
      throw new UsageError(
        `--${flag} is not a flag of bench ${kind} (only of ${kinds.join(", ")})`,
      );
    }
  }
  const str = (flag: string) => topicFlags.checkRandomRange(flag, v[flag] as string | undefined);
  const int = (flag: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => {
    const text = str(flag);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new UsageError(
        `Invalid value "${text}" for --${flag}: expected an integer from ${min}` +
          (max === Number.MAX_SAFE_INTEGER ? "" : ` to ${max}`),
      );
    }
    return Number(text);
  };
  const bool = (flag: string, fallback: boolean) => {
    const text = str(flag);
    if (text === undefined) return fallback;
    if (text !== "true" && text !== "false") {
      throw new UsageError(`Invalid value "${text}" for --${flag}: expected true or false`);
    }
    return text === "true";
  };
  const qos = int("qos", 0, 0, 2) as 0 | 1 | 2;
  const headers = (() => {
    try {
      return parsePayloadHeaders(str("payload-hdrs") ?? "");
    } catch (e) {
      throw new UsageError(`Invalid value for --payload-hdrs: ${(e as Error).message}`);
    }
  })();
  const connection = parseConnection({ str, int, bool });
  const config: BenchConfig = {
    kind,
    commandLine: commandLine(args),
    connection,
    payloadHeaders: headers,
    thresholds: parseThresholdFlags((v.threshold as string[] | undefined) ?? []),
  };
  const duration = str("duration");
  if (duration !== undefined) {
    const ms = /^\d+(\.\d+)?$/.test(duration) ? Number(duration) * 1000 : parseDuration(duration);
    if (ms === undefined || ms <= 0) {
      throw new UsageError(
        `Invalid value "${duration}" for --duration: expected a duration such as 30s or 2m`,
      );
    }
    config.durationMs = ms;
  }
  if (kind === "pub") {
    const topicsFile = str("topics-payload");
    const topic = str("topic");
    if (topic === undefined && topicsFile === undefined) {
      throw new UsageError("bench pub needs a topic: -t/--topic (or --topics-payload FILE)");
    }
    const minWait = int("min-random-wait", 0);
    const maxWait = int("max-random-wait", 0);
    if (maxWait < minWait) {
      throw new UsageError(
        `Invalid value "${maxWait}" for --max-random-wait: less than --min-random-wait ${minWait}`,
      );
    }
    config.publish = {
      topic: topic ?? "",
      qos,
      retain: bool("retain", false),
      size: int("size", 256, 0, 268_435_455),
      message: str("message"),
      topics: topicsFile === undefined ? undefined : topicFlags.readTopicsPayload(topicsFile),
      limit: int("limit", 0),
      intervalMs: int("interval_of_msg", 1000),
      inflight: int("inflight", 1, 0, 65535),
      tickMs: int("tick", DEFAULT_TICK_MS, 0, 1000),
      waitBeforePublishing: bool("wait-before-publishing", false),
      minRandomWait: minWait,
      maxRandomWait: maxWait,
    };
    topicFlags.checkPublishTemplates(config.publish);
  }
  if (kind === "sub") {
    const given = (parsed.values.topic as string[] | undefined) ?? [];
    if (given.length === 0) throw new UsageError("bench sub needs a topic: -t/--topic");
    const shared = str("shared");
    if (shared !== undefined && !/^[^/+#]+$/.test(shared)) {
      throw new UsageError(
        `Invalid value "${shared}" for --shared: expected a group name without / + #`,
      );
    }
    config.subscribe = {
      topics: given.flatMap((topic) =>
        topicFlags.subscribeFilters(
          topicFlags.checkRandomRange("topic", topic)!,
          config.connection.version === 5,
        )
      ),
      qos,
      shared,
      expected: int("limit", 0),
    };
  }
  const run = parseRunFlags(v);
  if (
    kind === "sub" && config.subscribe?.shared !== undefined &&
    headers.includes("cnt64") && (run.workers ?? 1) > 1
  ) {
    throw new UsageError(
      "--shared with --payload-hdrs cnt64 counts each publisher's messages in one Worker: " +
        "--workers must be 1",
    );
  }
  return { config, run, printScript: v["print-script"] === true };
}

type Readers = {
  str(flag: string): string | undefined;
  int(flag: string, fallback: number, min?: number, max?: number): number;
  bool(flag: string, fallback: boolean): boolean;
};

function parseConnection({ str, int, bool }: Readers): BenchConnection {
  const version = int("version", 5, 3, 5) as 3 | 4 | 5;
  const connrate = int("connrate", 0);
  const interval = int("interval", 10);
  const target = parseConnectionUrl({
    url: str("url"),
    host: str("host"),
    port: str("port") === undefined ? undefined : int("port", 1883, 1, 65535),
    ssl: bool("ssl", false),
    ws: bool("ws", false),
  });
  const tlsFiles = { ca: str("cacertfile"), cert: str("certfile"), key: str("keyfile") };
  if (!target.secure && Object.values(tlsFiles).some((f) => f !== undefined)) {
    throw new UsageError("--cacertfile, --certfile and --keyfile need -S/--ssl (or an mqtts URL)");
  }
  const username = str("username") ?? target.username;
  const password = str("password") ?? target.password;
  return {
    url: target.url,
    host: target.host,
    version,
    count: int("count", 200, 1),
    startNumber: int("startnumber", 0),
    connectIntervalMs: connrate > 0 ? 1000 / connrate : interval,
    username,
    password,
    keepalive: int("keepalive", 300, 0, 65535),
    clean: bool("clean", true),
    sessionExpiry: int("session-expiry", 0, 0, 4294967295),
    tls: target.secure ? readTls(tlsFiles) : undefined,
    prefix: str("prefix"),
    shortIds: bool("shortids", false),
    retryConnect: int("num-retry-connect", 0),
    reconnect: int("reconnect", 0),
  };
}

/**
 * `--tick -1` → `--tick=-1`: a negative number after a flag that takes a value is that value,
 * so that it is refused as out of range rather than as an ambiguous argument.
 */
function withNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = args[i + 1];
    const long = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    const short = /^-[A-Za-z]$/.test(arg)
      ? Object.entries(OPTIONS).find(([, o]) => "short" in o && o.short === arg[1])?.[0]
      : undefined;
    const name = long ?? short;
    const takesValue = name !== undefined && Object.hasOwn(OPTIONS, name) &&
      OPTIONS[name as keyof typeof OPTIONS].type === "string";
    if (takesValue && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** `-C false` → `--clean=false`; `-C` alone → `--clean=true`. */
function withBooleanValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = OPTIONAL_BOOLEANS[args[i]];
    if (name === undefined) {
      out.push(args[i]);
      continue;
    }
    const next = args[i + 1];
    if (next === "true" || next === "false") {
      out.push(`--${name}=${next}`);
      i++;
    } else if (next !== undefined && !next.startsWith("-")) {
      throw new UsageError(`Invalid value "${next}" for --${name}: expected true or false`);
    } else {
      out.push(`--${name}=true`);
    }
  }
  return out;
}

/**
 * The note for a publisher that numbers its messages (`--payload-hdrs cnt64`) on a random topic
 * (`%rand_N`): its count spreads over many topics, and subscribers count each topic as one
 * publisher's stream, so their lost, duplicated and out-of-order figures mean nothing.
 *
 * @param config A parsed bench.
 * @returns The note, or undefined when it does not apply.
 *
 * @example Usage
 * ```ts
 * import { parseBenchArgs, randomTopicCountNote } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * const parsed = parseBenchArgs(["pub", "-t", "t/%rand_5", "--payload-hdrs", "cnt64"]);
 * assert.ok("config" in parsed && randomTopicCountNote(parsed.config) !== undefined);
 * ```
 */
export function randomTopicCountNote(config: BenchConfig): string | undefined {
  const publish = config.publish;
  if (publish === undefined || !config.payloadHeaders.includes("cnt64")) return undefined;
  const random = (publish.topics?.map((t) => t.name) ?? [publish.topic]).find(isRandomTopic);
  if (random === undefined) return undefined;
  return `Note: --payload-hdrs cnt64 on a random topic (${random}): each publisher's count ` +
    "spreads over many topics, which subscribers count as a stream each, so their lost, " +
    "duplicated and out-of-order figures will be wrong.\n";
}
