// Sizing, writing and reading MQTT 5 property blocks, driven by the table in properties.ts.

import { MqttProtocolError } from "./errors.ts";
import type { Properties } from "./packets.ts";
import { PROPERTY_DEFINITIONS, type PropertyContext } from "./properties.ts";
import { overrun, type Reader } from "./_reader.ts";
import { stringSize } from "./_utf8.ts";
import { varintSize, type Writer } from "./_writer.ts";

/** Context bits: packet type number, and bit 0 for will properties. */
export const WILL = 1 << 0;
/** The bit of a packet type (its number in the fixed header). */
export function contextBit(packetTypeNumber: number): number {
  return 1 << packetTypeNumber;
}

const CONTEXT_NUMBER: Record<PropertyContext, number> = {
  will: 0,
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
};
const CONTEXT_NAME = Object.keys(CONTEXT_NUMBER).map((k) => k === "will" ? "will properties" : k);

// Internal value kinds: the wire type plus how the value is represented in JS.
const BOOL = 0; // byte 0/1 as a boolean
const BYTE = 1; // byte as a number (maximumQoS)
const U16 = 2;
const U32 = 3;
const VARINT = 4; // subscription identifiers, an array
const STRING = 5;
const BINARY = 6;
const PAIR = 7; // user properties, an array of pairs

interface Entry {
  id: number;
  name: string;
  kind: number;
  mask: number;
  /** Smallest value allowed (1 where the spec calls 0 a Protocol Error). */
  min: number;
}

const NON_ZERO = new Set(["receiveMaximum", "topicAlias", "maximumPacketSize"]);
const BY_ID: (Entry | undefined)[] = [];
const BY_NAME = new Map<string, Entry>();
for (const d of PROPERTY_DEFINITIONS) {
  let mask = 0;
  for (const c of d.contexts) mask |= 1 << CONTEXT_NUMBER[c];
  const kind = d.type === "byte"
    ? (d.name === "maximumQoS" ? BYTE : BOOL)
    : d.type === "twoByteInteger"
    ? U16
    : d.type === "fourByteInteger"
    ? U32
    : d.type === "variableByteInteger"
    ? VARINT
    : d.type === "utf8String"
    ? STRING
    : d.type === "binaryData"
    ? BINARY
    : PAIR;
  const entry = { id: d.id, name: d.name, kind, mask, min: NON_ZERO.has(d.name) ? 1 : 0 };
  BY_ID[d.id] = entry;
  BY_NAME.set(d.name, entry);
}

