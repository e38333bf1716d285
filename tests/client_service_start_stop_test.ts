// A service's start and stop against mosquitto: closed() settles after a first connect() that
// fails for good or is aborted (so `await client.closed()` cannot hang), an aborted connect()
// says "aborted", a subscription() made before connect() subscribes once connected, and the
// close that end() asks for is not logged as a failure nobody awaited.
import assert from "node:assert/strict";
import { Client, MqttConnectError, type MqttError, MqttTimeoutError, QoS } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { queueFor } from "./fixtures/client_fixtures.ts";
import { freePort } from "./fixtures/ports.ts";
import { deadline } from "./fixtures/wait.ts";

const FAST = { initial_delay: 20, max_delay: 50, jitter: false } as const;

/** Captures console.error while `body` runs. */
async function capturingErrors(
  body: (logged: unknown[][]) => Promise<void>,
): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    await body(logged);
  } finally {
    console.error = original;
  }
  return logged;
}

/** connect()'s failure, and what closed() then resolves with (bounded: it used to hang). */
async function failedStart(client: Client, connecting: Promise<unknown>) {
  const failure = await connecting.then(() => undefined, (error: MqttError) => error);
  await deadline(client.idle(), 5000, "idle() after the failed connect()");
  const closed = await deadline(client.closed(), 5000, "closed() after the failed connect()");
  return { failure, closed };
}

