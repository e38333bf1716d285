import assert from "node:assert/strict";
import { EXIT_CODES, runTest } from "../runner/engine/run.ts";
import { TempDir } from "./_runner_helpers.ts";

// A run that fails after its outputs were opened stops them all: nothing stays listening, no
// file stays open (the test sanitizers see every op and resource), no report without a summary.
// runTest runs in this process so that the sanitizers see what the outputs hold.

/** A port nothing listens on now. */
function freePort(): number {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return listener.addr.port;
}

/** Whether something still listens on the port (it cannot be taken). */
function listening(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return false;
  } catch {
    return true;
  }
}

/** A writer that keeps what it is given. */
function capture() {
  const decoder = new TextDecoder();
  let text = "";
  return {
    writeSync(p: Uint8Array): number {
      text += decoder.decode(p);
      return p.length;
    },
    get text() {
      return text;
    },
  };
}

async function run(dir: TempDir, source: string, out: string[], report?: string) {
  const script = await dir.write("script.js", source);
  const stdout = capture();
  const stderr = capture();
  const code = await runTest({
    script,
    out,
    report,
    quiet: true,
    noSummary: true,
    includeSystemEnv: false,
    workers: 1,
    stdout,
    stderr,
  });
  return { code, stderr: stderr.text };
}

const NOOP = `export default function () {}\n`;

Deno.test("an output that cannot be opened stops those opened before it", async () => {
  const dir = await TempDir.create();
  try {
    for (const failing of ["html-report", "no-such-output"]) {
      const port = freePort();
      const r = await run(dir, NOOP, [
        `json=${dir.path}/points.ndjson`,
        `web-dashboard=port=${port}`,
        failing,
      ]);
      assert.equal(r.code, EXIT_CODES.invalidConfig, r.stderr);
      assert.match(r.stderr, /invalid config/);
      assert.equal(listening(port), false, `${failing}: the dashboard still listens`);
    }
  } finally {
    await dir.remove();
  }
});

Deno.test("a run that ends before its end stops its outputs: setup() timeout, setup() error", async () => {
  const dir = await TempDir.create();
  // The port as an argument, not K6_WEB_DASHBOARD_PORT: --parallel test files share this
  // process's environment, and the other files' mqload commands would inherit it.
  const port = freePort();
  try {
    const cases = [
      {
        setup: `await new Promise((resolve) => setTimeout(resolve, 60_000));`,
        code: EXIT_CODES.setupTimeout,
        says: /setup\(\) execution timed out after 1 seconds/,
      },
      { setup: `throw new Error("no setup");`, code: EXIT_CODES.scriptException, says: /no setup/ },
    ];
    for (const c of cases) {
      const report = `${dir.path}/report.html`;
      const r = await run(
        dir,
        `export const options = { setupTimeout: "1s", iterations: 1 };
export async function setup() { ${c.setup} }
${NOOP}`,
        [`json=${dir.path}/points.ndjson`, `web-dashboard=port=${port}`],
        report,
      );
      assert.equal(r.code, c.code, r.stderr);
      assert.match(r.stderr, c.says);
      assert.equal(listening(port), false, "the dashboard still listens");
      await assert.rejects(
        () => Deno.stat(report),
        Deno.errors.NotFound,
        "a report without summary",
      );
    }
  } finally {
    await dir.remove();
  }
});
