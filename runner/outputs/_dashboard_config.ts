/**
 * The web dashboard's settings, read as k6 reads them (xk6-dashboard `options.go`): first the
 * `K6_WEB_DASHBOARD_*` environment variables, then the `--out web-dashboard=…` argument as a
 * query string (`port=8080&period=1s&export=report.html`), which wins. One difference: with
 * no host given, k6 listens on every interface; mqload listens on loopback (127.0.0.1).
 *
 * @module
 */

import { parseDuration } from "../config/duration.ts";

/** Where the dashboard listens and what it does. */
export interface DashboardConfig {
  /** Interface to listen on (`K6_WEB_DASHBOARD_HOST`, `host=`; default 127.0.0.1). */
  host: string;
  /** TCP port (`K6_WEB_DASHBOARD_PORT`, `port=`; default 5665, 0 any free port, -1 no server). */
  port: number;
  /** Period of the live updates, in ms (`K6_WEB_DASHBOARD_PERIOD`, `period=`; default 10 s). */
  periodMs: number;
  /** Say to open a browser (`K6_WEB_DASHBOARD_OPEN`, `open=`); mqload prints the URL only. */
  open: boolean;
  /** The HTML report to write at the end (`K6_WEB_DASHBOARD_EXPORT`, `export=`), or "". */
  export: string;
  /** k6 parameters mqload accepts and ignores (`record`, `tag`, `tags`). */
  ignored: string[];
}

/** The defaults of k6 (but the host: loopback, not every interface). */
export const DASHBOARD_DEFAULTS: Readonly<Omit<DashboardConfig, "ignored">> = Object.freeze({
  host: "127.0.0.1",
  port: 5665,
  periodMs: 10_000,
  open: false,
  export: "",
});

const ENV_PREFIX = "K6_WEB_DASHBOARD_";
const KNOWN = new Set(["host", "port", "period", "open", "export", "report"]);
const IGNORED = new Set(["record", "tag", "tags"]);

/**
 * Reads the settings from the environment and the output's argument.
 *
 * @param arg What follows `web-dashboard=` (a query string, or "").
 * @param env The environment (`Deno.env.toObject()`).
 * @returns The settings.
 * @throws {RangeError} For a bad port or period, or a parameter k6 does not have.
 *
 * @example Usage
 * ```ts
 * import { dashboardConfig } from "./_dashboard_config.ts";
 * import assert from "node:assert/strict";
 *
 * const config = dashboardConfig("period=2s&export=r.html", { K6_WEB_DASHBOARD_PORT: "-1" });
 * assert.deepEqual([config.host, config.port, config.periodMs, config.export], [
 *   "127.0.0.1", -1, 2000, "r.html",
 * ]);
 * ```
 */
export function dashboardConfig(arg: string, env: Record<string, string>): DashboardConfig {
  const config: DashboardConfig = { ...DASHBOARD_DEFAULTS, ignored: [] };
  const e = (name: string) => env[ENV_PREFIX + name];
  // The environment first (k6: an empty host means the default; EXPORT wins over REPORT).
  if (e("PORT") !== undefined) config.port = port(e("PORT"), `${ENV_PREFIX}PORT`);
  if (e("HOST")) config.host = e("HOST");
  const exported = e("EXPORT") ?? e("REPORT");
  if (exported !== undefined) config.export = exported;
  if (e("PERIOD") !== undefined) config.periodMs = period(e("PERIOD"), `${ENV_PREFIX}PERIOD`);
  if (e("OPEN") === "true") config.open = true;
  // Then the argument, a query string: only what it gives non-empty overrides.
  const query = new URLSearchParams(arg);
  for (const key of new Set(query.keys())) {
    if (IGNORED.has(key)) config.ignored.push(key);
    else if (!KNOWN.has(key)) {
      throw new RangeError(
        `unknown web-dashboard parameter "${key}": expected host, port, period, open or export`,
      );
    }
  }
  const q = (key: string) => query.get(key) || undefined;
  if (q("port") !== undefined) config.port = port(q("port"), "port");
  if (q("host") !== undefined) config.host = q("host")!;
  const exportArg = q("export") ?? q("report");
  if (exportArg !== undefined) config.export = exportArg;
  if (q("period") !== undefined) config.periodMs = period(q("period"), "period");
  if (query.has("open") && ["", "true"].includes(query.get("open")!)) config.open = true;
  return config;
}

/**
 * The dashboard's URL, as k6 prints it.
 *
 * @param host The interface listened on (`0.0.0.0` and `::` show as 127.0.0.1).
 * @param port The port listened on.
 * @returns Such as `http://127.0.0.1:5665`.
 *
 * @example Usage
 * ```ts
 * import { dashboardUrl } from "./_dashboard_config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(dashboardUrl("::1", 8080), "http://[::1]:8080");
 * ```
 */
export function dashboardUrl(host: string, port: number): string {
  const shown = host === "" || host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

function port(text: string | undefined, where: string): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text?.trim() ?? "") || n < -1 || n > 65535) {
    throw new RangeError(`Invalid ${where} "${text}": expected a port, 0 (any) or -1 (no server)`);
  }
  return n;
}

function period(text: string | undefined, where: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100) {
    throw new RangeError(`Invalid ${where} "${text}": expected a duration of 100ms or more`);
  }
  return ms;
}
