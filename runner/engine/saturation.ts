/**
 * The hint that the default Worker count holds a run back. By default a run places its VUs on one
 * Worker per 2,000 VUs (`defaultWorkers`): cheaper for light loads, but a few VUs that each
 * publish flat out then share one core. When a VU Worker keeps a core busy while the machine has
 * cores to spare, the run says so once and names `--workers`. It reads the threads' CPU time from
 * `/proc/self/task` (Linux); elsewhere it stays silent.
 *
 * @module
 */

import { VUS_PER_WORKER } from "./placement.ts";
import { readProcStat } from "./proc_stat.ts";

/** One thread's name and CPU time (user + system), ms. */
export interface ThreadCpu {
  name: string;
  cpuMs: number;
}

/**
 * This process's threads and their CPU time, from `/proc/self/task`; undefined where there is no
 * such directory.
 *
 * @returns The threads, or undefined.
 */
export function readThreads(): ThreadCpu[] | undefined {
  const threads: ThreadCpu[] = [];
  try {
    for (const entry of Deno.readDirSync("/proc/self/task")) {
      // Undefined when the thread ended meanwhile.
      const stat = readProcStat(`/proc/self/task/${entry.name}`);
      if (stat !== undefined) threads.push({ name: stat.name, cpuMs: stat.cpuMs });
    }
  } catch {
    return undefined;
  }
  return threads;
}

/** How the watch samples and when it speaks. */
export interface SaturationOptions {
  /** Reads the threads (default {@linkcode readThreads}). */
  read?: () => ThreadCpu[] | undefined;
  /** Which threads run VUs (default Deno's Worker threads, `worker-N`). */
  isVuThread?: (name: string) => boolean;
  /** Ms between two readings (default 2,000). */
  intervalMs?: number;
  /** Readings in a row at or above `busy` that make a Worker saturated (default 3). */
  readings?: number;
  /** Share of a core that counts as busy (default 0.9). */
  busy?: number;
  /** Called once, the first time a Worker is saturated. */
  onSaturated: () => void;
}

/**
 * Watches the VU Workers' CPU until stopped; calls `onSaturated` once when one keeps a core busy
 * for `readings` readings in a row.
 *
 * @param options The sampling and the callback.
 * @returns Stops the watch.
 */
export function watchSaturation(options: SaturationOptions): () => void {
  const read = options.read ?? readThreads;
  const isVuThread = options.isVuThread ?? ((name: string) => name.startsWith("worker-"));
  const intervalMs = options.intervalMs ?? 2000;
  const needed = options.readings ?? 3;
  const busy = options.busy ?? 0.9;
  let last = new Map<string, number>();
  let lastAt = performance.now();
  const streaks = new Map<string, number>();
  const sample = (): boolean => {
    const threads = read();
    if (threads === undefined) return true;
    const now = performance.now();
    const elapsed = now - lastAt;
    const current = new Map<string, number>();
    let saturated = false;
    for (const { name, cpuMs } of threads) {
      if (!isVuThread(name)) continue;
      // Threads may share a name: each one's key is its name and its order among them.
      let key = name;
      for (let i = 1; current.has(key); i++) key = `${name}#${i}`;
      current.set(key, cpuMs);
      const before = last.get(key);
      if (before === undefined || elapsed <= 0) continue;
      const streak = (cpuMs - before) / elapsed >= busy ? (streaks.get(key) ?? 0) + 1 : 0;
      streaks.set(key, streak);
      if (streak >= needed) saturated = true;
    }
    last = current;
    lastAt = now;
    if (saturated) options.onSaturated();
    return saturated;
  };
  sample();
  const timer = setInterval(() => {
    if (sample()) clearInterval(timer);
  }, intervalMs);
  // A watch must never keep the process alive.
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}

/**
 * What the run says when a Worker kept a core busy: more Workers may help. When they would take
 * every core, a broker on the same machine loses the cores it runs on (fan-out against a local
 * mosquitto on 2 cores: 54k msg/s with 2 Workers, 69k/s with 1), so the advice says that too.
 *
 * @param workers The Workers the VUs run on.
 * @param most The Workers the advice names (no more than the cores, nor the VUs).
 * @param cores The machine's cores.
 * @returns One line.
 *
 * @example Usage
 * ```ts
 * import { saturationAdvice } from "./saturation.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(saturationAdvice(1, 2, 2), /--workers 2 .*unless a broker on this machine/);
 * assert.doesNotMatch(saturationAdvice(1, 4, 8), /unless/);
 * ```
 */
export function saturationAdvice(workers: number, most: number, cores: number): string {
  // A core left over after `most` Workers is one a local broker can still run on.
  const caveat = most + 1 > cores ? " (unless a broker on this machine needs those cores)" : "";
  return `a Worker has kept a CPU core busy for several seconds: mqload may be what limits this ` +
    `run. Its VUs run on ${workers} Worker${workers === 1 ? "" : "s"} (one per ` +
    `${VUS_PER_WORKER.toLocaleString("en")} VUs by default); --workers ${most} spreads ` +
    `them over ${most}${caveat}`;
}
