// The command line as a k6 user meets it first: every command answers --help on stdout with
// exit 0, and refuses unknown flags and stray arguments with a pointer to its help: exit 255 for
// `mqload run` (k6's), 2 for mqload's own commands.
import assert from "node:assert/strict";
import { explain, mqload, TempDir } from "./_runner_helpers.ts";

Deno.test("runner cli: mqload broker --help prints its flags and exits 0", async () => {
  const r = await mqload(["broker", "--help"]);
  assert.equal(r.code, 0, explain(r));
  assert.match(r.stdout, /mqload broker \[flags\]/);
  assert.match(r.stdout, /--port N/);
});

Deno.test("runner cli: mqload broker refuses unknown flags and stray arguments", async () => {
  for (const args of [["--bogus"], ["extra"], ["--port", "99999"]]) {
    const r = await mqload(["broker", ...args]);
    assert.equal(r.code, 2, explain(r));
    assert.match(r.stderr, /See 'mqload broker --help'/, explain(r));
  }
});

Deno.test("runner cli: k6's --no-usage-report is accepted; flags that change behaviour are refused", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("script.js", `export default function () {}`);
    const ok = await mqload(["run", "-q", "--no-usage-report", script]);
    assert.equal(ok.code, 0, explain(ok));
    assert.match(ok.stdout, /iterations/);
    const refused = await mqload(["run", "-q", "--paused", script]);
    assert.equal(refused.code, 255, explain(refused));
  } finally {
    await dir.remove();
  }
});

Deno.test("runner cli: --summary-mode prints k6 1.x's compact (default) or full summary, or the legacy one", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write(
      "script.js",
      `import { check, group } from "k6";
export const options = {
  scenarios: { pubs: { executor: "shared-iterations", iterations: 2 } },
  thresholds: { checks: ["rate==1"] },
};
export default function () {
  group("connect", () => check(1, { "is one": (v) => v === 1 }));
}`,
    );
    const compact = await mqload(["run", "-q", script]);
    assert.equal(compact.code, 0, explain(compact));
    assert.match(compact.stdout, /█ THRESHOLDS \n\n {4}checks\n {4}✓ 'rate==1' rate=100\.00%/);
    assert.match(compact.stdout, /█ TOTAL RESULTS \n\n {4}checks_total\.+: 2 /);
    assert.match(compact.stdout, /checks_succeeded\.+: 100\.00% 2 out of 2\n/);
    assert.match(compact.stdout, /\n {4}✓ is one\n/);
    assert.match(compact.stdout, /\n {4}EXECUTION\n {4}iteration_duration\.+: avg=/);
    assert.match(compact.stdout, /\n {4}iterations\.+: 2 /);
    assert.doesNotMatch(compact.stdout, /GROUP|SCENARIO/);
    const full = await mqload(["run", "-q", "--summary-mode", "full", script]);
    assert.equal(full.code, 0, explain(full));
    assert.match(full.stdout, /█ TOTAL RESULTS /);
    assert.match(full.stdout, /█ SCENARIO: pubs \n\n {4}checks_total\.+: 2 /);
    assert.match(full.stdout, /\n {4}↳ GROUP: connect \n\n {6}checks_total\.+: 2 /);
    const legacy = await mqload(["run", "-q", "--summary-mode=legacy", script]);
    assert.equal(legacy.code, 0, explain(legacy));
    assert.match(legacy.stdout, /█ connect\n\n {7}✓ is one/);
    assert.match(legacy.stdout, /✓ checks\.+: 100\.00% ✓ 2 +✗ 0/);
    assert.doesNotMatch(legacy.stdout, /TOTAL RESULTS/);
    const env = await mqload(["run", "-q", script], { K6_SUMMARY_MODE: "legacy" });
    assert.equal(env.code, 0, explain(env));
    assert.match(env.stdout, /✓ checks\.+:/);
    const bad = await mqload(["run", "-q", "--summary-mode=fancy", script]);
    assert.equal(bad.code, 255, explain(bad));
  } finally {
    await dir.remove();
  }
});
