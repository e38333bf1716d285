/**
 * The folder the user started `mqload` from. `deno task mqload …` runs the command in the folder
 * of the deno.json defining the task (the mqload checkout) and sets `INIT_CWD` to the folder the
 * task was started from; k6 resolves the script and every output path from the user's folder,
 * so mqload does as well.
 *
 * @module
 */

/**
 * Where the user's relative paths start: `INIT_CWD` when `deno task` set it (the current folder
 * then holds the task's deno.json), else the current folder. Deno keeps an `INIT_CWD` it
 * inherits, so one left by an outer task or npm script is ignored unless the current folder
 * is a task's.
 *
 * @param cwd The current folder.
 * @param initCwd The `INIT_CWD` environment variable.
 * @param isFile Whether a path is an existing file.
 * @returns The user's folder.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { callerDir } from "./caller_dir.ts";
 * const isFile = (path: string) => path === "/repo/deno.json";
 * assert.equal(callerDir("/repo", "/home/me/tests", isFile), "/home/me/tests");
 * assert.equal(callerDir("/elsewhere", "/home/me/tests", isFile), "/elsewhere");
 * assert.equal(callerDir("/repo", "", isFile), "/repo");
 * ```
 */
export function callerDir(
  cwd: string = Deno.cwd(),
  initCwd: string | undefined = Deno.env.get("INIT_CWD"),
  isFile: (path: string) => boolean = fileExists,
): string {
  if (initCwd === undefined || initCwd === "" || initCwd === cwd) return cwd;
  const sep = cwd.endsWith("/") || cwd.endsWith("\\") ? "" : "/";
  const inTaskFolder = ["deno.json", "deno.jsonc"].some((name) => isFile(`${cwd}${sep}${name}`));
  return inTaskFolder ? initCwd : cwd;
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
