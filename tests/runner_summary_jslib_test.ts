import assert from "node:assert/strict";
import { explain, runScript, TempDir } from "./_runner_helpers.ts";

// k6's jslib k6-summary, as handleSummary scripts import it: textSummary and jUnit.

Deno.test("jslib k6-summary: jUnit writes one test case per threshold, failures marked", async () => {
  const dir = await TempDir.create();
  try {
    const r = await runScript(
      dir,
      `import { jUnit, textSummary } from "https://jslib.k6.io/k6-summary/0.0.3/index.js";
import { Counter } from "k6/metrics";
const hits = new Counter("hits");
export const options = { iterations: 2, thresholds: { hits: ["count>=2", "count<1"] } };
export default function () { hits.add(1); }
export function handleSummary(data) {
  return {
    "${dir.path}/junit.xml": jUnit(data, { name: "my <suite>" }),
    stdout: textSummary(data, { indent: " ", enableColors: false }),
  };
}`,
    );
    assert.equal(r.code, 99, explain(r));
    const xml = await Deno.readTextFile(`${dir.path}/junit.xml`);
    assert.match(xml, /^<\?xml version="1\.0"\?>\n<testsuites tests="2" failures="1">/);
    assert.match(xml, /<testsuite name="my &lt;suite&gt;" tests="2" failures="1">/);
    assert.match(xml, /<testcase name="hits - count&gt;=2" \/>/);
    assert.match(
      xml,
      /<testcase name="hits - count&lt;1"><failure message="failed" \/><\/testcase>/,
    );
    assert.match(r.stdout, /hits/);
  } finally {
    await dir.remove();
  }
});
