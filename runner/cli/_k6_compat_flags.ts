/**
 * k6 flags of `mqload run` that k6 command lines carry but that mean little for MQTT:
 * `--compatibility-mode` (checked, k6's values), `--system-tags`, `--address`, `--linger`
 * (accepted, each said once where mqload does not do what k6 would), and `--throw`, which sets
 * k6's option for k6/http's failed requests.
 *
 * @module
 */

import type { TestOptions } from "../config/options.ts";
import { UsageError } from "./usage_error.ts";

/** k6's compatibility modes (`lib.CompatibilityMode`'s names, in k6's order). */
export const COMPATIBILITY_MODES = ["extended", "base", "experimental_enhanced"] as const;

/** The flags' values as `parseArgs` gives them. */
export interface CompatFlagValues {
  /** `--compatibility-mode`. */
  "compatibility-mode"?: string;
  /** `--system-tags`, comma-separated, repeatable. */
  "system-tags"?: string[];
  /** `--throw`. */
  throw?: boolean;
  /** `-a`, `--address`. */
  address?: string;
  /** `-l`, `--linger`. */
  linger?: boolean;
}

/**
 * Checks the flags, sets the options k6 sets for them (`compatibilityMode`, `systemTags`,
 * `throw`, shown in `exec.test.options`) and returns the warnings to print once.
 *
 * @example
 * ```ts
 * import { applyCompatFlags } from "./_k6_compat_flags.ts";
 * const options = {};
 * const warnings = applyCompatFlags({ "compatibility-mode": "base", throw: true }, {}, options);
 * console.assert(warnings.length === 0);
 * ```
 *
 * @param v The flags.
 * @param env The process environment (`K6_COMPATIBILITY_MODE`, `K6_SYSTEM_TAGS`, `K6_THROW`).
 * @param cli The flags' options layer, added to.
 * @returns Warnings, one per flag mqload accepts without k6's effect.
 * @throws {UsageError} With k6's message for an unknown compatibility mode.
 */
export function applyCompatFlags(
  v: CompatFlagValues,
  env: Record<string, string>,
  cli: TestOptions,
): string[] {
  const warnings: string[] = [];
  const mode = v["compatibility-mode"] ?? (env.K6_COMPATIBILITY_MODE || undefined);
  if (mode !== undefined) {
    if (!(COMPATIBILITY_MODES as readonly string[]).includes(mode)) {
      throw new UsageError(
        `Invalid value "${mode}" for --compatibility-mode: invalid compatibility mode "${mode}". ` +
          `Use: "${COMPATIBILITY_MODES.join(`", "`)}"`,
      );
    }
    // Deno runs every mode's scripts (ES modules, CommonJS); the mode changes nothing here.
    cli.compatibilityMode = mode;
  }
  const tags = v["system-tags"]?.flatMap((s) => s.split(",")).map((s) => s.trim())
    .filter((s) => s !== "");
  if (tags !== undefined) {
    cli.systemTags = tags;
    warnings.push(
      "--system-tags is accepted, but mqload emits its fixed set of tags (scenario, group, " +
        "check, and the MQTT ones)",
    );
  }
  // k6's --throw turns failed k6/http requests into exceptions (MQTT calls throw anyway).
  if (v.throw || /^(1|true)$/i.test(env.K6_THROW ?? "")) cli.throw = true;
  if (v.address !== undefined) {
    warnings.push(`--address ${v.address} is accepted, but mqload has no REST API to serve`);
  }
  return warnings;
}
