// The long codec fuzz run: `deno task fuzz` (1,000,000 inputs by default).
//
//   deno run -A tests/fuzz_long.ts [--count N] [--seed S]
//
// Prints progress, the outcome histogram and any property violation; exits with 1 when the
// decoder threw anything but MqttProtocolError/RangeError, looped, or a round trip failed.

import { parseArgs } from "node:util";
import { fuzz, type FuzzReport } from "./codec_fuzz.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "1000000" },
    seed: { type: "string", default: "1" },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
  console.error("usage: deno run -A tests/fuzz_long.ts [--count N] [--seed S]");
  Deno.exit(2);
}

function print(report: FuzzReport): void {
  const rows = [...report.histogram].sort(([a], [b]) => a.localeCompare(b));
  for (const [key, n] of rows) console.log(`  ${key.padEnd(40)} ${String(n).padStart(9)}`);
}

const started = performance.now();
const report = fuzz(seed, count, (done, partial) => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`${done} inputs, ${partial.failureCount} failures, ${seconds} s`);
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`codec fuzz: seed ${seed}, ${report.inputs} inputs in ${seconds} s`);
print(report);
if (report.failureCount > 0) {
  console.log(`${report.failureCount} failures, the first ${report.failures.length}:`);
  for (const failure of report.failures) console.log(`  ${failure}`);
  Deno.exit(1);
}
console.log("no failures");
