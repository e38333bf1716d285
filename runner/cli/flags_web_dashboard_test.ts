import assert from "node:assert/strict";
import { parseRunArgs } from "./flags.ts";

/** Runs `fn` with environment variables set, then puts them back. */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
}

const outs = (args: string[], env: Record<string, string>) =>
  withEnv({ K6_OUT: "", K6_WEB_DASHBOARD: "", ...env }, () => {
    const settings = parseRunArgs([...args, "t.js"]);
    assert.notEqual(settings, "help");
    return settings === "help" ? [] : settings.out ?? [];
  });

Deno.test("parseRunArgs(): K6_WEB_DASHBOARD=true adds the web-dashboard output, as k6 does", () => {
  assert.deepEqual(outs([], { K6_WEB_DASHBOARD: "true" }), ["web-dashboard"]);
  assert.deepEqual(outs([], { K6_WEB_DASHBOARD: "1" }), ["web-dashboard"]);
  assert.deepEqual(outs([], { K6_WEB_DASHBOARD: "false" }), []);
  assert.deepEqual(outs(["--out", "json=p.ndjson"], { K6_WEB_DASHBOARD: "true" }), [
    "json=p.ndjson",
    "web-dashboard",
  ]);
  assert.deepEqual(outs([], { K6_WEB_DASHBOARD: "true", K6_OUT: "json=a.ndjson" }), [
    "json=a.ndjson",
    "web-dashboard",
  ]);
  // Asked for twice, it is there once (its argument, if any, is kept).
  assert.deepEqual(outs(["--out", "web-dashboard=port=1"], { K6_WEB_DASHBOARD: "true" }), [
    "web-dashboard=port=1",
  ]);
});
