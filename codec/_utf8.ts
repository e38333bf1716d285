// UTF-8 sizing, writing and reading for MQTT strings (MQTT 5.0 §1.5.4): no U+0000, no
// surrogate code points, at most 65535 bytes. Stateless module constants only.

import { MqttProtocolError } from "./errors.ts";

const textEncoder = new TextEncoder();
// ignoreBOM: MQTT says a leading U+FEFF is part of the string and must not be stripped.
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Below this many UTF-16 units a JS loop beats a call into the runtime's encoder.
const JS_ENCODE_MAX = 256;
// Below this many bytes building the string from char codes beats TextDecoder.
const JS_DECODE_MAX = 64;

/**
 * Byte length of `s` in UTF-8, or -1 when `s` holds U+0000 or a lone surrogate (which MQTT
 * forbids and TextEncoder would silently replace); with `topicName`, -2 when it holds a
 * wildcard (`+`, `#`), which topic names forbid.
 */
export function utf8Length(s: string, topicName = false): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) return -1;
      if (topicName && (c === 0x23 || c === 0x2b)) return -2;
    } else if (c < 0x800) {
      bytes += 1;
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes += 2;
    } else if (c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return -1;
      // Two UTF-16 units, four bytes: two already counted.
      bytes += 2;
      i++;
    } else {
      return -1;
    }
  }
  return bytes;
}

/**
 * Byte length of a string field being encoded, checked against MQTT's rules.
 *
 * @throws {TypeError} when `s` is not a string or holds U+0000 or a lone surrogate.
 * @throws {RangeError} when it is longer than 65535 bytes.
 */
export function stringSize(s: unknown, what: string): number {
  if (typeof s !== "string") throw new TypeError(`${what} must be a string`);
  const n = utf8Length(s);
  if (n < 0) throw new TypeError(`${what} must not contain U+0000 or lone surrogates`);
  if (n > 0xffff) throw new RangeError(`${what} is longer than 65535 bytes`);
  return n;
}

/**
 * Writes `s` (already checked by {@linkcode utf8Length}) at `pos`; returns the bytes written.
 * The caller sized `buf` for it.
 */
export function writeUtf8(buf: Uint8Array, pos: number, s: string): number {
  const n = s.length;
  if (n > JS_ENCODE_MAX) return textEncoder.encodeInto(s, buf.subarray(pos)).written;
  let p = pos;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    } else {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      buf[p++] = 0xf0 | (c >> 18);
      buf[p++] = 0x80 | ((c >> 12) & 0x3f);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p - pos;
}

/**
 * Decodes `buf[start, end)` as an MQTT UTF-8 string.
 *
 * @throws {MqttProtocolError} 0x81 on invalid UTF-8 or U+0000.
 */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start > JS_DECODE_MAX) return readUtf8Slow(buf, start, end);
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80 || c === 0) return readUtf8Slow(buf, start, end);
  }
  // ASCII: eight char codes per call halves the concatenations of a char-by-char loop.
  const from = String.fromCharCode;
  let s = "";
  let i = start;
  for (; i + 8 <= end; i += 8) {
    s += from(
      buf[i]!,
      buf[i + 1]!,
      buf[i + 2]!,
      buf[i + 3]!,
      buf[i + 4]!,
      buf[i + 5]!,
      buf[i + 6]!,
      buf[i + 7]!,
    );
  }
  for (; i < end; i++) s += from(buf[i]!);
  return s;
}

function readUtf8Slow(buf: Uint8Array, start: number, end: number): string {
  // A zero byte can only encode U+0000 in UTF-8, which MQTT forbids.
  const bytes = buf.subarray(start, end);
  if (bytes.includes(0)) throw new MqttProtocolError("Malformed packet: a string contains U+0000");
  try {
    return textDecoder.decode(bytes);
  } catch (cause) {
    throw new MqttProtocolError("Malformed packet: a string is not well-formed UTF-8", 0x81, {
      cause,
    });
  }
}
