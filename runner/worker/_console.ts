/**
 * The Worker's `console`: k6's log lines on stderr, through the main thread.
 *
 * @module
 */

import type { LogLine } from "./messages.ts";

/** Where the lines go (the Worker's runtime). */
export interface ConsoleHost {
  log(line: LogLine): void;
}

/**
 * k6 prints console output as log lines on stderr (`INFO[0001] text source=console`), objects and
 * arrays as JSON (`{"a":1}`), so log-parsing tools see the same lines.
 */
export function installConsole(host: ConsoleHost): void {
  const show = (a: unknown): string => {
    if (typeof a === "string") return a;
    if (a !== null && typeof a === "object" && !(a instanceof Error)) {
      try {
        const json = JSON.stringify(a);
        if (json !== undefined) return json;
      } catch { /* circular or a BigInt inside: inspected below */ }
    }
    return typeof a === "object" || typeof a === "function"
      ? Deno.inspect(a, { colors: false, depth: 4 })
      : String(a);
  };
  const format = (args: unknown[]) => args.map(show).join(" ");
  const levels = {
    log: "info",
    info: "info",
    warn: "warn",
    error: "error",
    debug: "debug",
  } as const;
  for (const [method, level] of Object.entries(levels)) {
    (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
      host.log({ level, text: format(args), source: "source=console" });
  }
}
