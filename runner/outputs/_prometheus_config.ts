/**
 * The `experimental-prometheus-rw` output's configuration from `K6_PROMETHEUS_RW_*` variables,
 * as k6's `pkg/remotewrite/config.go` (`parseEnvs`) reads them, with the secrets it holds (the
 * password, the bearer token, header values, credentials in the URL) listed so that nothing
 * this output prints can show them.
 *
 * @module
 */

import { InvalidConfigError } from "../config/options.ts";
import { parseDuration } from "../config/duration.ts";
import { parsePercentile } from "../metrics/types.ts";
import { basicAuthToken, redact } from "./_redact.ts";

/** The shared redaction, which this output's messages go through (see `_redact.ts`). */
export { redact };

/** One trend statistic sent as its own series: `p(99)` is sent as `k6_<metric>_p99`. */
export interface TrendStat {
  /** The statistic, in k6's summary notation: `avg`, `min`, `med`, `max`, `count`, `sum`, `p(N)`. */
  stat: string;
  /** The series-name suffix: `p(99)` → `p99`, `p(99.9)` → `p999`. */
  suffix: string;
}

/** The output's configuration. */
export interface PrometheusRwConfig {
  /** The remote write endpoint, without credentials. */
  url: string;
  /** Time between pushes, in ms. */
  pushIntervalMs: number;
  /** The statistics each trend series is sent as. */
  trendStats: TrendStat[];
  /** Extra request headers, authorization included. */
  headers: Record<string, string>;
  /** Whether the end marks every series stale. */
  staleMarkers: boolean;
  /** Values that must never be printed. */
  secrets: string[];
  /** Settings accepted but not applied, to report once. */
  warnings: string[];
}

const PREFIX = "K6_PROMETHEUS_RW_";
const DEFAULT_URL = "http://localhost:9090/api/v1/write";
const DEFAULT_PUSH_INTERVAL_MS = 5000;
const DEFAULT_TREND_STATS = "p(99)";

/**
 * Reads the configuration from environment variables, with k6's defaults.
 *
 * @param env The process environment.
 * @returns The configuration.
 * @throws {InvalidConfigError} With every problem; no message repeats a secret.
 *
 * @example Usage
 * ```ts
 * import { parsePrometheusRwConfig } from "./_prometheus_config.ts";
 * import assert from "node:assert/strict";
 *
 * const c = parsePrometheusRwConfig({
 *   K6_PROMETHEUS_RW_TREND_STATS: "p(95),p(99.9),avg",
 *   "K6_PROMETHEUS_RW_HEADERS_X-Scope-OrgID": "tenant",
 * });
 * assert.equal(c.url, "http://localhost:9090/api/v1/write");
 * assert.equal(c.pushIntervalMs, 5000);
 * assert.deepEqual(c.trendStats.map((s) => s.suffix), ["p95", "p999", "avg"]);
 * assert.equal(c.headers["X-Scope-OrgID"], "tenant");
 * assert.deepEqual(c.secrets, ["tenant"]);
 * ```
 */
