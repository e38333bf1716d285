/**
 * The bench's command line as its script's first comment shows it: shell-quoted, with the
 * password's value (and a URL's credentials) hidden.
 *
 * @module
 */

/**
 * The command line, ready to paste into a shell, without secrets.
 *
 * @example Usage
 * ```ts
 * import { commandLine } from "./_command_line.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(commandLine(["pub", "-P", "s3cret", "-t", "a b"]), "mqload bench pub -P '***' -t 'a b'");
 * ```
 *
 * @param args The arguments after `mqload bench`.
 * @returns The line.
 */
export function commandLine(args: string[]): string {
  return ["mqload", "bench", ...redacted(args)].map(shellWord).join(" ");
}

/** The arguments with the password's value (and a URL's credentials) hidden. */
function redacted(args: string[]): string[] {
  return args.filter((arg) => arg !== "--print-script").map((arg, i, kept) => {
    const previous = kept[i - 1];
    if (previous === "-P" || previous === "--password") return "***";
    if (arg.startsWith("--password=")) return "--password=***";
    return arg.replace(/^([a-z]+:\/\/)[^@/]*@/i, "$1***@");
  });
}

/** A word as a shell would need it quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
