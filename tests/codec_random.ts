// Deterministic random MQTT packets for the codec's differential tests and fuzzers: a seeded
// PRNG and generators of valid packets of every type for MQTT 3.1, 3.1.1 and 5.0.

import type {
  Packet,
  PacketType,
  Properties,
  ProtocolVersion,
  QoSLevel,
  Subscription,
  UserProperty,
} from "../codec/mod.ts";
import { isReasonCodeAllowed, PROPERTY_DEFINITIONS, type PropertyContext } from "../codec/mod.ts";

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same sequence. */
export class Random {
  #state: number;

  /** Starts the sequence of `seed`. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p = 0.5): boolean {
    return this.next() < p;
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
}

const CHARS = [..."abcxyzABC019-_.$ ", "é", "ß", "€", "中", "𝄞", "\ufeff"];

/** A valid MQTT string (no U+0000, no lone surrogate), non-ASCII now and then. */
export function randomString(r: Random, min = 0, max = 12): string {
  const n = r.int(min, max);
  let s = "";
  const ascii = r.chance(0.6);
  for (let i = 0; i < n; i++) s += ascii ? CHARS[r.int(0, 16)] : r.pick(CHARS);
  return s;
}

/** A valid topic name: levels of random strings, no wildcards, at least one character. */
export function randomTopic(r: Random): string {
  const levels = r.int(1, 4);
  const parts: string[] = [];
  for (let i = 0; i < levels; i++) parts.push(randomString(r, i === 0 ? 1 : 0, 8));
  return parts.join("/");
}

/** A valid topic filter, with `+` and `#` where they are allowed. */
export function randomFilter(r: Random, v5: boolean): string {
  const levels = r.int(1, 4);
  const parts: string[] = [];
  for (let i = 0; i < levels; i++) {
    const last = i === levels - 1;
    parts.push(
      last && r.chance(0.2) ? "#" : r.chance(0.2) ? "+" : randomString(r, i === 0 ? 1 : 0, 8),
    );
  }
  const filter = parts.join("/");
  if (v5 && r.chance(0.1)) return `$share/${randomString(r, 1, 5).replace(/\//g, "")}/${filter}`;
  return filter;
}

/** A payload: usually small, sometimes large enough for a 3-byte remaining length. */
export function randomPayload(r: Random): Uint8Array {
  const size = r.chance(0.02)
    ? r.int(16384, 70000)
    : r.chance(0.2)
    ? r.int(128, 2000)
    : r.int(0, 64);
  return r.bytes(size);
}

function qos(r: Random): QoSLevel {
  return r.int(0, 2) as QoSLevel;
}

function packetId(r: Random): number {
  return r.chance(0.1) ? r.pick([1, 127, 128, 255, 256, 65535]) : r.int(1, 65535);
}

/** Random valid MQTT 5 properties allowed in `context`, or undefined. */
export function randomProperties(r: Random, context: PropertyContext): Properties | undefined {
  if (r.chance(0.3)) return undefined;
  const props: Record<string, unknown> = {};
  for (const d of PROPERTY_DEFINITIONS) {
    if (!d.contexts.includes(context) || !r.chance(0.25)) continue;
    switch (d.type) {
      case "byte":
        props[d.name] = d.name === "maximumQoS" ? r.int(0, 1) : r.chance();
        break;
      case "twoByteInteger":
        props[d.name] = r.int(1, 65535);
        break;
      case "fourByteInteger":
        props[d.name] = r.chance(0.2) ? 4294967295 : r.int(1, 1_000_000);
        break;
      case "variableByteInteger": {
        const n = context === "subscribe" ? 1 : r.int(1, 3);
        props[d.name] = Array.from(
          { length: n },
          () => r.pick([1, 127, 128, 16384, 268435455, r.int(1, 1e6)]),
        );
        break;
      }
      case "utf8String":
        props[d.name] = randomString(r);
        break;
      case "binaryData":
        props[d.name] = r.bytes(r.int(0, 20));
        break;
      default: {
        const pairs: UserProperty[] = [];
        const names = [randomString(r, 1, 4), randomString(r, 1, 4)];
        for (let i = r.int(1, 4); i > 0; i--) pairs.push([r.pick(names), randomString(r)]);
        props[d.name] = pairs;
      }
    }
  }
  if (props.authenticationData !== undefined) props.authenticationMethod ??= randomString(r);
  return Object.keys(props).length > 0 ? props as Properties : undefined;
}

function reasonCode(r: Random, type: PacketType): number {
  const codes: number[] = [];
  for (let code = 0; code < 256; code++) if (isReasonCodeAllowed(code, type)) codes.push(code);
  return r.chance(0.5) ? 0 : r.pick(codes);
}

/** Every packet type a protocol version has. */
export function packetTypes(version: ProtocolVersion): PacketType[] {
  const types: PacketType[] = [
    "connect",
    "connack",
    "publish",
    "puback",
    "pubrec",
    "pubrel",
    "pubcomp",
    "subscribe",
    "suback",
    "unsubscribe",
    "unsuback",
    "pingreq",
    "pingresp",
    "disconnect",
  ];
  return version === 5 ? [...types, "auth"] : types;
}

/** A random valid packet of `type` for `version` (a CONNECT announces `version`). */
export function randomPacket(r: Random, type: PacketType, version: ProtocolVersion): Packet {
  const v5 = version === 5;
  const props = (context: PropertyContext) => (v5 ? randomProperties(r, context) : undefined);
  const withProps = <T extends object>(packet: T, context: PropertyContext): T => {
    const properties = props(context);
    return properties === undefined ? packet : { ...packet, properties };
  };
  switch (type) {
    case "connect": {
      // MQTT 3.1 needs a client identifier; 3.1.1 allows an empty one only with clean session.
      const cleanStart = r.chance();
      const empty = r.chance(0.1) && version !== 3 && (cleanStart || v5);
      const packet: Packet = {
        type,
        protocolVersion: version,
        clientId: empty ? "" : randomString(r, 1, 23),
        cleanStart,
        keepalive: r.chance(0.2) ? r.pick([0, 65535]) : r.int(0, 1000),
      };
      if (r.chance(0.4)) {
        packet.will = {
          topic: randomTopic(r),
          payload: r.bytes(r.int(0, 40)),
          qos: qos(r),
          retain: r.chance(),
        };
        const willProperties = props("will");
        if (willProperties !== undefined) packet.will.properties = willProperties;
      }
      const username = r.chance(0.5);
      if (username) packet.username = randomString(r);
      if (r.chance(0.5) && (username || v5)) packet.password = r.bytes(r.int(0, 16));
      return withProps(packet, "connect");
    }
    case "connack": {
      const code = v5 ? reasonCode(r, "connack") : r.chance(0.6) ? 0 : r.int(1, 5);
      return withProps(
        // MQTT 3.1 has no session present flag.
        { type, sessionPresent: code === 0 && version !== 3 && r.chance(), reasonCode: code },
        "connack",
      );
    }
    case "publish": {
      const q = qos(r);
      const base = {
        type,
        topic: randomTopic(r),
        payload: randomPayload(r),
        qos: q,
        retain: r.chance(),
        dup: q > 0 && r.chance(0.3),
      };
      const packet: Packet = q === 0 ? base : { ...base, packetId: packetId(r) };
      return withProps(packet, "publish");
    }
    case "puback":
    case "pubrec":
    case "pubrel":
    case "pubcomp": {
      if (!v5) return { type, packetId: packetId(r) };
      return withProps({ type, packetId: packetId(r), reasonCode: reasonCode(r, type) }, type);
    }
    case "subscribe": {
      const subscriptions: Subscription[] = [];
      for (let i = r.int(1, 4); i > 0; i--) {
        const topicFilter = randomFilter(r, v5);
        subscriptions.push(
          v5
            ? {
              topicFilter,
              qos: qos(r),
              noLocal: !topicFilter.startsWith("$share/") && r.chance(),
              retainAsPublished: r.chance(),
              retainHandling: r.int(0, 2) as 0 | 1 | 2,
            }
            : { topicFilter, qos: qos(r) },
        );
      }
      return withProps({ type, packetId: packetId(r), subscriptions }, "subscribe");
    }
    case "suback": {
      const reasonCodes = Array.from(
        { length: r.int(1, 5) },
        () => v5 ? reasonCode(r, "suback") : r.pick([0, 1, 2, 0x80]),
      );
      return withProps({ type, packetId: packetId(r), reasonCodes }, "suback");
    }
    case "unsubscribe": {
      const topicFilters = Array.from({ length: r.int(1, 4) }, () => randomFilter(r, v5));
      return withProps({ type, packetId: packetId(r), topicFilters }, "unsubscribe");
    }
    case "unsuback": {
      if (!v5) return { type, packetId: packetId(r) };
      const reasonCodes = Array.from({ length: r.int(1, 5) }, () => reasonCode(r, "unsuback"));
      return withProps({ type, packetId: packetId(r), reasonCodes }, "unsuback");
    }
    case "pingreq":
    case "pingresp":
      return { type };
    case "disconnect":
      return v5
        ? withProps({ type, reasonCode: reasonCode(r, "disconnect") }, "disconnect")
        : { type };
    case "auth":
      return withProps({ type, reasonCode: reasonCode(r, "auth") }, "auth");
  }
}
