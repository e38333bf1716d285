import assert from "node:assert/strict";
import { parseBenchArgs } from "./flags.ts";
import { plannedWorkers } from "./workers.ts";

function workersFor(args: string[], cores: number): number | undefined {
  const parsed = parseBenchArgs(args);
  assert.ok(typeof parsed !== "string" && !("help" in parsed));
  return plannedWorkers(parsed.config, cores);
}

Deno.test("plannedWorkers gives a bench the Workers its planned rates need, at most the cores", () => {
  // 100 × 10/s and 100 × 100/s: one Worker; 500 × 100/s = 50,000/s: three, capped at the cores.
  assert.equal(workersFor(["pub", "-c", "100", "-I", "100", "-t", "t"], 8), 1);
  assert.equal(workersFor(["pub", "-c", "100", "-I", "10", "-t", "t"], 8), 1);
  assert.equal(workersFor(["pub", "-c", "500", "-I", "10", "-t", "t"], 8), 3);
  assert.equal(workersFor(["pub", "-c", "500", "-I", "10", "-t", "t"], 2), 2);
  // Connects: 500/s fits one Worker, 3,000/s needs three; -i 0 counts every client at once.
  assert.equal(workersFor(["conn", "-c", "1000", "-R", "500"], 8), 1);
  assert.equal(workersFor(["conn", "-c", "1000", "-R", "3000"], 8), 3);
  assert.equal(workersFor(["conn", "-c", "5000", "-i", "0"], 4), 4);
  // Clients count as the runner counts VUs: 10,000 held connections get five Workers.
  assert.equal(workersFor(["conn", "-c", "10000", "-R", "500"], 8), 5);
  // -I 0 publishes flat out: a Worker per core. A subscriber's rate is unknown: the runner's
  // default for its clients.
  assert.equal(workersFor(["pub", "-c", "10", "-I", "0", "-t", "t"], 8), 8);
  assert.equal(workersFor(["sub", "-c", "1000", "-t", "t/#"], 8), undefined);
});
