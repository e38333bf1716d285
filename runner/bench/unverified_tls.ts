/**
 * `-S` without `--cacertfile`, as emqtt-bench's `verify_none`: the broker's certificate is not
 * verified. Deno has no per-connection switch to skip verifying a certificate's chain, only the
 * process-wide `--unsafely-ignore-certificate-errors=HOST`: the bench runs itself again under
 * it, for the broker's host alone. A compiled mqload cannot be given Deno flags: it verifies,
 * and says so.
 *
 * @module
 */

/** Set in the re-run bench, so that it does not run itself again. */
export const UNVERIFIED_ENV = "MQLOAD_BENCH_UNVERIFIED_TLS";

/** The line the bench prints when it does not verify the certificate. */
export const UNVERIFIED_NOTE =
  "mqload bench: TLS (-S, or an mqtts:// or wss:// --url) without --cacertfile: the server certificate is " +
  "not verified (as emqtt-bench's verify_none); give --cacertfile CA.pem to verify it\n";

/** The line the bench prints when it cannot skip verifying. */
export const CANNOT_SKIP_NOTE = "mqload bench: TLS without --cacertfile: this mqload cannot skip " +
  "verifying the server certificate (Deno skips it only for a whole process, with " +
  "--unsafely-ignore-certificate-errors, which a compiled binary cannot be given): it is " +
  "verified against the system's roots; give --cacertfile CA.pem for a private CA\n";

/**
 * The Deno arguments that ran this process (`run`, its flags and the script), when it was
 * started as `deno run …` on a system that shows them.
 */
function denoRunArgs(): string[] | undefined {
  if (Deno.build.standalone) return undefined;
  let cmdline: string[];
  try {
    cmdline = Deno.readTextFileSync("/proc/self/cmdline").split("\0");
  } catch {
    return undefined;
  }
  if (cmdline.at(-1) === "") cmdline.pop();
  const prefix = cmdline.slice(1, cmdline.length - Deno.args.length);
  return prefix[0] === "run" && prefix.length >= 2 ? prefix : undefined;
}

/**
 * Runs this bench again with certificate verification off for `host`, stdio passed through.
 *
 * @param host The broker's host.
 * @returns The re-run's exit code, or undefined when it cannot be run so (then verify).
 *
 * @example Usage
 * ```ts ignore
 * import { runUnverified } from "./unverified_tls.ts";
 * const code = await runUnverified("broker.local");
 * ```
 */
export async function runUnverified(host: string): Promise<number | undefined> {
  if (Deno.env.get(UNVERIFIED_ENV) !== undefined) return undefined;
  const prefix = denoRunArgs();
  if (prefix === undefined) return undefined;
  const args = [prefix[0], `--unsafely-ignore-certificate-errors=${host}`, ...prefix.slice(1)];
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args, ...Deno.args],
    env: { [UNVERIFIED_ENV]: host },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
    // Out of this one's process group, so that a terminal's Ctrl+C reaches the re-run once,
    // passed on from here, as does a `kill -INT` sent to this one alone.
    detached: Deno.build.os !== "windows",
  }).spawn();
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(signal);
    } catch { /* already gone */ }
  };
  const listeners: Array<[Deno.Signal, () => void]> = [["SIGINT", forward("SIGINT")]];
  // A closed terminal's SIGHUP too: in its own session the re-run no longer gets it.
  if (Deno.build.os !== "windows") {
    for (const name of ["SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
      listeners.push([name, forward(name)]);
    }
  }
  for (const [name, listener] of listeners) Deno.addSignalListener(name, listener);
  try {
    return (await child.status).code;
  } finally {
    for (const [name, listener] of listeners) Deno.removeSignalListener(name, listener);
  }
}
