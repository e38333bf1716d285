/**
 * The error of invalid options, with every problem found.
 *
 * @module
 */

/**
 * Raised for invalid options: the CLI exits with k6's code 104.
 *
 * @example Usage
 * ```ts
 * import { InvalidConfigError } from "./invalid_config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new InvalidConfigError(["bad vus"]).message, "bad vus");
 * ```
 */
export class InvalidConfigError extends Error {
  /** Every problem found. */
  readonly problems: string[];

  /**
   * Creates the error.
   *
   * @param problems Every problem found.
   */
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : problems.map((p) => `\n  - ${p}`).join(""));
    this.name = "InvalidConfigError";
    this.problems = problems;
  }
}
