/**
 * k6's options of HTTP requests and iteration pacing (`maxRedirects`, `batch`, `userAgent`,
 * `httpDebug`, `discardResponseBodies`, `minIterationDuration`, …): read from their `K6_*`
 * variables, checked as k6 checks them, and, for the ones mqload accepts but does not apply
 * (a request rate limit, DNS, TLS and connection settings of k6's Go HTTP client), named in one
 * warning each, so that no script or command line runs silently differently. Also booleans as
 * k6 reads them in variables and flags (Go's `ParseBool`).
 *
 * @module
 */

import { parseDuration } from "./duration.ts";

/** The options of this file, as they stand in the consolidated options. */
export interface K6HttpOptions {
  /** Redirects a request follows (default 10). */
  maxRedirects?: unknown;
  /** Requests of one `http.batch()` in flight at once (default 20). */
  batch?: unknown;
  /** The same, per host (default 6). */
  batchPerHost?: unknown;
  /** Requests per second of the whole test (not applied). */
  rps?: unknown;
  /** The `User-Agent` header of requests that set none. */
  userAgent?: unknown;
  /** Logs each request and response: `"full"` with bodies, any other value without. */
  httpDebug?: unknown;
  /** Responses have a `null` body unless a request asks for one (`responseType`). */
  discardResponseBodies?: unknown;
  /** A full iteration shorter than this waits for the rest before the VU's next one. */
  minIterationDuration?: unknown;
}

// k6's variable for each option, and how its value is read.
const ENV: ReadonlyArray<readonly [string, string, "int" | "string" | "bool" | "list"]> = [
  ["K6_MAX_REDIRECTS", "maxRedirects", "int"],
  ["K6_BATCH", "batch", "int"],
  ["K6_BATCH_PER_HOST", "batchPerHost", "int"],
  ["K6_RPS", "rps", "int"],
  ["K6_USER_AGENT", "userAgent", "string"],
  ["K6_HTTP_DEBUG", "httpDebug", "string"],
  ["K6_DISCARD_RESPONSE_BODIES", "discardResponseBodies", "bool"],
  ["K6_MIN_ITERATION_DURATION", "minIterationDuration", "string"],
  ["K6_NO_COOKIES_RESET", "noCookiesReset", "bool"],
  ["K6_NO_CONNECTION_REUSE", "noConnectionReuse", "bool"],
  ["K6_NO_VU_CONNECTION_REUSE", "noVUConnectionReuse", "bool"],
  ["K6_DNS", "dns", "string"],
  ["K6_LOCAL_IPS", "localIPs", "string"],
  ["K6_BLACKLIST_IPS", "blacklistIPs", "list"],
  ["K6_BLOCK_HOSTNAMES", "blockHostnames", "list"],
];

/**
 * Reads this file's options from their `K6_*` variables into `out`.
 *
 * @example Usage
 * ```ts
 * import { readHttpEnv } from "./k6_http_options.ts";
 * import assert from "node:assert/strict";
 *
 * const out: Record<string, unknown> = {};
 * readHttpEnv({ K6_MIN_ITERATION_DURATION: "1s", K6_BATCH: "x" }, out, (p) => assert.match(p, /K6_BATCH/));
 * assert.equal(out.minIterationDuration, "1s");
 * ```
 *
 * @param env The process environment.
 * @param out The environment's options layer, added to.
 * @param problem Called with each value that cannot be read.
 */
export function readHttpEnv(
  env: Record<string, string>,
  out: Record<string, unknown>,
  problem: (text: string) => void,
): void {
  for (const [name, key, kind] of ENV) {
    const value = env[name];
    if (value === undefined) continue;
    if (kind === "int") {
      if (/^\d+$/.test(value)) out[key] = Number(value);
      else problem(`${name} must be an integer, got "${value}"`);
    } else if (kind === "bool") {
      const bool = parseGoBool(value);
      if (bool === undefined) problem(`${name} must be true or false, got "${value}"`);
      else out[key] = bool;
    } else if (kind === "list") {
      out[key] = value.split(",").map((item) => item.trim()).filter((item) => item !== "");
    } else out[key] = value;
  }
}

const TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/**
 * A boolean as Go's `strconv.ParseBool` reads it, as k6 reads its variables (envconfig) and its
 * flags' `--flag=value` form (pflag): undefined for anything else.
 *
 * @example Usage
 * ```ts
 * import { parseGoBool } from "./k6_http_options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseGoBool("T"), true);
 * assert.equal(parseGoBool("0"), false);
 * assert.equal(parseGoBool("yes"), undefined);
 * ```
 *
 * @param text The value.
 * @returns It as a boolean, if it is one.
 */
export function parseGoBool(text: string): boolean | undefined {
  return TRUE.has(text) ? true : FALSE.has(text) ? false : undefined;
}

// Accepted, shown in `exec.test.options`, but with no effect here: k6's Go HTTP client settings.
const NOT_APPLIED: Readonly<Record<string, string>> = {
  rps: "mqload does not limit the rate of k6/http requests",
  noConnectionReuse: "requests use Deno's connection pool",
  noVUConnectionReuse: "requests use Deno's connection pool",
  blacklistIPs: "requests are not checked against it",
  blockHostnames: "requests are not checked against it",
  hosts: "host names resolve through the system's resolver",
  dns: "host names resolve through the system's resolver",
  localIPs: "requests leave from the system's choice of address",
  tlsVersion: "k6/http uses Deno's TLS defaults",
  tlsCipherSuites: "k6/http uses Deno's TLS defaults",
};

/**
 * Checks this file's options as k6 does, and says which options mqload accepts without
 * applying them.
 *
 * @example Usage
 * ```ts
 * import { checkHttpOptions } from "./k6_http_options.ts";
 * import assert from "node:assert/strict";
 *
 * const problems: string[] = [];
 * const warnings = checkHttpOptions({ minIterationDuration: "soon", rps: 10 }, problems);
 * assert.match(problems[0], /minIterationDuration/);
 * assert.match(warnings[0], /rps/);
 * ```
 *
 * @param o The consolidated options.
 * @param problems Where each invalid value is described.
 * @returns One warning per option set that mqload does not apply.
 */
export function checkHttpOptions(o: Record<string, unknown>, problems: string[]): string[] {
  const given = (key: string) => o[key] !== undefined && o[key] !== null;
  for (const key of ["maxRedirects", "batch", "batchPerHost", "rps"]) {
    const v = o[key];
    if (given(key) && !(typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) {
      problems.push(`${key} must be a non-negative integer, got ${JSON.stringify(v)}`);
    }
  }
  if (
    given("minIterationDuration") && parseDuration(o.minIterationDuration as string) === undefined
  ) {
    problems.push(`invalid minIterationDuration ${JSON.stringify(o.minIterationDuration)}`);
  }
  if (given("userAgent") && typeof o.userAgent !== "string") {
    problems.push(`userAgent must be a string, got ${JSON.stringify(o.userAgent)}`);
  }
  const warnings: string[] = [];
  for (const [key, why] of Object.entries(NOT_APPLIED)) {
    const v = o[key];
    const empty = v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0) ||
      (typeof v === "object" && v !== null && Object.keys(v).length === 0);
    if (given(key) && !empty) warnings.push(`the option ${key} is not applied: ${why}`);
  }
  return warnings;
}

/**
 * k6's `httpDebug` as a mode: `"full"` logs bodies too; any other value that is set
 * (`"headers"`, k6's value for a bare `--http-debug`, or `true`) logs the headers; `""` is off.
 *
 * @example Usage
 * ```ts
 * import { httpDebugMode } from "./k6_http_options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(httpDebugMode(true), "headers");
 * assert.equal(httpDebugMode("full"), "full");
 * assert.equal(httpDebugMode(undefined), "");
 * ```
 *
 * @param value The option's value.
 * @returns The mode.
 */
export function httpDebugMode(value: unknown): "headers" | "full" | "" {
  if (value === undefined || value === null || value === false || value === "") return "";
  return value === "full" ? "full" : "headers";
}
