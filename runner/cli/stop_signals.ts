/**
 * Ctrl+C as k6 takes it: the first SIGINT (or SIGTERM) stops the test gracefully and its summary
 * is still written; a second one exits at once.
 *
 * @module
 */

import { EXIT_CODES } from "../engine/exit_codes.ts";

/**
 * Signals this close to the first are the same Ctrl+C delivered twice, not a second press: a
 * terminal sends SIGINT to its whole foreground process group, and `deno task` (README's way to
 * start mqload) forwards the one it gets to the command it runs, so mqload gets two within a
 * few milliseconds. A person pressing Ctrl+C again takes longer than this.
 */
export const SAME_PRESS_MS = 300;

/**
 * Calls `stop` on the first SIGINT/SIGTERM (SIGINT only on Windows) and exits with k6's code
 * for an external abort on a later one, unless it comes within {@linkcode SAME_PRESS_MS}.
 *
 * @param stop Stops the test gracefully.
 * @returns Removes the listeners.
 *
 * @example Usage
 * ```ts
 * import { onStopSignals } from "./stop_signals.ts";
 * const stop = new AbortController();
 * const remove = onStopSignals(() => stop.abort());
 * // ... run until done or stopped ...
 * remove();
 * ```
 */
export function onStopSignals(stop: () => void): () => void {
  let firstAt: number | undefined;
  const onSignal = () => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      stop();
    } else if (now - firstAt >= SAME_PRESS_MS) Deno.exit(EXIT_CODES.externalAbort);
  };
  const names: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const name of names) Deno.addSignalListener(name, onSignal);
  return () => {
    for (const name of names) Deno.removeSignalListener(name, onSignal);
  };
}
