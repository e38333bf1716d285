import assert from "node:assert/strict";
import {
  ExecutionSegment,
  ExecutionSegmentSequence,
  parseExecutionSegment,
  parseExecutionSegmentSequence,
} from "./execution_segment.ts";

Deno.test("parseExecutionSegment() reads fractions, decimals, percentages and mixes", () => {
  for (const text of ["1/4:2/4", "0.25:0.5", "25%:50%", "1/4:50%", " 0.25 : 2/4 ", "2.5e-1:0.50"]) {
    assert.equal(parseExecutionSegment(text).toString(), "1/4:1/2", text);
  }
  assert.equal(parseExecutionSegment("20%").toString(), "0:1/5");
  assert.equal(parseExecutionSegment("0.2").toString(), "0:1/5");
  assert.equal(parseExecutionSegment("1/5").toString(), "0:1/5");
  assert.equal(parseExecutionSegment("").toString(), "0:1");
  assert.equal(parseExecutionSegment("0:1").toString(), "0:1");
  assert.equal(parseExecutionSegment("2/3:1").toString(), "2/3:1");
  assert.equal(parseExecutionSegment("12.5%:1").toString(), "1/8:1");
});

Deno.test("parseExecutionSegment() rejects malformed values and bad bounds", () => {
  for (
    const text of ["a:1", "1/0", "1/2:", ":1/2", "50%%", "1/2:1/4", "0.5:0.5", "-0.1:0.5", "0:1.1"]
  ) {
    assert.throws(() => parseExecutionSegment(text), RangeError, text);
  }
  assert.throws(
    () => parseExecutionSegment("x:1"),
    /Invalid execution segment value "x" in "x:1": expected a fraction/,
  );
});

Deno.test("parseExecutionSegmentSequence() reads boundaries and round-trips", () => {
  const seq = parseExecutionSegmentSequence("0,1/4,1/2,3/4,1");
  assert.equal(seq.segments.length, 4);
  assert.equal(seq.toString(), "0,1/4,1/2,3/4,1");
  assert.equal(parseExecutionSegmentSequence("0,25%,0.5,75%,1").toString(), seq.toString());
  assert.equal(parseExecutionSegmentSequence("").segments.length, 0);
  assert.equal(parseExecutionSegmentSequence("0,0.2,0.5").toString(), "0,1/5,1/2");
  assert.ok(!parseExecutionSegmentSequence("0,0.2,0.5").isFull());
  assert.throws(() => parseExecutionSegmentSequence("1/2"), /at least 2 points/);
  assert.throws(() => parseExecutionSegmentSequence("0,1/2,1/2"), RangeError);
  assert.throws(() => parseExecutionSegmentSequence("0,x,1"), RangeError);
});

Deno.test("ExecutionSegmentSequence checks contiguity, computes the LCD, fills gaps", () => {
  const a = parseExecutionSegment("0:1/4"), b = parseExecutionSegment("1/2:1");
  assert.throws(() => new ExecutionSegmentSequence([a, b]), /starts at 1\/2 but the previous/);
  const lcds: Array<[string, bigint]> = [
    ["0,0.3,0.5,0.6,0.7,0.8,0.9,1", 10n],
    ["0,0.1,0.5,0.6,0.7,0.8,0.9,1", 10n],
    ["0,1/3,5/6", 6n],
    ["0,1/3,4/7", 21n],
  ];
  for (const [text, lcd] of lcds) assert.equal(parseExecutionSegmentSequence(text).lcd(), lcd);
  const empty = new ExecutionSegmentSequence();
  assert.equal(empty.filled().toString(), "0,1");
  assert.equal(empty.filled(parseExecutionSegment("0:1")).toString(), "0,1");
  assert.equal(empty.filled(parseExecutionSegment("1/3:1")).toString(), "0,1/3,1");
  assert.equal(parseExecutionSegmentSequence("1/4,1/2").filled().toString(), "0,1/4,1/2,1");
  const seq = parseExecutionSegmentSequence("0,1/3,2/3,1");
  assert.equal(seq.indexOf(parseExecutionSegment("1/3:2/3")), 1);
  assert.equal(seq.indexOf(parseExecutionSegment("1/3:1")), -1);
});

Deno.test("ExecutionSegment.scale() matches k6 and its shares add up", () => {
  // k6's TestExecutionSegmentScale.
  assert.equal(parseExecutionSegment("0.5").scale(2), 1);
  assert.equal(parseExecutionSegment("0.5").scale(3), 2);
  assert.equal(parseExecutionSegment("0.5:1.0").scale(2), 1);
  assert.equal(parseExecutionSegment("0.5:1.0").scale(3), 1);
  assert.equal(new ExecutionSegment().scale(123), 123);
  for (const text of ["0,1/3,2/3,1", "0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0,1/7,3/7,1", "0,1/2,3/4,1"]) {
    const segments = parseExecutionSegmentSequence(text).segments;
    for (let value = 0; value <= 500; value++) {
      const total = segments.reduce((sum, s) => sum + s.scale(value), 0);
      assert.equal(total, value, `${text} × ${value}`);
    }
  }
  assert.throws(() => new ExecutionSegment().scale(-1), RangeError);
  assert.throws(() => new ExecutionSegment().scale(1.5), RangeError);
});

Deno.test("ExecutionSegment.scaleRate() multiplies by the length; shares add up", () => {
  assert.equal(parseExecutionSegment("0.5").scaleRate(3), 1.5);
  const segments = parseExecutionSegmentSequence("0,1/3,2/3,1").segments;
  const total = segments.reduce((sum, s) => sum + s.scaleRate(90), 0);
  assert.ok(Math.abs(total - 90) < 1e-9);
  assert.throws(() => new ExecutionSegment().scaleRate(NaN), RangeError);
});

Deno.test("ExecutionSegment.split() gives k6's equal parts", () => {
  const q = parseExecutionSegment("1/4:2/4");
  assert.deepEqual(q.split(1).map(String), ["1/4:1/2"]);
  assert.deepEqual(q.split(3).map(String), ["1/4:1/3", "1/3:5/12", "5/12:1/2"]);
  assert.deepEqual(q.split(4).map(String), ["1/4:5/16", "5/16:3/8", "3/8:7/16", "7/16:1/2"]);
  assert.throws(() => q.split(0), RangeError);
  assert.equal(q.floatLength, 0.25);
});
