// The broker's QoS 1 and 2 publications to us: their acknowledgements (PUBACK; PUBREC, then
// PUBCOMP for the PUBREL), delivered exactly once at QoS 2 by holding each packet identifier
// until its PUBREL, and our Receive Maximum (MQTT 5 §3.1.2.11.3) enforced on those flows.

import type { ProtocolVersion, PublishPacket } from "../codec/packets.ts";
import type { Connection } from "./_connection.ts";
import { MqttProtocolError } from "./errors.ts";

export class Inbound {
  #version: ProtocolVersion = 4;
  /** Incoming QoS 2 flows awaiting PUBREL: packet identifier → the message's fingerprint. */
  #received?: Map<number, string> | undefined;
  /** Recently completed incoming QoS 2 flows, the same way. */
  #completed?: Map<number, string> | undefined;
  /** Our Receive Maximum: incoming QoS 2 flows held at once. */
  #receiveMaximum = Infinity;
  /**
   * QoS 2 messages delivered whose PUBREC waits for the consumers (see `acknowledge`), with the
   * connection each came on: an acknowledgement from an older copy is not the resend's.
   */
  #unrecorded?: Map<number, Connection> | undefined;

  /**
   * A new connection: its version and our Receive Maximum (MQTT 5 only; 65535 when the CONNECT
   * set none). Without Session Present the broker will not resend the QoS 2 messages we hold
   * identifiers for, so they are forgotten.
   */
  attach(
    version: ProtocolVersion,
    receiveMaximum: number | undefined,
    sessionPresent: boolean,
  ): void {
    this.#version = version;
    this.#receiveMaximum = version === 5 ? receiveMaximum ?? 65535 : Infinity;
    // A QoS 2 message whose PUBREC never went out is still the broker's: it sends it again on
    // this connection, and that copy must be delivered, not taken for a duplicate.
    if (this.#unrecorded !== undefined) {
      for (const id of this.#unrecorded.keys()) this.#received?.delete(id);
      this.#unrecorded = undefined;
    }
    if (!sessionPresent) this.clear();
  }

  /** Forgets every flow (the session is cleared). */
  clear(): void {
    this.#received = undefined;
    this.#completed = undefined;
    this.#unrecorded = undefined;
  }

  /**
   * Judges an incoming PUBLISH. Returns whether to deliver it: false for a QoS 2 duplicate whose
   * packet identifier is still held (exactly once; answered here); an error to close the
   * connection with when the broker exceeds our Receive Maximum. A message to deliver is
   * acknowledged by `acknowledge`, once its consumers took it.
   */
  receive(conn: Connection, packet: PublishPacket, topic: string): boolean | MqttProtocolError {
    if (packet.qos !== 2) return true;
    const id = packet.packetId!;
    const received = this.#received ??= new Map();
    let fresh = !received.has(id);
    // Only QoS 2 flows (awaiting PUBREC or PUBREL) are counted against our Receive Maximum here;
    // one more is the broker's violation (MQTT-3.3.4-9), answered with 0x93.
    if (fresh && received.size >= this.#receiveMaximum) {
      return new MqttProtocolError(
        `Receive Maximum exceeded: more than ${this.#receiveMaximum} QoS 2 messages in flight`,
        0x93,
      );
    }
    // Once we sent PUBCOMP, a PUBLISH with that identifier is a new message, DUP or not
    // (MQTT-4.3.3-2, v5 MQTT-4.3.3-12): a broker may reuse the identifier at once, and resends
    // that message with DUP when the connection drops before we read it. But mosquitto
    // restarted from its store resends flows we completed (117-461 of 10,000 in
    // tests/persistence_test.ts): a DUP whose topic (resolved from any alias) and payload are
    // those of the flow completed with its identifier is taken for that one again. Only a new
    // message identical to it, on an identifier reused at once, is then lost: mosquitto cycles
    // through its identifiers, and a fingerprint is kept for the last 1,024 flows only.
    const print = fingerprint(topic, packet.payload);
    if (fresh && packet.dup && this.#completed?.get(id) === print) fresh = false;
    this.#completed?.delete(id);
    received.set(id, print);
    if (fresh) (this.#unrecorded ??= new Map()).set(id, conn);
    // A duplicate whose original still waits for its consumers is answered with that one.
    else if (this.#unrecorded?.has(id) !== true) conn.sendAck("pubrec", id);
    return fresh;
  }

  /**
   * Sends the acknowledgement of a delivered QoS 1/2 message (PUBACK; PUBREC) on the connection
   * it came on: when that one is gone, the broker sends the message again (persistent session).
   * A QoS 2 one is recorded as received either way, its consumers took it, so the broker's
   * resend is a duplicate, answered with PUBREC and not delivered again; unless the resend came
   * already (a new connection forgot what was unrecorded): then the identifier is the resend's,
   * which its own acknowledgement answers.
   */
  acknowledge(conn: Connection, qos: number, packetId: number): void {
    if (qos === 1) {
      if (!conn.closed) conn.sendAck("puback", packetId);
      return;
    }
    if (this.#unrecorded?.get(packetId) !== conn) return;
    this.#unrecorded.delete(packetId);
    if (!conn.closed) conn.sendAck("pubrec", packetId);
  }

  /** Keeps the most recent completed incoming QoS 2 flows, for repeated PUBRELs and PUBLISHes. */
  #remember(id: number, print: string): void {
    const completed = this.#completed ??= new Map();
    completed.set(id, print);
    // Far fewer than the 65535 a broker cycles through before reusing an identifier.
    if (completed.size > 1024) completed.delete(completed.keys().next().value!);
  }

  /** Answers a PUBREL with PUBCOMP, completing the QoS 2 flow of `packetId`. */
  release(conn: Connection | undefined, packetId: number): void {
    const print = this.#received?.get(packetId);
    const held = print !== undefined;
    if (held) {
      this.#received!.delete(packetId);
      this.#remember(packetId, print);
    }
    // A repeated PUBREL of a flow we completed (our PUBCOMP was lost) gets a plain PUBCOMP;
    // v5 answers one for an identifier we never held with 0x92 Packet Identifier not found.
    const known = held || (this.#completed?.has(packetId) ?? false);
    const unknown = this.#version === 5 && !known ? 0x92 : 0;
    conn?.sendAck("pubcomp", packetId, unknown);
  }
}

// Bytes of a payload's start and end that a fingerprint hashes: enough to tell two messages
// apart, at a bounded cost per QoS 2 message whatever its size.
const PRINT_EDGE = 64;

/** The topic, length and FNV-1a hash of the edges of a message's payload. */
function fingerprint(topic: string, payload: Uint8Array): string {
  const n = payload.length;
  let hash = 0x811c9dc5;
  const head = Math.min(n, PRINT_EDGE);
  for (let i = 0; i < head; i++) hash = Math.imul(hash ^ payload[i]!, 0x01000193);
  for (let i = Math.max(head, n - PRINT_EDGE); i < n; i++) {
    hash = Math.imul(hash ^ payload[i]!, 0x01000193);
  }
  return `${topic}\u0000${n}\u0000${hash >>> 0}`;
}
