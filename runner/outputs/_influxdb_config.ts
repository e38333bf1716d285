/**
 * The `influxdb` output's settings, consolidated as k6's InfluxDB v1 output does
 * (grafana/k6 `internal/output/influxdb/config.go`, `util.go`): k6's defaults, then the
 * `K6_INFLUXDB_*` environment, then the `--out influxdb=URL` argument.
 *
 * @module
 */

import { parseDuration } from "../config/duration.ts";
import { InvalidConfigError } from "../config/options.ts";
import { redact } from "./_redact.ts";

/** The type a tag listed in `K6_INFLUXDB_TAGS_AS_FIELDS` is written as (`name:type`). */
export type FieldKind = "string" | "int" | "float" | "bool";

/** Where and how points are written. */
export interface InfluxConfig {
  /** `scheme://host:port` and any path prefix before the database, without credentials. */
  addr: string;
  /** The database (k6's default `k6`). */
  db: string;
  /** Basic-auth user; no `Authorization` header when empty, as k6. */
  username: string;
  /** Basic-auth password. Never shown: the output's messages go through `_redact.ts`. */
  password: string;
  /** `K6_INFLUXDB_INSECURE`: skip TLS verification. */
  insecure: boolean;
  /** How often pending points are pushed, in ms (k6: 1 s). */
  pushIntervalMs: number;
  /** Most writes in flight at once (k6: 4). */
  concurrentWrites: number;
  /** The write's `precision` parameter; `""` is nanoseconds. */
  precision: string;
  /** The write's `rp` parameter. */
  retention: string;
  /** The write's `consistency` parameter. */
  consistency: string;
  /** Tags written as fields instead (k6: `vu`, `iter`, `url`, as strings). */
  tagsAsFields: ReadonlyMap<string, FieldKind>;
}

const PRECISIONS = new Set(["", "n", "ns", "u", "us", "µ", "ms", "s", "m", "h"]);
const KINDS = new Set<string>(["string", "int", "float", "bool"]);
const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** What the environment or the URL set, before defaults. */
type Given = Partial<Omit<InfluxConfig, "tagsAsFields">> & { tagsAsFields?: string[] };

/**
 * Consolidates the settings: defaults (`http://localhost:8086`, database `k6`, push every 1 s,
 * 4 concurrent writes, tags `vu`, `iter`, `url` as fields), then `K6_INFLUXDB_*`, then the URL.
 *
 * @param arg The URL after `influxdb=`: `http://[user:pass@]host:port[/prefix]/db[?k=v…]`, or a
 * bare database name.
 * @param env The environment.
 * @returns The settings.
 * @throws {InvalidConfigError} With k6's message for a malformed URL or value.
 *
 * @example Usage
 * ```ts
 * import { influxConfig } from "./_influxdb_config.ts";
 * import assert from "node:assert/strict";
 *
 * const c = influxConfig("http://u:p@127.0.0.1:8086/mqload", { K6_INFLUXDB_PUSH_INTERVAL: "2s" });
 * assert.equal(c.addr, "http://127.0.0.1:8086");
 * assert.equal(c.db, "mqload");
 * assert.equal(c.password, "p");
 * assert.equal(c.pushIntervalMs, 2000);
 * assert.deepEqual([...c.tagsAsFields.keys()], ["vu", "iter", "url"]);
 * ```
 */
export function influxConfig(
  arg: string,
  env: Readonly<Record<string, string | undefined>>,
): InfluxConfig {
  const fromEnv = parseEnv(env);
  const fromUrl = arg === "" ? {} : parseUrl(arg);
  const given: Given = { ...fromEnv, ...fromUrl };
  let addr = given.addr ?? "http://localhost:8086";
  if (addr === "") addr = "http://localhost:8086";
  // The address is parsed whatever it holds, so that only http(s) reaches fetch.
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw new InvalidConfigError([`influxdb: invalid address ${redact(addr, [])}`]);
  }
  if (url.protocol === "udp:") {
    throw new InvalidConfigError(["influxdb over UDP is not supported: use an http(s):// URL"]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidConfigError([`influxdb: unsupported address ${redact(addr, [])}`]);
  }
  if (url.username !== "" || url.password !== "") {
    // K6_INFLUXDB_ADDR with credentials: use them, and keep them out of the address we show.
    given.username ??= decode("K6_INFLUXDB_ADDR's user name", url.username);
    given.password ??= decode("K6_INFLUXDB_ADDR's password", url.password);
  }
  addr = `${url.protocol}//${url.host}${url.pathname}`;
  const concurrentWrites = given.concurrentWrites ?? 4;
  if (!Number.isInteger(concurrentWrites) || concurrentWrites <= 0) {
    throw new InvalidConfigError(["influxdb's ConcurrentWrites must be a positive number"]);
  }
  const precision = given.precision ?? "";
  if (!PRECISIONS.has(precision)) {
    throw new InvalidConfigError([`influxdb: invalid precision "${precision}"`]);
  }
  return {
    addr: addr.replace(/\/+$/, ""),
    db: given.db || "k6",
    username: given.username ?? "",
    password: given.password ?? "",
    insecure: given.insecure ?? false,
    pushIntervalMs: given.pushIntervalMs ?? 1000,
    concurrentWrites,
    precision,
    retention: given.retention ?? "",
    consistency: given.consistency ?? "",
    tagsAsFields: fieldKinds(
      given.tagsAsFields?.length ? given.tagsAsFields : ["vu", "iter", "url"],
    ),
  };
}

