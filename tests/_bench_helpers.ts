/**
 * Helpers of the `mqload bench` tests: run a bench as a subprocess, start one in the background
 * and wait until its clients are connected (or until it prints a line), read the figures of its
 * summary, and follow mosquitto's own count of the publications it received.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Client } from "../mod.ts";
import type { Mosquitto } from "./fixtures/mosquitto.ts";
import { explain, type RunResult, spawnCli } from "./_runner_helpers.ts";

export { explain };

/** `-h 127.0.0.1 -p PORT`: the flags of a bench against a broker on this machine. */
export const brokerFlags = (port: number): string[] => ["-h", "127.0.0.1", "-p", String(port)];

/** A bench running in the background. */
export interface BackgroundBench {
  /** Resolves once its per-second lines say `connect_succ total=<count>`. */
  connected: Promise<void>;
  /** Resolves once its output matches `pattern`; rejects if it ends first. */
  printed(pattern: RegExp): Promise<void>;
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
  const child = spawnCli(["bench", ...args]);
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
  // What the output is awaited for (printed()), and the output so far.
  const awaited = new Map<RegExp, PromiseWithResolvers<void>>();
  let sofar = "";
  let ended: RunResult | undefined;
  const stdout = read(child.stdout, (all) => {
    sofar = all;
    if (marker.test(all)) connected.resolve();
    for (const [pattern, seen] of awaited) if (pattern.test(all)) seen.resolve();
  });
  const stderr = read(child.stderr);
  const done = (async () => {
    const [status, out, err] = await Promise.all([child.status, stdout, stderr]);
    const result = ended = { code: status.code, stdout: out, stderr: err };
    connected.reject(new Error(`the bench ended before connecting:\n${explain(result)}`));
    for (const [pattern, seen] of awaited) seen.reject(notPrinted(pattern, result));
    return result;
  })();
  const printed = (pattern: RegExp) => {
    const seen = Promise.withResolvers<void>();
    if (pattern.test(sofar)) seen.resolve();
    else if (ended !== undefined) seen.reject(notPrinted(pattern, ended));
    else awaited.set(pattern, seen);
    return seen.promise;
  };
  // A test that awaits `done` alone must not see `connected`'s rejection as unhandled.
  connected.promise.catch(() => {});
  return { connected: connected.promise, printed, done, kill: (signal) => child.kill(signal) };
}

function notPrinted(pattern: RegExp, result: RunResult): Error {
  return new Error(`the bench ended without printing ${pattern}:\n${explain(result)}`);
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

/** The `$SYS` counter of the PUBLISH packets mosquitto received from clients. */
const RECEIVED = "$SYS/broker/publish/messages/received";

/** mosquitto's count of the publications it received, as it last published it. */
export interface ReceivedCount {
  /** The count once mosquitto has published it past the bench's end (two updates later). */
  settled(): Promise<number>;
  /** Ends the client that follows it. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Follows mosquitto's count of received publications, updated every second (its config needs
 * `sys_interval 1`).
 *
 * @param mosquitto The broker.
 * @returns The count, to read once the bench has ended.
 */
export async function followReceived(mosquitto: Mosquitto): Promise<ReceivedCount> {
  const watcher = new Client({ client_id: "sys-watcher" });
  let latest = 0;
  let changedAt = Date.now();
  watcher.on("message", (_topic, payload) => {
    latest = Number(new TextDecoder().decode(payload));
    changedAt = Date.now();
  });
  await watcher.connectAsync(mosquitto.url);
  await watcher.subscribeAsync(RECEIVED, { qos: 0 });
  return {
    // mosquitto publishes the count each second it changed: settled once it has not for 2.5 s
    // (a busy broker may still be reading what the bench wrote before it ended; at most 15 s).
    async settled(): Promise<number> {
      const deadline = Date.now() + 15_000;
      const pause = () => new Promise((r) => setTimeout(r, 500));
      await pause();
      while (Date.now() - changedAt < 2500 && Date.now() < deadline) await pause();
      return latest;
    },
    [Symbol.asyncDispose]: () => watcher.endAsync().catch(() => {}),
  };
}

/** Ctrl+C, and the result once the bench exits (within 8 s: a lost Worker takes 10). */
export async function interrupt(pub: BackgroundBench): Promise<RunResult> {
  pub.kill("SIGINT");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exited = await Promise.race([
    pub.done.then(() => true),
    new Promise<false>((r) => timer = setTimeout(() => r(false), 8000)),
  ]);
  clearTimeout(timer);
  const r = await pub.done;
  assert.ok(exited, `still running 8 s after Ctrl+C:\n${explain(r)}`);
  assert.doesNotMatch(r.stderr, /stopped responding|teardown\(\) not run/, explain(r));
  return r;
}
