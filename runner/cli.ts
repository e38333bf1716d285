/**
 * The `mqload` command: `run` k6-style load tests of MQTT, `demo`, `broker`, `merge`.
 *
 * ```sh
 * deno run -A jsr:@mqload/mqload/cli run --vus 10 --duration 30s script.ts
 * deno task mqload run -e MQTT_BROKER_ADDRESS=mqtt://127.0.0.1:1883 examples/pubsub_qos.js
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
import { EXIT_CODES, type RunSettings, runTest } from "./engine.ts";
import { MAIN_HELP, parseRunArgs, RUN_HELP, UsageError } from "./_flags.ts";
import { writeAll } from "./_finish.ts";
import { failedThresholds, mergeSummaries } from "./merge.ts";
import { formatSummaryExport, type SummaryExport } from "./summary.ts";

/** Exit code of a bad command line (unknown command or flag, bad value). */
export const USAGE_EXIT_CODE = 2;

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
      default:
        throw new UsageError(`unknown command "${command}" (see mqload --help)`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    writeAll(Deno.stderr, `mqload: ${e.message}\n`);
    return USAGE_EXIT_CODE;
  }
}

async function run(args: string[]): Promise<number> {
  const settings = parseRunArgs(args);
  if (settings === "help") {
    writeAll(Deno.stdout, RUN_HELP);
    return 0;
  }
  return await withSignals(settings);
}

/** First SIGINT/SIGTERM: stop gracefully and write the summary; second: exit at once. */
async function withSignals(settings: RunSettings): Promise<number> {
  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) Deno.exit(EXIT_CODES.externalAbort);
    stop.abort();
  };
  const names: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const name of names) Deno.addSignalListener(name, onSignal);
  try {
    return await runTest({ ...settings, signal: stop.signal });
  } finally {
    for (const name of names) Deno.removeSignalListener(name, onSignal);
  }
}

async function demo(args: string[]): Promise<number> {
  const settings = parseRunArgs([...args, DEMO_SCRIPT.href]);
  if (settings === "help") {
    writeAll(Deno.stdout, "Usage: mqload demo [mqload run flags]\n\n" + RUN_HELP);
    return 0;
  }
  const { startBroker } = await import("./broker.ts");
  const embedded = await startBroker({ port: 0 });
  writeAll(Deno.stderr, `embedded MQTT broker listening on ${embedded.url}\n`);
  try {
    return await withSignals({
      ...settings,
      env: { MQTT_BROKER_ADDRESS: embedded.url, ...settings.env },
    });
  } finally {
    await embedded.close();
  }
}

async function broker(args: string[]): Promise<number> {
  const { values } = parse(args, {
    port: { type: "string", short: "p" },
    host: { type: "string" },
    websocket: { type: "boolean" },
  });
  const port = values.port === undefined ? 1883 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Invalid value "${values.port}" for --port: expected 0 to 65535`);
  }
  const { startBroker } = await import("./broker.ts");
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
  const { positionals } = parse(args, {});
  if (positionals.length === 0) throw new UsageError("mqload merge needs summary files");
  const docs: SummaryExport[] = [];
  for (const path of positionals) {
    try {
      docs.push(JSON.parse(await Deno.readTextFile(path)));
    } catch (e) {
      throw new UsageError(`cannot read summary ${path}: ${(e as Error).message}`);
    }
  }
  const merged = mergeSummaries(docs);
  writeAll(Deno.stdout, formatSummaryExport(merged) + "\n");
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

if (import.meta.main) Deno.exit(await main());
