/**
 * CPU time and wakeups of processes from `/proc`: user plus system time of a process (all its
 * threads: the runner's Workers are threads of one process) and of its descendants, and how
 * often their threads slept and were woken.
 *
 * @module
 */

import { type ProcStat, readProcStat } from "../runner/engine/proc_stat.ts";

function allPids(): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (Number.isInteger(pid)) pids.push(pid);
  }
  return pids;
}

/** Voluntary context switches of one process's threads: how often they slept and were woken. */
function wakesOf(pid: number): number {
  let wakes = 0;
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const status = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/status`);
      const line = status.match(/^voluntary_ctxt_switches:\s*(\d+)/m);
      if (line !== null) wakes += Number(line[1]);
    }
  } catch { /* gone */ }
  return wakes;
}

/** What a process tree has used so far. */
export interface TreeUsage {
  /** Milliseconds of user and system time. */
  cpuMs: number;
  /**
   * How many times its threads slept and were woken: their voluntary context switches (an
   * event loop that sleeps in `epoll_wait` and wakes to handle what arrived counts one per
   * wakeup).
   */
  wakes: number;
}

/**
 * The CPU time and wakeups used so far by `pid` and every living descendant.
 *
 * @param pid The root process.
 * @returns Their sums.
 */
export function treeUsage(pid: number): TreeUsage {
  const stats = new Map<number, ProcStat>();
  for (const p of allPids()) {
    const s = readProcStat(`/proc/${p}`);
    if (s !== undefined) stats.set(p, s);
  }
  const inTree = (p: number): boolean => {
    for (let at = p, hops = 0; at > 1 && hops < 64; hops++) {
      if (at === pid) return true;
      at = stats.get(at)?.ppid ?? 0;
    }
    return false;
  };
  const usage = { cpuMs: 0, wakes: 0 };
  for (const [p, s] of stats) {
    if (!inTree(p)) continue;
    usage.cpuMs += s.cpuMs;
    usage.wakes += wakesOf(p);
  }
  return usage;
}

/**
 * The pid of the process whose command line contains `needle` (such as a mosquitto's config
 * file path), or undefined.
 *
 * @param needle Text to find in `/proc/<pid>/cmdline`.
 * @returns The first matching pid.
 */
export function pidByCommandLine(needle: string): number | undefined {
  for (const pid of allPids()) {
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
      if (cmdline.includes(needle) && pid !== Deno.pid) return pid;
    } catch { /* gone */ }
  }
  return undefined;
}