Deno.test({
  ...needsMosquitto,
  name: "service: closed() resolves with the failure of a first connect() that failed for good",
  async fn() {
    await using broker = await startMosquitto({ passwordFile: { alice: "secret" } });
    // Refused by the broker (no credentials).
    const refused = new Client({ reconnect: false });
    const a = await failedStart(refused, refused.connect(broker.url));
    assert.ok(a.failure instanceof MqttConnectError, String(a.failure));
    assert.equal(a.closed, a.failure);
    // Refused credentials are not retried under retry_first_connect: trying again cannot cure them.
    const stubborn = new Client({ retry_first_connect: true, reconnect: FAST });
    const refusedAgain = await failedStart(stubborn, stubborn.connect(broker.url));
    assert.ok(refusedAgain.failure instanceof MqttConnectError, String(refusedAgain.failure));
    // Iterators wait for the next connect(): the client is closed, not over.
    const stream = refused.messages();
    assert.equal(stream.closed, false);
    // Retried (retry_first_connect) until max_attempts are used up.
    const retried = new Client({
      retry_first_connect: true,
      reconnect: { ...FAST, max_attempts: 2 },
    });
    const b = await failedStart(retried, retried.connect(`mqtt://127.0.0.1:${freePort()}`));
    assert.equal(b.failure?.code, "closed");
    assert.equal(b.closed, b.failure);
    // A broker that hangs: no CONNACK within connect_timeout.
    broker.freeze();
    const frozen = new Client({ reconnect: false, connect_timeout: 200 });
    const c = await failedStart(frozen, frozen.connect(broker.url));
    assert.ok(c.failure instanceof MqttTimeoutError, String(c.failure));
    assert.equal(c.closed, c.failure);
    broker.thaw();
    // A new connect() starts over: closed() waits again.
    const next = refused.connect(`mqtt://alice:secret@127.0.0.1:${broker.port}`);
    const waiting = refused.closed();
    await next;
    await refused.end();
    assert.equal(await deadline(waiting, 5000, "closed() after end()"), undefined);
    assert.equal(stream.closed, true);
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: an aborted connect() rejects with code aborted, and closed() resolves",
  async fn() {
    await using broker = await startMosquitto();
    broker.freeze();
    try {
      for (const retry_first_connect of [false, true]) {
        const client = new Client({ retry_first_connect, reconnect: FAST });
        const reason = new Error("shutting down");
        const controller = new AbortController();
        const connecting = client.connect(broker.url, { signal: controller.signal });
        setTimeout(() => controller.abort(reason), 100);
        const { failure, closed } = await failedStart(client, connecting);
        assert.equal(failure?.code, "aborted", String(failure));
        assert.equal(failure?.method, "connect");
        assert.equal(failure?.cause, reason);
        // Asked for, as end() is: no failure to report.
        assert.equal(closed, undefined);
      }
      // While waiting between retries of a refused first connect().
      const retrying = new Client({ retry_first_connect: true, reconnect: FAST });
      const signal = AbortSignal.timeout(200);
      const connecting = retrying.connect(`mqtt://127.0.0.1:${freePort()}`, { signal });
      const { failure, closed } = await failedStart(retrying, connecting);
      assert.equal(failure?.code, "aborted", String(failure));
      assert.equal(closed, undefined);
    } finally {
      broker.thaw();
    }
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: a subscription() made before connect() subscribes once connected",
  async fn() {
    await using broker = await startMosquitto();
    await queueFor(broker.url, "svc-early", "early/q", 20);
    // A persistent session: the queue comes with the CONNACK, before the SUBACK.
    const client = new Client({ client_id: "svc-early", clean_session: false, reconnect: false });
    const queued = client.subscription("early/q", { qos: QoS.AtLeastOnce });
    const fresh = client.subscription("early/fresh", { qos: QoS.AtMostOnce });
    try {
      const info = await client.connect(broker.url);
      assert.equal(info.sessionPresent, true);
      assert.deepEqual(await deadline(queued.granted, 5000, "the SUBACK"), [1]);
      assert.deepEqual(await deadline(fresh.granted, 5000, "the SUBACK"), [0]);
      const seen: number[] = [];
      const taking = (async () => {
        for await (const message of queued) {
          seen.push(Number(message.text()));
          if (seen.length === 20) break;
        }
      })();
      await deadline(taking, 5000, "the session's 20 queued messages");
      assert.deepEqual(seen.toSorted((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
      await client.publish("early/fresh", "hello");
      const first = await deadline(fresh.next(), 5000, "a message of the new subscription");
      assert.equal(first.done ? undefined : first.value.text(), "hello");
    } finally {
      await client.end();
    }
    // Left before connect(): nothing of its filter is held for a later iterator.
    const late = new Client({ reconnect: false });
    const left = late.subscription("early/left", { qos: QoS.AtLeastOnce });
    await left.return();
    try {
      await late.connect(broker.url);
      await late.subscribe("early/kept", { qos: QoS.AtLeastOnce });
      await late.publish("early/left", "unwanted", { qos: 1 });
      await late.publish("early/kept", "wanted", { qos: 1 });
      const first = await deadline(late.messages().next(), 5000, "the kept filter's message");
      assert.equal(first.done ? undefined : first.value.topic, "early/kept");
    } finally {
      await late.end();
    }
    // end() before any connect(): the waiting SUBSCRIBE fails and the iteration ends.
    const idle = new Client();
    const never = idle.subscription("x");
    await idle.end();
    assert.equal(await deadline(idle.closed(), 5000, "closed() after end()"), undefined);
    await assert.rejects(never.granted, { code: "closed" });
    assert.equal(never.closed, true);
  },
});

Deno.test({
  ...needsMosquitto,
  name: "service: the close end() asks for is not logged; a later failure nobody awaits is",
  async fn() {
    await using broker = await startMosquitto();
    for (const stop of ["second end()", "end({ signal })"]) {
      const client = new Client({ reconnect: false });
      await client.connect(broker.url);
      broker.freeze();
      const outcomes: string[] = [];
      const logged = await capturingErrors(async (logged) => {
        client.publish("t", "x", { qos: 1 }).catch((e: MqttError) => outcomes.push(e.code));
        if (stop === "second end()") {
          const ending = client.end(); // Waits for the PUBACK that will not come.
          await new Promise((resolve) => setTimeout(resolve, 100));
          await client.end();
          await ending;
        } else await client.end({ signal: AbortSignal.timeout(100) });
        broker.thaw();
        await new Promise((resolve) => setTimeout(resolve, 10));
        assert.deepEqual(logged, [], stop);
        // The one log line of the client is still there for a real failure nobody awaits.
        client.publish("t", "y", { qos: 1 });
        await new Promise((resolve) => setTimeout(resolve, 10));
      });
      assert.deepEqual(outcomes, ["closed"]);
      assert.equal(logged.length, 1, String(logged));
      assert.match(String(logged[0]), /Cannot publish: not connected/);
    }
  },
});
