import assert from "node:assert/strict";
import { count, explain, mqload, runScript, TempDir } from "./_runner_helpers.ts";

// k6 options and `run` flags of pacing and of k6's command line, without a broker:
// minIterationDuration (option, K6_ variable, flag), ramping-vus's last ramp-down bounded by
// gracefulRampDown, k6 2.x's --summary-mode=disabled, pflag's --flag=false, and the k6 flags
// mqload accepts with a warning or refuses with the reason.

Deno.test("k6 run options: minIterationDuration paces full iterations, from each layer", async (t) => {
  const dir = await TempDir.create();
  try {
    const script = `export const options = { vus: 2, duration: "2s" };
export default function () {}`;
    const paced = `export const options = { vus: 2, duration: "2s", minIterationDuration: "500ms" };
export default function () {}`;
    for (
      const [name, source, args, env] of [
        ["the option", paced, [], {}],
        ["the flag", script, ["--min-iteration-duration", "500ms"], {}],
        ["K6_MIN_ITERATION_DURATION", script, [], { K6_MIN_ITERATION_DURATION: "500ms" }],
      ] as const
    ) {
      await t.step(name, async () => {
        const path = await dir.write("paced.js", source);
        const summary = `${dir.path}/paced.json`;
        const r = await mqload(["run", "-q", "--summary-export", summary, ...args, path], env);
        assert.equal(r.code, 0, explain(r));
        const exported = JSON.parse(await Deno.readTextFile(summary));
        // Each VU starts one at 0, 0.5, 1 and 1.5 s: 4 each.
        assert.equal(count(exported, "iterations"), 8);
        // The wait is not the iteration's duration.
        assert.ok(exported.metrics.iteration_duration.max < 400, JSON.stringify(exported.metrics));
      });
    }
    await t.step("the iteration's error and samples come before the wait, as k6's", async () => {
      const r = await runScript(
        dir,
        `export const options = { iterations: 1, minIterationDuration: "2s" };
export default function () { throw new Error("boom"); }`,
      );
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stderr, /ERRO\[0000\] Error: boom/);
      assert.equal(count(r.summary, "iterations"), 1);
    });
    await t.step("bad values: 104 for the option, 255 for the flag", async () => {
      const bad = await runScript(
        dir,
        `export const options = { minIterationDuration: "soon" };
export default function () {}`,
      );
      assert.equal(bad.code, 104, explain(bad));
      assert.match(bad.stderr, /invalid minIterationDuration "soon"/);
      const path = await dir.write("ok.js", script);
      const flag = await mqload(["run", "--min-iteration-duration", "soon", path]);
      assert.equal(flag.code, 255, explain(flag));
      assert.match(flag.stderr, /--min-iteration-duration/);
    });
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 run options: ramping-vus stops the last ramped-down VUs after gracefulRampDown", async () => {
  const dir = await TempDir.create();
  try {
    const path = await dir.write(
      "ramp.js",
      `import { sleep } from "k6";
export const options = { scenarios: { ramp: { executor: "ramping-vus", startVUs: 0,
  stages: [{ duration: "1s", target: 2 }, { duration: "1s", target: 0 }],
  gracefulRampDown: "100ms", gracefulStop: "30s" } } };
export default function () { sleep(0.7); }`,
    );
    const summary = `${dir.path}/ramp.json`;
    const r = await mqload(["run", "--summary-export", summary, path]);
    assert.equal(r.code, 0, explain(r));
    // k6's graceful steps: VU 2 stops at 1.6 s, VU 1 at 2.1 s, each mid-iteration.
    assert.match(r.stderr, /2 max VUs, 2\.1s max duration \(incl\. graceful stop\)/);
    assert.match(r.stderr, /2 complete and 2 interrupted iterations/);
    const exported = JSON.parse(await Deno.readTextFile(summary));
    assert.equal(count(exported, "iterations"), 2);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 run options: a VU ramped down and back within gracefulRampDown goes on", async () => {
  const dir = await TempDir.create();
  try {
    const path = await dir.write(
      "ramp2.js",
      `import { sleep } from "k6";
export const options = { scenarios: { r: { executor: "ramping-vus", startVUs: 2, stages: [
  { duration: "2s", target: 4 }, { duration: "2s", target: 1 }, { duration: "1s", target: 3 },
  { duration: "2s", target: 0 }], gracefulRampDown: "1s", gracefulStop: "2s" } } };
export default function () { sleep(3); }`,
    );
    const r = await mqload(["run", path]);
    assert.equal(r.code, 0, explain(r));
    // k6: VU 2, ramped down at 4 s and back at 4.5 s, finishes the iteration it began at 3 s.
    assert.match(r.stderr, /4 max VUs, 8s max duration \(incl\. graceful stop\)/);
    assert.match(r.stderr, /5 complete and 4 interrupted iterations/);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 run flags: k6 2.x's --summary-mode=disabled, --flag=false, accepted and refused", async (t) => {
  const dir = await TempDir.create();
  try {
    const path = await dir.write(
      "s.js",
      `export const options = { iterations: 1, hosts: { "a.test": "127.0.0.1" } };
export default function () { console.log("HAS_PATH", __ENV.PATH !== undefined); }
export function handleSummary() { console.log("HANDLE_SUMMARY"); return {}; }`,
    );
    await t.step("--summary-mode=disabled: no summary, no handleSummary(), no export", async () => {
      const exported = `${dir.path}/export.json`;
      for (
        const [args, env] of [[["--summary-mode=disabled"], {}], [[], {
          K6_SUMMARY_MODE: "disabled",
        }], [["--no-summary"], {}]] as const
      ) {
        const r = await mqload(["run", "-q", "--summary-export", exported, ...args, path], env);
        assert.equal(r.code, 0, explain(r));
        assert.doesNotMatch(r.stderr + r.stdout, /HANDLE_SUMMARY|iterations\.\.\./);
        assert.match(r.stderr, /--summary-export .* is not written: the summary is disabled/);
        await assert.rejects(Deno.stat(exported), Deno.errors.NotFound);
      }
    });
    await t.step("K6_TAGS tags every sample (envconfig's name:value pairs)", async () => {
      const tagged = await dir.write(
        "tagged.js",
        `import { Counter } from "k6/metrics";
const hits = new Counter("hits");
export const options = { iterations: 1, thresholds: { "hits{team:qa}": ["count==1"] } };
export default function () { hits.add(1); }`,
      );
      const r = await mqload(["run", "-q", tagged], { K6_TAGS: "team:qa,env:dev" });
      assert.equal(r.code, 0, explain(r));
      const untagged = await mqload(["run", "-q", tagged]);
      assert.equal(untagged.code, 99, explain(untagged));
    });
    await t.step("--include-system-env-vars=false, --quiet=true", async () => {
      const r = await mqload(["run", "--quiet=true", "--include-system-env-vars=false", path]);
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stderr, /HAS_PATH false/);
      assert.doesNotMatch(r.stderr, /execution: local/);
      const bad = await mqload(["run", "--quiet=maybe", path]);
      assert.equal(bad.code, 255, explain(bad));
      assert.match(bad.stderr, /Invalid value "maybe" for --quiet/);
    });
    await t.step(
      "k6 flags not applied are accepted and named; so are the script's options",
      async () => {
        const r = await mqload([
          "run",
          "-q",
          "--rps",
          "5",
          "--dns",
          "ttl=5m",
          "--no-connection-reuse",
          "--traces-output",
          "otel",
          "--http-debug",
          "--type",
          "js",
          path,
        ]);
        assert.equal(r.code, 0, explain(r));
        for (const what of ["rps", "dns", "noConnectionReuse", "hosts"]) {
          assert.match(r.stderr, new RegExp(`the option ${what} is not applied`), what);
        }
        assert.match(r.stderr, /--traces-output otel is accepted, but mqload exports no traces/);
      },
    );
    await t.step("--paused and --type archive are refused with the reason", async () => {
      const paused = await mqload(["run", "--paused", path]);
      assert.equal(paused.code, 255, explain(paused));
      assert.match(paused.stderr, /--paused is not supported: only k6's REST API resumes/);
      const archive = await mqload(["run", "--type", "archive", path]);
      assert.equal(archive.code, 255, explain(archive));
      assert.match(archive.stderr, /mqload runs scripts, not k6 archives/);
    });
  } finally {
    await dir.remove();
  }
});