export function parsePrometheusRwConfig(env: Readonly<Record<string, string>>): PrometheusRwConfig {
  const problems: string[] = [];
  const secrets: string[] = [];
  const warnings: string[] = [];
  const headers: Record<string, string> = {};
  const get = (name: string): string | undefined => env[PREFIX + name];

  let url = get("SERVER_URL") ?? DEFAULT_URL;
  let urlUser: string | undefined;
  let urlPassword: string | undefined;
  try {
    const parsed = new URL(url);
    // fetch refuses URLs with credentials; k6's Go client would send them as basic auth.
    if (parsed.username !== "" || parsed.password !== "") {
      urlUser = decodeURIComponent(parsed.username);
      urlPassword = decodeURIComponent(parsed.password);
      secrets.push(parsed.password, urlPassword);
      parsed.username = "";
      parsed.password = "";
      url = parsed.href;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      problems.push(`${PREFIX}SERVER_URL must be an http or https URL`);
    }
  } catch {
    problems.push(`${PREFIX}SERVER_URL is not a valid URL`);
  }

  let pushIntervalMs = DEFAULT_PUSH_INTERVAL_MS;
  const interval = get("PUSH_INTERVAL");
  if (interval !== undefined) {
    const ms = parseDuration(interval);
    if (ms === undefined || ms <= 0) {
      problems.push(`${PREFIX}PUSH_INTERVAL "${interval}" is not a positive duration`);
    } else pushIntervalMs = ms;
  }

  const trendStats: TrendStat[] = [];
  for (const stat of (get("TREND_STATS") ?? DEFAULT_TREND_STATS).split(",")) {
    const suffix = trendStatSuffix(stat);
    if (suffix === undefined) {
      problems.push(`${PREFIX}TREND_STATS: "${stat}" is not a trend statistic`);
    } else trendStats.push({ stat, suffix });
  }

  // Header values are secrets (API keys, tenant tokens): no message below quotes one.
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(PREFIX + "HEADERS_")) continue;
    headers[name.slice(PREFIX.length + "HEADERS_".length)] = value;
    secrets.push(value);
  }
  const httpHeaders = get("HTTP_HEADERS");
  if (httpHeaders !== undefined) {
    httpHeaders.split(",").forEach((pair, i) => {
      const parts = pair.split(":");
      if (parts.length !== 2) {
        problems.push(
          `${PREFIX}HTTP_HEADERS: header ${i + 1} does not respect the expected format ` +
            "<header key>:<value>",
        );
        secrets.push(pair);
        return;
      }
      headers[parts[0]] = parts[1];
      secrets.push(parts[1]);
    });
  }

  const username = get("USERNAME") ?? urlUser;
  const password = get("PASSWORD") ?? urlPassword ?? "";
  if (password !== "") secrets.push(password);
  if (username !== undefined) {
    const basic = basicAuthToken(username, password);
    headers["Authorization"] = `Basic ${basic}`;
    secrets.push(basic);
  }
  const token = get("BEARER_TOKEN");
  if (token !== undefined && token !== "") {
    headers["Authorization"] = `Bearer ${token}`;
    secrets.push(token);
  }

  const staleMarkers = bool("STALE_MARKERS");
  if (bool("TREND_AS_NATIVE_HISTOGRAM")) {
    warnings.push(
      `${PREFIX}TREND_AS_NATIVE_HISTOGRAM is not supported: trends are sent as the ` +
        `${PREFIX}TREND_STATS series`,
    );
  }
  if (bool("INSECURE_SKIP_TLS_VERIFY")) {
    warnings.push(`${PREFIX}INSECURE_SKIP_TLS_VERIFY is not supported: certificates are verified`);
  }
  for (const name of ["CLIENT_CERTIFICATE", "CLIENT_CERTIFICATE_KEY", "SIGV4_REGION"]) {
    if (get(name) !== undefined) warnings.push(`${PREFIX}${name} is not supported: ignored`);
  }
  if (get("SIGV4_SECRET_KEY") !== undefined) secrets.push(get("SIGV4_SECRET_KEY")!);

  if (problems.length > 0) throw new InvalidConfigError(problems.map((p) => redact(p, secrets)));
  return {
    url,
    pushIntervalMs,
    trendStats,
    headers,
    staleMarkers,
    secrets: secrets.filter((s) => s !== ""),
    warnings,
  };

  function bool(name: string): boolean {
    const v = get(name);
    if (v === undefined) return false;
    // Go's strconv.ParseBool.
    if (/^(1|t|T|TRUE|true|True)$/.test(v)) return true;
    if (/^(0|f|F|FALSE|false|False)$/.test(v)) return false;
    problems.push(`${PREFIX}${name} "${v}" is not a boolean`);
    return false;
  }
}

/**
 * The series-name suffix of a trend statistic, as k6's `setTrendStatsResolver` makes it.
 *
 * @param stat Such as `p(99.9)` or `avg`.
 * @returns The suffix (`p999`, `avg`), or undefined when `stat` is no trend statistic.
 *
 * @example Usage
 * ```ts
 * import { trendStatSuffix } from "./_prometheus_config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(trendStatSuffix("p(99)"), "p99");
 * assert.equal(trendStatSuffix("p(99.9)"), "p999");
 * assert.equal(trendStatSuffix("sum"), "sum");
 * assert.equal(trendStatSuffix("p99"), undefined);
 * ```
 */
export function trendStatSuffix(stat: string): string | undefined {
  if (["avg", "min", "med", "max", "count", "sum"].includes(stat)) return stat;
  if (parsePercentile(stat) === undefined) return undefined;
  return "p" + stat.slice(2, -1).trim().replaceAll(".", "");
}
