import assert from "node:assert/strict";
import { startFakeBroker } from "./fixtures/fake_broker.ts";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

// An iteration interrupted with a call still waiting for the broker: as in k6, nothing of it
// runs any more. Its publication, never acknowledged, settles neither way: no check reads it
// as passed (an `error` handler made a failure resolve) or as failed after the stop.

Deno.test("xk6 interrupted iteration: an unacknowledged publishAsync settles no check", async () => {
  await using broker = startFakeBroker({
    script: (packet) => packet.type === "publish" ? [] : undefined,
  });
  const dir = await TempDir.create();
  try {
    for (const handler of ['client.on("error", () => {});', ""]) {
      const r = await runScript(
        dir,
        `import { Client } from "k6/x/mqtt";
import { check } from "k6";
export const options = { scenarios: { once: { executor: "shared-iterations", iterations: 1,
  maxDuration: "1s", gracefulStop: "500ms" } } };
export default async function () {
  const client = new Client();
  ${handler}
  await client.connectAsync("${broker.url}");
  client.publishAsync("t/x", "hello", { qos: 1 }).then(
    () => check(true, { published: () => true }),
    () => check(false, { published: () => true }),
  );
}`,
      );
      assert.equal(r.code, 0, explain(r));
      const checks = r.summary.metrics.checks as { passes?: number; fails?: number } | undefined;
      const settled = (checks?.passes ?? 0) + (checks?.fails ?? 0);
      assert.equal(settled, 0, `${handler || "no handler"}\n${explain(r)}`);
      assert.equal(count(r.summary, "mqtt_errors"), 0, explain(r));
    }
  } finally {
    await dir.remove();
  }
});
