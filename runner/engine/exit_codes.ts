/**
 * k6's exit codes (`errext/exitcodes`), which `mqload run` returns.
 *
 * @module
 */

/**
 * k6's exit codes by name.
 *
 * @example Usage
 * ```ts
 * import { EXIT_CODES } from "./exit_codes.ts";
 * import assert from "node:assert/strict";
 * assert.equal(EXIT_CODES.thresholdsFailed, 99);
 * ```
 */
export const EXIT_CODES: Readonly<Record<string, number>> = Object.freeze({
  ok: 0,
  thresholdsFailed: 99,
  setupTimeout: 100,
  teardownTimeout: 101,
  invalidConfig: 104,
  externalAbort: 105,
  scriptException: 107,
  scriptAborted: 108,
  markedAsFailed: 110,
});
