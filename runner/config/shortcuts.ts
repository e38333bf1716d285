/**
 * k6's shortcut options (`vus`, `duration`, `iterations`, `stages`) as the scenarios they make.
 *
 * @module
 */

import { parseDuration } from "./duration.ts";
import { InvalidConfigError } from "./invalid_config.ts";
import type { TestOptions } from "./options.ts";

/**
 * The options as `exec.test.options` shows them: with the scenarios that the shortcut options
 * (`vus`, `duration`, `iterations`, `stages`) make, as k6 derives them before the run.
 *
 * @param o Consolidated options.
 * @returns `o`, with `scenarios` when the shortcuts made them.
 *
 * @example Usage
 * ```ts
 * import { exposedOptions } from "./options.ts";
 * import assert from "node:assert/strict";
 *
 * const o = exposedOptions({ vus: 3, duration: "1s" });
 * assert.deepEqual(o.scenarios, { default: { executor: "constant-vus", duration: "1s", vus: 3 } });
 * ```
 */
export function exposedOptions(o: TestOptions): TestOptions {
  if (o.scenarios !== undefined) return o;
  try {
    return { ...o, scenarios: deriveScenarios(o).scenarios as TestOptions["scenarios"] };
  } catch {
    return o; // Conflicting shortcuts: the plan reports them.
  }
}

/**
 * k6's `DeriveScenariosFromShortcuts`: `iterations` → shared-iterations, `duration` →
 * constant-vus, `stages` → ramping-vus, `vus` alone → shared-iterations with `vus`
 * iterations, nothing → one iteration of one VU (per-vu-iterations).
 *
 * @param o Consolidated options.
 * @returns The scenarios, and warnings to print.
 * @throws {InvalidConfigError} When shortcut options conflict.
 */
export function deriveScenarios(
  o: TestOptions,
): { scenarios: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const stages = o.stages !== undefined && o.stages.length > 0 ? o.stages : undefined;
  const conflict = (a: string, b: string) =>
    new InvalidConfigError([`using \`${a}\` and \`${b}\` options simultaneously is not allowed`]);
  if (o.iterations !== undefined) {
    if (stages) throw conflict("iterations", "stages");
    if (o.scenarios !== undefined) throw conflict("iterations", "scenarios");
    const s: Record<string, unknown> = { executor: "shared-iterations", iterations: o.iterations };
    if (o.vus !== undefined) s.vus = o.vus;
    if (o.duration !== undefined) s.maxDuration = o.duration;
    return { scenarios: { default: s }, warnings };
  }
  if (o.duration !== undefined) {
    if (stages) throw conflict("duration", "stages");
    if (o.scenarios !== undefined) throw conflict("duration", "scenarios");
    const ms = parseDuration(o.duration);
    if (ms !== undefined && ms <= 0) {
      throw new InvalidConfigError([
        "`duration` option should be more than 0, for infinite duration use the externally-controlled executor",
      ]);
    }
    const s: Record<string, unknown> = { executor: "constant-vus", duration: o.duration };
    if (o.vus !== undefined) s.vus = o.vus;
    return { scenarios: { default: s }, warnings };
  }
  if (stages) {
    if (o.scenarios !== undefined) throw conflict("stages", "scenarios");
    const s: Record<string, unknown> = { executor: "ramping-vus", stages };
    if (o.vus !== undefined) s.startVUs = o.vus;
    return { scenarios: { default: s }, warnings };
  }
  if (o.vus !== undefined && o.scenarios === undefined) {
    return {
      scenarios: { default: { executor: "shared-iterations", vus: o.vus, iterations: o.vus } },
      warnings,
    };
  }
  if (o.scenarios !== undefined && Object.keys(o.scenarios).length > 0) {
    if (o.vus !== undefined) {
      warnings.push(
        `the \`vus=${o.vus}\` option will be ignored, it only works in conjunction with ` +
          "`iterations`, `duration`, or `stages`",
      );
    }
    return { scenarios: o.scenarios, warnings };
  }
  if (o.stages !== undefined) {
    warnings.push(
      "`stages` was explicitly set to an empty value, running the script with 1 iteration in 1 VU",
    );
  }
  if (o.scenarios !== undefined) {
    warnings.push(
      "`scenarios` was explicitly set to an empty value, running the script with 1 iteration in 1 VU",
    );
  }
  return { scenarios: { default: { executor: "per-vu-iterations" } }, warnings };
}
