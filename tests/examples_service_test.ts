// The service examples of examples/ (request/response, shared subscriptions) run against
// mosquitto as a reader of the README would run them.
import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";

async function runExample(name: string, url: string): Promise<string> {
  const path = new URL(`../examples/${name}`, import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", path],
    env: { MQTT_BROKER_ADDRESS: url },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout);
  assert.equal(output.code, 0, `${stdout}\n${decoder.decode(output.stderr)}`);
  return stdout;
}

Deno.test({
  ...needsMosquitto,
  name: "examples: request/response answers each request on its response topic",
  async fn() {
    await using broker = await startMosquitto();
    const stdout = await runExample("request_response.ts", broker.url);
    assert.deepEqual(stdout.trim().split("\n"), ["reply: HELLO", "reply: MQTT"]);
  },
});

Deno.test({
  ...needsMosquitto,
  name: "examples: a shared subscription gives each job to one worker",
  async fn() {
    await using broker = await startMosquitto();
    const stdout = await runExample("shared_subscription.ts", broker.url);
    assert.match(stdout, /^jobs done: 20, distinct: 20$/m);
    const counts = [...stdout.matchAll(/^worker-[ab]: (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(counts.length, 2);
    assert.equal(counts[0]! + counts[1]!, 20);
  },
});
