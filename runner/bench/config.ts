/**
 * What `mqload bench` runs: the flags of a command line taken apart, before any script exists.
 * `flags.ts` makes it, `script.ts` turns it into a k6 script, `command.ts` runs that.
 *
 * @module
 */

import type { PayloadHeader } from "./payload_headers.ts";

/**
 * The default `--tick`, ms. Publishing each message at its own due time costs a wakeup of the
 * generator's event loop per message, and with it the acknowledgement's: 100 publishers at
 * 10/s on a raw Deno program took 88 µs of CPU per message, 73 µs with a 10 ms tick (mosquitto
 * 42 -> 37 µs: the broker gets batches too).
 */
export const DEFAULT_TICK_MS = 10;

/**
 * How long past `--duration`'s end a client waits for the broker: for the acknowledgements of
 * what it sent, for a CONNACK. A broker that stalls holds the run no longer.
 */
export const END_WAIT_MS = 2000;

/** The three jobs, emqtt-bench's names. */
export type BenchKind = "conn" | "pub" | "sub";

/** One entry of `--topics-payload`: a topic each publisher publishes on its own interval. */
export interface TopicSpec {
  /** The topic template (`%i`, `%c`, `%u`, `%rand_N`). */
  name: string;
  /** Payload text (an object in the file is sent as its JSON). */
  payload: string;
  /** ms between its messages. */
  intervalMs: number;
  /** Its QoS. */
  qos: 0 | 1 | 2;
  /** Its retain flag. */
  retain: boolean;
  /**
   * Set the payload object's `timestamp` field to the send time on each message, in this unit
   * (emqtt-bench's `inject_timestamp`: `true` is `"ms"`), or not (false).
   */
  injectTimestamp: false | "s" | "ms" | "us" | "ns";
}

/** TLS files (`-S` with `--cacertfile`, `--certfile`, `--keyfile`), read when given. */
export interface BenchTls {
  /** CA certificate PEM. */
  ca?: string;
  /** Client certificate PEM. */
  cert?: string;
  /** Client key PEM. */
  key?: string;
}

/** The connection side, common to the three jobs. */
export interface BenchConnection {
  /** Broker URL without credentials (`mqtt://`, `mqtts://`, `ws://`, `wss://`). */
  url: string;
  /** The host, for default client ids. */
  host: string;
  /** MQTT version: 3 (3.1), 4 (3.1.1) or 5. */
  version: 3 | 4 | 5;
  /** Clients (`-c`). */
  count: number;
  /** Sequence numbers start after this (`-n`): the first client is n + 1. */
  startNumber: number;
  /** ms between two connects of the whole run (`-i`, or 1000 / `-R`). */
  connectIntervalMs: number;
  /** `-u`. */
  username?: string;
  /** `-P` (never printed: the script reads it from the environment). */
  password?: string;
  /** `-k`, seconds. */
  keepalive: number;
  /** `-C`. */
  clean: boolean;
  /** `-x`, seconds (MQTT 5). */
  sessionExpiry: number;
  /** TLS files, when `-S` or a secure URL. */
  tls?: BenchTls;
  /** `--prefix`. */
  prefix?: string;
  /** `--shortids`. */
  shortIds: boolean;
  /** `--num-retry-connect`. */
  retryConnect: number;
  /** `--reconnect`: automatic reconnects after a lost connection (0: none). */
  reconnect: number;
}

/** The publishing side (`pub`). */
export interface BenchPublish {
  /** `-t`. */
  topic: string;
  /** `-q`. */
  qos: 0 | 1 | 2;
  /** `-r`. */
  retain: boolean;
  /** `-s`, bytes (the default body's size). */
  size: number;
  /** `-m`. */
  message?: string;
  /** `--topics-payload`, replacing `-t`, `-m`, `-I`, `-q`, `-r` when given. */
  topics?: TopicSpec[];
  /** `-L`: messages per publisher (0: no limit). */
  limit: number;
  /** `-I`, ms between a publisher's messages (0: as fast as acknowledged). */
  intervalMs: number;
  /** `-F`: QoS 1/2 messages in flight per client. */
  inflight: number;
  /**
   * `--tick`, ms: a message goes out at the first tick of the Worker's clock at or after it is
   * due (0: at its due time).
   */
  tickMs: number;
  /** `-w`. */
  waitBeforePublishing: boolean;
  /** `--min-random-wait`, ms. */
  minRandomWait: number;
  /** `--max-random-wait`, ms. */
  maxRandomWait: number;
}

/** The receiving side (`sub`). */
export interface BenchSubscribe {
  /** `-t` (comma-separated topics allowed). */
  topics: string[];
  /** `-q`. */
  qos: 0 | 1 | 2;
  /** `--shared GROUP`: subscribe to `$share/GROUP/…`. */
  shared?: string;
  /** `-L` on sub: messages each publisher sends, so that a lost tail counts too (0: unknown). */
  expected: number;
}

/** A whole `mqload bench` command line. */
export interface BenchConfig {
  /** conn, pub or sub. */
  kind: BenchKind;
  /** The command line as given (the script's header). */
  commandLine: string;
  /** Connection settings. */
  connection: BenchConnection;
  /** Publishing (pub only). */
  publish?: BenchPublish;
  /** Subscribing (sub only). */
  subscribe?: BenchSubscribe;
  /** `--payload-hdrs`. */
  payloadHeaders: PayloadHeader[];
  /** `--duration`, ms (undefined: until the limit, or Ctrl+C). */
  durationMs?: number;
  /** `--threshold metric:expr`, as k6's thresholds option. */
  thresholds: Record<string, string[]>;
}
