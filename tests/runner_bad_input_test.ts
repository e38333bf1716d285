/**
 * Bad input to the runner (issue 7): each case ends with a clear message naming the problem on
 * stderr and k6's exit code (104 invalid config, 107 script error), or mqload's 2 for a bad
 * command line; where the run goes on (a VU that throws or never settles), the summary is right.
 */

import assert from "node:assert/strict";
import { count, explain, mqload, type RunResult, runScript, TempDir } from "./_runner_helpers.ts";

function expect(r: RunResult, code: number, ...messages: (string | RegExp)[]): void {
  assert.equal(r.code, code, explain(r));
  for (const m of messages) {
    if (typeof m === "string") assert.ok(r.stderr.includes(m), `no "${m}" in:\n${r.stderr}`);
    else assert.match(r.stderr, m);
  }
}

const NOOP = `export default function () {}\n`;

Deno.test("runner bad input: the command line", async (t) => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("ok.js", `export const options = { iterations: 1 };\n${NOOP}`);
    await t.step("an unknown flag is named (exit 255, k6's)", async () => {
      expect(await mqload(["run", "--frobnicate", script]), 255, "'--frobnicate'");
    });
    await t.step("a bad duration is named with its flag", async () => {
      expect(
        await mqload(["run", "--duration", "10 parsecs", script]),
        255,
        `Invalid value "10 parsecs" for --duration`,
      );
    });
    await t.step("a bad execution segment is named with its flag", async () => {
      expect(
        await mqload(["run", "--execution-segment", "3/4:1/4", script]),
        255,
        `Invalid value "3/4:1/4" for --execution-segment`,
      );
    });
    await t.step("a missing script file: 255 (k6's) and its path", async () => {
      const missing = `${dir.path}/no-such-script.js`;
      expect(await mqload(["run", "-q", missing]), 255, missing, "couldn't be found");
    });
    await t.step("merge of a file that is no summary: 2 and its path", async () => {
      expect(await mqload(["merge", script]), 2, `cannot read summary ${script}`);
    });
  } finally {
    await dir.remove();
  }
});

Deno.test("runner bad input: scripts that cannot load or have bad options", async (t) => {
  const dir = await TempDir.create();
  try {
    await t.step("a syntax error: 107, the message and the line, no mqload frames", async () => {
      const r = await runScript(dir, `${NOOP}export function f() { let x = ; }\n`, [], "syn.js");
      expect(r, 107, "SyntaxError", /syn\.js:2:\d+/);
      assert.doesNotMatch(r.stderr, /runner\/(worker|script|engine)\/|\?vu=/);
    });
    await t.step("an import of a missing module: 107 and the module's path", async () => {
      const r = await runScript(dir, `import { x } from "./nowhere.js";\n${NOOP}`, [], "imp.js");
      expect(r, 107, "nowhere.js", "does not exist");
    });
    await t.step("an exception at the top level of the script: 107 and the message", async () => {
      const r = await runScript(dir, `throw new Error("no config here");\n${NOOP}`, [], "top.js");
      expect(r, 107, "Error: no config here", /top\.js:1:\d+/);
    });
    await t.step("negative VUs: 104", async () => {
      const r = await runScript(
        dir,
        `export const options = { vus: -3, duration: "1s" };\n${NOOP}`,
        [],
        "neg.js",
      );
      expect(r, 104, "invalid config", "vus must be a non-negative integer, got -3");
    });
    await t.step("a bad duration in the options: 104", async () => {
      const r = await runScript(
        dir,
        `export const options = { vus: 1, duration: "ten seconds" };\n${NOOP}`,
        [],
        "dur.js",
      );
      expect(r, 104, `invalid duration "ten seconds"`);
    });
    await t.step("a bad threshold expression: 104 and the expression", async () => {
      const r = await runScript(
        dir,
        `export const options = { iterations: 1, thresholds: { iterations: ["count>>3"] } };\n${NOOP}`,
        [],
        "thr.js",
      );
      expect(r, 104, `Invalid threshold expression "count>>3"`);
    });
    await t.step("an unknown executor: 104 and the known ones", async () => {
      const r = await runScript(
        dir,
        `export const options = { scenarios: { a: { executor: "ramping-nonsense" } } };\n${NOOP}`,
        [],
        "exe.js",
      );
      expect(r, 104, `scenario "a": unknown executor "ramping-nonsense"`, "constant-vus");
    });
  } finally {
    await dir.remove();
  }
});

