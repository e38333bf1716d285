/**
 * The `mqload` command: `run` k6-style load tests of MQTT, `bench` a broker with emqtt-bench's
 * one-line jobs, `demo`, `broker`, `merge`.
 *
 * ```sh
 * deno run -A jsr:@mqload/mqload/cli run --vus 10 --duration 30s script.ts
 * deno task mqload run -e MQTT_BROKER_ADDRESS=mqtt://127.0.0.1:1883 examples/xk6_subscribe.js
 * deno task demo
 * ```
 *
 * Exit codes are k6's: 0, 99 (thresholds failed), 100/101 (setup/teardown timeout), 104 (invalid
 * options or flags), 105 (stopped by a signal), 107 (script error), 108 (`test.abort()`).
 *
 * @example Usage
 * ```ts ignore
 * import { main } from "@mqload/mqload/cli";
 * Deno.exit(await main(["run", "--vus", "2", "--iterations", "10", "script.ts"]));
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import denoJson from "../deno.json" with { type: "json" };
import { EXIT_CODES, type RunSettings, runTest } from "./engine/run.ts";
import {
  BROKER_HELP,
  MAIN_HELP,
  MERGE_HELP,
  parseRunArgs,
  RUN_HELP,
  UsageError,
} from "./cli/flags.ts";
import { callerDir } from "./cli/caller_dir.ts";
import { onStopSignals } from "./cli/stop_signals.ts";
import { renderHtmlReport } from "./outputs/html_report.ts";
import { writeAll } from "./engine/finish.ts";
import { failedThresholds, mergeSummaries, summaryDataFromExport } from "./summary/merge.ts";
import { formatSummaryExport, type SummaryExport } from "./summary/data.ts";
import { textSummary } from "./summary/text.ts";
import { buildReport } from "./summary/report.ts";
import { compactTextSummary } from "./summary/compact_text.ts";

/** Exit code of a bad command line of mqload's own commands (`bench`, `merge`, …; bad flag or value). */
export const USAGE_EXIT_CODE = 2;
/**
 * Exit code of a bad `mqload run` command line, a missing script and an unknown command: k6's,
 * whose flag and loader errors carry no code of their own and leave its process's initial -1.
 */
export const RUN_USAGE_EXIT_CODE = 255;

const DEMO_SCRIPT = new URL("../examples/demo.ts", import.meta.url);

/**
 * Runs the `mqload` command line.
 *
 * @param args The arguments (default `Deno.args`).
 * @returns The exit code.
 *
 * @example Usage
 * ```ts ignore
 * import { main } from "@mqload/mqload/cli";
 * const code = await main(["run", "--iterations", "1", "script.ts"]);
 * ```
 */
export async function main(args: string[] = Deno.args): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "-h":
      case "--help":
        writeAll(Deno.stdout, MAIN_HELP);
        return 0;
      case "version":
      case "--version":
        writeAll(Deno.stdout, `mqload ${denoJson.version}\n`);
        return 0;
      case "run":
        return await run(rest);
      case "demo":
        return await demo(rest);
      case "broker":
        return await broker(rest);
      case "merge":
        return await merge(rest);
      case "bench":
        return await (await import("./bench/command.ts")).benchCommand(rest);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const help = ["run", "demo", "broker", "merge", "bench"].includes(command)
      ? `mqload ${command} --help`
      : "mqload --help";
    writeAll(Deno.stderr, `mqload: ${e.message}\nSee '${help}'.\n`);
    // k6's codes where k6 would say it (a mistyped command too); the others' own.
    const own = ["demo", "broker", "merge", "bench"].includes(command);
    return own ? USAGE_EXIT_CODE : RUN_USAGE_EXIT_CODE;
  }
}

async function run(args: string[]): Promise<number> {
  const settings = parseRunArgs(args);
  if (settings === "help") {
    writeAll(Deno.stdout, RUN_HELP);
    return 0;
  }
  // As k6, whose loader error carries no exit code of its own: 255, not a script error's 107.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(settings.script) && !(await exists(settings.script))) {
    writeAll(
      Deno.stderr,
      `mqload: The moduleSpecifier "${settings.script}" couldn't be found on local disk. ` +
        "Make sure that you've specified the right path to the file.\n",
    );
    return RUN_USAGE_EXIT_CODE;
  }
  return await withSignals(settings);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** First SIGINT/SIGTERM: stop gracefully and write the summary; second: exit at once. */
async function withSignals(settings: RunSettings): Promise<number> {
  const stop = new AbortController();
  const removeSignals = onStopSignals(() => stop.abort());
  try {
    const code = await runTest({ ...settings, signal: stop.signal });
    // k6's --linger: the process stays after the summary until Ctrl+C (unless that already came).
    if (settings.linger && !stop.signal.aborted) {
      writeAll(Deno.stderr, "Linger set; waiting for Ctrl+C to continue...\n");
      await new Promise((resolve) => stop.signal.addEventListener("abort", resolve));
    }
    return code;
  } finally {
    removeSignals();
  }
}

