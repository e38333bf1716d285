/**
 * k6's banner on stderr before the test: where it runs, the script, the outputs, and one line
 * per scenario.
 *
 * @module
 */

import { describeScenario, scenarioMaxEndMs } from "../executors/mod.ts";
import { formatDuration } from "../config/duration.ts";
import type { TestPlan } from "../config/options.ts";
import { type SyncWriter, writeAll } from "./finish.ts";

/** What the banner shows. */
export interface BannerInput {
  /** The script as given. */
  script: string;
  /** The outputs' descriptions. */
  outputs: readonly string[];
  /** The process's most VUs. */
  maxVus: number;
  /** The test plan. */
  plan: TestPlan;
}

/**
 * Writes the banner.
 *
 * @param writer Where (stderr).
 * @param input What.
 */
export function printBanner(writer: SyncWriter, input: BannerInput): void {
  const { plan } = input;
  const maxEnd = Math.max(0, ...plan.scenarios.map((c) => scenarioMaxEndMs(c, plan.tuple)));
  const n = plan.scenarios.length;
  const lines = [
    "",
    "  execution: local",
    `     script: ${input.script}`,
    `     output: ${input.outputs.join(", ") || "-"}`,
    "",
    `  scenarios: (${(plan.tuple.segment.floatLength * 100).toFixed(2)}%) ${n} scenario${
      n === 1 ? "" : "s"
    }, ${input.maxVus} max VUs, ${formatDuration(maxEnd)} max duration (incl. graceful stop):`,
    ...plan.scenarios.map((c) => `           * ${c.name}: ${describeScenario(c, plan.tuple)}`),
    "",
  ];
  writeAll(writer, lines.join("\n") + "\n");
}
