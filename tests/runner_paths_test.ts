/**
 * Relative paths are the user's, as in k6: the script and the output files from the folder the
 * command was started in (under `deno task`, `INIT_CWD`), `open()` from the script's folder;
 * and `deno install` gives a `mqload` command that runs from any folder.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CLI, explain, ROOT, type RunResult, TempDir } from "./_runner_helpers.ts";
import denoJson from "../deno.json" with { type: "json" };

const SCRIPT = `
const data = JSON.parse(open("./data.json"));
export const options = { iterations: 1 };
export default function () {
  if (data.length !== 2) throw new Error("open() read the wrong data.json");
}
`;

/** A caller's folder with scripts/s.js and scripts/data.json beside it. */
async function callerFolder(): Promise<TempDir> {
  const dir = await TempDir.create();
  await Deno.mkdir(`${dir.path}/scripts`);
  await dir.write("scripts/s.js", SCRIPT);
  await dir.write("scripts/data.json", '["a","b"]');
  // A data.json where the caller is: open() must not read this one.
  await dir.write("data.json", '["wrong"]');
  return dir;
}

async function command(cmd: string, args: string[], cwd: string, env = {}): Promise<RunResult> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

async function assertOutputs(dir: TempDir, names: string[]): Promise<void> {
  for (const name of names) {
    assert.ok((await Deno.stat(`${dir.path}/${name}`)).isFile, `${name} in the caller's folder`);
  }
  const summary = JSON.parse(await dir.read("out.json"));
  assert.equal(summary.metrics.iterations.count, 1);
}

Deno.test("paths: under deno task, the script and outputs are the caller's (INIT_CWD)", async () => {
  const dir = await callerFolder();
  try {
    // As `deno task mqload` starts it: in the checkout, INIT_CWD naming the caller's folder.
    const r = await command(
      Deno.execPath(),
      [
        "run",
        "-A",
        CLI,
        "run",
        "-q",
        "--summary-export",
        "out.json",
        "--out",
        "json=points.ndjson",
        "--report",
        "report.html",
        "scripts/s.js",
      ],
      ROOT,
      { INIT_CWD: dir.path },
    );
    assert.equal(r.code, 0, explain(r));
    await assertOutputs(dir, ["out.json", "points.ndjson", "report.html"]);
  } finally {
    await dir.remove();
  }
});

Deno.test("paths: an INIT_CWD left by an outer task is ignored outside a task's folder", async () => {
  const dir = await callerFolder();
  const stale = await TempDir.create();
  try {
    const r = await command(
      Deno.execPath(),
      ["run", "-A", CLI, "run", "-q", "--summary-export", "out.json", "scripts/s.js"],
      dir.path,
      { INIT_CWD: stale.path },
    );
    assert.equal(r.code, 0, explain(r));
    await assertOutputs(dir, ["out.json"]);
  } finally {
    await dir.remove();
    await stale.remove();
  }
});

Deno.test("paths: deno install gives an mqload command that runs from any folder", async () => {
  const root = await TempDir.create();
  const dir = await callerFolder();
  try {
    const v8Flags = /--v8-flags=\S+/.exec(denoJson.tasks.mqload)![0];
    // The README's command; --config because the install does not start in the checkout.
    const install = await command(Deno.execPath(), [
      "install",
      "-g",
      "-A",
      "--root",
      root.path,
      "--name",
      "mqload",
      "--config",
      `${ROOT}deno.json`,
      v8Flags,
      CLI,
    ], dir.path);
    assert.equal(install.code, 0, explain(install));
    const r = await command(
      `${root.path}/bin/mqload`,
      ["run", "-q", "--summary-export", "out.json", "scripts/s.js"],
      dir.path,
    );
    assert.equal(r.code, 0, explain(r));
    await assertOutputs(dir, ["out.json"]);
  } finally {
    await dir.remove();
    await root.remove();
  }
});
