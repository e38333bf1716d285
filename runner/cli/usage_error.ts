/**
 * The error of a bad command line, shared by `flags.ts` and the flag parsers split out of it.
 *
 * @module
 */

/**
 * A bad command line (unknown command or flag, bad flag value, missing script): the message
 * names it. The CLI exits with 2, as command-line tools do for usage errors; k6 has no code of
 * its own for these (cobra's errors make it exit with -1, that is 255).
 *
 * @example
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 * const e = new UsageError(`Invalid value "x" for --vus: expected an integer ≥ 0`);
 * console.assert(e.name === "UsageError");
 * ```
 */
export class UsageError extends Error {
  /** @param message What is wrong, naming the flag. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
