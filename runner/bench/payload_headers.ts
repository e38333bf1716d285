/**
 * emqtt-bench's payload headers (`--payload-hdrs cnt64,ts`): 8-byte big-endian integers in front
 * of the payload, in the order given on the command line: `cnt64` a per-publisher counter from 0,
 * `ts` the send time in epoch milliseconds. The layout is emqtt-bench's, so either tool's
 * publishers can feed the other's subscribers.
 *
 * @module
 */

/** A header field: the per-publisher counter or the send timestamp. */
export type PayloadHeader = "cnt64" | "ts";

/**
 * The header fields there are, in the order `--help` lists them.
 *
 * @example Usage
 * ```ts
 * import { PAYLOAD_HEADERS } from "./payload_headers.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(PAYLOAD_HEADERS, ["cnt64", "ts"]);
 * ```
 */
export const PAYLOAD_HEADERS: readonly PayloadHeader[] = Object.freeze(["cnt64", "ts"]);

/** Bytes each header field takes. */
const FIELD_BYTES = 8;
// A `ts` header outside these bounds is no send time: the payload came without headers.
const EARLIEST_STAMP = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;

let warnedHeaderless = false;

/**
 * Says once per Worker that payloads came without the headers a subscriber expects (their
 * latency and order are then not measured): a publisher started without `--payload-hdrs`.
 *
 * @param fields The headers expected.
 *
 * @example Usage
 * ```ts
 * import { warnHeaderless } from "./payload_headers.ts";
 * warnHeaderless(["cnt64", "ts"]);
 * ```
 */
export function warnHeaderless(fields: readonly PayloadHeader[]): void {
  if (warnedHeaderless) return;
  warnedHeaderless = true;
  console.warn(
    `Payloads without the --payload-hdrs headers (${fields.join(",")}): their latency and ` +
      "order are not measured (does the publisher send them?)",
  );
}

/** What a received payload's headers said. */
export interface HeaderValues {
  /** The publisher's counter, when `cnt64` is on. */
  count?: number;
  /** The send time in epoch ms, when `ts` is on. */
  sentAt?: number;
}

/**
 * Writes and reads the headers of one layout. A publisher keeps one instance per client (its
 * counter); a subscriber can share one, as reading keeps no state.
 *
 * @example Usage
 * ```ts
 * import { PayloadHeaders } from "./payload_headers.ts";
 * import assert from "node:assert/strict";
 *
 * const headers = new PayloadHeaders(["cnt64", "ts"]);
 * const body = new TextEncoder().encode("hi");
 * const first = headers.stamp(body, 1_700_000_000_000);
 * const second = headers.stamp(body, 1_700_000_000_010);
 * assert.equal(first.length, 18);
 * assert.deepEqual(headers.read(second), { count: 1, sentAt: 1_700_000_000_010 });
 * ```
 */
export class PayloadHeaders {
  readonly #fields: readonly PayloadHeader[];
  #next = 0;

  /**
   * @param fields The fields, in their order in the payload.
   */
  constructor(fields: readonly PayloadHeader[]) {
    this.#fields = fields;
  }

  /** Bytes the headers take in front of the payload. */
  get size(): number {
    return this.#fields.length * FIELD_BYTES;
  }

  /** The counter the next stamped payload gets. */
  get nextCount(): number {
    return this.#next;
  }

  /**
   * The payload with the headers in front: a new array; the counter goes up by one.
   *
   * @param body The payload after the headers.
   * @param nowMs The send time, in epoch ms (default now).
   * @returns The headers and the body.
   */
  stamp(body: Uint8Array, nowMs: number = Date.now()): Uint8Array {
    // A message's own bytes, written a byte at a time: a DataView would move a small array's
    // bytes off the heap (a malloc per message), and a BigInt is one more allocation.
    const fields = this.#fields;
    const size = fields.length * FIELD_BYTES;
    const out = new Uint8Array(size + body.length);
    for (let i = 0; i < fields.length; i++) {
      writeUint64(out, i * FIELD_BYTES, fields[i] === "cnt64" ? this.#next++ : Math.round(nowMs));
    }
    out.set(body, size);
    return out;
  }

  /**
   * Reads the headers of a received payload.
   *
   * @param payload The payload as received.
   * @param nowMs When it was received, in epoch ms (default now): the caller that measures its
   * latency reads the clock once for both.
   * @returns The values, or undefined when the payload holds none: too short, or a `ts` that
   * is no send time (before 2000 or more than a day ahead: a payload sent without headers).
   */
  read(payload: Uint8Array, nowMs: number = Date.now()): HeaderValues | undefined {
    const fields = this.#fields;
    if (payload.length < fields.length * FIELD_BYTES) return undefined;
    const values: HeaderValues = {};
    for (let i = 0; i < fields.length; i++) {
      const value = readUint64(payload, i * FIELD_BYTES);
      if (fields[i] === "cnt64") values.count = value;
      else values.sentAt = value;
    }
    const sentAt = values.sentAt;
    if (sentAt !== undefined && !(sentAt >= EARLIEST_STAMP && sentAt <= nowMs + DAY_MS)) {
      return undefined;
    }
    return values;
  }
}

/**
 * Parses `--payload-hdrs`: a comma-separated list of fields, each at most once.
 *
 * @param text Such as `cnt64,ts`.
 * @returns The fields in order.
 * @throws {RangeError} On an unknown or repeated field.
 *
 * @example Usage
 * ```ts
 * import { parsePayloadHeaders } from "./payload_headers.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parsePayloadHeaders("ts,cnt64"), ["ts", "cnt64"]);
 * assert.throws(() => parsePayloadHeaders("cnt32"), RangeError);
 * ```
 */
export function parsePayloadHeaders(text: string): PayloadHeader[] {
  const fields = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const [i, field] of fields.entries()) {
    if (!(PAYLOAD_HEADERS as readonly string[]).includes(field)) {
      throw new RangeError(`unknown header "${field}": expected ${PAYLOAD_HEADERS.join(" or ")}`);
    }
    if (fields.indexOf(field) !== i) throw new RangeError(`header "${field}" given twice`);
  }
  return fields as PayloadHeader[];
}

/**
 * Writes `value` as a big-endian unsigned 64-bit integer: exact for whole numbers from 0 to
 * 2^53 (counts and epoch milliseconds); a fraction is cut, NaN writes 0.
 */
function writeUint64(out: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  const low = value >>> 0;
  out[at] = high >>> 24;
  out[at + 1] = high >>> 16;
  out[at + 2] = high >>> 8;
  out[at + 3] = high;
  out[at + 4] = low >>> 24;
  out[at + 5] = low >>> 16;
  out[at + 6] = low >>> 8;
  out[at + 7] = low;
}

/** A big-endian unsigned 64-bit integer, as the nearest number (exact up to 2^53). */
function readUint64(bytes: Uint8Array, at: number): number {
  const high =
    ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>>
    0;
  const low = ((bytes[at + 4] << 24) | (bytes[at + 5] << 16) | (bytes[at + 6] << 8) |
    bytes[at + 7]) >>> 0;
  return high * 0x1_0000_0000 + low;
}
