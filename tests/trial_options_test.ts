// Summary options a k6 user mistypes are refused before the test runs (exit 104), as k6 does,
// instead of failing at the end-of-test summary and losing the run's results.
import assert from "node:assert/strict";
import { buildPlan, InvalidConfigError } from "../runner/options.ts";
import { explain, mqload, TempDir } from "./_runner_helpers.ts";

Deno.test("trial: buildPlan refuses unknown trend stats and time units", () => {
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

Deno.test("trial: a bad --summary-trend-stats exits 104 before the test runs", async () => {
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

Deno.test("trial: --out json= to a path that cannot be created ends with k6's sentence, no stack", async () => {
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
