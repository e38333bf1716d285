// The publish time that `mqtt_message_latency` is measured from. MQTT 5 carries it in a user
// property, so the payload stays untouched; MQTT 3.1.1 has no properties, so a client that opts in
// (`latency_stamp: "payload"`) appends it to the payload as a 12-byte trailer that receivers with
// the same option strip again: "mqlt" and the epoch milliseconds as a big-endian float64.

/** The user property the publisher stamps and the receiver reads (MQTT 5). */
export const LATENCY_PROPERTY = "mqload-ts";

const MAGIC = [0x6d, 0x71, 0x6c, 0x74]; // "mqlt"
/** Bytes the payload trailer adds. */
export const PAYLOAD_STAMP_BYTES = 12;

// The float64 goes through one scratch view: a DataView per message is an allocation per message.
const SCRATCH = new DataView(new ArrayBuffer(8));

/** `payload` with the trailer carrying `sentAt` appended: a new array. */
export function stampPayload(payload: Uint8Array, sentAt: number): Uint8Array {
  const stamped = new Uint8Array(payload.length + PAYLOAD_STAMP_BYTES);
  stamped.set(payload);
  const at = payload.length;
  for (let i = 0; i < 4; i++) stamped[at + i] = MAGIC[i]!;
  SCRATCH.setFloat64(0, sentAt);
  for (let i = 0; i < 8; i++) stamped[at + 4 + i] = SCRATCH.getUint8(i);
  return stamped;
}

/** The send time of a payload that ends with the trailer, else undefined. */
export function payloadStamp(payload: Uint8Array): number | undefined {
  const at = payload.length - PAYLOAD_STAMP_BYTES;
  if (at < 0) return undefined;
  for (let i = 0; i < 4; i++) if (payload[at + i] !== MAGIC[i]) return undefined;
  for (let i = 0; i < 8; i++) SCRATCH.setUint8(i, payload[at + 4 + i]!);
  const sentAt = SCRATCH.getFloat64(0);
  return Number.isFinite(sentAt) ? sentAt : undefined;
}
