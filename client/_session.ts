// The session state that outlives a connection: packet identifiers, our QoS 1/2 publications and
// (un)subscriptions awaiting acknowledgement, the queue behind the in-flight window, the
// subscriptions to restore, and the broker's QoS 1/2 publications to us (see Inbound).

import { encode } from "../codec/mod.ts";
import { encodePacket } from "../codec/internal.ts";
import type {
  ConnackPacket,
  Packet,
  ProtocolVersion,
  PublishPacket,
  SubackPacket,
} from "../codec/packets.ts";
import { OutgoingAliases } from "./_aliases.ts";
import type { Connection } from "./_connection.ts";
import {
  encodeRequest,
  type Op,
  poisonError,
  type PublishOp,
  type Restorable,
  restoreOps,
} from "./_ops.ts";
import { BrokerCapabilities } from "./_capabilities.ts";
import { Inbound } from "./_inbound.ts";
import { InflightWindow } from "./_inflight_window.ts";
import { refusal } from "./_reasons.ts";
import { subacked, unsubacked } from "./_subscriptions.ts";
import { MqttError, MqttProtocolError } from "./errors.ts";
import { publicationAck } from "./_publication_acks.ts";
import type { ConnectSettings } from "./_settings.ts";

// How many connections may end with a publication the oldest unacknowledged before it fails
// instead of being sent again. A broker restart costs one; a poison message costs every one.
const MAX_LOSSES = 3;

/** Where the session settles the operations it owns. */
export interface SessionOwner {
  done(op: Op, result?: number[]): void;
  failed(op: Op, error: MqttError): void;
}

export class Session {
  readonly subscriptions: Map<string, Restorable> = new Map();
  readonly #owner: SessionOwner;
  #version: ProtocolVersion = 4;
  #conn?: Connection | undefined;
  #pending = new Map<number, Op>();
  #nextId = 1;
  readonly #window = new InflightWindow();
  #maxQueued: number;
  #queue: Op[] = [];
  #head = 0;
  /** The broker's QoS 1 and 2 publications to us: their acknowledgements, exactly once. */
  readonly inbound: Inbound = new Inbound();
  /** What the broker's CONNACK allows: every packet is checked against it before it is sent. */
  readonly #capabilities = new BrokerCapabilities();
  #aliases?: OutgoingAliases | undefined;
  #drained?: PromiseWithResolvers<void> | undefined;

  constructor(owner: SessionOwner, maxQueued: number) {
    this.#owner = owner;
    this.#maxQueued = maxQueued;
  }

  /** The connection packets go to, when there is one. */
  get connection(): Connection | undefined {
    return this.#conn;
  }

  get version(): ProtocolVersion {
    return this.#version;
  }

  /** Operations waiting for the window or a connection. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Operations not yet settled, sent or queued. */
  get size(): number {
    return this.#pending.size + this.#queue.length - this.#head;
  }

