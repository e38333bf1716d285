/**
 * The `--v8-flags=…` of `deno task mqload` (deno.json), so that benches start the runner the way
 * users do.
 *
 * @module
 */

/** Reads the `--v8-flags=…` word of deno.json's `mqload` task. */
export function mqloadTaskV8Flags(): string {
  const config = JSON.parse(
    Deno.readTextFileSync(new URL("../deno.json", import.meta.url)),
  ) as { tasks: Record<string, string> };
  const flag = config.tasks.mqload.split(" ").find((word) => word.startsWith("--v8-flags="));
  if (flag === undefined) throw new Error("deno.json's mqload task sets no --v8-flags");
  return flag;
}
