/**
 * Prometheus remote write 1.0 on the wire: the protobuf `WriteRequest` of `prompb/remote.proto`
 * and `prompb/types.proto` (only the fields Prometheus reads from k6: labels and float samples),
 * snappy block compression, and the HTTP POST with the headers the specification requires.
 *
 * @module
 */

import SnappyJS from "snappyjs";

/** A label of a series (`prompb.Label`). */
export interface PromLabel {
  /** The label's name (`__name__` is the metric name). */
  name: string;
  /** The label's value. */
  value: string;
}

/** One float sample (`prompb.Sample`). */
export interface PromSample {
  /** The value (ignored for a stale marker). */
  value: number;
  /** When, in ms since the epoch. */
  timestampMs: number;
  /**
   * Sends Prometheus' stale marker, the NaN `0x7ff0000000000002` (k6's `stale.Marker`), which
   * ends the series. A flag, not a value: JavaScript may turn that signalling NaN into another.
   */
  stale?: boolean;
}

/** A series with its samples (`prompb.TimeSeries`); labels sorted by name, as the spec asks. */
export interface PromSeries {
  /** Labels, sorted by name. */
  labels: readonly PromLabel[];
  /** Samples, oldest first. */
  samples: readonly PromSample[];
}

const utf8 = new TextEncoder();

// Field keys: (field number << 3) | wire type (2 length-delimited, 1 64-bit, 0 varint).
const KEY_TIMESERIES = 0x0a; // WriteRequest.timeseries = 1
const KEY_LABELS = 0x0a; // TimeSeries.labels = 1
const KEY_SAMPLES = 0x12; // TimeSeries.samples = 2
const KEY_NAME = 0x0a; // Label.name = 1
const KEY_VALUE = 0x12; // Label.value = 2
const KEY_SAMPLE_VALUE = 0x09; // Sample.value = 1 (double)
const KEY_SAMPLE_TIMESTAMP = 0x10; // Sample.timestamp = 2 (int64)

/** Bytes of `n` as a base-128 varint (n ≥ 0, up to 2^53; timestamps exceed 32 bits). */
function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/**
 * Encodes a `WriteRequest` of `series`: sizes first, then one allocation, as every encoder of
 * this project does.
 *
 * @param series The series to send.
 * @returns The protobuf bytes.
 *
 * @example Usage
 * ```ts
 * import { encodeWriteRequest } from "./_remote_write.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeWriteRequest([{
 *   labels: [{ name: "__name__", value: "k6_vus" }],
 *   samples: [{ value: 1, timestampMs: 1 }],
 * }]);
 * assert.equal(bytes[0], 0x0a); // WriteRequest.timeseries, length-delimited
 * assert.equal(bytes.length, 2 + 2 + 18 + 2 + 11);
 * ```
 */
