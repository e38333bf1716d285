import assert from "node:assert/strict";
import { spawnMqload, TempDir } from "./_runner_helpers.ts";

// Ctrl+C as k6 takes it: the first stops gracefully and the summary is still written, a second
// press exits at once. One press delivered twice (a terminal signals its whole foreground
// process group, and `deno task` forwards its own SIGINT to mqload) is still one press.

/** Starts `mqload run` on `script` and resolves once its test clock runs. */
async function started(script: string, summaryPath: string) {
  const run = spawnMqload(["run", "--summary-export", summaryPath, script]);
  await run.until("running (");
  // Standard output is read to its end (the summary file tells what it holds).
  const stdout = new Response(run.child.stdout).text();
  return { child: run.child, stderr: run.rest().then(async (err) => (await stdout, err)) };
}

Deno.test("Ctrl+C delivered twice at once still stops gracefully; a second press aborts", async (t) => {
  const dir = await TempDir.create();
  try {
    await t.step("two SIGINTs a few ms apart: one graceful stop, summary written", async () => {
      const script = await dir.write(
        "short.js",
        `import { sleep } from "k6";
export const options = { vus: 1, duration: "60s", gracefulStop: "5s" };
export default function () { sleep(0.05); }`,
      );
      const summaryPath = `${dir.path}/twice.json`;
      const { child, stderr } = await started(script, summaryPath);
      child.kill("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 2));
      child.kill("SIGINT");
      const status = await child.status;
      const err = await stderr;
      assert.equal(status.code, 105, err);
      assert.match(err, /Stopping the test gracefully/);
      const summary = JSON.parse(await Deno.readTextFile(summaryPath));
      assert.ok(summary.metrics.iterations.count > 0);
    });

    await t.step("a second press while iterations finish: exits at once, no summary", async () => {
      const script = await dir.write(
        "long.js",
        `import { sleep } from "k6";
export const options = { vus: 1, duration: "60s", gracefulStop: "30s" };
export default function () { sleep(20); }`,
      );
      const summaryPath = `${dir.path}/abort.json`;
      const { child, stderr } = await started(script, summaryPath);
      child.kill("SIGINT");
      // The graceful stop waits up to 30 s for the iteration; a person presses again.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const pressed = performance.now();
      child.kill("SIGINT");
      const status = await child.status;
      const err = await stderr;
      assert.equal(status.code, 105, err);
      assert.ok(performance.now() - pressed < 10_000, "exited at the second press");
      await assert.rejects(Deno.stat(summaryPath), Deno.errors.NotFound);
    });
  } finally {
    await dir.remove();
  }
});
