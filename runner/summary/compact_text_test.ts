// Golden text of k6 1.x's compact and full summaries, worked out line by line from k6 v1.8.1's
// internal/js/summary.js (titles "  █ X \n", two spaces per level, "......:" padded to the
// widest name + 3, CUSTOM first, checks_total/succeeded/failed then the checks, a blank line
// per section end; every column padded, the last one too, hence the trailing spaces) and
// internal/output/summary/data.go (which metrics each mode leaves out).
import assert from "node:assert/strict";
import { defineBuiltins, MetricRegistry } from "../metrics/registry.ts";
import { parseThresholds } from "../metrics/thresholds.ts";
import { summaryData } from "./data.ts";
import { buildReport } from "./report.ts";
import { compactTextSummary } from "./compact_text.ts";

function run(mode: "compact" | "full", colors = false): string {
  const registry = new MetricRegistry();
  defineBuiltins(registry);
  registry.define("mqtt_publish_duration", "trend", "time");
  registry.define("my_counter", "counter");
  // mqload makes no HTTP samples; these show which mode leaves k6's HTTP timings out.
  registry.define("http_req_waiting", "trend", "time");
  if (registry.info("group_duration") === undefined) {
    registry.define("group_duration", "trend", "time");
  }
  const root = { scenario: "default", group: "" };
  const inGroup = { scenario: "default", group: "::pub" };
  registry.add("iterations", 1, root);
  registry.add("iterations", 1, root);
  registry.add("iteration_duration", 10, root);
  registry.add("iteration_duration", 30, root);
  registry.add("vus", 2, root);
  registry.add("checks", 1, { ...root, check: "connected" });
  registry.add("checks", 1, { ...inGroup, check: "acked" });
  registry.add("checks", 0, { ...inGroup, check: "acked" });
  registry.add("mqtt_publish_duration", 4, inGroup);
  registry.add("my_counter", 3, inGroup);
  registry.add("group_duration", 5, inGroup);
  registry.add("http_req_waiting", 7, root);
  const thresholds = parseThresholds({
    checks: ["rate>0.5"],
    mqtt_publish_duration: ["p(99)<10", "avg<1"],
  });
  const data = summaryData(registry, thresholds.evaluate(registry, 2000), {
    options: { summaryTrendStats: ["avg", "max"] },
    testRunDurationMs: 2000,
  });
  return compactTextSummary(buildReport(data, mode, registry), {
    enableColors: colors,
    summaryTrendStats: ["avg", "max"],
    summaryTimeUnit: "",
  });
}

const HEAD = `
  █ THRESHOLDS 

    checks
    ✓ 'rate>0.5' rate=66.66%

    mqtt_publish_duration
    ✓ 'p(99)<10' p(99)=4ms
    ✗ 'avg<1' avg=4ms


  █ TOTAL RESULTS 

    checks_total.......: 3      1.5/s
    checks_succeeded...: 66.66% 2 out of 3
    checks_failed......: 33.33% 1 out of 3

    ✓ connected
    ✗ acked
      ↳  50% — ✓ 1 / ✗ 1

    CUSTOM
`;

Deno.test("compact summary: k6 1.x's sections, checks block and thresholds", () => {
  assert.equal(
    run("compact"),
    HEAD +
      `    my_counter..............: 3 1.5/s

    EXECUTION
    iteration_duration......: avg=20ms max=30ms
    iterations..............: 2 1/s
    vus.....................: 2 min=2 max=2

    MQTT
    mqtt_publish_duration...: avg=4ms  max=4ms${" "}

`,
  );
});

Deno.test("full summary: adds the HTTP timings and a section per group", () => {
  assert.equal(
    run("full"),
    HEAD +
      `    my_counter..............: 3 1.5/s

    HTTP
    http_req_waiting........: avg=7ms  max=7ms${" "}

    EXECUTION
    iteration_duration......: avg=20ms max=30ms
    iterations..............: 2 1/s
    vus.....................: 2 min=2 max=2

    MQTT
    mqtt_publish_duration...: avg=4ms  max=4ms${" "}


  █ GROUP: pub 

    checks_total.......: 2      1/s
    checks_succeeded...: 50.00% 1 out of 2
    checks_failed......: 50.00% 1 out of 2

    ✗ acked
      ↳  50% — ✓ 1 / ✗ 1

    CUSTOM
    my_counter..............: 3 1.5/s

    MQTT
    mqtt_publish_duration...: avg=4ms max=4ms

`,
  );
});

Deno.test("compact summary: colours are k6's (bold titles, faint dots, cyan values)", () => {
  const text = run("compact", true);
  const E = "\x1b[";
  assert.ok(text.includes(`█ ${E}1mTHRESHOLDS${E}0m \n`));
  assert.ok(
    text.includes(`${E}32m✓${E}0m ${E}37m'rate>0.5'${E}0m ${E}37mrate${E}0m=${E}36m66.66%`),
  );
  assert.ok(text.includes(`iterations${E}2;37m..............:${E}0m ${E}36m2${E}0m`));
});
