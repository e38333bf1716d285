// Brokers that send a subscriber one QoS 1/2 message at a time, waiting for its PUBACK or PUBCOMP
// before the next (ejabberd's mod_mqtt keeps a single message in flight per session; any broker
// does the same for a client that asks for `receive_maximum: 1`). The round trip then paces the
// whole flow: the client must read each next message as soon as it arrives, not after the timer
// tick its read loop waits under a sustained stream of small reads (that tick made a subscriber of
// ejabberd receive 470 messages per second instead of 14,000).
import assert from "node:assert/strict";
import { Client, QoS } from "../mod.ts";
import type { Packet } from "../codec/packets.ts";
import { startFakeBroker } from "./fixtures/fake_broker.ts";
import { until } from "./fixtures/wait.ts";

const COUNT = 400;

/** Calls `fn` while counting the zero-delay timers started meanwhile (the read loop's pauses). */
async function countingPauses(fn: () => Promise<void>): Promise<number> {
  const original = globalThis.setTimeout;
  let pauses = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    if (!args[1]) pauses++;
    return original(...args);
  }) as typeof setTimeout;
  try {
    await fn();
  } finally {
    globalThis.setTimeout = original;
  }
  return pauses;
}

for (const version of [4, 5] as const) {
  Deno.test(`window of one v${version}: each next message is read as soon as it arrives`, async () => {
    const publish = (n: number): Packet => ({
      type: "publish",
      topic: "w/1",
      payload: new TextEncoder().encode(String(n)),
      qos: n % 2 === 0 ? 2 : 1,
      retain: false,
      dup: false,
      packetId: n,
    });
    await using broker = startFakeBroker({
      script: (p) => {
        if (p.type === "subscribe") {
          return [{ type: "suback", packetId: p.packetId, reasonCodes: [2] }, publish(1)];
        }
        if (p.type === "puback" && p.packetId < COUNT) return [publish(p.packetId + 1)];
        if (p.type === "pubrec") return [{ type: "pubrel", packetId: p.packetId }];
        if (p.type === "pubcomp" && p.packetId < COUNT) return [publish(p.packetId + 1)];
        return undefined;
      },
    });
    const client = new Client({ protocol_version: version, reconnect: false });
    const received: string[] = [];
    client.on("message", (_topic, payload) => received.push(new TextDecoder().decode(payload)));
    await client.connectAsync(broker.url);
    const pauses = await countingPauses(async () => {
      await client.subscribeAsync("w/#", { qos: QoS.ExactlyOnce });
      await until(() => received.length === COUNT, 20_000, () => `${received.length} received`);
    });
    assert.deepEqual(received, Array.from({ length: COUNT }, (_, i) => String(i + 1)));
    // Before the fix, a pause before nearly every read (one per message after the first three).
    assert.ok(pauses < COUNT / 10, `${pauses} read pauses for ${COUNT} messages`);
    await client.endAsync();
  });
}
