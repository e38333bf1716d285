// The broker a bench connects to: `--url`, or emqtt-bench's -h, -p, -S and --ws; and the TLS
// files of -S. Credentials in the URL are taken out of it (the script gets them apart).

import { UsageError } from "../cli/usage_error.ts";
import type { BenchTls } from "./config.ts";

/** Where to connect, as the flags say. */
export interface ConnectionTarget {
  /** The URL without credentials. */
  url: string;
  /** The host name. */
  host: string;
  /** TLS (mqtts or wss). */
  secure: boolean;
  /** From the URL's user part. */
  username?: string;
  /** From the URL's user part. */
  password?: string;
}

const SCHEMES: Readonly<Record<string, { secure: boolean; ws: boolean }>> = {
  "mqtt:": { secure: false, ws: false },
  "tcp:": { secure: false, ws: false },
  "mqtts:": { secure: true, ws: false },
  "ssl:": { secure: true, ws: false },
  "tls:": { secure: true, ws: false },
  "ws:": { secure: false, ws: true },
  "wss:": { secure: true, ws: true },
};

/** The broker from `--url` or -h/-p/-S/--ws (not both). */
export function parseConnectionUrl(flags: {
  url?: string;
  host?: string;
  port?: number;
  ssl: boolean;
  ws: boolean;
}): ConnectionTarget {
  if (flags.url !== undefined) {
    if (flags.host !== undefined || flags.port !== undefined) {
      throw new UsageError("--url and -h/--host or -p/--port: give the broker one way");
    }
    let url: URL;
    try {
      url = new URL(flags.url);
    } catch {
      throw new UsageError(
        `Invalid value for --url: expected mqtt://host:port (or mqtts, ws, wss)`,
      );
    }
    const scheme = SCHEMES[url.protocol];
    if (scheme === undefined || url.hostname === "") {
      throw new UsageError(
        `Invalid value for --url: expected mqtt://, mqtts://, ws:// or wss:// and a host`,
      );
    }
    const username = url.username === "" ? undefined : decodeURIComponent(url.username);
    const password = url.password === "" ? undefined : decodeURIComponent(url.password);
    url.username = "";
    url.password = "";
    return {
      url: url.href.replace(/\/$/, ""),
      host: url.hostname,
      secure: scheme.secure || flags.ssl,
      username,
      password,
    };
  }
  const host = flags.host ?? "localhost";
  if (/[/:@\s]/.test(host) && !/^\[.*\]$/.test(host)) {
    throw new UsageError(`Invalid value "${host}" for --host: expected a host name or address`);
  }
  const port = flags.port ?? 1883;
  const scheme = flags.ws ? (flags.ssl ? "wss" : "ws") : (flags.ssl ? "mqtts" : "mqtt");
  return {
    url: `${scheme}://${host}:${port}${flags.ws ? "/mqtt" : ""}`,
    host,
    secure: flags.ssl,
  };
}

/** Reads the TLS files named by the flags. */
export function readTls(files: { ca?: string; cert?: string; key?: string }): BenchTls {
  const read = (flag: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return Deno.readTextFileSync(path);
    } catch (e) {
      throw new UsageError(`Invalid value "${path}" for --${flag}: ${(e as Error).message}`);
    }
  };
  if ((files.cert === undefined) !== (files.key === undefined)) {
    throw new UsageError("--certfile and --keyfile go together");
  }
  return {
    ca: read("cacertfile", files.ca),
    cert: read("certfile", files.cert),
    key: read("keyfile", files.key),
  };
}
