// The command line as a k6 user meets it first: every command answers --help on stdout with
// exit 0, and refuses unknown flags and stray arguments with exit 2 and a pointer to its help.
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
    assert.equal(refused.code, 2, explain(refused));
  } finally {
    await dir.remove();
  }
});

Deno.test("runner cli: k6 1.x's --summary-mode is accepted (legacy layout), bad values refused", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("script.js", `export default function () {}`);
    const legacy = await mqload(["run", "-q", "--summary-mode=legacy", script]);
    assert.equal(legacy.code, 0, explain(legacy));
    assert.doesNotMatch(legacy.stderr, /not supported/);
    const full = await mqload(["run", "-q", "--summary-mode", "full", script]);
    assert.equal(full.code, 0, explain(full));
    assert.match(full.stderr, /--summary-mode=full is not supported/);
    assert.match(full.stdout, /iterations/);
    const bad = await mqload(["run", "-q", "--summary-mode=fancy", script]);
    assert.equal(bad.code, 2, explain(bad));
  } finally {
    await dir.remove();
  }
});
