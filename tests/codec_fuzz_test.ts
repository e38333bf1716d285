// A short, deterministic fuzz run of the codec (the long one is `deno task fuzz`).

import assert from "node:assert/strict";
import { fuzz } from "./codec_fuzz.ts";

Deno.test("codec fuzz: 20,000 inputs, only typed errors, every decoded packet round-trips", () => {
  const report = fuzz(20240601, 20_000);
  assert.deepEqual(report.failures, []);
  assert.equal(report.failureCount, 0);
  const keys = [...report.histogram.keys()];
  assert.ok(keys.every((key) => !key.includes("untyped") && !key.includes("hang")), keys.join());
  // The run reaches every kind of outcome, so it exercises what it claims to.
  for (
    const key of [
      "decode ok",
      "decode incomplete",
      "decode MqttProtocolError 0x81",
      "decode MqttProtocolError 0x82",
      "decode MqttProtocolError 0x95",
      "encode ok",
      "encode TypeError",
      "encode RangeError",
    ]
  ) {
    assert.ok((report.histogram.get(key) ?? 0) > 0, `no "${key}" in ${keys.join(", ")}`);
  }
});
