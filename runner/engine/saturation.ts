/**
 * The hint that the default Worker count holds a run back. By default a run places its VUs on one
 * Worker per 2,000 VUs (`defaultWorkers`): cheaper for light loads, but a few VUs that each
 * publish flat out then share one core. When a VU Worker keeps a core busy while the machine has
 * cores to spare, the run says so once and names `--workers`. It reads the threads' CPU time from
 * `/proc/self/task` (Linux); elsewhere it stays silent.
 *
 * @module
 */

/** One thread's name and CPU time (user + system), ms. */
export interface ThreadCpu {
  name: string;
  cpuMs: number;
}

// Clock ticks per second of /proc times (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND = 100;

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
      try {
        const stat = Deno.readTextFileSync(`/proc/self/task/${entry.name}/stat`);
        // The name (field 2) is in parentheses and may hold spaces: split after it.
        const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const ticks = Number(fields[11]) + Number(fields[12]);
        threads.push({ name, cpuMs: (ticks * 1000) / TICKS_PER_SECOND });
      } catch {
        // The thread ended meanwhile.
      }
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