  /**
   * Binds a fresh connection after a successful CONNACK: takes the broker's limits, restores
   * subscriptions the broker forgot, resends what was in flight (with DUP), then drains the queue.
   */
  attach(
    conn: Connection,
    connack: ConnackPacket,
    settings: Pick<
      ConnectSettings,
      "protocolVersion" | "maxInflight" | "qos2Inflight" | "topicAliases"
    >,
    /** The Receive Maximum we announced (MQTT 5). */
    receiveMaximum: number | undefined,
  ): void {
    this.#conn = conn;
    conn.awaiting = this.#pending;
    const version = this.#version = settings.protocolVersion;
    const capabilities = this.#capabilities;
    capabilities.take(version, connack.properties);
    const window = Math.min(settings.maxInflight, capabilities.receiveMaximum);
    this.#window.resize(window, version === 5 ? window : settings.qos2Inflight);
    this.inbound.attach(version, receiveMaximum, connack.sessionPresent);
    const aliasMax = settings.topicAliases ? capabilities.topicAliasMaximum : 0;
    this.#aliases = aliasMax > 0 ? new OutgoingAliases(aliasMax) : undefined;
    if (!connack.sessionPresent) {
      // A fresh session on the broker: it forgot our subscriptions (and the inbound flows).
      this.#restoreSubscriptions();
      this.#discardInflight();
    }
    for (const op of this.#pending.values()) {
      if (op.method !== "publish") conn.send(encode(op.packet, this.#version));
      else if (op.released) conn.sendAck("pubrel", op.packet.packetId!);
      else if ((op.losses ?? 0) >= MAX_LOSSES) this.#dropPoison(op);
      else conn.send(this.#encodePublish({ ...op.packet, dup: true }));
    }
    this.#pump();
  }

  /**
   * Session Present 0: the broker holds none of our in-flight state, which we must discard too
   * (MQTT-3.2.2-5), never resending PUBLISH with old ids or PUBREL into a new session. What the
   * broker never accepted is still the caller's message: it goes back to the head of the queue
   * to be published again as new (in order, within the new Receive Maximum). A QoS 2 message the
   * lost session had accepted (PUBREC) may or may not have been delivered: it fails, so the
   * caller decides, rather than risk a duplicate or wait for a PUBCOMP that cannot come.
   */
  #discardInflight(): void {
    if (this.#pending.size === 0) return;
    const again: Op[] = [];
    const lost: PublishOp[] = [];
    for (const op of this.#pending.values()) {
      // A subscription restore in flight: #restoreSubscriptions just queued its filters again,
      // and a second SUBSCRIBE would make the broker resend their retained messages.
      if (op.internal === true) continue;
      if (op.method === "publish" && op.released) lost.push(op);
      else if (op.method === "publish" && (op.losses ?? 0) >= MAX_LOSSES) {
        this.#dropPoison(op); // Takes it out of the window itself.
        continue;
      } else again.push(op);
      if (op.method === "publish") this.#window.landed(op);
    }
    this.#pending.clear();
    // After the subscription restores, before anything queued since.
    const at = this.#queue.findIndex((op, i) => i >= this.#head && op.internal !== true);
    this.#queue.splice(at === -1 ? this.#queue.length : at, 0, ...again);
    for (const op of lost) {
      this.#owner.failed(
        op,
        new MqttError(
          `Cannot publish "${op.packet.topic}": the broker lost the session after accepting the ` +
            `QoS 2 message (PUBREC) and before completing it (PUBCOMP); it may not be delivered`,
          { code: "session_lost", method: "publish" },
        ),
      );
    }
  }

  /**
   * Forgets the connection (lost with `loss`); all pending stays for the next one. The loss counts
   * against the oldest unacknowledged publication only: a valid one the broker took before a poison
   * message (its PUBACK lost) is acknowledged next time, costing a reconnection, not a failure.
   */
  detach(loss?: MqttError): void {
    if (this.#conn !== undefined) {
      for (const op of this.#pending.values()) {
        if (op.method !== "publish" || op.released) continue;
        op.losses = (op.losses ?? 0) + 1;
        op.lastLoss = loss;
        break;
      }
    }
    this.#conn = undefined;
    this.#aliases = undefined;
  }

  /**
   * Fails a publication that connections kept ending on: a broker that hangs up on a message it
   * will not take (MQTT 3.1.1 mosquitto over max_packet_size) would get it again forever.
   */
  #dropPoison(op: PublishOp): void {
    this.#pending.delete(op.packet.packetId!);
    this.#window.landed(op);
    this.#owner.failed(op, poisonError(op, MAX_LOSSES));
  }

  /**
   * Settles every pending and queued operation with `reason` and clears the session; without a
   * reason they are dropped unsettled (their callers are gone, see `forgetPending`).
   */
  failAll(reason: MqttError | (() => MqttError) | undefined): void {
    const ops = [...this.#pending.values(), ...this.#queue.slice(this.#head)];
    this.#pending.clear();
    this.#queue = [];
    this.#head = 0;
    this.#window.clear();
    this.inbound.clear();
    if (ops.length > 0 && reason !== undefined) {
      // Made only when an operation fails with it: an Error captures a stack trace.
      const error = typeof reason === "function" ? reason() : reason;
      for (const op of ops) this.#owner.failed(op, error);
    }
    this.#checkDrained();
  }

  /** Resolves once nothing is pending or queued. */
  drained(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return (this.#drained ??= Promise.withResolvers<void>()).promise;
  }

  /**
   * A publication's bytes, or why the broker's CONNACK refuses it (its capabilities, then its
   * Maximum Packet Size): the checks every operation started here passes, for the QoS 0 fast
   * path. Encoded with a topic alias when the broker allows them and we opted in.
   */
  publishBytes(packet: PublishPacket): Uint8Array | MqttError {
    return this.#capabilities.publishRefusal(packet) ??
      this.#sized("publish", this.#encodePublish(packet));
  }

  /** Starts, or queues behind the in-flight window or until connected, an operation. */
  submit(op: Op): void {
    if (op.method === "publish" && this.#conn !== undefined && this.#head === this.#queue.length) {
      if (op.packet.qos === 0 || this.#window.fits(op)) {
        if (this.#start(op)) return;
      }
    } else if (op.method !== "publish" && this.#conn !== undefined) {
      if (this.#start(op)) return;
    }
    if (this.#queue.length - this.#head >= this.#maxQueued) {
      this.#owner.failed(
        op,
        new MqttError(`Cannot ${op.method}: ${this.#maxQueued} operations already queued`, {
          code: "queue_full",
          method: op.method,
        }),
      );
      return;
    }
    this.#queue.push(op);
  }

  /** Handles the broker's acknowledgements; returns false for packets it does not own. */
  handle(packet: Packet): boolean {
    switch (packet.type) {
      case "puback":
      case "pubcomp":
      case "pubrec": {
        const op = this.#pending.get(packet.packetId) as PublishOp | undefined;
        const verdict = publicationAck(packet.type, op, packet.reasonCode ?? 0);
        if (verdict === "done") {
          this.#complete(op!, packet.reasonCode, packet.properties?.reasonString);
        } else if (verdict === "release") {
          op!.released = true;
          this.#conn?.sendAck("pubrel", packet.packetId);
        } else if (verdict === "stale") {
          if (packet.type !== "pubrec") return true;
          // MQTT 5 answers a PUBREC for no message of ours with 0x92 Packet Identifier not found.
          const unknown = this.#version === 5 && op?.method !== "publish" ? 0x92 : 0;
          this.#conn?.sendAck("pubrel", packet.packetId, unknown);
        } else throw new MqttProtocolError(verdict, 0x82);
        return true;
      }
      case "pubrel":
        this.inbound.release(this.#conn, packet.packetId);
        return true;
      case "suback":
        this.#subacked(packet);
        return true;
      case "unsuback": {
        const op = this.#pending.get(packet.packetId);
        if (op?.method !== "unsubscribe") return true;
        this.#pending.delete(packet.packetId);
        const codes = packet.reasonCodes ?? op.packet.topicFilters.map(() => 0);
        const error = unsubacked(op, codes, packet.properties?.reasonString, this.subscriptions);
        if (error === undefined) this.#owner.done(op, codes);
        else this.#owner.failed(op, error);
        this.#pump();
        return true;
      }
      default:
        return false;
    }
  }

  #complete(op: PublishOp, reasonCode = 0, reasonString?: string): void {
    this.#pending.delete(op.packet.packetId!);
    this.#window.landed(op);
    // 0x10 No matching subscribers is a success: the broker accepted the message.
    if (reasonCode >= 0x80) {
      this.#owner.failed(op, refusal("publish", reasonCode, reasonString, op.packet.topic));
    } else this.#owner.done(op);
    this.#pump();
  }

  #subacked(packet: SubackPacket): void {
    const op = this.#pending.get(packet.packetId);
    if (op?.method !== "subscribe") return;
    this.#pending.delete(packet.packetId);
    const error = subacked(op, packet, this.subscriptions);
    if (error === undefined) this.#owner.done(op, packet.reasonCodes);
    else this.#owner.failed(op, error);
    this.#pump();
  }

  /** Sends an operation now; false when it must wait (no free packet identifier). */
  #start(op: Op): boolean {
    const conn = this.#conn!;
    // Checked before a packet identifier is taken: a refused operation takes none.
    const refused = this.#capabilities.refusal(op);
    if (refused !== undefined) {
      this.#owner.failed(op, refused);
      return true;
    }
    const qos0 = op.method === "publish" && op.packet.qos === 0;
    const id = qos0 ? 0 : this.#allocateId();
    if (!qos0 && id === 0) return false;
    const packet = op.packet;
    if (!qos0) packet.packetId = id;
    const encoded = op.method === "publish"
      ? this.#encodePublish(op.packet)
      : encodeRequest(op, this.#version);
    const bytes = encoded instanceof Uint8Array ? this.#sized(op.method, encoded) : encoded;
    if (!(bytes instanceof Uint8Array)) {
      this.#owner.failed(op, bytes);
      return true;
    }
    if (qos0) {
      conn.sendAndWait(bytes).then(() => this.#owner.done(op), (e) => this.#owner.failed(op, e));
      return true;
    }
    this.#pending.set(id, op);
    if (op.method === "publish") this.#window.took(op);
    conn.send(bytes);
    return true;
  }

  #pump(): void {
    const queue = this.#queue;
    while (this.#conn !== undefined && this.#head < queue.length) {
      const op = queue[this.#head]!;
      if (op.method === "publish" && op.packet.qos > 0 && !this.#window.fits(op)) break;
      if (!this.#start(op)) break;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    } else if (this.#head === queue.length && this.#head > 0) {
      this.#queue = [];
      this.#head = 0;
    }
    this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#drained !== undefined && this.size === 0) {
      this.#drained.resolve();
      this.#drained = undefined;
    }
  }

  #allocateId(): number {
    const pending = this.#pending;
    if (pending.size >= 65535) return 0;
    let id = this.#nextId;
    while (pending.has(id)) id = id === 65535 ? 1 : id + 1;
    this.#nextId = id === 65535 ? 1 : id + 1;
    return id;
  }

  #encodePublish(packet: PublishPacket): Uint8Array {
    const aliases = this.#aliases;
    // Into the connection's write slab: no ArrayBuffer per publication.
    const bytes = encodePacket(
      aliases === undefined ? packet : aliases.apply(packet),
      this.#version,
      this.#conn?.pool(),
    );
    // Too large to send: a new alias it took must not be used before the broker saw its topic.
    if (bytes.length > this.#capabilities.maxPacketSize) aliases?.undo();
    return bytes;
  }

  /** `bytes`, or the error when they exceed the broker's Maximum Packet Size. */
  #sized(method: string, bytes: Uint8Array): Uint8Array | MqttError {
    return this.#capabilities.sizeRefusal(method, bytes.length) ?? bytes;
  }

  #restoreSubscriptions(): void {
    // Restores go first, ahead of anything the caller queued while disconnected.
    this.#queue.splice(this.#head, 0, ...restoreOps(this.subscriptions.values()));
  }
}
