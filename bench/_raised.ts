/**
 * Runs a bench under a raised open-file limit: 10,000 connections need 10,000 sockets on each
 * side of loopback, more than a shell's usual 1,024. The script runs itself again through bash's
 * `ulimit -n` once (its children inherit the limit).
 *
 * @module
 */

/**
 * Calls `main` with the script's arguments under an open-file limit of `nofile` (or the hard
 * limit, if lower).
 *
 * @param scriptUrl The bench's `import.meta.url`.
 * @param nofile The open-file limit wanted.
 * @param main The bench.
 */
export async function withRaisedFileLimit(
  scriptUrl: string,
  nofile: number,
  main: (args: string[]) => Promise<void>,
): Promise<void> {
  if (Deno.args[0] === "--raised") return await main(Deno.args.slice(1));
  const self = new URL(scriptUrl).pathname;
  const quoted = Deno.args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const { code } = await new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -n ${nofile} 2>/dev/null || ulimit -n $(ulimit -Hn); exec '${Deno.execPath()}' run -A '${self}' --raised ${quoted}`,
    ],
    stdin: "null",
  }).spawn().status;
  Deno.exit(code);
}
