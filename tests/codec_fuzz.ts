// The codec fuzzer shared by the short run in `deno task test` (codec_fuzz_test.ts) and the
// long one (`deno task fuzz`, fuzz_long.ts). Deterministic for a seed.
//
// Decoder properties checked on every input, fed whole, in random chunks or byte by byte:
// - only MqttProtocolError (or RangeError) escapes; never another exception, never a loop
//   that does not consume input;
// - whatever it decodes, the encoder accepts and round-trips to an equal packet;
// - a stream of valid packets decodes whole.
// Encoder properties, on valid packets with fields replaced by odd values:
// - only TypeError or RangeError escapes;
// - whatever it encodes, the decoder accepts, and re-encoding that gives the same bytes.

import { isDeepStrictEqual } from "node:util";
import {
  decode,
  Decoder,
  encode,
  MqttProtocolError,
  type Packet,
  type ProtocolVersion,
} from "../codec/mod.ts";
import { packetTypes, Random, randomPacket } from "./codec_random.ts";

/** What a fuzz run saw. */
export interface FuzzReport {
  /** Inputs tried. */
  inputs: number;
  /** Outcome → count: `decode ok`, `decode MqttProtocolError 0x81`, `encode TypeError`, … */
  histogram: Map<string, number>;
  /** Property violations (at most 20 kept), each with the input that caused it. */
  failures: string[];
  /** Total count of property violations. */
  failureCount: number;
}

const ODD_VALUES: unknown[] = [
  undefined,
  null,
  -1,
  0,
  1,
  2,
  3,
  0x80,
  65535,
  65536,
  2 ** 32,
  268435456,
  NaN,
  1.5,
  "",
  "a/+",
  "#",
  "$share/g",
  "a\0b",
  "\ud800",
  "é",
  true,
  false,
  [],
  [1, 2],
  [["k", "v"]],
  {},
  { userProperties: [["k", "v"]] },
  { topicAlias: 0 },
  { sessionExpiryInterval: 10 },
  new Uint8Array(3),
];

