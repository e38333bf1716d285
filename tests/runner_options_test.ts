// Summary options a k6 user mistypes are refused before the test runs (exit 104), as k6 does,
// instead of failing at the end-of-test summary and losing the run's results.
import assert from "node:assert/strict";
import { buildPlan, InvalidConfigError } from "../runner/config/options.ts";
import { explain, mqload, TempDir } from "./_runner_helpers.ts";

Deno.test("runner options: buildPlan refuses unknown trend stats and time units", () => {
  assert.throws(
    () => buildPlan({ summaryTrendStats: ["avg", "p(101)", "bogus"] }),
    (e: unknown) =>
      e instanceof InvalidConfigError && e.problems.length === 2 &&
      /'p\(101\)'/.test(e.problems[0]) && /'bogus'/.test(e.problems[1]),
  );
  assert.throws(() => buildPlan({ summaryTimeUnit: "h" }), /summaryTimeUnit/);
  const plan = buildPlan({ summaryTrendStats: ["avg", "count", "p(99.9)"], summaryTimeUnit: "ms" });
  assert.deepEqual(plan.options.summaryTrendStats, ["avg", "count", "p(99.9)"]);
});

Deno.test("runner options: a bad --summary-trend-stats exits 104 before the test runs", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write(
      "script.js",
      `export default function () { console.log("iteration ran"); }`,
    );
    const r = await mqload(["run", "-q", "--summary-trend-stats", "avg,bogus", script]);
    assert.equal(r.code, 104, explain(r));
    assert.match(r.stderr, /stat 'bogus' is not a valid trend column/);
    assert.doesNotMatch(r.stderr + r.stdout, /iteration ran|at summaryData/);
  } finally {
    await dir.remove();
  }
});

Deno.test("runner options: --out json= to a path that cannot be created ends with k6's sentence, no stack", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("script.js", `export default function () {}`);
    const target = `${dir.path}/missing/points.ndjson`;
    const r = await mqload(["run", "-q", "--out", `json=${target}`, script]);
    assert.equal(r.code, 104, explain(r));
    assert.match(r.stderr, /could not create the 'json' output/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, explain(r));
  } finally {
    await dir.remove();
  }
});

Deno.test("runner options: K6_OUT, K6_SUMMARY_EXPORT and K6_NO_SUMMARY work as in k6, flags win", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("script.js", `export default function () {}`);
    const points = `${dir.path}/points.ndjson`;
    const summary = `${dir.path}/summary.json`;
    const env = { K6_OUT: `json=${points}`, K6_SUMMARY_EXPORT: summary };
    const r = await mqload(["run", "-q", script], env);
    assert.equal(r.code, 0, explain(r));
    assert.match(await Deno.readTextFile(points), /"metric":"iterations"/);
    const doc = JSON.parse(await Deno.readTextFile(summary));
    assert.equal(doc.metrics.iterations.count, 1);

    const other = `${dir.path}/flag.json`;
    const f = await mqload(["run", "-q", "--summary-export", other, script], env);
    assert.equal(f.code, 0, explain(f));
    assert.equal(JSON.parse(await Deno.readTextFile(other)).metrics.iterations.count, 1);

    // K6_NO_SUMMARY: no text summary and, as in k6, no summary export.
    await Deno.remove(summary);
    const off = await mqload(["run", "-q", script], { ...env, K6_NO_SUMMARY: "true" });
    assert.equal(off.code, 0, explain(off));
    assert.doesNotMatch(off.stdout, /iterations/);
    await assert.rejects(Deno.stat(summary), Deno.errors.NotFound);
  } finally {
    await dir.remove();
  }
});
