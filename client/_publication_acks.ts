// What an acknowledgement of one of our publications means for it, by the QoS flow it is in:
// QoS 1 ends on PUBACK; QoS 2 goes on to PUBREL on PUBREC, and ends on PUBCOMP or on a PUBREC
// that refuses it (MQTT 5, reason code 0x80 or above).

import type { Op } from "./_ops.ts";

/**
 * `done`: the flow is complete (or refused, by its reason code); `release`: a PUBREC, answered
 * with PUBREL; `stale`: late, duplicate or for no publication of ours, the flow is over; any
 * other string: the broker broke the flow (a protocol error, which closes the connection).
 */
export type AckVerdict = "done" | "release" | "stale" | string;

export function publicationAck(
  type: "puback" | "pubrec" | "pubcomp",
  op: Op | undefined,
  reasonCode: number,
): AckVerdict {
  if (op?.method !== "publish") return "stale";
  const qos = op.packet.qos;
  if (type === "puback") {
    // RabbitMQ's MQTT plugin takes a QoS 2 PUBLISH as QoS 1 and answers it with PUBACK, never
    // PUBREC: the broker has the message (at least once), so that PUBACK completes the flow,
    // as it does in MQTT.js and Paho. Waiting for a PUBREC left publish() and end() hanging.
    return qos === 1 || (qos === 2 && !op.released) ? "done" : "stale";
  }
  if (type === "pubcomp") {
    if (qos !== 2) return "stale";
    // Completing here would report exactly-once delivery the broker never confirmed.
    return op.released ? "done" : `PUBCOMP before PUBREC for packet ${op.packet.packetId}`;
  }
  if (qos !== 2) return `PUBREC for the QoS ${qos} publication ${op.packet.packetId}`;
  return reasonCode >= 0x80 ? "done" : "release";
}
