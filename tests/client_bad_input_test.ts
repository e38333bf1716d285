// Bad input to the Client, as the xk6-mqtt contract's callers may give it: an invalid URL, an
// unknown scheme, a wrong option type or range, a non-string or wildcard topic. Each throws a
// TypeError or RangeError at once, naming the argument or option (and never its secret value).
import assert from "node:assert/strict";
import { Client, type QoS } from "../mod.ts";

Deno.test("contract: bad arguments throw TypeError/RangeError naming the problem", async () => {
  const client = new Client();
  assert.throws(() => client.connect("mqtt://"), { name: "TypeError", message: /URL/ });
  assert.throws(() => client.connect("http://127.0.0.1"), {
    name: "TypeError",
    message: /unsupported scheme "http:"/,
  });
  assert.throws(() => client.connect(42 as unknown as string), {
    name: "TypeError",
    message: /expected a string, got number/,
  });
  assert.throws(() => new Client({ keepalive: -1 }), {
    name: "RangeError",
    message: /keepalive.*got -1/,
  });
  assert.throws(() => client.connect("mqtt://127.0.0.1:1883", { keepalive: 70000 }), {
    name: "RangeError",
    message: /keepalive/,
  });
  assert.throws(() => client.publish("t", "x", { qos: 3 as QoS }), {
    name: "RangeError",
    message: /qos.*got 3/,
  });
  assert.throws(() => client.subscribe("t", { qos: -1 as QoS }), {
    name: "RangeError",
    message: /qos.*got -1/,
  });
  assert.throws(() => new Client({ will: { topic: "w", payload: "x", qos: 5 as QoS } }), {
    name: "RangeError",
    message: /will\.qos.*got 5/,
  });
  assert.throws(() => client.publish(7 as unknown as string, "x"), {
    name: "TypeError",
    message: /topic.*got number/,
  });
  assert.throws(() => client.publish("a/#", "x"), { name: "TypeError", message: /wildcards/ });
  assert.throws(() => client.subscribe(7 as unknown as string), {
    name: "TypeError",
    message: /topic.*got number/,
  });
  assert.throws(() => client.subscribe([""]), { name: "TypeError", message: /topic filter/ });
  assert.throws(() => client.subscribe(""), {
    name: "TypeError",
    message: /topic filter: expected a non-empty string, got an empty string$/,
  });
  assert.throws(() => client.publish("", "x"), {
    name: "TypeError",
    message: /topic: expected a non-empty string without wildcards, got an empty string$/,
  });
  assert.throws(() => client.subscribe({ a: 1 } as never), {
    name: "TypeError",
    message: /options of topic filter "a"/,
  });
  assert.throws(() => client.publish("nul\u0000", "x"), {
    name: "TypeError",
    message: /topic: must not contain U\+0000/,
  });
  assert.throws(() => client.unsubscribe([]), { name: "TypeError", message: /topics/ });
  assert.throws(() => client.publish("t", 42 as unknown as string), {
    name: "TypeError",
    message: /payload.*got number/,
  });
  assert.throws(() => new Client({ client_id: 1 as unknown as string }), {
    name: "TypeError",
    message: /client_id.*got number/,
  });
  assert.throws(() => new Client({ clean_sesion: true } as never), {
    name: "TypeError",
    message: /Unknown client option "clean_sesion"/,
  });
  assert.throws(() => new Client({ connectTimeout: 5 } as never), {
    name: "TypeError",
    message: /did you mean "connect_timeout"/,
  });
  // MQTT.js habits get their counterpart named.
  assert.throws(() => new Client({ rejectUnauthorized: false } as never), {
    name: "TypeError",
    message: /"rejectUnauthorized" is "tls: \{ insecure_skip_verify \}" here/,
  });
  assert.throws(() => client.end(true as never), {
    name: "TypeError",
    message: /call end\(\) a second time/,
  });
  await assert.rejects(async () => await client.publish("t", "x", (() => {}) as never), {
    name: "TypeError",
    message: /returns a Promise/,
  });
  assert.throws(() => client.on("bogus" as "end", () => {}), {
    name: "TypeError",
    message: /Unknown event "bogus"/,
  });
  assert.throws(() => client.on("message", 42 as never), {
    name: "TypeError",
    message: /expected a function/,
  });
  assert.throws(() => new Client({ protocol_version: 6 as 5 }), {
    name: "RangeError",
    message: /protocol_version.*got 6/,
  });
});
