/**
 * k6's JSON config file (`-c`/`--config`, `K6_CONFIG`): the options layer above the defaults
 * and below the script's `options`. k6's file holds its options at the top level beside a few
 * settings of its own (`out`, `linger`, `collectors`…), which are not test options.
 *
 * @module
 */

import { InvalidConfigError, type TestOptions } from "./options.ts";

/** k6's `Config` keys that are not test options: left out of the options layer. */
const NOT_OPTIONS = ["out", "linger", "noUsageReport", "collectors", "webDashboard"];

/**
 * Reads a k6 config file.
 *
 * @example
 * ```ts
 * import { readConfigFile } from "./config_file.ts";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, `{"vus": 2, "duration": "1s"}`);
 * const { options } = await readConfigFile(path);
 * console.assert(options.vus === 2);
 * await Deno.remove(path);
 * ```
 *
 * @param path The file.
 * @returns Its options, and `ignored`: the k6 settings in it mqload does not take from a file.
 * @throws {InvalidConfigError} When it cannot be read, is not JSON, or not an object (k6 exits
 * 104 for these too).
 */
export async function readConfigFile(
  path: string,
): Promise<{ options: TestOptions; ignored: string[] }> {
  const fail = (why: string) =>
    new InvalidConfigError([
      `failed to load the configuration file from the local file system: ${why}`,
    ]);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw fail(`couldn't load the configuration from "${path}": ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw fail(`couldn't parse the configuration from "${path}": ${(e as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw fail(`couldn't parse the configuration from "${path}": expected a JSON object`);
  }
  const options: TestOptions = {};
  const ignored: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    // null is k6's "not set" (what `k6 login` writes beside the token).
    if (v === null) continue;
    if (NOT_OPTIONS.includes(k)) ignored.push(k);
    else options[k] = v;
  }
  return { options, ignored };
}
