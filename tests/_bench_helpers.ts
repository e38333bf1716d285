/**
 * Helpers of the `mqload bench` tests: run a bench as a subprocess, start one in the background
 * and wait until its clients are connected, and read the figures of its summary.
 *
 * @module
 */

import { CLI, explain, ROOT, type RunResult } from "./_runner_helpers.ts";

export { explain };

/** `-h 127.0.0.1 -p PORT`: the flags of a bench against a broker on this machine. */
export const brokerFlags = (port: number): string[] => ["-h", "127.0.0.1", "-p", String(port)];

/** A bench running in the background. */
export interface BackgroundBench {
  /** Resolves once its per-second lines say `connect_succ total=<count>`. */
  connected: Promise<void>;
  /** Resolves with its result when it exits. */
  done: Promise<RunResult>;
  /** Sends it a signal (SIGINT: Ctrl+C). */
  kill(signal: Deno.Signal): void;
}

/**
 * Starts `mqload bench …` in the background.
 *
 * @param args Arguments after `mqload bench`.
 * @param count The clients it connects (what `connected` waits for).
 * @returns The running bench.
 */
export function startBench(args: string[], count: number): BackgroundBench {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "bench", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const connected = Promise.withResolvers<void>();
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>, onText?: (all: string) => void) => {
    let all = "";
    for await (const chunk of stream) {
      all += decoder.decode(chunk, { stream: true });
      onText?.(all);
    }
    return all;
  };
  const marker = new RegExp(`connect_succ total=${count} `);
  const stdout = read(child.stdout, (all) => {
    if (marker.test(all)) connected.resolve();
  });
  const stderr = read(child.stderr);
  const done = (async () => {
    const [status, out, err] = await Promise.all([child.status, stdout, stderr]);
    const result = { code: status.code, stdout: out, stderr: err };
    connected.reject(new Error(`the bench ended before connecting:\n${explain(result)}`));
    return result;
  })();
  // A test that awaits `done` alone must not see `connected`'s rejection as unhandled.
  connected.promise.catch(() => {});
  return { connected: connected.promise, done, kill: (signal) => child.kill(signal) };
}

/**
 * Runs `mqload bench …` to its end.
 *
 * @param args Arguments after `mqload bench`.
 * @returns Its result.
 */
export async function bench(args: string[]): Promise<RunResult> {
  return await startBench(args, -1).done;
}

/**
 * A counter's total in a bench summary (`  recv        1000  …`).
 *
 * @param stdout The bench's output.
 * @param name Such as `recv`, `lost`, `connect_succ`.
 * @returns The total, or NaN when the summary has no such line.
 */
export function total(stdout: string, name: string): number {
  const summary = stdout.slice(stdout.lastIndexOf("summary ("));
  const match = new RegExp(`^  ${name}\\s+(-?\\d+)`, "m").exec(summary);
  return match === null ? NaN : Number(match[1]);
}

/**
 * The per-publisher faults a sub summary lists (`bench/3: 12/0/0`).
 *
 * @param stdout The bench's output.
 * @returns Publisher to [lost, duplicated, out of order].
 */
export function faultsByPublisher(stdout: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of stdout.matchAll(/^ {4}(\S+): (-?\d+)\/(\d+)\/(\d+)$/gm)) {
    out.set(m[1], [Number(m[2]), Number(m[3]), Number(m[4])]);
  }
  return out;
}
