/**
 * VU ids as k6 numbers them: 1, 2, 3… in the order VUs are initialized, so `__VU` never passes
 * `vus_max` (the VUs initialized) and `data[__VU - 1]` over an array sized for the test holds;
 * planned VUs take 1..planned before the test starts, VUs an arrival-rate scenario adds later
 * take the next ids, and scenarios that run one after the other share VUs. Whatever the Workers, and per instance under `--execution-segment`, where
 * `exec.vu.idInTest` is the VU's number across the instances (none shared).
 */

import assert from "node:assert/strict";
import { explain, runScript, TempDir } from "./_runner_helpers.ts";

// 2 + 1 + 2 planned VUs; the arrivals sleep longer than they arrive, so the arrival-rate
// scenario initializes more of its 10 maxVUs during the test.
const SCRIPT = `
import exec from "k6/execution";
import { sleep } from "k6";

export const options = {
  scenarios: {
    steady: { executor: "constant-vus", vus: 2, duration: "1s", exec: "say" },
    arrivals: {
      executor: "constant-arrival-rate",
      rate: 20,
      timeUnit: "1s",
      duration: "1s",
      preAllocatedVUs: 1,
      maxVUs: 10,
      exec: "slow",
    },
    each: { executor: "per-vu-iterations", vus: 2, iterations: 2, exec: "say" },
  },
};

export function say() {
  console.log("vu-id " + __VU + " " + exec.vu.idInInstance + " " + exec.vu.idInTest);
  sleep(0.1);
}

export async function slow() {
  say();
  await sleep(0.3);
}
`;

/** The ids the iterations logged: `[__VU, idInInstance, idInTest]` each. */
function loggedIds(stderr: string): number[][] {
  return [...stderr.matchAll(/vu-id (\d+) (\d+) (\d+)/g)].map((m) => m.slice(1).map(Number));
}

/** Runs the script and checks every `__VU` it saw is within 1..vus_max, planned ones all seen. */
async function runAndCheck(dir: TempDir, args: string[], planned: number) {
  const r = await runScript(dir, SCRIPT, args);
  assert.equal(r.code, 0, explain(r));
  const vusMax = (r.summary.metrics.vus_max as Record<string, number>).value;
  const ids = loggedIds(r.stderr);
  assert.ok(ids.length > 0, explain(r));
  for (const [vu, inInstance] of ids) assert.equal(inInstance, vu);
  const seen = new Set(ids.map(([vu]) => vu));
  const outside = [...seen].filter((id) => !(id >= 1 && id <= vusMax));
  assert.deepEqual(outside, [], `ids ${[...seen].sort((a, b) => a - b)} over vus_max ${vusMax}`);
  for (let id = 1; id <= planned; id++) assert.ok(seen.has(id), `planned VU ${id} not seen`);
  assert.ok(vusMax > planned, `the arrivals added no VU: vus_max ${vusMax}`);
  return { ids, vusMax };
}

Deno.test("VU ids stay within 1..vus_max across scenarios, in one Worker and in three", async () => {
  const dir = await TempDir.create();
  try {
    for (const workers of ["1", "3"]) {
      const { ids } = await runAndCheck(dir, ["--workers", workers], 5);
      // Without a segment, idInTest is __VU.
      for (const [vu, , inTest] of ids) assert.equal(inTest, vu);
    }
  } finally {
    await dir.remove();
  }
});

Deno.test("VU ids under --execution-segment: 1..the instance's vus_max, idInTest unshared", async () => {
  const dir = await TempDir.create();
  try {
    const sequence = ["--execution-segment-sequence", "0,1/2,1"];
    const inTest: Set<number>[] = [];
    for (const segment of ["0:1/2", "1/2:1"]) {
      // Each half has 1 + 1 + 1 planned VUs (k6 stripes each scenario's VUs).
      const { ids } = await runAndCheck(dir, ["--execution-segment", segment, ...sequence], 3);
      inTest.push(new Set(ids.map(([, , id]) => id)));
    }
    const shared = [...inTest[0]].filter((id) => inTest[1].has(id));
    assert.deepEqual(shared, [], `idInTest ${[...inTest[0]]} and ${[...inTest[1]]}`);
  } finally {
    await dir.remove();
  }
});