Deno.test("runner bad input: VUs that throw, never settle, or end their Worker", async (t) => {
  const dir = await TempDir.create();
  try {
    await t.step(
      "a VU that throws: the run goes on, failures logged once and counted",
      async () => {
        const r = await runScript(
          dir,
          `import exec from "k6/execution";
export const options = { vus: 2, iterations: 10 };
export default async function () {
  if (exec.scenario.iterationInTest % 2 === 0) throw new Error("every other one fails");
  if (exec.scenario.iterationInTest % 5 === 0) await Promise.reject(new TypeError("rejected"));
}`,
          ["--workers", "2"],
          "throws.js",
        );
        expect(r, 0, "6 of 10 iterations failed");
        assert.equal(r.stderr.split("every other one fails").length - 1, 1, r.stderr);
        assert.equal(r.stderr.split("TypeError: rejected").length - 1, 1, r.stderr);
        assert.match(r.stderr, /throws\.js:4:\d+/);
        // k6 counts an iteration that threw as a full one.
        assert.equal(count(r.summary, "iterations"), 10);
      },
    );
    await t.step("a VU that never settles is interrupted after gracefulStop", async () => {
      const r = await runScript(
        dir,
        `export const options = { scenarios: {
  hang: { executor: "constant-vus", vus: 2, duration: "1s", gracefulStop: "300ms", exec: "hang" },
  once: { executor: "shared-iterations", vus: 1, iterations: 3, maxDuration: "1s",
    gracefulStop: "0s", exec: "hang" },
} };
export function hang() { return new Promise(() => {}); }
${NOOP}`,
        [],
        "hang.js",
      );
      expect(r, 0);
      assert.equal(count(r.summary, "iterations"), 0);
      assert.equal((r.summary.metrics.vus_max as Record<string, number>).value, 3);
    });
    await t.step("Deno.exit() in a VU fails its iteration and says what to use", async () => {
      const r = await runScript(
        dir,
        `export const options = { vus: 1, iterations: 5 };
export default function () { if (__ITER === 3) Deno.exit(3); }`,
        [],
        "exit.js",
      );
      expect(r, 0, /Deno\.exit\(\) is not available in a VU.*exec\.test\.abort\(\)/, "Deno.exit()");
      assert.equal(
        count(r.summary, "iterations"),
        5,
        "every iteration is counted, as k6 counts a failed one",
      );
    });
    await t.step("exec.test.abort() in setup(): 108, said once, summary printed", async () => {
      const r = await runScript(
        dir,
        `import exec from "k6/execution";
export const options = { vus: 1, iterations: 2 };
export function setup() { exec.test.abort("no broker today"); }
export default function () {}
`,
        [],
        "abort_setup.js",
      );
      expect(r, 108, "test aborted: no broker today");
      assert.equal(r.stderr.split("no broker today").length - 1, 1, r.stderr);
      assert.ok(r.summary !== undefined, "the summary is still written");
      assert.equal(count(r.summary, "iterations"), 0);
    });
    await t.step("a VU stuck in a synchronous loop: 107 and why", async () => {
      const r = await runScript(
        dir,
        `export const options = { vus: 1, duration: "1s" };
export default function () { if (__ITER === 3) for (;;); }`,
        [],
        "spin.js",
      );
      expect(r, 107, /Worker 0 stopped responding for \d+s/);
      assert.ok(r.summary !== undefined, "the summary is still written");
    });
  } finally {
    await dir.remove();
  }
});
