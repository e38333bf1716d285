/**
 * Recognises a script written for pmalhaire/xk6-mqtt, whose `Client` took positional arguments
 * (`new Client(servers, user, password, cleanSession, clientId, timeoutMs)`), and says how to
 * port it: mqload implements grafana/xk6-mqtt's options-object API, and without this the first
 * server is read as an option named "0".
 *
 * @module
 */

const PACKAGE_ROOT = new URL("../../", import.meta.url).href;

/**
 * Throws a TypeError explaining the port when `new Client(...)` got pmalhaire/xk6-mqtt's
 * positional arguments: an array or a string first, or more than one argument.
 *
 * @param args The constructor's arguments.
 * @throws {TypeError} Naming the script's file:line, the old API and the new one.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseOldApi } from "./_mqtt_old_api.ts";
 * refuseOldApi([{ client_id: "a" }]); // grafana/xk6-mqtt's form: nothing to say
 * assert.throws(() => refuseOldApi([["localhost:1883"], "user", "pass"]), /pmalhaire/);
 * ```
 */
export function refuseOldApi(args: ArrayLike<unknown>): void {
  const first = args[0];
  if (args.length <= 1 && !Array.isArray(first) && typeof first !== "string") return;
  const where = callerLocation(new Error().stack ?? "");
  throw new TypeError(
    `${where === undefined ? "" : `${where}: `}new Client(servers, user, password, ` +
      `cleanSession, clientId, timeout) is the API of pmalhaire/xk6-mqtt; mqload implements ` +
      `grafana/xk6-mqtt's, where options go in one object and the broker's URL to connect(): ` +
      `new Client({ username: "user", password: "pass", client_id: "id", ` +
      `clean_session: false }) then client.connect("mqtt://host:1883") ` +
      `(publish(topic, payload, { qos }), subscribe(topic, { qos }), end())`,
  );
}

/** The first frame outside mqload's own files: the script's `file:line`. */
function callerLocation(stack: string): string | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const match = /(file:\/\/[^\s)]+?):(\d+):\d+\)?\s*$/.exec(line);
    if (match === null || match[1].startsWith(PACKAGE_ROOT)) continue;
    return `${decodeURIComponent(new URL(match[1]).pathname).replace(/\?vu=\d+$/, "")}:${match[2]}`;
  }
  return undefined;
}
