/**
 * The MQTT 5 property table (MQTT 5.0 §2.2.2.2): every property's identifier, camelCase name,
 * wire type and the packets that may carry it.
 *
 * @module
 */

import type { PacketType, Properties } from "./packets.ts";

/**
 * The wire type of an MQTT 5 property value (MQTT 5.0 §1.5).
 *
 * @example Usage
 * ```ts
 * import type { PropertyType } from "@mqload/mqload/codec";
 * const type: PropertyType = "variableByteInteger";
 * ```
 */
export type PropertyType =
  | "byte"
  | "twoByteInteger"
  | "fourByteInteger"
  | "variableByteInteger"
  | "utf8String"
  | "binaryData"
  | "utf8StringPair";

/**
 * Where a property may appear: a packet type, or `"will"` for the will properties of CONNECT.
 *
 * @example Usage
 * ```ts
 * import type { PropertyContext } from "@mqload/mqload/codec";
 * const context: PropertyContext = "will";
 * ```
 */
export type PropertyContext = PacketType | "will";

/**
 * One row of the property table.
 *
 * @example Usage
 * ```ts
 * import { propertyById, type PropertyDefinition } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * const definition: PropertyDefinition | undefined = propertyById(0x26);
 * assert.equal(definition?.name, "userProperties");
 * ```
 */
export interface PropertyDefinition {
  /** The identifier on the wire. */
  readonly id: number;
  /** The key in {@linkcode Properties}. */
  readonly name: keyof Properties;
  /** The wire type of one value. */
  readonly type: PropertyType;
  /** Whether the property may appear more than once in one packet. */
  readonly repeatable: boolean;
  /** The packets (and `"will"`) that may carry it. */
  readonly contexts: readonly PropertyContext[];
}

const ACKS: PropertyContext[] = ["puback", "pubrec", "pubrel", "pubcomp"];
const MESSAGE: PropertyContext[] = ["publish", "will"];

function def(
  id: number,
  name: keyof Properties,
  type: PropertyType,
  contexts: PropertyContext[],
  repeatable = false,
): PropertyDefinition {
  return Object.freeze({ id, name, type, repeatable, contexts: Object.freeze(contexts) });
}

/**
 * Every MQTT 5 property, ordered by identifier.
 *
 * @example Usage
 * ```ts
 * import { PROPERTY_DEFINITIONS } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * assert.equal(PROPERTY_DEFINITIONS.length, 27);
 * assert.ok(PROPERTY_DEFINITIONS.every((d) => d.contexts.length > 0));
 * ```
 */
export const PROPERTY_DEFINITIONS: readonly PropertyDefinition[] = Object.freeze([
  def(0x01, "payloadFormatIndicator", "byte", MESSAGE),
  def(0x02, "messageExpiryInterval", "fourByteInteger", MESSAGE),
  def(0x03, "contentType", "utf8String", MESSAGE),
  def(0x08, "responseTopic", "utf8String", MESSAGE),
  def(0x09, "correlationData", "binaryData", MESSAGE),
  // Repeatable in PUBLISH (one per matching subscription); SUBSCRIBE allows one, checked apart.
  def(0x0b, "subscriptionIdentifiers", "variableByteInteger", ["publish", "subscribe"], true),
  def(0x11, "sessionExpiryInterval", "fourByteInteger", ["connect", "connack", "disconnect"]),
  def(0x12, "assignedClientIdentifier", "utf8String", ["connack"]),
  def(0x13, "serverKeepAlive", "twoByteInteger", ["connack"]),
  def(0x15, "authenticationMethod", "utf8String", ["connect", "connack", "auth"]),
  def(0x16, "authenticationData", "binaryData", ["connect", "connack", "auth"]),
  def(0x17, "requestProblemInformation", "byte", ["connect"]),
  def(0x18, "willDelayInterval", "fourByteInteger", ["will"]),
  def(0x19, "requestResponseInformation", "byte", ["connect"]),
  def(0x1a, "responseInformation", "utf8String", ["connack"]),
  def(0x1c, "serverReference", "utf8String", ["connack", "disconnect"]),
  def(0x1f, "reasonString", "utf8String", [
    "connack",
    ...ACKS,
    "suback",
    "unsuback",
    "disconnect",
    "auth",
  ]),
  def(0x21, "receiveMaximum", "twoByteInteger", ["connect", "connack"]),
  def(0x22, "topicAliasMaximum", "twoByteInteger", ["connect", "connack"]),
  def(0x23, "topicAlias", "twoByteInteger", ["publish"]),
  def(0x24, "maximumQoS", "byte", ["connack"]),
  def(0x25, "retainAvailable", "byte", ["connack"]),
  def(0x26, "userProperties", "utf8StringPair", [
    "connect",
    "connack",
    ...MESSAGE,
    ...ACKS,
    "subscribe",
    "suback",
    "unsubscribe",
    "unsuback",
    "disconnect",
    "auth",
  ], true),
  def(0x27, "maximumPacketSize", "fourByteInteger", ["connect", "connack"]),
  def(0x28, "wildcardSubscriptionAvailable", "byte", ["connack"]),
  def(0x29, "subscriptionIdentifiersAvailable", "byte", ["connack"]),
  def(0x2a, "sharedSubscriptionAvailable", "byte", ["connack"]),
]);

const BY_ID: (PropertyDefinition | undefined)[] = [];
const BY_NAME = new Map<string, PropertyDefinition>();
for (const d of PROPERTY_DEFINITIONS) {
  BY_ID[d.id] = d;
  BY_NAME.set(d.name, d);
}

/**
 * Looks a property up by its wire identifier.
 *
 * @param id The property identifier, such as `0x11`.
 * @returns The definition, or `undefined` for an identifier MQTT 5 does not define.
 *
 * @example Usage
 * ```ts
 * import { propertyById } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * assert.equal(propertyById(0x11)?.name, "sessionExpiryInterval");
 * assert.equal(propertyById(0x04), undefined);
 * ```
 */
export function propertyById(id: number): PropertyDefinition | undefined {
  return BY_ID[id];
}

/**
 * Looks a property up by its camelCase name.
 *
 * @param name A key of {@linkcode Properties}, such as `"topicAlias"`.
 * @returns The definition, or `undefined` for an unknown name.
 *
 * @example Usage
 * ```ts
 * import { propertyByName } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * assert.equal(propertyByName("topicAlias")?.id, 0x23);
 * assert.deepEqual(propertyByName("topicAlias")?.contexts, ["publish"]);
 * ```
 */
export function propertyByName(name: string): PropertyDefinition | undefined {
  return BY_NAME.get(name);
}

/**
 * Whether a property may appear in a packet type (or in the will properties).
 *
 * @param name A key of {@linkcode Properties}.
 * @param context The packet type, or `"will"`.
 * @returns `true` when MQTT 5 allows it there.
 *
 * @example Usage
 * ```ts
 * import { isPropertyAllowed } from "@mqload/mqload/codec";
 * import assert from "node:assert/strict";
 * assert.equal(isPropertyAllowed("topicAlias", "publish"), true);
 * assert.equal(isPropertyAllowed("topicAlias", "will"), false);
 * ```
 */
export function isPropertyAllowed(name: string, context: PropertyContext): boolean {
  const d = BY_NAME.get(name);
  return d !== undefined && d.contexts.includes(context);
}
