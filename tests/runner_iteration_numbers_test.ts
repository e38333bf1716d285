/**
 * `exec.scenario.iterationInTest` as k6 numbers it: one counter per scenario in the instance,
 * taken when an iteration starts, so the numbers are 0..N-1 once each whatever the Workers and
 * however unevenly they split the VUs; dropped arrivals take no number. Under
 * `--execution-segment` each instance maps its n-th iteration into the test's striping (the
 * segment's for per-vu-iterations, the segments' shares of the VUs for shared-iterations), as
 * k6's `SegmentedIndex` does. No broker: the script only logs the numbers.
 */

import assert from "node:assert/strict";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

// 7 VUs split 3/2/2 over 3 Workers (4/3 over 2); the arrivals come every 50 ms to 2 VUs busy
// 150 ms each, so some are dropped.
const SCRIPT = `
import exec from "k6/execution";
import { sleep } from "k6";

export const options = {
  scenarios: {
    each: { executor: "per-vu-iterations", vus: 7, iterations: 3 },
    shared: { executor: "shared-iterations", vus: 5, iterations: 21 },
    arrivals: {
      executor: "constant-arrival-rate",
      rate: 20,
      timeUnit: "1s",
      duration: "1s",
      preAllocatedVUs: 2,
      exec: "slow",
    },
  },
};

export default function say() {
  const s = exec.scenario;
  console.log("iteration " + s.name + " " + s.iterationInTest + " " + s.iterationInInstance);
}

export function slow() {
  say();
  sleep(0.15);
}
`;

/** The numbers each scenario logged, sorted: `[iterationInTest, iterationInInstance]` pairs. */
function logged(stderr: string): Map<string, number[][]> {
  const byScenario = new Map<string, number[][]>();
  for (const [, name, inTest, inInstance] of stderr.matchAll(/iteration (\w+) (\d+) (\d+)/g)) {
    const list = byScenario.get(name) ?? [];
    list.push([Number(inTest), Number(inInstance)]);
    byScenario.set(name, list);
  }
  for (const list of byScenario.values()) list.sort((a, b) => a[0] - b[0]);
  return byScenario;
}

/** 0..n-1. */
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

Deno.test("iterationInTest is 0..N-1 once each with 1, 2 and 3 Workers", async () => {
  const dir = await TempDir.create();
  try {
    for (const workers of ["1", "2", "3"]) {
      const r = await runScript(dir, SCRIPT, ["--workers", workers]);
      assert.equal(r.code, 0, explain(r));
      const numbers = logged(r.stderr);
      for (const name of ["each", "shared"]) {
        const inTest = numbers.get(name)?.map(([n]) => n);
        assert.deepEqual(inTest, upTo(21), `${name}, ${workers} Workers`);
      }
      // Dropped arrivals take no number: the iterations run are numbered without a gap.
      assert.ok(count(r.summary, "dropped_iterations") > 0, explain(r));
      const arrivals = numbers.get("arrivals")!.map(([n]) => n);
      assert.deepEqual(arrivals, upTo(arrivals.length), `arrivals, ${workers} Workers`);
      assert.equal(count(r.summary, "iterations"), 42 + arrivals.length);
      // Without a segment, the instance's numbers are the test's.
      for (const list of numbers.values()) {
        for (const [inTest, inInstance] of list) assert.equal(inInstance, inTest);
      }
    }
  } finally {
    await dir.remove();
  }
});

Deno.test("iterationInTest under --execution-segment: k6's striping, whatever the Workers", async () => {
  const dir = await TempDir.create();
  try {
    const sequence = ["--execution-segment-sequence", "0,1/3,2/3,1"];
    const shared: number[] = [];
    // k6 stripes thirds i, i + 3, i + 6…; per-vu-iterations numbers the segment's own
    // iterations (its 3, 2 and 2 VUs' 9, 6 and 6) in it, so the first third reaches 24.
    const each = [[0, 3, 6, 9, 12, 15, 18, 21, 24], [1, 4, 7, 10, 13, 16], [2, 5, 8, 11, 14, 17]];
    for (const [i, segment] of ["0:1/3", "1/3:2/3", "2/3:1"].entries()) {
      const r = await runScript(
        dir,
        SCRIPT,
        ["--workers", "2", "--execution-segment", segment, ...sequence],
      );
      assert.equal(r.code, 0, explain(r));
      const numbers = logged(r.stderr);
      const eachNumbers = numbers.get("each")!;
      assert.deepEqual(eachNumbers.map(([n]) => n), each[i], `each in ${segment}`);
      assert.deepEqual(eachNumbers.map(([, n]) => n).sort((a, b) => a - b), upTo(each[i].length));
      shared.push(...numbers.get("shared")!.map(([n]) => n));
    }
    // shared-iterations: the segments' numbers together are the whole test's, once each.
    assert.deepEqual(shared.sort((a, b) => a - b), upTo(21));
  } finally {
    await dir.remove();
  }
});

// exec.instance's figures are live, as k6's execution state is: a Worker adds its own counts,
// known to the moment, to the other Workers' as of the last second.
const INSTANCE = `
import exec from "k6/execution";
import { sleep } from "k6";

export const options = { scenarios: { s: { executor: "per-vu-iterations", vus: 2, iterations: 3 } } };

export default function () {
  const i = exec.instance;
  console.log("instance " + [__VU, __ITER, i.vusInitialized, i.vusActive, i.iterationsCompleted].join(" "));
  sleep(0.2);
}
`;

Deno.test("exec.instance: VUs initialized and active, iterations completed, as they are now", async () => {
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, INSTANCE, ["--workers", "1"]);
    assert.equal(r.code, 0, explain(r));
    const seen = [...r.stderr.matchAll(/instance (\d+) (\d+) (\d+) (\d+) (\d+)/g)]
      .map((m) => m.slice(1).map(Number));
    assert.equal(seen.length, 6, explain(r));
    for (const [, iter, initialized, active, completed] of seen) {
      assert.equal(initialized, 2);
      assert.equal(active, 2);
      // Both VUs run in step (0.2 s each): before their iteration `iter`, 2·iter are done.
      assert.ok(
        completed >= 2 * iter - 1 && completed <= 2 * iter,
        `iteration ${iter}: ${completed}`,
      );
    }
  } finally {
    await dir.remove();
  }
});

// k6 gives the run's tags (options.tags, --tag) to vus and vus_max too (emitVUsAndVUsMax uses
// RunTags), so dashboards and thresholds filtering on a run tag such as testid see them.
const RUN_TAGS = `
import { sleep } from "k6";
export const options = {
  vus: 2,
  iterations: 4,
  tags: { testid: "t-1" },
  thresholds: { "vus{testid:t-1}": ["value>0"], "vus_max{testid:t-1}": ["value>0"] },
};
export default function () {
  sleep(0.6);
}
`;

Deno.test("vus and vus_max carry the run's tags, as k6's", async () => {
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, RUN_TAGS);
    assert.equal(r.code, 0, explain(r));
    const value = (key: string) => (r.summary.metrics[key] as Record<string, number>)?.value;
    assert.equal(value("vus_max{testid:t-1}"), 2, explain(r));
    assert.ok(value("vus{testid:t-1}") >= 1, explain(r));
  } finally {
    await dir.remove();
  }
});
