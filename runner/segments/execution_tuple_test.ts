import assert from "node:assert/strict";
import {
  ExecutionSegment,
  type ExecutionSegmentSequence,
  parseExecutionSegment,
  parseExecutionSegmentSequence,
} from "./execution_segment.ts";
import { ExecutionTuple, SegmentedIndex } from "./execution_tuple.ts";

/** Deterministic PRNG (mulberry32), so "random" sequences are the same on every run. */
function prng(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** k6's generateRandomSequence: n segments with lengths k_i / Σk, k_i in 1..m. */
function randomSequence(n: number, m: number, rand: (n: number) => number) {
  const ks = Array.from({ length: n }, () => 1 + rand(m));
  const total = ks.reduce((a, b) => a + b, 0);
  let acc = 0;
  const points = ["0"];
  for (const k of ks) points.push(`${(acc += k)}/${total}`);
  return parseExecutionSegmentSequence(points.join(","));
}

function tuplesOf(seq: ExecutionSegmentSequence): ExecutionTuple[] {
  return seq.segments.map((s) => new ExecutionTuple(s, seq));
}

Deno.test("ExecutionTuple.stripedOffsets() matches k6's fixtures", () => {
  const cases: Array<[string, string, number, number[], number]> = [
    ["0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0:0.3", 0, [4, 3, 3], 10],
    ["0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.3:0.5", 1, [4, 6], 10],
    ["0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.5:0.6", 2, [10], 10],
    ["0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.6:0.7", 3, [10], 10],
    ["0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.8:0.9", 8, [10], 10],
    ["0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.9:1", 9, [10], 10],
    ["0,0.2,0.5,0.6,0.7,0.8,0.9,1", "0.9:1", 9, [10], 10],
    ["0,0.2,0.5,0.6,0.7,0.8,0.9,1", "0:0.2", 1, [4, 6], 10],
    ["0,0.2,0.5,0.6,0.7,0.8,0.9,1", "0.6:0.7", 3, [10], 10],
    ["0,0.2,0.5", "0:0.2", 3, [6, 4], 10],
    ["0,0.2,0.5", "0.2:0.5", 1, [4, 2, 4], 10],
    ["0,2/5,4/5", "0:2/5", 0, [3, 2], 5],
    ["0,2/5,4/5", "2/5:4/5", 1, [3, 2], 5],
    ["", "0:0.2", 1, [5], 5],
    ["", "0:1/5", 1, [5], 5],
    ["", "0:2/10", 1, [5], 5],
    ["", "0:0.4", 1, [2, 3], 5],
    ["", "0:2/5", 1, [2, 3], 5],
    ["", "2/5:4/5", 1, [3, 2], 5],
    ["", "0:4/10", 1, [2, 3], 5],
    ["", "1/10:5/10", 1, [2, 2, 4, 2], 10],
  ];
  for (const [seq, seg, start, offsets, lcd] of cases) {
    const tuple = new ExecutionTuple(
      parseExecutionSegment(seg),
      parseExecutionSegmentSequence(seq),
    );
    assert.deepEqual(tuple.stripedOffsets(), { start, offsets, lcd }, `${seg} in ${seq}`);
  }
});

Deno.test("ExecutionTuple.scaleInt() and forValue() match k6's TestNewExecutionTuple", () => {
  const thirds = parseExecutionSegmentSequence("0,1/3,2/3,1");
  type Case = [
    string | undefined,
    ExecutionSegmentSequence | undefined,
    Record<number, number>,
    Record<
      number,
      Record<number, number> | null
    >,
  ];
  const whole = { 50: { 50: 50, 1: 1, 0: 0 }, 1: { 50: 50, 1: 1, 0: 0 }, 0: null };
  const cases: Case[] = [
    [undefined, undefined, { 50: 50, 1: 1, 0: 0 }, whole],
    ["0:1", undefined, { 50: 50, 1: 1, 0: 0 }, whole],
    ["0:1", parseExecutionSegmentSequence("0,1"), { 50: 50, 1: 1, 0: 0 }, whole],
    ["0:1", parseExecutionSegmentSequence(""), { 50: 50, 1: 1, 0: 0 }, whole],
    ["0:1/3", thirds, { 50: 17, 3: 1, 2: 1, 1: 1, 0: 0 }, {
      50: { 50: 17, 1: 1, 0: 0 },
      20: { 50: 18, 1: 1, 0: 0 },
      3: { 50: 17, 1: 1, 0: 0 },
      2: { 50: 25, 1: 1, 0: 0 },
      1: { 50: 50, 1: 1, 0: 0 },
      0: null,
    }],
    ["1/3:2/3", thirds, { 50: 17, 3: 1, 2: 1, 1: 0, 0: 0 }, {
      50: { 50: 17, 1: 0, 0: 0 },
      20: { 50: 17, 1: 0, 0: 0 },
      3: { 50: 17, 1: 0, 0: 0 },
      2: { 50: 25, 1: 0, 0: 0 },
      1: null,
      0: null,
    }],
    ["2/3:1", thirds, { 50: 16, 3: 1, 2: 0, 1: 0, 0: 0 }, {
      50: { 50: 16, 1: 0, 0: 0 },
      20: { 50: 15, 1: 0, 0: 0 },
      3: { 50: 16, 1: 0, 0: 0 },
      2: null,
      1: null,
      0: null,
    }],
  ];
  for (const [seg, seq, scale, newScale] of cases) {
    const tuple = new ExecutionTuple(
      seg === undefined ? undefined : parseExecutionSegment(seg),
      seq,
    );
    for (const [value, expected] of Object.entries(scale)) {
      assert.equal(tuple.scaleInt(Number(value)), expected, `${tuple} scaleInt(${value})`);
    }
    for (const [value, expected] of Object.entries(newScale)) {
      const next = tuple.forValue(Number(value));
      if (expected === null) {
        assert.equal(next, undefined, `${tuple} forValue(${value})`);
        continue;
      }
      for (const [v, e] of Object.entries(expected)) {
        assert.equal(next!.scaleInt(Number(v)), e, `${tuple} forValue(${value}).scaleInt(${v})`);
      }
    }
  }
  const t = new ExecutionTuple(parseExecutionSegment("0:1/3"), thirds);
  assert.equal(t.forValue(20)!.sequence.toString(), "0,7/20,7/10,1");
  assert.equal(t.forValue(3), t);
});

Deno.test("ExecutionTuple.scaleInt() follows k6's documented table for 0,1/2,3/4,1", () => {
  const tuples = tuplesOf(parseExecutionSegmentSequence("0,1/2,3/4,1"));
  const rows = tuples.map((t) => Array.from({ length: 12 }, (_, i) => t.scaleInt(i + 1)));
  assert.deepEqual(rows, [
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6],
    [0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3],
    [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3],
  ]);
});