async function demo(args: string[]): Promise<number> {
  const settings = parseRunArgs([...args, DEMO_SCRIPT.href]);
  if (settings === "help") {
    writeAll(Deno.stdout, DEMO_HELP + RUN_HELP);
    return 0;
  }
  // -e MQTT_BROKER_ADDRESS=… runs the demo against that broker.
  if (settings.env?.MQTT_BROKER_ADDRESS !== undefined) return await withSignals(settings);
  const { startDemoBroker } = await import("./cli/demo_broker.ts");
  const demoBroker = await startDemoBroker();
  writeAll(Deno.stderr, `demo broker: ${demoBroker.description} on ${demoBroker.url}\n`);
  try {
    return await withSignals({
      ...settings,
      env: {
        MQTT_BROKER_ADDRESS: demoBroker.url,
        MQTT_PROTOCOL_VERSION: String(demoBroker.protocolVersion),
        ...settings.env,
      },
    });
  } finally {
    await demoBroker.close();
  }
}

const DEMO_HELP = `Usage: mqload demo [mqload run flags]

Runs examples/demo.ts for about 15 s against the embedded aedes broker (MQTT 3.1.1) on a free
loopback port; MQLOAD_MOSQUITTO=/path/to/mosquitto runs a private mosquitto (MQTT 5) instead.
-e MQTT_BROKER_ADDRESS=mqtt://host:port runs it against your broker (-e MQTT_PROTOCOL_VERSION=4
for an MQTT 3.1.1 one).

`;

async function broker(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    port: { type: "string", short: "p" },
    host: { type: "string" },
    websocket: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    writeAll(Deno.stdout, BROKER_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const port = values.port === undefined ? 1883 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Invalid value "${values.port}" for --port: expected 0 to 65535`);
  }
  const { startBroker } = await import("./cli/broker.ts");
  const embedded = await startBroker({
    port,
    hostname: (values.host as string | undefined) ?? "127.0.0.1",
    websocket: values.websocket === true,
  });
  writeAll(
    Deno.stderr,
    `MQTT broker listening on ${embedded.url}${
      embedded.wsUrl ? ` and ${embedded.wsUrl}` : ""
    } (Ctrl+C to stop)\n`,
  );
  const stopped = Promise.withResolvers<void>();
  const onSignal = () => stopped.resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    await stopped.promise;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    await embedded.close();
  }
  return 0;
}

async function merge(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    "summary-export": { type: "string" },
    "summary-mode": { type: "string" },
    report: { type: "string" },
    "no-color": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    writeAll(Deno.stdout, MERGE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("mqload merge needs summary files");
  const mode = (values["summary-mode"] as string | undefined) || Deno.env.get("K6_SUMMARY_MODE") ||
    "compact";
  if (mode !== "compact" && mode !== "full" && mode !== "legacy") {
    throw new UsageError(
      `Invalid value "${mode}" for --summary-mode: expected compact, full or legacy`,
    );
  }
  for (const flag of ["summary-export", "report"]) {
    if (values[flag] === "") {
      throw new UsageError(`Invalid value "" for --${flag}: expected a file path`);
    }
  }
  const docs: SummaryExport[] = [];
  for (const path of positionals) {
    try {
      docs.push(JSON.parse(await Deno.readTextFile(path)));
    } catch (e) {
      throw new UsageError(`cannot read summary ${path}: ${(e as Error).message}`);
    }
  }
  let merged: SummaryExport;
  try {
    merged = mergeSummaries(docs);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const exportPath = values["summary-export"] as string | undefined;
  const reportPath = values.report as string | undefined;
  const json = formatSummaryExport(merged) + "\n";
  if (exportPath === undefined) writeAll(Deno.stdout, json);
  else await Deno.writeTextFile(exportPath, json);
  if (exportPath !== undefined || reportPath !== undefined) {
    const noColor = values["no-color"] === true || Deno.env.get("NO_COLOR") !== undefined;
    const data = summaryDataFromExport(merged, {
      isStdOutTTY: Deno.stdout.isTerminal(),
      isStdErrTTY: Deno.stderr.isTerminal(),
      noColor,
    });
    if (exportPath !== undefined) {
      const colors = !noColor && Deno.stdout.isTerminal();
      // The same renderer as `mqload run`, so the same --summary-mode; a merge has no
      // per-group or per-scenario figures, so full adds only the HTTP timings compact leaves out.
      const text = mode === "legacy"
        ? textSummary(data, { enableColors: colors })
        : compactTextSummary(buildReport(data, mode), {
          enableColors: colors,
          summaryTrendStats: data.options.summaryTrendStats,
          summaryTimeUnit: data.options.summaryTimeUnit,
        });
      writeAll(Deno.stdout, "\n" + text + "\n\n");
    }
    if (reportPath !== undefined) {
      const html = renderHtmlReport({
        summary: data,
        title: `${positionals.length} merged segment${positionals.length === 1 ? "" : "s"}`,
        options: { merged: positionals, thresholds: merged.mqload.thresholds ?? {} },
      });
      await Deno.writeTextFile(reportPath, html);
    }
  }
  const failed = failedThresholds(merged);
  for (const f of failed) writeAll(Deno.stderr, `threshold crossed: ${f}\n`);
  return failed.length > 0 ? EXIT_CODES.thresholdsFailed : 0;
}

// deno-lint-ignore no-explicit-any
function parse(args: string[], options: Record<string, any>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify.*$/s, ""));
  }
}

if (import.meta.main) {
  // Relative paths (the script, --summary-export, --out files, --report, K6_* variables) are the
  // user's, as in k6: under `deno task mqload` the process starts in the mqload checkout.
  Deno.chdir(callerDir());
  Deno.exit(await main());
}
