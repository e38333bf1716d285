import assert from "node:assert/strict";
import { type HistogramJSON, LogHistogram } from "./histogram.ts";

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k6's TrendSink.P on raw samples: linear interpolation at rank q·(n−1). */
function exactQuantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  if (sorted.length === 1) return sorted[0];
  const i = q * (sorted.length - 1);
  const j = sorted[Math.floor(i)];
  const k = sorted[Math.ceil(i)];
  return j + (k - j) * (i - Math.floor(i));
}

const QS = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

function checkAgainstExact(values: number[], label: string): void {
  const h = new LogHistogram();
  for (const v of values) h.add(v);
  const sorted = [...values].sort((a, b) => a - b);
  assert.equal(h.count, values.length);
  assert.equal(h.min, sorted[0]);
  assert.equal(h.max, sorted[sorted.length - 1]);
  const sum = values.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(h.sum - sum) <= 1e-9 * Math.abs(sum) + 1e-9);
  for (const q of QS) {
    const exact = exactQuantile(sorted, q);
    const approx = h.quantile(q);
    const err = exact === 0 ? Math.abs(approx) : Math.abs(approx - exact) / Math.abs(exact);
    assert.ok(err <= 0.01, `${label}: q=${q} exact=${exact} approx=${approx} err=${err}`);
  }
}

Deno.test("LogHistogram.quantile() is within 1 % of k6's exact quantiles on random data", () => {
  const r = rng(42);
  const n = 20_000;
  // Log-normal latencies around 20 ms.
  checkAgainstExact(
    Array.from({ length: n }, () =>
      Math.exp(
        3 + 1.2 * Math.sqrt(-2 * Math.log(1 - r())) *
            Math.cos(2 * Math.PI * r()),
      )),
    "lognormal",
  );
  checkAgainstExact(Array.from({ length: n }, () => 1 + r() * 999), "uniform");
  checkAgainstExact(Array.from({ length: n }, () => -(1 + r() * 99)), "negative");
  checkAgainstExact(Array.from({ length: 7 }, () => r() * 10), "few values");
  checkAgainstExact(Array.from({ length: n }, () => Math.pow(10, -6 + 12 * r())), "12 decades");
  checkAgainstExact([5, 5, 5, 5], "constant");
  checkAgainstExact(Array.from({ length: 1000 }, (_, i) => i + 1), "integers");
});

Deno.test("LogHistogram keeps zeros and negatives in order", () => {
  const h = new LogHistogram();
  for (const v of [-10, -1, 0, 0, 1, 10]) h.add(v);
  assert.equal(h.quantile(0), -10);
  assert.equal(h.quantile(0.4), 0);
  assert.equal(h.quantile(0.6), 0);
  assert.equal(h.quantile(1), 10);
  assert.ok(Math.abs(h.quantile(0.2) - -1) <= 0.01);
  assert.ok(Math.abs(h.quantile(0.8) - 1) <= 0.01);
  assert.equal(h.avg, 0);
});

Deno.test("LogHistogram on empty and single-value data follows k6", () => {
  const h = new LogHistogram();
  assert.deepEqual([h.count, h.sum, h.min, h.max, h.avg, h.quantile(0.95)], [0, 0, 0, 0, 0, 0]);
  h.add(123.456);
  assert.equal(h.quantile(0.5), 123.456);
  assert.equal(h.quantile(0.99), 123.456);
  assert.equal(h.avg, 123.456);
});

Deno.test("LogHistogram.merge() of split streams equals the whole stream", () => {
  const r = rng(7);
  const values = Array.from({ length: 10_000 }, () => (r() < 0.05 ? -r() * 5 : r() * 3000));
  values.push(0, 0);
  const whole = new LogHistogram();
  const parts = [new LogHistogram(), new LogHistogram(), new LogHistogram()];
  values.forEach((v, i) => {
    whole.add(v);
    parts[i % 3].add(v);
  });
  const merged = new LogHistogram();
  for (const p of parts) merged.merge(LogHistogram.fromJSON(structuredClone(p.toJSON())));
  const a = merged.toJSON();
  const b = whole.toJSON();
  // The sum may differ in the last bits (float addition order); everything else is identical.
  assert.ok(Math.abs(a.sum - b.sum) < 1e-6);
  a.sum = b.sum;
  assert.deepEqual(a, b);
  for (const q of QS) assert.equal(merged.quantile(q), whole.quantile(q));
});

