/**
 * A `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`) line on Linux: the name, the parent and
 * the CPU time used so far. Read by the runner's busy-Worker hint and by the benches' CPU figures.
 *
 * @module
 */

/** What a stat line tells. */
export interface ProcStat {
  /** The command (thread) name, field 2. */
  name: string;
  /** The parent process id, field 4. */
  ppid: number;
  /** utime + stime, fields 14 and 15, in ms. */
  cpuMs: number;
}

/** Clock ticks per second of the stat times (`getconf CLK_TCK`: USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * Parses a stat line.
 *
 * @param text The file's text.
 * @returns Its name, parent and CPU time.
 *
 * @example Usage
 * ```ts
 * import { parseProcStat } from "./proc_stat.ts";
 * import assert from "node:assert/strict";
 *
 * const line = "42 (worker 1) S 7 42 42 0 -1 4194560 10 0 0 0 150 25 0 0 20 0 3 0 1 0 0";
 * assert.deepEqual(parseProcStat(line), { name: "worker 1", ppid: 7, cpuMs: 1750 });
 * ```
 */
export function parseProcStat(text: string): ProcStat {
  // The name is in parentheses and may hold spaces or parentheses: split after the last one.
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    name: text.slice(text.indexOf("(") + 1, close),
    ppid: Number(fields[1]),
    cpuMs: (ticks * 1000) / TICKS_PER_SECOND,
  };
}

/**
 * The stat of a process (or, with a `/proc/<pid>/task/<tid>` path, of a thread), or undefined when
 * it is gone or there is no `/proc`.
 *
 * @param path Such as `/proc/1234` or `/proc/self/task/5678`.
 * @returns Its stat, or undefined.
 *
 * @example Usage
 * ```ts ignore
 * import { readProcStat } from "./proc_stat.ts";
 * console.log(readProcStat("/proc/self")?.cpuMs);
 * ```
 */
export function readProcStat(path: string): ProcStat | undefined {
  try {
    return parseProcStat(Deno.readTextFileSync(`${path}/stat`));
  } catch {
    return undefined;
  }
}
