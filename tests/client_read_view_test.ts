// A message handler marked READ_VIEW (the bench's counting subscriber) reads each payload as a
// view within the read, with no copy; everyone else on the same client still gets bytes of
// their own, intact after later reads reuse the buffer the view pointed into.
import assert from "node:assert/strict";
import { Client, QoS } from "../mod.ts";
import { READ_VIEW } from "../client/internal.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { deadline, signal } from "./fixtures/wait.ts";

const COUNT = 200;
const body = (i: number) => new Uint8Array(1 + (i * 37) % 300).fill(i & 0xff);

Deno.test({
  ...needsMosquitto,
  name: "a READ_VIEW handler gets views of the read; an iterator on the client gets copies",
  async fn() {
    await using broker = await startMosquitto();
    const subscriber = new Client({ client_id: "view-sub" });
    const publisher = new Client({ client_id: "view-pub" });
    try {
      await subscriber.connect(broker.url);
      await publisher.connect(broker.url);
      const viewed: boolean[] = [];
      const matches: boolean[] = [];
      const done = signal();
      const handler = Object.assign((_topic: string, payload: Uint8Array) => {
        viewed.push(payload instanceof Uint8Array);
        const i = matches.length;
        matches.push(payload.length === body(i).length && payload.every((b) => b === (i & 0xff)));
        if (i === 7) throw new Error("handler fault 7");
        if (matches.length === COUNT) done.resolve();
      }, { [READ_VIEW]: true });
      const faults: string[] = [];
      subscriber.on("error", (error) => faults.push(error.message));
      subscriber.on("message", handler as unknown as (t: string, p: ArrayBuffer) => void);
      const stream = subscriber.subscription("view/t", { qos: QoS.AtLeastOnce });
      await subscriber.subscribe("view/t", { qos: QoS.AtLeastOnce });
      for (let i = 0; i < COUNT; i++) await publisher.publish("view/t", body(i), { qos: 1 });
      await done.wait(10_000, `${matches.length} of ${COUNT} messages at the handler`);
      assert.deepEqual(viewed, Array(COUNT).fill(true), "every payload a Uint8Array view");
      assert.deepEqual(matches, Array(COUNT).fill(true), "every view holds its message's bytes");
      assert.ok(faults.some((m) => m.includes("handler fault 7")), faults.join("; "));
      // Taken after every read: the iterator's payloads are their own bytes, not the buffer's.
      for (let i = 0; i < COUNT; i++) {
        const next = await deadline(stream.next(), 5_000, `message ${i} from the iterator`);
        assert.ok(!next.done);
        assert.deepEqual(next.value.payload, body(i), `iterator message ${i}`);
      }
      await stream.return();
    } finally {
      await publisher.end();
      await subscriber.end();
    }
  },
});