Deno.test("segments' shares of VUs, iterations and indices add up to the whole run", () => {
  const rand = prng(20240601);
  const sequences = [
    parseExecutionSegmentSequence("0,1/4,1/2,3/4,1"),
    parseExecutionSegmentSequence("0,1/3,2/3,1"),
    parseExecutionSegmentSequence("0,0.3,0.5,0.6,0.7,0.8,0.9,1"),
    parseExecutionSegmentSequence("0,1/7,1/2,1"),
    ...Array.from({ length: 12 }, () => randomSequence(2 + rand(9), 100, rand)),
  ];
  for (const seq of sequences) {
    const tuples = tuplesOf(seq);
    for (let value = 0; value <= 300; value++) {
      const shares = tuples.map((t) => t.scaleInt(value));
      assert.equal(shares.reduce((a, b) => a + b, 0), value, `${seq} vus ${value}`);
    }
    // shared-iterations: iterations follow the VUs' split; a segment without VUs gets none.
    for (const vus of [1, 2, 3, 7, 10, 33]) {
      for (const iterations of [vus, vus + 1, 100, 1001]) {
        let total = 0;
        for (const t of tuples) {
          const share = t.forValue(vus)?.scaleInt(iterations) ?? 0;
          if (t.scaleInt(vus) === 0) assert.equal(share, 0);
          total += share;
        }
        assert.equal(total, iterations, `${seq} vus ${vus} iterations ${iterations}`);
      }
    }
    // Striped indices partition 0…n−1.
    const n = 500;
    const owner = new Array<number>(n).fill(-1);
    tuples.forEach((t, k) => {
      for (const i of t.indices()) {
        if (i >= n) break;
        assert.equal(owner[i], -1, `${seq}: index ${i} owned twice`);
        owner[i] = k;
      }
    });
    assert.ok(owner.every((k) => k >= 0), `${seq}: every index owned`);
    // The first `value` indices of the whole run split as scaleInt splits `value`.
    for (const value of [1, 17, 250, 500]) {
      tuples.forEach((t, k) => {
        const owned = owner.slice(0, value).filter((o) => o === k).length;
        assert.equal(owned, t.scaleInt(value), `${seq}: ${value} indices for segment ${k}`);
      });
    }
  }
});

