// How many of our QoS 1/2 publications may await acknowledgement at once: the window the
// session fills before it queues, with a separate count for QoS 2 towards MQTT 3.1.1 brokers.

import type { PublishOp } from "./_ops.ts";

export class InflightWindow {
  #inflight = 0;
  #size = 1000;
  /** QoS 2 publications in flight, and how many may be (see ConnectSettings.qos2Inflight). */
  #inflight2 = 0;
  #qos2Size = 1000;

  /** Sizes the window for a new connection: `size` in all, `qos2Size` of them at QoS 2. */
  resize(size: number, qos2Size: number): void {
    this.#size = size;
    this.#qos2Size = qos2Size;
  }

  /**
   * Whether a QoS 1/2 publication fits now. A QoS 1 one also waits while the QoS 2 window is
   * full: mosquitto counts the QoS 2 messages awaiting PUBREL against one quota and answers a
   * QoS 1 message that finds it spent with PUBACK 0x97 (Quota exceeded), which MQTT 3.1.1 cannot
   * tell from success, and drops it. Those in flight were sent before it, so the broker's count
   * when it arrives is at most ours.
   */
  fits(_op: PublishOp): boolean {
    return this.#inflight < this.#size && this.#inflight2 < this.#qos2Size;
  }

  /** A publication was sent and awaits its acknowledgement. */
  took(op: PublishOp): void {
    this.#inflight++;
    if (op.packet.qos === 2) this.#inflight2++;
  }

  /** A publication is out of the window (acknowledged, failed, or to send again). */
  landed(op: PublishOp): void {
    this.#inflight--;
    if (op.packet.qos === 2) this.#inflight2--;
  }

  /** Nothing is in flight any more. */
  clear(): void {
    this.#inflight = 0;
    this.#inflight2 = 0;
  }
}
