import assert from "node:assert/strict";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

// A custom metric's samples without tags of their own carry the VU's tags of the moment they are
// added: the group, `exec.vu.metrics.tags`, and the VU adding them when a metric object is
// shared by VUs (declared in a module the script imports, evaluated once per Worker).

Deno.test("custom metrics follow the VU's tags as they change, per VU", async () => {
  const dir = await TempDir.create();
  try {
    await dir.write(
      "shared.js",
      `import { Counter } from "k6/metrics";
export const shared = new Counter("shared_hits");`,
    );
    const r = await runScript(
      dir,
      `import { group } from "k6";
import exec from "k6/execution";
import { Counter, Trend } from "k6/metrics";
import { shared } from "./shared.js";
export const options = {
  scenarios: { s: { executor: "per-vu-iterations", vus: 2, iterations: 3 } },
  thresholds: {
    "hits{group:::g}": ["count==6"],
    "hits{phase:late}": ["count==12"],
    "took{group:::g}": ["max==2"],
    "shared_hits{who:vu1}": ["count==6"],
    "shared_hits{who:vu2}": ["count==6"],
  },
};
const hits = new Counter("hits");
const took = new Trend("took");
export default function () {
  hits.add(1);
  took.add(1);
  group("g", () => {
    hits.add(1);
    took.add(2);
  });
  exec.vu.metrics.tags.phase = "late";
  hits.add(2);
  delete exec.vu.metrics.tags.phase;
  exec.vu.metrics.tags.who = "vu" + exec.vu.idInTest;
  shared.add(1);
  shared.add(1);
  delete exec.vu.metrics.tags.who;
}`,
      ["--workers", "1"],
    );
    assert.equal(r.code, 0, explain(r));
    assert.equal(count(r.summary, "hits"), 24);
    assert.equal(count(r.summary, "hits{group:::g}"), 6);
    assert.equal(count(r.summary, "hits{phase:late}"), 12);
    assert.equal(count(r.summary, "shared_hits{who:vu1}"), 6);
    assert.equal(count(r.summary, "shared_hits{who:vu2}"), 6);
    const took = r.summary.metrics["took{group:::g}"] as Record<string, number>;
    assert.equal(took.max, 2);
    assert.equal(took.min, 2);
  } finally {
    await dir.remove();
  }
});
