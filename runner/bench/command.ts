/**
 * `mqload bench conn|pub|sub`: the flags become a k6 script (`script.ts`), which runs through
 * `mqload run`'s pipeline (Workers, metrics, thresholds, outputs, segments) with the
 * per-second lines and the bench summary as one more output. Ctrl+C (or `--duration`) ends a
 * bench normally: its summary is the result.
 *
 * @module
 */

import { EXIT_CODES, runTest } from "../engine/run.ts";
import { onStopSignals } from "../cli/stop_signals.ts";
import { writeAll } from "../engine/finish.ts";
import { parseBenchArgs, randomTopicCountNote } from "./flags.ts";
import { benchHelp } from "./help.ts";
import { benchScript, PASSWORD_ENV, RANDOM_ENV } from "./script.ts";
import { END_WAIT_MS } from "./config.ts";
import { BenchLines } from "./lines.ts";
import { benchSummary, publicationsFailed } from "./summary.ts";
import { pubTarget } from "./rate_warning.ts";
import { plannedWorkers } from "./workers.ts";
import {
  CANNOT_SKIP_NOTE,
  runUnverified,
  UNVERIFIED_ENV,
  UNVERIFIED_NOTE,
} from "./unverified_tls.ts";

/**
 * Runs `mqload bench` (the arguments after `bench`).
 *
 * @param args Such as `["pub", "-c", "10", "-t", "bench/%i"]`.
 * @returns The exit code: 0, 99 when a threshold was crossed, k6's other codes.
 * @throws {UsageError} On bad flags (the CLI exits 2).
 *
 * @example Usage
 * ```ts ignore
 * import { benchCommand } from "./command.ts";
 * Deno.exit(await benchCommand(["conn", "-c", "10", "--duration", "5s"]));
 * ```
 */
export async function benchCommand(args: string[]): Promise<number> {
  const parsed = parseBenchArgs(args);
  if ("help" in parsed) {
    writeAll(Deno.stdout, benchHelp(parsed.help));
    return 0;
  }
  const { config, run } = parsed;
  const randomCounted = randomTopicCountNote(config);
  if (randomCounted !== undefined) writeAll(Deno.stderr, randomCounted);
  if ((config.subscribe?.expected ?? 0) > 0 && !config.payloadHeaders.includes("cnt64")) {
    // What a publisher sent is known only from its counter: without it -L has nothing to check.
    writeAll(Deno.stderr, "Note: bench sub -L needs --payload-hdrs cnt64; ignored without it.\n");
  }
  const limit = config.publish?.limit ?? 0;
  const clients = config.connection.count;
  const topics = config.publish?.topics?.length ?? 1;
  if (limit > 0 && clients > 1 && Deno.env.get(UNVERIFIED_ENV) === undefined) {
    // emqtt-bench's -L counts every publisher's messages together: say which one this is.
    const total = (limit * clients * topics).toLocaleString("en");
    writeAll(
      Deno.stderr,
      `Note: -L ${limit} is per publisher${topics > 1 ? " and topic" : ""}: ${total} messages ` +
        `from ${clients.toLocaleString("en")} clients (emqtt-bench's -L counts all together).\n`,
    );
  }
  const script = benchScript(config);
  if (parsed.printScript) {
    writeAll(Deno.stdout, script);
    return 0;
  }
  const tls = config.connection.tls;
  if (tls !== undefined && tls.ca === undefined && Deno.env.get(UNVERIFIED_ENV) === undefined) {
    // emqtt-bench's verify_none: Deno skips verifying only for a whole process, run anew.
    writeAll(Deno.stderr, UNVERIFIED_NOTE);
    const code = await runUnverified(config.connection.host);
    if (code !== undefined) return code;
    writeAll(Deno.stderr, CANNOT_SKIP_NOTE);
  }
  const dir = await Deno.makeTempDir({ prefix: "mqload-bench-" });
  const path = `${dir}/bench_${config.kind}.js`;
  await Deno.writeTextFile(path, script);
  let failedThresholds = false;
  const target = pubTarget(config, run.executionSegment !== undefined);
  const lines = new BenchLines({
    writer: Deno.stdout,
    quiet: run.quiet,
    holding: config.kind === "conn",
    // Past --duration's end and the publishers' wait, what fails as the clients end was
    // unacknowledged, as at Ctrl+C.
    stopsAfterMs: config.durationMs === undefined ? undefined : config.durationMs + END_WAIT_MS,
    summary: (tally, end, activeMs) => {
      failedThresholds = end?.thresholds.some((r) => !r.ok) ?? false;
      return benchSummary(config.kind, tally, end, activeMs, target);
    },
  });
  const stop = new AbortController();
  const removeSignals = onStopSignals(() => {
    lines.tally.stopping(Date.now());
    stop.abort();
  });
  try {
    const shared = config.subscribe?.shared !== undefined &&
      config.payloadHeaders.includes("cnt64");
    const code = await runTest({
      script: path,
      cliOptions: {
        ...(run.executionSegment === undefined ? {} : { executionSegment: run.executionSegment }),
        ...(run.executionSegmentSequence === undefined
          ? {}
          : { executionSegmentSequence: run.executionSegmentSequence }),
      },
      env: {
        [RANDOM_ENV]: String(Math.floor(Math.random() * 0xffffffff) + 1),
        ...(config.connection.password === undefined
          ? {}
          : { [PASSWORD_ENV]: config.connection.password }),
      },
      out: run.out,
      summaryExport: run.summaryExport,
      report: run.report,
      quiet: true,
      noSummary: true,
      noColor: run.noColor,
      // A shared subscription's streams are counted in one Worker (see flags.ts); else no
      // more Workers than the planned load needs.
      workers: run.workers ??
        (shared ? 1 : plannedWorkers(config, navigator.hardwareConcurrency ?? 1)),
      signal: stop.signal,
      outputs: [lines],
    });
    // Failed publications fail the run as a crossed threshold does (those in flight at a stop
    // do not count: see BenchTally.stopping).
    const failed = failedThresholds || publicationsFailed(lines.tally);
    // Ctrl+C is how a bench without --duration ends: its verdict is the thresholds'.
    if (code === EXIT_CODES.externalAbort) return failed ? EXIT_CODES.thresholdsFailed : 0;
    return code === 0 && failed ? EXIT_CODES.thresholdsFailed : code;
  } finally {
    removeSignals();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
