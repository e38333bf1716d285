/**
 * The Workers' watchdog. A Worker reports every second, and before each reply, unless its
 * thread is blocked (a VU in a synchronous endless loop) or gone (a script calling
 * `Deno.exit()` or `close()`: Deno ends the Worker silently). Past these silences it is
 * declared lost, so the run cannot hang.
 *
 * @module
 */

import type { WorkerHandle } from "./worker_pool.ts";

/** How long a Worker may stay silent before the test clock starts, and while it runs. */
const SILENCE_MS = { beforeStart: 60_000, running: 10_000 } as const;

/** Watches that every Worker keeps reporting. */
export class Watchdog {
  readonly #heard = new Map<WorkerHandle, number>();
  readonly #lost = new Set<WorkerHandle>();
  readonly #onLost: (w: WorkerHandle, why: string) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastWatch = performance.now();
  #running = false;

  /** @param onLost Called once for a Worker declared lost (crashed or silent too long). */
  constructor(onLost: (w: WorkerHandle, why: string) => void) {
    this.#onLost = onLost;
  }

  /** Starts watching a Worker. */
  watch(w: WorkerHandle): void {
    this.#heard.set(w, performance.now());
    this.#timer ??= setInterval(() => this.#check(), 1000);
  }

  /** A Worker spoke. */
  heard(w: WorkerHandle): void {
    this.#heard.set(w, performance.now());
  }

  /** The test clock started: the shorter silence applies, counted from now. */
  running(): void {
    this.#running = true;
    for (const w of this.#heard.keys()) this.#heard.set(w, performance.now());
  }

  /**
   * Declares a Worker lost, once.
   *
   * @returns False when it already was.
   */
  lose(w: WorkerHandle, why: string): boolean {
    if (this.#lost.has(w)) return false;
    this.#lost.add(w);
    this.#onLost(w, why);
    return true;
  }

  /** Whether a Worker is lost (crashed, or silent too long and terminated). */
  isLost(w: WorkerHandle): boolean {
    return this.#lost.has(w);
  }

  /** Stops watching. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const limit = this.#running ? SILENCE_MS.running : SILENCE_MS.beforeStart;
    const now = performance.now();
    const late = now - this.#lastWatch > 2000;
    this.#lastWatch = now;
    // A main thread that was itself blocked has not read the Workers' messages yet.
    if (late) return;
    for (const [w, at] of this.#heard) {
      if (this.#lost.has(w) || now - at < limit) continue;
      this.lose(
        w,
        `Worker ${w.index} stopped responding for ${limit / 1000}s: a VU either blocks its ` +
          "thread (synchronous code that never returns) or ended it (Deno.exit(), close() or " +
          "process.exit() in the script); its VUs and their last second of metrics are lost",
      );
    }
  }
}
