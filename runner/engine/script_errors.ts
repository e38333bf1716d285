/**
 * Errors as the script's author should read them: the script's frames only, without mqload's
 * own frames or the `?vu=N` query that gives each VU its module scope.
 *
 * @module
 */

import { ScriptError } from "../script/loader.ts";
import { WorkerRequestError } from "./worker_pool.ts";

// mqload's own folders; not the package root, which holds examples/ scripts.
const OWN = ["../", "../../client/", "../../codec/"].map((p) => new URL(p, import.meta.url).href);

/**
 * The text of an error from loading or running the script.
 *
 * @param e The error.
 * @returns Its message, with the script's frames of a Worker's error.
 */
export function describeError(e: unknown): string {
  if (e instanceof WorkerRequestError) {
    return scriptFrames(e.remoteStack ?? `${e.name}: ${e.message}`);
  }
  if (e instanceof ScriptError) return e.message;
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}

/** Keeps the script's frames of an error from a Worker. */
function scriptFrames(stack: string): string {
  return stack.split("\n").filter((line) =>
    !/^\s+at /.test(line) || !(OWN.some((own) => line.includes(own)) || line.includes("ext:"))
  ).join("\n").replace(/\?vu=\d+/g, "").replace(/^TypeError: (SyntaxError: )/, "$1");
}
