// What a SUBACK or UNSUBACK means: for the subscriptions the client restores after the broker
// forgot them, and for the call that asked (done with the reason codes, or failed).

import type { SubackPacket } from "../codec/packets.ts";
import type { Restorable, SubscribeOp, UnsubscribeOp } from "./_ops.ts";
import { refusal } from "./_reasons.ts";
import { type MqttError, MqttProtocolError } from "./errors.ts";

/**
 * Records the subscriptions a SUBACK granted; returns why `op` failed, if it did: a refused
 * filter (the first refusal's code), or a SUBACK that does not answer each filter.
 */
export function subacked(
  op: SubscribeOp,
  packet: SubackPacket,
  subscriptions: Map<string, Restorable>,
): MqttError | undefined {
  const asked = op.packet.subscriptions;
  const codes = packet.reasonCodes;
  if (codes.length !== asked.length) {
    // Which filter a code belongs to is then unknown: a protocol error, not a refusal. The
    // connection stays: closing it would only repeat the restore of the subscriptions (one
    // SUBSCRIBE for several filters) with a broker that answers it the same way.
    return new MqttProtocolError(
      `SUBACK with ${codes.length} return codes for ${asked.length} topic filters ` +
        "(one per filter: MQTT-3.8.4-5)",
      0x82,
      { method: "subscribe" },
    );
  }
  let failure: number | undefined;
  for (let i = 0; i < asked.length; i++) {
    const code = codes[i]!;
    if (code >= 0x80) {
      failure ??= code;
      continue;
    }
    const subscription = asked[i]!;
    subscriptions.set(subscription.topicFilter, {
      subscription,
      properties: op.packet.properties,
    });
  }
  if (failure === undefined) return undefined;
  // The filters refused, not those granted beside them (they are subscribed: see reasonCodes).
  const topics = asked.filter((_, i) => codes[i]! >= 0x80).map((s) => s.topicFilter).join(", ");
  return refusal("subscribe", failure, packet.properties?.reasonString, topics, codes);
}

/**
 * Forgets the filters an UNSUBACK answered; returns why `op` failed, if a filter was refused.
 * `codes` are the UNSUBACK's (MQTT 5), or a success per filter (MQTT 3.1.1 has none).
 */
export function unsubacked(
  op: UnsubscribeOp,
  codes: number[],
  reasonString: string | undefined,
  subscriptions: Map<string, Restorable>,
): MqttError | undefined {
  for (const filter of op.packet.topicFilters) subscriptions.delete(filter);
  const failure = codes.find((code) => code >= 0x80);
  if (failure === undefined) return undefined;
  const topics = op.packet.topicFilters.filter((_, i) => (codes[i] ?? 0) >= 0x80).join(", ");
  return refusal("unsubscribe", failure, reasonString, topics, codes);
}
