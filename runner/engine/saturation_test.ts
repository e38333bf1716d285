import assert from "node:assert/strict";
import { readThreads, saturationAdvice, watchSaturation } from "./saturation.ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("watchSaturation speaks once when a Worker keeps a core busy, not for an idle one", async () => {
  // Fake readings: worker-1 burns a whole core, worker-2 a tenth, main thread ignored.
  let cpu = 0;
  let calls = 0;
  const stop = watchSaturation({
    read: () => {
      cpu += 10;
      return [
        { name: "worker-1", cpuMs: cpu * 100 },
        { name: "worker-2", cpuMs: cpu },
        { name: "deno", cpuMs: cpu * 100 },
      ];
    },
    intervalMs: 10,
    readings: 3,
    onSaturated: () => calls++,
  });
  await wait(200);
  stop();
  assert.equal(calls, 1);

  let idleCalls = 0;
  const idle = watchSaturation({
    read: () => [{ name: "worker-1", cpuMs: 5 }],
    intervalMs: 10,
    onSaturated: () => idleCalls++,
  });
  await wait(100);
  idle();
  assert.equal(idleCalls, 0);
});

Deno.test({
  name: "readThreads sees a busy Worker thread's CPU time grow (Linux)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const worker = new Worker(
      URL.createObjectURL(
        new Blob([
          "self.onmessage = () => { const end = Date.now() + 300; while (Date.now() < end); postMessage(0); };",
        ], { type: "text/javascript" }),
      ),
      { type: "module" },
    );
    try {
      const before = readThreads()!.filter((t) => t.name.startsWith("worker-"));
      assert.ok(before.length >= 1, JSON.stringify(readThreads()));
      const done = new Promise((resolve) => worker.onmessage = resolve);
      worker.postMessage(0);
      await done;
      const after = readThreads()!.filter((t) => t.name.startsWith("worker-"));
      const burnt = after.reduce((s, t) => s + t.cpuMs, 0) -
        before.reduce((s, t) => s + t.cpuMs, 0);
      assert.ok(burnt >= 100, `worker threads used ${burnt} ms`);
    } finally {
      worker.terminate();
    }
  },
});

Deno.test("saturationAdvice warns that the Workers it names would take a local broker's cores", () => {
  const all = saturationAdvice(1, 2, 2);
  assert.match(all, /^a Worker has kept a CPU core busy .* on 1 Worker \(one per 2,000 VUs/);
  assert.match(all, /--workers 2 spreads them over 2 \(unless a broker on this machine needs/);
  // A core left over: nothing to add.
  assert.match(saturationAdvice(2, 4, 8), /--workers 4 spreads them over 4$/);
  assert.match(saturationAdvice(1, 3, 3), /\(unless a broker on this machine needs those cores\)$/);
});
