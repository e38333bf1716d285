import assert from "node:assert/strict";
import type { Message } from "./events.ts";
import { MessageStream } from "./messages.ts";

const message = (topic: string): Message => ({
  topic,
  payload: new ArrayBuffer(0),
  qos: 0,
  retain: false,
  dup: false,
});

Deno.test("MessageStream yields pushed messages, then ends after close()", async () => {
  const stream = new MessageStream(4);
  const pending = stream.next();
  stream.push(message("a"));
  assert.equal((await pending).value?.topic, "a");
  stream.push(message("b"));
  stream.close();
  stream.push(message("ignored"));
  const topics = [];
  for await (const m of stream) topics.push(m.topic);
  assert.deepEqual(topics, ["b"]);
});

Deno.test("MessageStream reports fullness and frees space as it is read", async () => {
  const stream = new MessageStream(2);
  stream.push(message("a"));
  assert.equal(stream.full, false);
  stream.push(message("b"));
  assert.equal(stream.full, true);
  let freed = false;
  const space = stream.space().then(() => freed = true);
  await Promise.resolve();
  assert.equal(freed, false);
  await stream.next();
  await space;
  assert.equal(freed, true);
});

Deno.test("MessageStream refuses a second pending next() and calls onReturn once", async () => {
  let returned = 0;
  const stream = new MessageStream(1, () => returned++);
  const first = stream.next();
  await assert.rejects(stream.next(), TypeError);
  await stream.return();
  await stream[Symbol.asyncDispose]();
  assert.deepEqual(await first, { value: undefined, done: true });
  assert.equal(returned, 1);
  assert.throws(() => new MessageStream(0), RangeError);
});
