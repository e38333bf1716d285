/**
 * The `deno compile` entry (examples/compile_entry.ts) as far as this machine can test it:
 * `deno compile` itself downloads its runtime, which cannot be reached here, so the test checks
 * what the binary would run: the entry type-checks as a program, and run as the main module it
 * starts the runner, whose Workers import the same file as the script.
 *
 * @module
 */

import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import { ROOT, TempDir } from "./_runner_helpers.ts";
import type { SummaryExport } from "../runner/summary/data.ts";

const ENTRY = new URL("../examples/compile_entry.ts", import.meta.url).pathname;

async function deno(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("compile entry: type-checks as a standalone program", async () => {
  const { code, stderr } = await deno(["check", ENTRY]);
  assert.equal(code, 0, stderr);
});

Deno.test("compile entry: runs its own load test as the main module", async () => {
  const broker = await startBroker();
  const dir = await TempDir.create();
  try {
    const summary = `${dir.path}/summary.json`;
    const { code, stdout, stderr } = await deno(
      ["run", "-A", ENTRY, "--quiet", "--workers", "1", "--summary-export", summary],
      { MQTT_BROKER_ADDRESS: broker.url },
    );
    assert.equal(code, 0, `${stdout}\n${stderr}`);
    const data = JSON.parse(await Deno.readTextFile(summary)) as SummaryExport;
    // The entry's own options: 10 iterations, each publishing once at QoS 1.
    assert.equal(data.metrics.iterations.count, 10);
    assert.equal(data.metrics.mqtt_messages_sent.count, 10);
    assert.equal(data.metrics.checks.passes, 10);
  } finally {
    await dir.remove();
    await broker.close();
  }
});