/** @throws {RangeError} unless `v` is an integer in [min, max]. */
export function intCheck(v: unknown, min: number, max: number, what: string): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${v}`);
  }
}

/**
 * Size of a property block's content (without its own length), validating every value.
 *
 * @throws {TypeError} on an unknown property, one not allowed here, or a value of the wrong type.
 * @throws {RangeError} on a number or string out of range.
 */
export function propertiesSize(props: Properties | undefined, context: number): number {
  if (props === undefined) return 0;
  if (typeof props !== "object" || props === null) {
    throw new TypeError("properties must be an object");
  }
  let size = 0;
  for (const key in props) {
    const value = (props as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const e = BY_NAME.get(key);
    if (e === undefined) throw new TypeError(`Unknown MQTT 5 property "${key}"`);
    if ((e.mask & context) === 0) {
      throw new TypeError(`Property "${key}" is not allowed in ${contextName(context)}`);
    }
    switch (e.kind) {
      case BOOL:
        if (typeof value !== "boolean") throw new TypeError(`${key} must be a boolean`);
        size += 2;
        break;
      case BYTE:
        intCheck(value, 0, 1, key);
        size += 2;
        break;
      case U16:
        intCheck(value, e.min, 0xffff, key);
        size += 3;
        break;
      case U32:
        intCheck(value, e.min, 0xffffffff, key);
        size += 5;
        break;
      case VARINT:
        if (!Array.isArray(value)) throw new TypeError(`${key} must be an array`);
        if (value.length > 1 && context === 1 << CONTEXT_NUMBER.subscribe) {
          throw new TypeError("A SUBSCRIBE carries at most one subscription identifier");
        }
        for (const id of value) {
          intCheck(id, 1, 268435455, "A subscription identifier");
          size += 1 + varintSize(id);
        }
        break;
      case STRING:
        size += 3 + stringSize(value, key);
        break;
      case BINARY:
        if (!(value instanceof Uint8Array)) throw new TypeError(`${key} must be a Uint8Array`);
        if (value.length > 0xffff) throw new RangeError(`${key} is longer than 65535 bytes`);
        size += 3 + value.length;
        break;
      default: // PAIR
        if (!Array.isArray(value)) throw new TypeError(`${key} must be an array of pairs`);
        for (const pair of value) {
          if (!Array.isArray(pair) || pair.length !== 2) {
            throw new TypeError("A user property must be a [name, value] pair");
          }
          size += 5 + stringSize(pair[0], "A user property name") +
            stringSize(pair[1], "A user property value");
        }
    }
  }
  if (size > 268435455) throw new RangeError("Properties are too large");
  return size;
}

/** Writes a property block (length, then entries) already checked by propertiesSize. */
export function writeProperties(w: Writer, props: Properties | undefined, size: number): void {
  w.varint(size);
  if (size === 0 || props === undefined) return;
  for (const key in props) {
    const value = (props as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const e = BY_NAME.get(key)!;
    switch (e.kind) {
      case BOOL:
        w.u8(e.id);
        w.u8(value ? 1 : 0);
        break;
      case BYTE:
        w.u8(e.id);
        w.u8(value as number);
        break;
      case U16:
        w.u8(e.id);
        w.u16(value as number);
        break;
      case U32:
        w.u8(e.id);
        w.u32(value as number);
        break;
      case VARINT:
        for (const id of value as number[]) {
          w.u8(e.id);
          w.varint(id);
        }
        break;
      case STRING:
        w.u8(e.id);
        w.utf8(value as string);
        break;
      case BINARY:
        w.u8(e.id);
        w.binary(value as Uint8Array);
        break;
      default:
        for (const [name, text] of value as [string, string][]) {
          w.u8(e.id);
          w.utf8(name);
          w.utf8(text);
        }
    }
  }
}

/**
 * Reads a property block, or returns `undefined` when it is empty.
 *
 * @throws {MqttProtocolError} 0x81 for an unknown property, one not allowed here or an overrun;
 *   0x82 for a repeated single-valued property or a value the spec calls a Protocol Error.
 */
export function readProperties(r: Reader, context: number): Properties | undefined {
  const len = r.varint();
  if (len === 0) return undefined;
  const end = r.pos + len;
  if (end > r.end) throw overrun();
  const outer = r.end;
  r.end = end;
  const props: Record<string, unknown> = {};
  while (r.pos < end) {
    const id = r.varint();
    const e = BY_ID[id];
    if (e === undefined) {
      throw new MqttProtocolError(`Malformed packet: unknown property identifier 0x${hex(id)}`);
    }
    if ((e.mask & context) === 0) {
      throw new MqttProtocolError(
        `Malformed packet: property ${e.name} is not allowed in ${contextName(context)}`,
      );
    }
    let value: unknown;
    switch (e.kind) {
      case BOOL:
      case BYTE: {
        const b = r.u8();
        if (b > 1) throw protocolError(`${e.name} must be 0 or 1, got ${b}`);
        value = e.kind === BOOL ? b === 1 : b;
        break;
      }
      case U16:
        value = r.u16();
        if (value === 0 && e.name === "topicAlias") {
          // 0x94 Topic Alias invalid, as for an alias above the maximum (mosquitto does the same).
          throw new MqttProtocolError("Protocol error: topicAlias must not be 0", 0x94);
        }
        if (value === 0 && e.min === 1) throw protocolError(`${e.name} must not be 0`);
        break;
      case U32:
        value = r.u32();
        if (value === 0 && e.min === 1) throw protocolError(`${e.name} must not be 0`);
        break;
      case VARINT: {
        const v = r.varint();
        if (v === 0) throw protocolError("a subscription identifier must not be 0");
        const list = props[e.name] as number[] | undefined;
        if (list === undefined) props[e.name] = [v];
        else list.push(v);
        continue;
      }
      case STRING:
        value = r.utf8();
        break;
      case BINARY:
        value = r.binary();
        break;
      default: {
        const pair = [r.utf8(), r.utf8()];
        const list = props[e.name] as string[][] | undefined;
        if (list === undefined) props[e.name] = [pair];
        else list.push(pair);
        continue;
      }
    }
    if (props[e.name] !== undefined) {
      throw protocolError(`property ${e.name} appears more than once`);
    }
    props[e.name] = value;
  }
  r.end = outer;
  return props as Properties;
}

/** Size of a property block with its length prefix. */
export function withLength(size: number): number {
  return varintSize(size) + size;
}

function contextName(context: number): string {
  return CONTEXT_NAME[31 - Math.clz32(context)]!;
}

function protocolError(message: string): MqttProtocolError {
  return new MqttProtocolError(`Protocol error: ${message}`, 0x82);
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0").toUpperCase();
}
