/**
 * A flag given twice, as emqtt-bench reads it (getopt's list, then `proplists:get_value`): its
 * first value counts, but for `bench sub`'s `-t`, every one of which it subscribes to.
 *
 * @module
 */

type FlagOptions = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

/**
 * The options with every string flag taking repeats, for `parseArgs`.
 *
 * @example Usage
 * ```ts
 * import { takingRepeats } from "./_repeated_flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(takingRepeats({ qos: { type: "string" } }), {
 *   qos: { type: "string", multiple: true },
 * });
 * ```
 *
 * @param options The flags.
 * @returns The same flags, string ones `multiple`.
 */
export function takingRepeats<T extends FlagOptions>(options: T): T {
  const out: FlagOptions = {};
  for (const [name, option] of Object.entries(options)) {
    out[name] = option.type === "string" ? { ...option, multiple: true } : option;
  }
  return out as T;
}

/**
 * Each flag's first value, but for the flags meant to be repeated (`keep`), whose lists stay.
 *
 * @example Usage
 * ```ts
 * import { firstValues } from "./_repeated_flags.ts";
 * import assert from "node:assert/strict";
 *
 * const v = firstValues({ qos: ["1", "2"], out: ["a", "b"], quiet: true }, new Set(["out"]));
 * assert.deepEqual(v, { qos: "1", out: ["a", "b"], quiet: true });
 * ```
 *
 * @param values What `parseArgs` gave.
 * @param keep The flags whose every value counts.
 * @returns The values to read.
 */
export function firstValues(
  values: Record<string, unknown>,
  keep: ReadonlySet<string>,
): Record<string, string | string[] | boolean | undefined> {
  const out: Record<string, string | string[] | boolean | undefined> = {};
  for (const [name, value] of Object.entries(values)) {
    out[name] = Array.isArray(value) && !keep.has(name) ? value[0] : value as string | boolean;
  }
  return out;
}
