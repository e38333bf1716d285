import assert from "node:assert/strict";
import { parseBrokerUrl } from "./url.ts";

Deno.test("parseBrokerUrl() knows every scheme and its default port", () => {
  const cases: [string, string, number][] = [
    ["mqtt://h", "tcp", 1883],
    ["tcp://h", "tcp", 1883],
    ["mqtts://h", "tls", 8883],
    ["ssl://h", "tls", 8883],
    ["tls://h", "tls", 8883],
    ["ws://h", "ws", 80],
    ["wss://h", "wss", 443],
    ["h:1999", "tcp", 1999],
    ["localhost", "tcp", 1883],
  ];
  for (const [input, transport, port] of cases) {
    const url = parseBrokerUrl(input);
    assert.deepEqual([url.transport, url.port], [transport, port], input);
  }
});

Deno.test("parseBrokerUrl() defaults the WebSocket path to /mqtt and keeps an explicit one", () => {
  assert.equal(parseBrokerUrl("ws://h:8080").path, "/mqtt");
  assert.equal(parseBrokerUrl("ws://h:8080/").path, "/mqtt");
  assert.equal(parseBrokerUrl("wss://h/ws?x=1").path, "/ws?x=1");
  assert.equal(parseBrokerUrl("mqtt://h/ignored").path, "");
});

Deno.test("parseBrokerUrl() takes credentials out of href", () => {
  const url = parseBrokerUrl("mqtts://us%40er:p%3Ass@[::1]:8884");
  assert.equal(url.username, "us@er");
  assert.equal(url.password, "p:ss");
  assert.equal(url.hostname, "::1");
  assert.equal(url.href, "mqtts://[::1]:8884");
});

Deno.test("parseBrokerUrl() rejects bad URLs without repeating the credentials", () => {
  for (const input of ["http://u:secret@h", "mqtt://u:secret@", "mqtt://u:secret@h:99999"]) {
    assert.throws(() => parseBrokerUrl(input), (e: Error) => {
      return e instanceof TypeError && !e.message.includes("secret");
    });
  }
  assert.throws(() => parseBrokerUrl(42 as never), TypeError);
});

Deno.test("parseBrokerUrl() keeps the query, where tokens travel, out of href", () => {
  const url = parseBrokerUrl("wss://h/mqtt?token=secret&x=1");
  assert.equal(url.path, "/mqtt?token=secret&x=1");
  assert.equal(url.href, "wss://h:443/mqtt");
});

Deno.test("parseBrokerUrl() redacts passwords holding unescaped /, ?, # or @ from errors", () => {
  for (
    const input of [
      "mqtt://u:se/cret@h:99999",
      "mqtt://u:se?cret@h:1",
      "mqtt://u:se#cret@h",
      "mqtt://u:se@cret@h:99999",
      "http://u:se/cret@h",
      "u:se/cret@h:x",
      "ws://h:99999/p?token=secret",
    ]
  ) {
    let message = "";
    try {
      const url = parseBrokerUrl(input);
      message = url.href;
    } catch (error) {
      assert.ok(error instanceof TypeError);
      message = error.message;
    }
    for (const part of ["secret", "cret"]) {
      assert.ok(!message.includes(part), `${input}: ${message}`);
    }
  }
});
