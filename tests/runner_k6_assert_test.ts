import assert from "node:assert/strict";
import { startMosquitto } from "./fixtures/mosquitto.ts";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";
import k6Assert from "../runner/k6/assert.ts";

// xk6-mqtt's own script tests require `k6/x/assert` (testify's assertions as k6 names them).
// Scripts in that style run unchanged: assertions that hold are silent, one that fails throws,
// failing its iteration (counted, logged, the run goes on) or, in teardown(), the run (107).

const SCRIPT_STYLE = `
const mqtt = require("k6/x/mqtt")
const assert = require("k6/x/assert")

const topic = "assert/" + __VU + "/" + __ITER

module.exports = () => {
  const client = new mqtt.Client()
  client.on("connect", () => {
    assert.true(client.connected, "connected in the connect handler")
    client.subscribe(topic)
    client.publish(topic, "Hello, assert!")
  })
  client.on("message", (got, message) => {
    const text = String.fromCharCode.apply(null, new Uint8Array(message))
    assert.equal(topic, got, "Unexpected topic")
    assert.equal("Hello, assert!", text, "Unexpected message")
    assert.len(text, 14)
    assert.contains(text, "assert")
    assert.greater(message.byteLength, 0, "payload of %d bytes", message.byteLength)
    client.end()
  })
  assert.false(client.connected, "not connected initially")
  client.connect(__ENV.MQTT_BROKER_ADDRESS)
  assert.true(client.connected, "connected after the connect() call")
}

module.exports.options = { iterations: 3, thresholds: { mqtt_messages_received: ["count==3"] } }
`;

const FAILING = `
const assert = require("k6/x/assert")
module.exports = () => {
  assert.equal(1, __ITER, "iteration %d is not the first", __ITER)
}
module.exports.options = { iterations: 2 }
module.exports.teardown = () => {
  assert.true(false, "teardown saw no handler call")
}
`;

Deno.test("k6/x/assert: an xk6-mqtt script test runs unchanged against mosquitto", async () => {
  await using broker = await startMosquitto();
  const dir = await TempDir.create();
  try {
    const r = await runScript(
      dir,
      SCRIPT_STYLE,
      ["-e", `MQTT_BROKER_ADDRESS=${broker.url}`],
      "script_test.cjs",
    );
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "iterations"), 3, explain(r));
    assert.doesNotMatch(r.stderr, /AssertionError/, explain(r));
  } finally {
    await dir.remove();
  }
});

Deno.test("k6/x/assert: a failed assertion fails its iteration, and in teardown the run", async () => {
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, FAILING, [], "failing_test.cjs");
    assert.equal(r.code, 107, explain(r));
    assert.match(r.stderr, /iteration 0 is not the first: not equal: expected 1, actual 0/);
    assert.match(r.stderr, /teardown saw no handler call: should be true, got false/);
    assert.equal(count(r.summary, "iterations"), 2, explain(r));
  } finally {
    await dir.remove();
  }
});

Deno.test("k6/x/assert: testify's semantics for payloads, collections and errors", () => {
  const bytes = new TextEncoder().encode("abc");
  k6Assert.equal(bytes.buffer, bytes); // []byte equality: same bytes
  k6Assert.elementsMatch([1, 2, 2], [2, 1, 2]);
  k6Assert.nil(undefined);
  k6Assert.noError(null);
  k6Assert.empty("");
  k6Assert.equalValues(1, "1");
  assert.throws(() => k6Assert.exactly(1, "1"), /not exactly/);
  assert.throws(() => k6Assert.elementsMatch([1, 2], [1, 1]), /differ/);
  assert.throws(() => k6Assert.error(undefined), /an error is expected/);
  assert.throws(() => k6Assert.len([1], 2), /should have 2 item\(s\), has 1/);
  assert.throws(
    () => k6Assert.inDelta(1, 1.5, 0.1, "close to %s", "one"),
    /^AssertionError.*close to one: difference between 1 and 1.5 is over 0.1$/,
  );
});

Deno.test("k6/x/assert: true() and false() take any value as k6 passes it to Go's bool (truthiness)", () => {
  // testify's True(value bool): k6's JS runtime converts the argument with ToBoolean, so
  // xk6 script tests write `assert.true(err, "Error should not be null")` and
  // `assert.false(err, "Error should be null")` with an error object or null.
  k6Assert.true({ message: "timeout" }, "Error should not be null");
  k6Assert.true(1);
  k6Assert.false(null, "Error should be null");
  k6Assert.false(undefined);
  k6Assert.false(0);
  assert.throws(
    () => k6Assert.true(null, "handler was called"),
    /handler was called: should be true/,
  );
  assert.throws(() => k6Assert.false("x"), /should be false/);
});
