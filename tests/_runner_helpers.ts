/**
 * Helpers of the runner's end-to-end tests: write a script to a temporary directory, run
 * `mqload run` on it as a subprocess (`deno run -A runner/cli.ts`), and read its outputs.
 *
 * @module
 */

import type { SummaryExport } from "../runner/summary/data.ts";
import { startMosquitto } from "./fixtures/mosquitto.ts";

/** The repository root (the subprocess runs there, so deno.json applies). */
export const ROOT: string = new URL("..", import.meta.url).pathname;
/** The CLI entry. */
export const CLI: string = new URL("../runner/cli.ts", import.meta.url).pathname;

/** What a run produced. */
export interface RunResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs `mqload` with arguments.
 *
 * @param args Arguments after `mqload`.
 * @param env Extra environment variables.
 * @returns Exit code and outputs.
 */
export async function mqload(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/**
 * Starts `mqload` with arguments, its outputs piped.
 *
 * @param args Arguments after `mqload`.
 * @returns The process.
 */
export function spawnCli(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** A `mqload` subprocess whose standard error is read as it comes (see {@linkcode spawnMqload}). */
export interface SpawnedRun {
  child: Deno.ChildProcess;
  /** Resolves once standard error holds `text` (or has ended), with what it read so far. */
  until(text: string): Promise<string>;
  /** Resolves with all of standard error once it ends. */
  rest(): Promise<string>;
}

/**
 * Starts `mqload` with arguments, for a test that signals it while it runs.
 *
 * @param args Arguments after `mqload`.
 * @returns The process and its standard error.
 */
export function spawnMqload(args: string[]): SpawnedRun {
  const child = spawnCli(args);
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let err = "";
  const readUntil = async (done: () => boolean) => {
    while (!done()) {
      const chunk = await reader.read();
      if (chunk.done) return err;
      err += chunk.value;
    }
    return err;
  };
  return {
    child,
    until: (text) => readUntil(() => err.includes(text)),
    rest: () => readUntil(() => false),
  };
}

/** A temporary directory for a test's scripts and outputs. */
export class TempDir {
  /** Its path. */
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** Creates one. */
  static async create(): Promise<TempDir> {
    return new TempDir(await Deno.makeTempDir({ prefix: "mqload-test-" }));
  }

  /**
   * Writes a file.
   *
   * @param name File name.
   * @param text Content.
   * @returns Its path.
   */
  async write(name: string, text: string): Promise<string> {
    const path = `${this.path}/${name}`;
    await Deno.writeTextFile(path, text);
    return path;
  }

  /**
   * Reads a file.
   *
   * @param name File name.
   * @returns Its text.
   */
  read(name: string): Promise<string> {
    return Deno.readTextFile(`${this.path}/${name}`);
  }

  /** Removes the directory. */
  async remove(): Promise<void> {
    await Deno.remove(this.path, { recursive: true });
  }
}

/** A run with its summary export. */
export interface ScriptRun extends RunResult {
  /** The `--summary-export` document. */
  summary: SummaryExport;
}

/**
 * Writes `source` as a script and runs it quietly with `--summary-export`.
 *
 * @param dir Where to write.
 * @param source The script.
 * @param args More `mqload run` flags.
 * @param name Script file name.
 * @returns The result and the parsed summary (`undefined` fields when none was written).
 */
export async function runScript(
  dir: TempDir,
  source: string,
  args: string[] = [],
  name = "script.js",
): Promise<ScriptRun> {
  const script = await dir.write(name, source);
  const summaryPath = `${dir.path}/${name}.summary.json`;
  const result = await mqload(["run", "-q", "--summary-export", summaryPath, ...args, script]);
  let summary = undefined as unknown as SummaryExport;
  try {
    summary = JSON.parse(await Deno.readTextFile(summaryPath));
  } catch { /* no summary: the test asserts the exit code */ }
  return { ...result, summary };
}

/**
 * The `count` of a counter (or submetric) in a summary export, 0 when absent.
 *
 * @param summary The export.
 * @param key Metric key, such as `iterations{scenario:a}`.
 * @returns The count.
 */
export function count(summary: SummaryExport, key: string): number {
  return (summary.metrics[key] as Record<string, number> | undefined)?.count ?? 0;
}

/**
 * Explains a failed run in assertion messages.
 *
 * @param r The run.
 * @returns Its exit code and outputs.
 */
export function explain(r: RunResult): string {
  return `exit ${r.code}\n--- stderr\n${r.stderr.slice(-4000)}\n--- stdout\n${
    r.stdout.slice(-2000)
  }`;
}

/**
 * Runs a script against a mosquitto of its own, whose URL it reads as `__ENV.BROKER`.
 *
 * @param script The script.
 * @param args More `mqload run` flags.
 * @param name Script file name.
 * @returns The run's outputs.
 */
export async function runOnMosquitto(
  script: string,
  args: string[] = [],
  name?: string,
): Promise<ScriptRun> {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    return await runScript(dir, script, ["-e", `BROKER=${broker.url}`, ...args], name);
  } finally {
    await dir.remove();
  }
}
