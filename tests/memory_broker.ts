// Test doubles for driving a Client without sockets or real time: a fake clock, an in-memory
// transport, and a scripted broker that reads what the client writes and answers packet by packet
// (whole, or one byte at a time).

import { Decoder, encode } from "../codec/mod.ts";
import type { Packet, ProtocolVersion } from "../codec/packets.ts";
import type { Clock, Transport, TransportFactory, TransportOptions } from "../client/mod.ts";

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  #now = 1_700_000_000_000;
  #nextId = 1;
  #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.#timers.delete(id as number);
  }

  /** Timers armed and not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing due timers in order and letting promises settle in between. */
  async tick(ms: number): Promise<void> {
    const end = this.#now + ms;
    await settle();
    while (true) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].callback();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets queued microtasks and promise chains run. */
export async function settle(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** The client's end of an in-memory connection. */
export class MemoryTransport implements Transport {
  readonly options: TransportOptions;
  readonly writes: Uint8Array[] = [];
  closed = false;
  #chunks: (Uint8Array | null)[] = [];
  #reader?: (chunk: Uint8Array | null) => void;
  #onWrite?: () => void;

  constructor(options: TransportOptions) {
    this.options = options;
  }

  read(): Promise<Uint8Array | null> {
    if (this.#chunks.length > 0) return Promise.resolve(this.#chunks.shift()!);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#reader = resolve);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error("closed"));
    this.writes.push(bytes.slice());
    this.#onWrite?.();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#end();
    return Promise.resolve();
  }

  /** Broker side: hands bytes to the client. */
  push(chunk: Uint8Array | null): void {
    if (this.closed) return;
    if (this.#reader) {
      const reader = this.#reader;
      this.#reader = undefined;
      reader(chunk);
    } else this.#chunks.push(chunk);
    if (chunk === null) this.#end();
  }

  onWrite(callback: () => void): void {
    this.#onWrite = callback;
  }

  #end(): void {
    if (this.closed) return;
    this.closed = true;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.(null);
  }
}

/**
 * A broker played by the test: every connection the client opens becomes the current one; the
 * test reads the client's packets with `next()` and answers with `send()`.
 */
export class ScriptedBroker {
  readonly transports: MemoryTransport[] = [];
  protocolVersion: ProtocolVersion;
  /** Transports to refuse, by opening order (0 = first), with this error. */
  refuse = new Map<number, Error>();
  #decoder?: Decoder;
  #packets: Packet[] = [];
  #waiter?: () => void;
  #opened = 0;

  constructor(protocolVersion: ProtocolVersion = 4) {
    this.protocolVersion = protocolVersion;
  }

  readonly factory: TransportFactory = (options) => {
    const index = this.#opened++;
    const refusal = this.refuse.get(index);
    if (refusal) return Promise.reject(refusal);
    const transport = new MemoryTransport(options);
    const decoder = new Decoder({ protocolVersion: this.protocolVersion });
    this.transports.push(transport);
    this.#decoder = decoder;
    this.#packets = [];
    transport.onWrite(() => {
      if (this.#decoder !== decoder) return;
      for (const bytes of transport.writes.splice(0)) {
        decoder.feed(bytes);
        let packet: Packet | undefined;
        while ((packet = decoder.next()) !== undefined) this.#packets.push(packet);
      }
      this.#waiter?.();
    });
    return Promise.resolve(transport);
  };

  get transport(): MemoryTransport {
    return this.transports[this.transports.length - 1];
  }

  /** Packets the client wrote that the test has not taken yet. */
  get unread(): Packet[] {
    return this.#packets;
  }

  /** The next packet the client writes on the current connection. */
  async next(): Promise<Packet> {
    for (let i = 0; i < 200 && this.#packets.length === 0; i++) {
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
        queueMicrotask(resolve);
      });
    }
    const packet = this.#packets.shift();
    if (packet === undefined) throw new Error("The client wrote nothing");
    return packet;
  }

  /** The next packet, which must be of `type`. */
  async expect<T extends Packet["type"]>(type: T): Promise<Extract<Packet, { type: T }>> {
    const packet = await this.next();
    if (packet.type !== type) {
      throw new Error(`Expected ${type}, got ${JSON.stringify(packet, replacer)}`);
    }
    return packet as Extract<Packet, { type: T }>;
  }

  /** Sends packets (or raw bytes) to the client, optionally one byte at a time. */
  async send(packets: Packet | Uint8Array | (Packet | Uint8Array)[], trickle = false) {
    const list = Array.isArray(packets) ? packets : [packets];
    const parts = list.map((p) => p instanceof Uint8Array ? p : encode(p, this.protocolVersion));
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    if (trickle) {
      for (let i = 0; i < bytes.length; i++) {
        this.transport.push(bytes.subarray(i, i + 1));
        await settle(5);
      }
    } else this.transport.push(bytes);
    await settle();
  }

  /** Accepts the pending CONNECT. */
  async accept(
    connack: Partial<Extract<Packet, { type: "connack" }>> = {},
  ): Promise<Extract<Packet, { type: "connect" }>> {
    const connect = await this.expect("connect");
    await this.send({ type: "connack", sessionPresent: false, reasonCode: 0, ...connack });
    return connect;
  }

  /** Cuts the current connection from the broker side. */
  async drop(): Promise<void> {
    this.transport.push(null);
    await settle();
  }
}

function replacer(_key: string, value: unknown) {
  return value instanceof Uint8Array ? [...value] : value;
}