// The second scenario starts when the first is over (its gracefulStop is 0): k6 initializes the
// most VUs running at once (3), and the second runs on the first's VUs.
const ONE_AFTER_THE_OTHER = `
import exec from "k6/execution";
import { sleep } from "k6";

export const options = {
  scenarios: {
    first: { executor: "constant-vus", vus: 3, duration: "1s", gracefulStop: "0s" },
    second: { executor: "per-vu-iterations", vus: 3, iterations: 1, startTime: "1s" },
  },
};

export default function () {
  console.log("vu-id " + __VU + " " + exec.scenario.name);
  sleep(0.2);
}
`;

Deno.test("scenarios one after the other share their VUs: vus_max is the most at once", async () => {
  const dir = await TempDir.create();
  try {
    for (const workers of ["1", "2"]) {
      const r = await runScript(dir, ONE_AFTER_THE_OTHER, ["--workers", workers]);
      assert.equal(r.code, 0, explain(r));
      assert.equal((r.summary.metrics.vus_max as Record<string, number>).value, 3, explain(r));
      const runs = [...r.stderr.matchAll(/vu-id (\d+) (\w+)/g)].map((m) => [Number(m[1]), m[2]]);
      const ids = (scenario: string) =>
        runs.filter(([, name]) => name === scenario).map(([id]) => id).sort();
      assert.deepEqual(ids("second"), [1, 2, 3], explain(r));
      assert.deepEqual([...new Set(ids("first"))], [1, 2, 3]);
    }
  } finally {
    await dir.remove();
  }
});

// Iterations far shorter than the arrival interval: every VU is idle at each arrival.
const TAKING_TURNS = `
import exec from "k6/execution";

export const options = {
  scenarios: {
    arrivals: {
      executor: "constant-arrival-rate",
      rate: 40,
      timeUnit: "1s",
      duration: "1s",
      preAllocatedVUs: 4,
      maxVUs: 4,
    },
  },
};

export default function () {
  exec.vu.tags.device = "d" + __VU;
  console.log("vu-id " + __VU);
}
`;

Deno.test("arrival-rate iterations go to the VU idle longest, as k6's VUs take turns", async () => {
  const dir = await TempDir.create();
  try {
    for (const workers of ["1", "2"]) {
      const out = `${dir.path}/turns-${workers}.ndjson`;
      const r = await runScript(dir, TAKING_TURNS, ["--workers", workers, "--out", `json=${out}`]);
      assert.equal(r.code, 0, explain(r));
      const perVu = new Map<number, number>();
      for (const m of r.stderr.matchAll(/vu-id (\d+)/g)) {
        perVu.set(Number(m[1]), (perVu.get(Number(m[1])) ?? 0) + 1);
      }
      // 40 arrivals over 4 VUs: 10 each (the last second's edge may move one).
      assert.deepEqual([...perVu.keys()].sort(), [1, 2, 3, 4], explain(r));
      for (const [vu, n] of perVu) assert.ok(n >= 9 && n <= 11, `VU ${vu}: ${n} iterations`);
      // k6 tags `iterations` with the VU's tags as the iteration ended: the root group and the
      // tags the script set.
      const samples = (await Deno.readTextFile(out)).split("\n").filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((s) => s.type === "Point" && s.metric === "iterations");
      assert.equal(samples.length, 40);
      for (const sample of samples) {
        const { group, scenario, device } = sample.data.tags;
        assert.deepEqual([group, scenario, /^d\d$/.test(device)], ["", "arrivals", true]);
      }
    }
  } finally {
    await dir.remove();
  }
});
