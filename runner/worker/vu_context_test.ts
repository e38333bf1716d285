import assert from "node:assert/strict";
import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
import { type ScenarioInfo, VuState, vuStorage, type WorkerServices } from "./vu_context.ts";
import { check, group } from "../k6/k6.ts";

function services(registry = new MetricRegistry()): WorkerServices {
  defineBuiltins(registry);
  return {
    registry,
    runTags: Object.freeze({ team: "mq" }),
    options: Object.freeze({}),
    env: Object.freeze({}),
    scriptBase: "file:///",
    sharedArrays: new Map(),
    testStart: () => 0,
    warn: () => {},
    instance: () => ({
      iterationsCompleted: 0,
      iterationsInterrupted: 0,
      vusActive: 0,
      vusInitialized: 0,
    }),
    abort: () => {},
    markFailed: () => {},
    strayError: () => {},
  };
}

function scenario(name: string): ScenarioInfo {
  return {
    name,
    executor: "shared-iterations",
    startTime: 0,
    exec: "default",
    tags: Object.freeze({ team: "mq", scenario: name }),
    env: Object.freeze({}),
    progress: () => 0,
    iterations: 0,
  };
}

Deno.test("VuState tags every sample with k6's group and scenario tags", () => {
  const vu = new VuState(1, services());
  assert.deepEqual(vu.tags, { team: "mq", group: "" });
  vu.scenario = scenario("pub");
  const root = vu.tags;
  assert.deepEqual(root, { team: "mq", scenario: "pub", group: "" });
  assert.equal(vu.tags, root, "cached while nothing changes");
  assert.ok(Object.isFrozen(root));
  vu.group = "::connect";
  assert.deepEqual(vu.tags, { team: "mq", scenario: "pub", group: "::connect" });
  assert.deepEqual(vu.checkTags("acked"), {
    team: "mq",
    scenario: "pub",
    group: "::connect",
    check: "acked",
  });
  vu.group = "";
  assert.deepEqual(vu.tags, root);
  vu.userTags.region = "eu";
  vu.tagsChanged();
  assert.equal((vu.tags as Record<string, string>).region, "eu");
  assert.equal(vu.checkTags("acked").region, "eu");
});

Deno.test("check() and group() record k6's tags: checks and group_duration carry the group", () => {
  const registry = new MetricRegistry();
  const vu = new VuState(1, services(registry));
  vu.scenario = scenario("default");
  vuStorage.run(vu, () => {
    group("login", () => {
      check(1, { "is one": (n) => n === 1 });
    });
    check(2, { "is one": (n) => n === 1 });
  });
  assert.deepEqual(
    registry.series("checks").map((s) => [s.tags.group, s.tags.check, s.n, s.sum]),
    [["::login", "is one", 1, 1], ["", "is one", 1, 0]],
  );
  assert.deepEqual(registry.series("group_duration").map((s) => s.tags), [
    { group: "::login", scenario: "default", team: "mq" },
  ]);
  assert.equal(vu.group, "");
});