export function encodeWriteRequest(series: readonly PromSeries[]): Uint8Array<ArrayBuffer> {
  // Pass 1: encode the strings and size every message.
  const texts: Uint8Array[] = [];
  const seriesSizes: number[] = [];
  let total = 0;
  for (const s of series) {
    let size = 0;
    for (const label of s.labels) {
      const name = utf8.encode(label.name);
      const value = utf8.encode(label.value);
      texts.push(name, value);
      const labelSize = 1 + varintSize(name.length) + name.length + 1 +
        varintSize(value.length) + value.length;
      size += 1 + varintSize(labelSize) + labelSize;
    }
    for (const sample of s.samples) {
      const sampleSize = 1 + 8 + 1 + varintSize(sample.timestampMs);
      size += 1 + varintSize(sampleSize) + sampleSize;
    }
    seriesSizes.push(size);
    total += 1 + varintSize(size) + size;
  }
  // Pass 2: write.
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  const varint = (n: number) => {
    while (n >= 0x80) {
      out[at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    out[at++] = n;
  };
  const bytes = (key: number, b: Uint8Array) => {
    out[at++] = key;
    varint(b.length);
    out.set(b, at);
    at += b.length;
  };
  let text = 0;
  series.forEach((s, i) => {
    out[at++] = KEY_TIMESERIES;
    varint(seriesSizes[i]);
    for (let l = 0; l < s.labels.length; l++) {
      const name = texts[text++];
      const value = texts[text++];
      out[at++] = KEY_LABELS;
      varint(
        1 + varintSize(name.length) + name.length + 1 + varintSize(value.length) + value.length,
      );
      bytes(KEY_NAME, name);
      bytes(KEY_VALUE, value);
    }
    for (const sample of s.samples) {
      out[at++] = KEY_SAMPLES;
      varint(1 + 8 + 1 + varintSize(sample.timestampMs));
      out[at++] = KEY_SAMPLE_VALUE;
      if (sample.stale) {
        view.setUint32(at, 0x00000002, true);
        view.setUint32(at + 4, 0x7ff00000, true);
      } else view.setFloat64(at, sample.value, true);
      at += 8;
      out[at++] = KEY_SAMPLE_TIMESTAMP;
      varint(sample.timestampMs);
    }
  });
  return out;
}

/**
 * Snappy block compression (not the framed format), as remote write requires.
 *
 * @param bytes What to compress.
 * @returns The compressed block.
 *
 * @example Usage
 * ```ts
 * import { snappyCompress } from "./_remote_write.ts";
 * import assert from "node:assert/strict";
 *
 * const block = snappyCompress(new Uint8Array(1000));
 * assert.ok(block.length < 100);
 * assert.equal(block[0], 0xe8); // the uncompressed length, 1000, as a varint
 * ```
 */
export function snappyCompress(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  // snappyjs answers in the input's type: a Uint8Array in, a new Uint8Array out.
  return SnappyJS.compress(bytes) as Uint8Array<ArrayBuffer>;
}

/** Where and how to send. */
export interface RemoteWriteTarget {
  /** The endpoint, without credentials. */
  url: string;
  /** Extra headers (authorization included). */
  headers: Readonly<Record<string, string>>;
}

/**
 * POSTs `series` to a remote write endpoint, as k6's `remote.WriteClient.Store`.
 *
 * @param target The endpoint and extra headers.
 * @param series What to send.
 * @param signal Ends the request (its timeout).
 * @returns Resolves when the endpoint answered 2xx.
 * @throws {Error} When the request fails or the answer is not 2xx.
 *
 * @example Usage
 * ```ts
 * import { pushSeries } from "./_remote_write.ts";
 * import assert from "node:assert/strict";
 *
 * const server = Deno.serve({ port: 0, onListen() {} }, async (req) => {
 *   assert.equal(req.headers.get("content-encoding"), "snappy");
 *   await req.arrayBuffer();
 *   return new Response(null, { status: 204 });
 * });
 * const url = `http://127.0.0.1:${server.addr.port}/api/v1/write`;
 * await pushSeries({ url, headers: {} }, [], AbortSignal.timeout(5000));
 * await server.shutdown();
 * ```
 */
export async function pushSeries(
  target: RemoteWriteTarget,
  series: readonly PromSeries[],
  signal: AbortSignal,
): Promise<void> {
  const body = snappyCompress(encodeWriteRequest(series));
  const response = await fetch(target.url, {
    method: "POST",
    headers: {
      ...target.headers,
      "User-Agent": "k6-prometheus-rw-output",
      "Content-Encoding": "snappy",
      "Content-Type": "application/x-protobuf",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
    },
    body,
    signal,
  });
  // Read the body either way: it releases the connection, and Prometheus says why it refused.
  const text = await response.text();
  if (!response.ok) {
    const why = text.trim().slice(0, 200);
    throw new Error(
      `got status code: ${response.status} instead expected a 2xx successful status code` +
        (why ? ` (${why})` : ""),
    );
  }
}