Deno.test("LogHistogram serialises compactly and round-trips through JSON", () => {
  const h = new LogHistogram();
  for (let i = 1; i <= 1000; i++) h.add(i / 10);
  const json: HistogramJSON = JSON.parse(JSON.stringify(h));
  assert.equal(json.ratio, 1.02);
  assert.equal(json.count, 1000);
  assert.equal(json.negative.counts.length, 0);
  // 0.1 … 100 spans three decades: about 350 buckets, not 1000 values.
  assert.ok(json.positive.counts.length < 360, `${json.positive.counts.length} buckets`);
  assert.equal(json.positive.counts.reduce((a, b) => a + b, 0), 1000);
  const back = LogHistogram.fromJSON(json);
  assert.deepEqual(back.toJSON(), h.toJSON());
});

Deno.test("LogHistogram handles extreme magnitudes", () => {
  const h = new LogHistogram();
  h.add(1e-300);
  h.add(1e300);
  h.add(Number.MIN_VALUE);
  h.add(Number.MAX_VALUE);
  assert.equal(h.min, Number.MIN_VALUE);
  assert.equal(h.max, Number.MAX_VALUE);
  const q = h.quantile(1 / 3);
  assert.ok(Math.abs(q - 1e-300) / 1e-300 <= 0.01, String(q));
});

Deno.test("LogHistogram.reset() empties it and it can be reused", () => {
  const h = new LogHistogram();
  h.add(5);
  h.add(-5);
  h.reset();
  assert.deepEqual(h.toJSON().positive, { offset: 0, counts: [] });
  h.add(7);
  assert.equal(h.quantile(0.5), 7);
  assert.equal(h.count, 1);
});

Deno.test("LogHistogram rejects bad input", () => {
  const h = new LogHistogram();
  assert.throws(() => h.add(NaN), RangeError);
  assert.throws(() => h.add(Infinity), RangeError);
  assert.throws(() => h.quantile(1.5), RangeError);
  assert.throws(() => h.quantile(NaN), RangeError);
  assert.throws(() => h.merge({ ...new LogHistogram().toJSON(), ratio: 1.01 }), RangeError);
  assert.throws(() => LogHistogram.fromJSON({} as HistogramJSON), TypeError);
});

Deno.test("LogHistogram gives k6's exact quantiles where a bucket's samples share one value", () => {
  // 27 zeros and 3 ones: k6's p(95) is 1 (rank 27.55 falls among the ones), p(90) 0.1.
  const flags = [...Array(27).fill(0), 1, 1, 1];
  // Whole numbers (retries, batch sizes) and negatives: every bucket holds one value.
  const counts = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, -3, -2, 120, 121];
  for (const values of [flags, counts]) {
    const sorted = values.toSorted((a, b) => a - b);
    const whole = new LogHistogram();
    for (const v of values) whole.add(v);
    // Split in two, and the halves merged as Workers' and processes' snapshots are.
    const a = new LogHistogram();
    const b = new LogHistogram();
    values.forEach((v, i) => (i % 2 === 0 ? a : b).add(v));
    const merged = new LogHistogram().merge(a).merge(JSON.parse(JSON.stringify(b)));
    for (const q of QS) {
      assert.equal(whole.quantile(q), exactQuantile(sorted, q), `p(${q}) of ${values}`);
      assert.equal(merged.quantile(q), exactQuantile(sorted, q), `merged p(${q}) of ${values}`);
    }
  }
  // A bucket whose samples differ (all four are in (1, 1.02]) stands for them within 1 %.
  const mixed = new LogHistogram();
  for (const v of [1.002, 1.005, 1.01, 1.015]) mixed.add(v);
  const median = mixed.quantile(0.5);
  assert.ok(median !== 1.0075 && Math.abs(median - 1.0075) / 1.0075 < 0.01, `${median}`);
});