function hex(bytes: Uint8Array): string {
  const head = [...bytes.subarray(0, 96)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return bytes.length > 96 ? `${head}… (${bytes.length} bytes)` : head;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function errorKey(error: unknown): string {
  if (error instanceof MqttProtocolError) {
    return `MqttProtocolError 0x${error.reasonCode.toString(16)}`;
  }
  if (error instanceof RangeError || error instanceof TypeError) return error.name;
  return `untyped ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

/** Encoder and decoder may disagree here on purpose: a server must answer it with a CONNACK. */
function refusedOnPurpose(p: Packet): boolean {
  return p.type === "connect" && p.protocolVersion !== 5 && p.clientId === "" &&
    (p.protocolVersion === 3 || !p.cleanStart);
}

function mutate(r: Random, input: Uint8Array): Uint8Array {
  const bytes = [...input];
  for (let k = r.int(1, 4); k > 0; k--) {
    const at = r.int(0, Math.max(0, bytes.length - 1));
    switch (r.int(0, 7)) {
      case 0:
        if (bytes.length > 0) bytes[at] ^= 1 << r.int(0, 7);
        break;
      case 1:
        if (bytes.length > 0) bytes[at] = r.int(0, 255);
        break;
      case 2:
        bytes.splice(at, 0, ...r.bytes(r.int(1, 4)));
        break;
      case 3:
        bytes.splice(at, r.int(1, 4));
        break;
      case 4:
        bytes.length = at;
        break;
      case 5:
        bytes[0] = r.int(0, 255);
        break;
      case 6:
        // The remaining length: the bytes after the first.
        bytes[r.int(1, 4)] = r.pick([0, 0x7f, 0x80, 0xff, r.int(0, 255)]);
        break;
      default:
        bytes.push(...bytes.slice(at, at + r.int(1, 16)));
    }
  }
  return Uint8Array.from(bytes, (b) => b ?? 0);
}

function randomValidStream(r: Random, version: ProtocolVersion): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let n = r.int(1, 3); n > 0; n--) {
    parts.push(encode(randomPacket(r, r.pick(packetTypes(version)), version), version));
  }
  return parts.length === 1 ? parts[0] : concat(parts);
}

function randomFramed(r: Random): Uint8Array {
  // A plausible first byte for every type, a correct remaining length, a random body.
  const first = r.chance(0.8)
    ? (r.int(1, 15) << 4) | r.pick([0, 0, 2, r.int(0, 15)])
    : r.int(0, 255);
  const body = r.bytes(r.chance(0.9) ? r.int(0, 40) : r.int(128, 400));
  const length: number[] = [];
  let n = body.length;
  do {
    length.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Uint8Array.from([first, ...length, ...body]);
}

/** Feeds `bytes` to a decoder in random chunks; returns the outcome key. */
function decodeAll(
  r: Random,
  bytes: Uint8Array,
  version: ProtocolVersion,
  onPacket: (p: Packet, v: ProtocolVersion) => void,
): string {
  const maximumPacketSize = r.chance(0.1) ? r.int(2, 200) : undefined;
  const decoder = new Decoder({ protocolVersion: version, maximumPacketSize });
  const mode = r.int(0, 2); // whole, random chunks, byte by byte
  let pos = 0;
  let packets = 0;
  try {
    while (pos < bytes.length) {
      const size = mode === 0 ? bytes.length : mode === 1 ? r.int(1, 64) : 1;
      decoder.feed(bytes.subarray(pos, pos + size));
      pos += size;
      for (let p = decoder.next(); p !== undefined; p = decoder.next()) {
        // Every packet takes at least two bytes: more than that many packets is a loop.
        if (++packets > bytes.length / 2) return "hang";
        onPacket(p, decoder.protocolVersion);
      }
    }
  } catch (error) {
    return errorKey(error);
  }
  return decoder.buffered === 0 ? "ok" : "incomplete";
}

function oddPacket(r: Random): [Packet, ProtocolVersion] {
  const version = r.pick([3, 4, 5] as const);
  const packet = randomPacket(r, r.pick(packetTypes(version)), version) as unknown as Record<
    string,
    unknown
  >;
  for (let k = r.int(1, 2); k > 0; k--) {
    // Replace a field somewhere in the packet (one level into nested objects and arrays).
    let target = packet;
    const keys = Object.keys(target).filter((key) => key !== "type");
    if (keys.length === 0) break;
    let key = r.pick(keys);
    const inner = target[key];
    if (
      inner !== null && typeof inner === "object" && !(inner instanceof Uint8Array) && r.chance()
    ) {
      const innerKeys = Object.keys(inner);
      if (innerKeys.length > 0) {
        target = inner as Record<string, unknown>;
        key = r.pick(innerKeys);
      }
    }
    target[key] = r.pick(ODD_VALUES);
  }
  return [packet as unknown as Packet, version];
}

/** Runs `count` fuzz inputs from `seed`. */
export function fuzz(
  seed: number,
  count: number,
  onProgress?: (done: number, report: FuzzReport) => void,
): FuzzReport {
  const r = new Random(seed);
  const report: FuzzReport = { inputs: 0, histogram: new Map(), failures: [], failureCount: 0 };
  const count1 = (key: string) => report.histogram.set(key, (report.histogram.get(key) ?? 0) + 1);
  const fail = (what: string, input: Uint8Array | string, error?: unknown) => {
    report.failureCount++;
    if (report.failures.length < 20) {
      const text = typeof input === "string" ? input : hex(input);
      report.failures.push(`${what}: ${text}${error === undefined ? "" : ` → ${error}`}`);
    }
  };
  for (let i = 0; i < count; i++) {
    report.inputs++;
    const roll = r.next();
    if (roll < 0.15) {
      const [packet, version] = oddPacket(r);
      let bytes: Uint8Array;
      try {
        bytes = encode(packet, version);
      } catch (error) {
        const key = errorKey(error);
        count1(`encode ${key}`);
        if (key !== "TypeError" && key !== "RangeError") fail("encode threw", String(error));
        continue;
      }
      count1("encode ok");
      try {
        const again = encode(decode(bytes, version), version);
        if (!isDeepStrictEqual(again, bytes)) fail("re-encoding differs", bytes);
      } catch (error) {
        fail("decoder refused the encoder's output", bytes, error);
      }
      continue;
    }
    const version = r.pick([3, 4, 5] as const);
    let bytes: Uint8Array;
    let kind: string;
    if (roll < 0.25) {
      kind = "valid";
      bytes = randomValidStream(r, version);
    } else if (roll < 0.7) {
      kind = "mutated";
      bytes = mutate(r, randomValidStream(r, version));
    } else if (roll < 0.85) {
      kind = "framed";
      bytes = randomFramed(r);
    } else {
      kind = "random";
      bytes = r.bytes(r.int(0, 64));
    }
    const outcome = decodeAll(r, bytes, version, (packet, v) => {
      if (refusedOnPurpose(packet)) return;
      try {
        const again = decode(encode(packet, v), v);
        if (!isDeepStrictEqual(again, packet)) fail("round trip differs", bytes);
      } catch (error) {
        fail("decoded packet does not round-trip", bytes, error);
      }
    });
    count1(`decode ${outcome}`);
    if (outcome.startsWith("untyped") || outcome === "hang") fail(`decoder ${outcome}`, bytes);
    if (kind === "valid" && outcome !== "ok" && outcome !== "MqttProtocolError 0x95") {
      fail(`valid stream gave ${outcome}`, bytes);
    }
    if (onProgress !== undefined && (i + 1) % 100_000 === 0) onProgress(i + 1, report);
  }
  return report;
}
