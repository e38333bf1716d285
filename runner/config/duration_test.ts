import assert from "node:assert/strict";
import { formatClock, formatDuration, parseDuration } from "./duration.ts";
import { parseThresholds } from "../metrics/thresholds.ts";

Deno.test("parseDuration() reads Go and k6 durations, with k6's d unit", () => {
  const cases: Array<[unknown, number | undefined]> = [
    ["0", 0],
    ["10s", 10_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["1d", 86_400_000],
    ["2d", 172_800_000],
    ["250ms", 250],
    ["1500us", 1.5],
    ["1500µs", 1.5],
    ["2000000ns", 2],
    [" 5s ", 5_000],
    [42, 42],
    [250, 250],
    ["", undefined],
    ["10x", undefined],
    ["s", undefined],
    ["ten seconds", undefined],
    ["-1s", undefined],
    [-1, undefined],
    [NaN, undefined],
    [null, undefined],
  ];
  for (const [input, ms] of cases) assert.equal(parseDuration(input), ms, String(input));
});

Deno.test("parseDuration() reads a unitless number as ms, as k6's types.ParseExtendedDuration", () => {
  // k6: `if t, errp := strconv.ParseFloat(data, 64); errp == nil { return t * time.Millisecond }`
  // — for options (`duration: "10"`), K6_* variables and thresholds' `delayAbortEval` alike.
  assert.equal(parseDuration("10"), 10);
  assert.equal(parseDuration("2.5"), 2.5);
  assert.equal(parseDuration(".5"), 0.5);
  assert.equal(parseDuration("1e3"), 1000);
  assert.equal(parseDuration("+10"), 10);
  assert.equal(parseDuration("-10"), undefined);
});

Deno.test("thresholds' delayAbortEval goes through parseDuration()", () => {
  const delay = (value: string | number) =>
    parseThresholds({ checks: [{ threshold: "rate>0", abortOnFail: true, delayAbortEval: value }] })
      .entries[0].delayAbortEvalMs;
  assert.equal(delay("10s"), 10_000);
  assert.equal(delay("10"), 10);
  assert.equal(delay("1d"), 86_400_000);
  assert.equal(delay(500), 500);
  assert.throws(() => delay("later"), /Invalid delayAbortEval "later"/);
});

Deno.test("formatDuration() follows Go's Duration.String(), to the nanosecond", () => {
  const cases: Array<[number, string]> = [
    [0, "0s"],
    [0.0005, "500ns"],
    [0.000001, "1ns"],
    [0.0015, "1.5µs"],
    [0.123456, "123.456µs"],
    [1.5, "1.5ms"],
    [500, "500ms"],
    [999.999999, "999.999999ms"],
    [1000, "1s"],
    [1500, "1.5s"],
    [10_000, "10s"],
    [90_000, "1m30s"],
    [3_600_000, "1h0m0s"],
    [3_723_500, "1h2m3.5s"],
    [10_000 / 3, "3.333333333s"],
    [1500.0005, "1.5000005s"],
    [86_400_000, "24h0m0s"],
    [-1500, "-1.5s"],
    [Infinity, "Infinity"],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
});

Deno.test("formatDuration() writes what parseDuration() reads back", () => {
  for (const ms of [1, 250, 1500, 90_000, 3_723_500, 86_400_000]) {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }
});

Deno.test("formatClock() writes k6's progress clock", () => {
  assert.equal(formatClock(5_200), "0m05.2s");
  assert.equal(formatClock(62_000), "1m02.0s");
  assert.equal(formatClock(-1), "0m00.0s");
});
