// A check on a value the script did not wait for (a Promise: an …Async call, or a function the
// transform could not make wait) fails, and the run says once why (whatever the Workers),
// instead of a failed check only.

import assert from "node:assert/strict";
import { runScript, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { check } from "k6";
export const options = { vus: 2, iterations: 6 };
export default function () {
  const res = Promise.resolve({ status: 200 }); // as an un-awaited asyncRequest() returns
  check(res, { "status is 200": (r) => r.status === 200 });
}
`;

Deno.test("check() given a Promise says once, across Workers, to await the call", async () => {
  const dir = await TempDir.create();
  try {
    const r = await runScript(dir, SCRIPT, ["--workers", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const said = r.stderr.split("\n").filter((l) => l.includes("check() was given a Promise"));
    assert.equal(said.length, 1, r.stderr);
    assert.match(said[0], /await it/);
    // The check itself fails, as it would on the Promise's missing status.
    const checks = r.summary.metrics.checks as Record<string, number>;
    assert.equal(checks.passes, 0);
    assert.equal(checks.fails, 6);
  } finally {
    await dir.remove();
  }
});
