import assert from "node:assert/strict";
import {
  applyOptions,
  buildPlan,
  consolidateOptions,
  deriveScenarios,
  envOptions,
  InvalidConfigError,
  parseStageFlag,
} from "./options.ts";

Deno.test("applyOptions() lets a higher layer's execution option replace all lower ones", () => {
  const script = { vus: 5, scenarios: { a: { executor: "constant-vus", duration: "1s" } } };
  assert.deepEqual(applyOptions(script, { duration: "10s" }), { vus: 5, duration: "10s" });
  assert.deepEqual(applyOptions({ iterations: 3, tags: { a: "1" } }, { vus: 2 }), {
    iterations: 3,
    tags: { a: "1" },
    vus: 2,
  });
});

Deno.test("consolidateOptions() orders flags over K6_* over the script", () => {
  const env = envOptions({ K6_VUS: "4", K6_DURATION: "20s", HOME: "/root" });
  const o = consolidateOptions({ vus: 1, iterations: 10 }, env, { duration: "5s" });
  assert.equal(o.vus, 4);
  assert.equal(o.duration, "5s");
  assert.equal(o.iterations, undefined);
  assert.throws(() => envOptions({ K6_VUS: "many" }), InvalidConfigError);
});

Deno.test("deriveScenarios() follows k6's shortcuts", () => {
  const d = (o: Record<string, unknown>) => deriveScenarios(o).scenarios.default;
  assert.deepEqual(d({}), { executor: "per-vu-iterations" });
  assert.deepEqual(d({ vus: 3 }), { executor: "shared-iterations", vus: 3, iterations: 3 });
  assert.deepEqual(d({ vus: 2, iterations: 8, duration: "1m" }), {
    executor: "shared-iterations",
    iterations: 8,
    vus: 2,
    maxDuration: "1m",
  });
  assert.deepEqual(d({ vus: 2, duration: "30s" }), {
    executor: "constant-vus",
    duration: "30s",
    vus: 2,
  });
  assert.deepEqual(d({ stages: [{ duration: "1s", target: 2 }] }), {
    executor: "ramping-vus",
    stages: [{ duration: "1s", target: 2 }],
  });
  assert.throws(
    () => deriveScenarios({ iterations: 1, scenarios: {} }),
    /using `iterations` and `scenarios` options simultaneously is not allowed/,
  );
});

Deno.test("buildPlan() reports every problem at once", () => {
  try {
    buildPlan({ vus: -1, setupTimeout: "soon", scenarios: { x: { executor: "constant-vus" } } });
    assert.fail("expected an error");
  } catch (e) {
    const problems = (e as InvalidConfigError).problems;
    assert.ok(problems.some((p) => p.startsWith("vus must be")), problems.join("\n"));
    assert.ok(problems.some((p) => p.startsWith("invalid setupTimeout")), problems.join("\n"));
    assert.ok(problems.includes('scenario "x": the duration is unspecified'), problems.join("\n"));
  }
  const plan = buildPlan({ vus: 2, duration: "1s", tags: { team: "mq" } });
  assert.equal(plan.scenarios[0].executor, "constant-vus");
  assert.equal(plan.setupTimeout, 60_000);
  assert.deepEqual(plan.tags, { team: "mq" });
});

Deno.test("parseStageFlag() reads duration:target", () => {
  assert.deepEqual(parseStageFlag("30s:10"), { duration: "30s", target: 10 });
  assert.deepEqual(parseStageFlag("1m"), { duration: "1m", target: 0 });
  assert.throws(() => parseStageFlag("soon:1"), TypeError);
});