function parseEnv(env: Readonly<Record<string, string | undefined>>): Given {
  const given: Given = {};
  const get = (name: string) => env[`K6_INFLUXDB_${name}`];
  if (get("PROXY") !== undefined) {
    throw new InvalidConfigError(["influxdb: K6_INFLUXDB_PROXY is not supported"]);
  }
  if (get("ADDR") !== undefined) given.addr = get("ADDR");
  if (get("DB") !== undefined) given.db = get("DB");
  if (get("USERNAME") !== undefined) given.username = get("USERNAME");
  if (get("PASSWORD") !== undefined) given.password = get("PASSWORD");
  if (get("INSECURE") !== undefined) {
    given.insecure = bool("K6_INFLUXDB_INSECURE", get("INSECURE")!);
  }
  if (get("PUSH_INTERVAL") !== undefined) {
    given.pushIntervalMs = duration("K6_INFLUXDB_PUSH_INTERVAL", get("PUSH_INTERVAL")!);
  }
  if (get("CONCURRENT_WRITES") !== undefined) {
    given.concurrentWrites = int("K6_INFLUXDB_CONCURRENT_WRITES", get("CONCURRENT_WRITES")!);
  }
  if (get("PRECISION") !== undefined) given.precision = get("PRECISION");
  if (get("RETENTION") !== undefined) given.retention = get("RETENTION");
  if (get("CONSISTENCY") !== undefined) given.consistency = get("CONSISTENCY");
  // envconfig splits a slice on commas.
  const tags = get("TAGS_AS_FIELDS");
  if (tags !== undefined) given.tagsAsFields = tags.split(",").filter((t) => t !== "");
  return given;
}

function parseUrl(text: string): Given {
  const given: Given = {};
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    // No host: the whole argument is the database, as k6's ParseURL reads `influxdb=mydb`.
    const db = text.replace(/^\/+/, "");
    if (db !== "") given.db = db;
    return given;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidConfigError([`influxdb: invalid URL ${redact(text, [])}`]);
  }
  // The last path segment is the database; what is before it is a prefix (a reverse proxy's).
  let path = url.pathname === "/" ? "" : url.pathname;
  let db = "";
  if (path.endsWith("/")) {
    path = path.slice(0, -1);
  } else if (path !== "") {
    const at = path.lastIndexOf("/");
    db = decode("the influxdb URL's database", path.slice(at + 1));
    path = path.slice(0, at);
  }
  given.addr = `${url.protocol}//${url.host}${path}`;
  if (db !== "") given.db = db;
  if (url.username !== "" || url.password !== "") {
    given.username = decode("the influxdb URL's user name", url.username);
    given.password = decode("the influxdb URL's password", url.password);
  }
  const tagsAsFields: string[] = [];
  for (const [key, value] of url.searchParams) {
    switch (key) {
      case "insecure":
        if (value === "true" || value === "false") given.insecure = value === "true";
        else if (value !== "") {
          throw new InvalidConfigError([`insecure must be true or false, not ${value}`]);
        }
        break;
      case "payload_size": // UDP only, which is not supported
        int("payload_size", value);
        break;
      case "precision":
        given.precision = value;
        break;
      case "retention":
        given.retention = value;
        break;
      case "consistency":
        given.consistency = value;
        break;
      case "pushInterval":
        given.pushIntervalMs = duration("pushInterval", value);
        break;
      case "concurrentWrites":
        given.concurrentWrites = int("concurrentWrites", value);
        break;
      case "tagsAsFields":
        tagsAsFields.push(value);
        break;
      default:
        throw new InvalidConfigError([`unknown query parameter: ${key}`]);
    }
  }
  if (tagsAsFields.length > 0) given.tagsAsFields = tagsAsFields;
  return given;
}

function fieldKinds(list: readonly string[]): Map<string, FieldKind> {
  const kinds = new Map<string, FieldKind>();
  for (const entry of list) {
    const at = entry.indexOf(":");
    const name = at < 0 ? entry : entry.slice(0, at);
    const kind = at < 0 || entry.slice(at + 1) === "" ? "string" : entry.slice(at + 1);
    if (kinds.has(name)) {
      throw new InvalidConfigError([
        `a tag name (${name}) shows up more than once in InfluxDB field type configurations`,
      ]);
    }
    if (!KINDS.has(kind)) {
      throw new InvalidConfigError([
        `an invalid type (${kind}) is specified for an InfluxDB field (${name})`,
      ]);
    }
    kinds.set(name, kind as FieldKind);
  }
  return kinds;
}

function bool(name: string, value: string): boolean {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new InvalidConfigError([`${name}: invalid boolean "${value}"`]);
}

function int(name: string, value: string): number {
  if (!/^[+-]?\d+$/.test(value)) {
    throw new InvalidConfigError([`${name}: invalid integer "${value}"`]);
  }
  return Number(value);
}

function duration(name: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) {
    throw new InvalidConfigError([`${name}: invalid duration "${value}"`]);
  }
  return ms;
}

/**
 * A URL part percent-decoded; a malformed `%` escape is a configuration error naming the part
 * (not quoting it: it may be the password).
 */
function decode(what: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidConfigError([`influxdb: ${what} has a malformed %-escape`]);
  }
}