Deno.test("ExecutionTuple.scaleInt() only grows with the value", () => {
  const rand = prng(7);
  for (let round = 0; round < 10; round++) {
    const seq = randomSequence(2 + rand(9), 100, rand);
    for (const t of tuplesOf(seq)) {
      let last = 0;
      for (let v = 0; v < 400; v++) {
        const s = t.scaleInt(v);
        assert.ok(s >= last && s - last <= 1);
        last = s;
      }
    }
  }
});

Deno.test("ExecutionTuple rejects segments outside its sequence and huge denominators", () => {
  const thirds = parseExecutionSegmentSequence("0,1/3,2/3,1");
  assert.throws(() => new ExecutionTuple(parseExecutionSegment("0:1/2"), thirds), RangeError);
  assert.throws(() => new ExecutionTuple(undefined, thirds), /Cannot find execution segment 0:1/);
  assert.throws(
    () => new ExecutionTuple(new ExecutionSegment(), undefined).scaleInt(-1),
    RangeError,
  );
  assert.throws(
    () => new ExecutionTuple(parseExecutionSegment("0:1/12345678")),
    /common denominator 12345678 is over/,
  );
  assert.equal(
    new ExecutionTuple(parseExecutionSegment("1/4:1/2")).toString(),
    "1/4:1/2 in 0,1/4,1/2,1",
  );
});

Deno.test("SegmentedIndex walks like k6's", () => {
  const walk = (s: SegmentedIndex, ops: string) =>
    [...ops].map((op) => op === "n" ? s.next() : s.prev());
  assert.deepEqual(
    walk(new SegmentedIndex({ start: 0, lcd: 1, offsets: [1] }), "npnnnppn"),
    [[1, 1], [0, 0], [1, 1], [2, 2], [3, 3], [2, 2], [1, 1], [2, 2]],
  );
  assert.deepEqual(
    walk(new SegmentedIndex({ start: 0, lcd: 2, offsets: [2] }), "npnnnpppn"),
    [[1, 1], [0, 0], [1, 1], [2, 3], [3, 5], [2, 3], [1, 1], [0, 0], [1, 1]],
  );
  assert.deepEqual(
    walk(new SegmentedIndex({ start: 1, lcd: 2, offsets: [2] }), "npnnnpppn"),
    [[1, 2], [0, 0], [1, 2], [2, 4], [3, 6], [2, 4], [1, 2], [0, 0], [1, 2]],
  );
  const s = new SegmentedIndex({ start: 1, lcd: 7, offsets: [4, 3] });
  assert.deepEqual(walk(s, "npnnnpppn"), [
    [1, 2],
    [0, 0],
    [1, 2],
    [2, 6],
    [3, 9],
    [2, 6],
    [1, 2],
    [0, 0],
    [1, 2],
  ]);
  assert.deepEqual([6, 5, 7, 8, 9].map((v) => s.goTo(v)), [[2, 6], [1, 2], [2, 6], [2, 6], [3, 9]]);
  assert.deepEqual(walk(s, "ppp"), [[2, 6], [1, 2], [0, 0]]);
  assert.deepEqual([s.scaled, s.unscaled], [0, 0]);
});

Deno.test("ExecutionTuple.globalIndex: the n-th index of indices(), each index owned once", () => {
  for (
    const seq of ["0,1", "0,1/4,2/4,3/4,1", "0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0,1/3,2/3,1", "0,1/7,1"]
  ) {
    const sequence = parseExecutionSegmentSequence(seq);
    const owners = new Map<number, number>();
    sequence.segments.forEach((segment, k) => {
      const tuple = new ExecutionTuple(segment, sequence);
      const it = tuple.indices();
      for (let n = 0; n < 200; n++) {
        const global = tuple.globalIndex(n);
        assert.equal(global, it.next().value, `${seq} segment ${segment} n=${n}`);
        if (global < 100) {
          assert.equal(owners.get(global), undefined, `${global} owned twice in ${seq}`);
          owners.set(global, k);
        }
      }
    });
    assert.equal(owners.size, 100, seq);
  }
  assert.throws(() => new ExecutionTuple().globalIndex(-1), RangeError);
});
