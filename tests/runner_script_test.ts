import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import { count, explain, mqload, runScript, TempDir } from "./_runner_helpers.ts";

// What a k6 script can use: checks, custom metrics with tags, setup/teardown data,
// handleSummary, __ENV/__VU/__ITER, k6/execution, open(), SharedArray, and how errors end up.

Deno.test("runner scripts: the k6 API", async (t) => {
  const broker = await startBroker();
  const dir = await TempDir.create();
  const env = ["-e", `MQTT_BROKER_ADDRESS=${broker.url}`];
  try {
    await t.step("checks and custom metrics with tags", async () => {
      const r = await runScript(
        dir,
        `import { check, group } from "k6";
import { Counter, Gauge, Rate, Trend } from "k6/metrics";
export const options = { vus: 2, iterations: 8 };
const hits = new Counter("hits");
const level = new Gauge("level");
const ok = new Rate("ok_rate");
const took = new Trend("took", true);
export default function () {
  hits.add(2, { kind: __ITER % 2 === 0 ? "even" : "odd" });
  level.add(7);
  ok.add(__ITER % 4 !== 0);
  took.add(10);
  group("inner", () => { check(1, { "is one": (v) => v === 1, "is two": (v) => v === 2 }); });
}`,
        ["--workers", "2"],
      );
      assert.equal(r.code, 0, explain(r));
      const m = r.summary.metrics as Record<string, Record<string, number>>;
      assert.equal(m.hits.count, 16);
      assert.equal(m.level.value, 7);
      assert.equal(m.took.avg, 10);
      assert.equal(m.checks.passes, 8);
      assert.equal(m.checks.fails, 8);
      const inner = r.summary.root_group.groups.inner;
      assert.equal(inner.checks["is one"].passes, 8);
      assert.equal(inner.checks["is two"].fails, 8);
      assert.ok(m.ok_rate.value > 0 && m.ok_rate.value < 1);
    });

    await t.step(
      "setup data reaches iterations and teardown; handleSummary writes outputs",
      async () => {
        const out = `${dir.path}/custom.json`;
        const r = await runScript(
          dir,
          `import { check } from "k6";
export const options = { vus: 2, iterations: 4, thresholds: { checks: ["rate==1"] } };
export function setup() { return { n: 5, topic: "setup/" + __VU }; }
export default function (data) { check(data, { "got setup data": (d) => d.n === 5 && d.topic === "setup/0" }); }
export function teardown(data) { check(data, { "teardown got data": (d) => d.n === 5 }); }
export function handleSummary(data) {
  return {
    stdout: "custom summary: " + data.metrics.iterations.values.count + "\\n",
    ${
            JSON.stringify(out)
          }: JSON.stringify({ setup: data.setup_data, checks: data.metrics.checks.values }),
  };
}`,
        );
        assert.equal(r.code, 0, explain(r));
        assert.equal(r.stdout, "custom summary: 4\n");
        const written = JSON.parse(await Deno.readTextFile(out));
        assert.deepEqual(written.setup, { n: 5, topic: "setup/0" });
        assert.equal(written.checks.passes, 5);
        assert.equal(r.summary.root_group.groups.teardown.checks["teardown got data"].passes, 1);
      },
    );

    await t.step("__ENV, __VU, __ITER, k6/execution, open() and SharedArray", async () => {
      await dir.write("topics.json", JSON.stringify(["a", "b", "c"]));
      const r = await runScript(
        dir,
        `import { check } from "k6";
import exec from "k6/execution";
import { SharedArray } from "k6/data";
const topics = new SharedArray("topics", () => JSON.parse(open("./topics.json")));
const initVu = __VU;
export const options = {
  scenarios: { only: { executor: "per-vu-iterations", vus: 2, iterations: 3, tags: { team: "mq" } } },
  thresholds: { checks: ["rate==1"], "iterations{team:mq}": ["count==6"] },
};
export default function () {
  check(null, {
    "env from -e": () => __ENV.GREETING === "hello",
    "vu ids": () => __VU === initVu && exec.vu.idInTest === __VU && __VU >= 1 && __VU <= 2,
    "iter": () => __ITER === exec.vu.iterationInScenario && __ITER < 3,
    "scenario": () => exec.scenario.name === "only" && exec.scenario.executor === "per-vu-iterations",
    "shared array": () => topics.length === 3 && topics[1] === "b",
  });
}`,
        ["-e", "GREETING=hello", "--workers", "2"],
      );
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "iterations{team:mq}"), 6);
    });

    await t.step("a VU that throws fails its iterations, not the run", async () => {
      const r = await runScript(
        dir,
        `import { Client } from "k6/x/mqtt";
export const options = { vus: 2, iterations: 6 };
export default function () {
  if (__ITER % 2 === 0) throw new Error("boom in iteration");
  const client = new Client();
  client.on("connect", () => { throw new Error("boom in a handler"); });
  client.connect(__ENV.MQTT_BROKER_ADDRESS);
}`,
        env,
      );
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "iterations"), 6);
      // Logged once per distinct message (per Worker), with the script's own path.
      assert.equal(r.stderr.split("boom in iteration").length - 1, 1, r.stderr);
      assert.equal(r.stderr.split("boom in a handler").length - 1, 1, r.stderr);
      assert.ok(r.stderr.includes(`${dir.path}/script.js`), r.stderr);
    });

    await t.step("handleSummary: an output that cannot be written loses no other", async () => {
      const r = await runScript(
        dir,
        `export const options = { iterations: 1 };
export default function () {}
export function handleSummary() {
  return { "/nonexistent/dir/x.json": "{}", stdout: "STDOUT-OK\\n" };
}
`,
        [],
        "summary_outputs.js",
      );
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stdout, /STDOUT-OK/);
      assert.match(r.stderr, /Cannot write handleSummary\(\) output \/nonexistent\/dir\/x\.json/);
    });

    await t.step(
      "vus shows the running VUs, for a run of milliseconds as for seconds",
      async () => {
        for (const duration of ["", `, duration: "1500ms"`]) {
          const r = await runScript(
            dir,
            `import { sleep } from "k6";
export const options = { vus: 3${duration}${duration ? "" : ", iterations: 6"} };
export default async function () { if (${duration !== ""}) await sleep(0.05); }
`,
            [],
            "vus.js",
          );
          assert.equal(r.code, 0, explain(r));
          const vus = r.summary.metrics.vus as Record<string, number>;
          assert.deepEqual([vus.value, vus.min, vus.max], [3, 3, 3], `duration "${duration}"`);
        }
      },
    );

    await t.step("console prints objects and arrays as JSON, as k6 does", async () => {
      const r = await runScript(
        dir,
        `export const options = { iterations: 1 };
export default function () {
  const loop = {}; loop.self = loop;
  console.log({ a: 1, b: [1, 2] }, "text", 5, null, [1, "2"]);
  console.warn(loop);
}
`,
        [],
        "console.js",
      );
      assert.equal(r.code, 0, explain(r));
      assert.match(
        r.stderr,
        /INFO\[\d{4}\] \{"a":1,"b":\[1,2\]\} text 5 null \[1,"2"\]\s+source=console/,
      );
      // What JSON cannot show (a cycle) is still printed, inspected.
      assert.match(r.stderr, /WARN\[\d{4}\] .*Circular.*source=console/);
    });

    await t.step("a syntax error stops with exit code 107 and a clear message", async () => {
      const r = await runScript(
        dir,
        `export default function () {\n  let x = ;\n}\n`,
        [],
        "broken.js",
      );
      assert.equal(r.code, 107, explain(r));
      assert.match(r.stderr, /SyntaxError/);
      assert.ok(r.stderr.includes(`${dir.path}/broken.js`), r.stderr);
    });

    await t.step("an exception in the init context stops with exit code 107", async () => {
      const r = await runScript(
        dir,
        `throw new Error("init failed");\nexport default function () {}\n`,
      );
      assert.equal(r.code, 107, explain(r));
      assert.match(r.stderr, /init failed/);
    });

    await t.step("an unknown k6 module is named, exit code 107", async () => {
      const r = await runScript(
        dir,
        `import ws from "k6/ws";\nexport default function () {}\n`,
      );
      assert.equal(r.code, 107, explain(r));
      assert.match(r.stderr, /Unknown module "k6\/ws"/);
    });

    await t.step("bad options and a missing exec function exit with 104", async () => {
      let r = await runScript(
        dir,
        `export const options = { duration: "1s", stages: [{ duration: "1s", target: 1 }] };
export default function () {}`,
      );
      assert.equal(r.code, 104, explain(r));
      assert.match(r.stderr, /using `duration` and `stages` options simultaneously is not allowed/);
      r = await runScript(
        dir,
        `export const options = { thresholds: { nope: ["count>1"] } };
export default function () {}`,
      );
      assert.equal(r.code, 104, explain(r));
      assert.match(r.stderr, /no metric name "nope" found/);
      r = await runScript(
        dir,
        `export const options = { scenarios: { s: { executor: "shared-iterations", exec: "missing" } } };
export default function () {}`,
      );
      assert.equal(r.code, 104, explain(r));
      assert.match(r.stderr, /function 'missing' not found in exports/);
    });

    await t.step("setup() errors and timeouts", async () => {
      let r = await runScript(
        dir,
        `export function setup() { throw new Error("no setup"); }
export default function () {}`,
      );
      assert.equal(r.code, 107, explain(r));
      assert.match(r.stderr, /no setup/);
      r = await runScript(
        dir,
        `import { sleep } from "k6";
export const options = { setupTimeout: "200ms" };
export async function setup() { await sleep(5); }
export default function () {}`,
      );
      assert.equal(r.code, 100, explain(r));
      assert.match(r.stderr, /setup\(\) execution timed out/);
    });

    await t.step("exec.test.abort() ends the run with exit code 108", async () => {
      const r = await runScript(
        dir,
        `import exec from "k6/execution";
export const options = { vus: 1, duration: "10s" };
export default function () { exec.test.abort("enough"); }`,
      );
      assert.equal(r.code, 108, explain(r));
      assert.match(r.stderr, /test aborted: enough/);
    });

    await t.step("exec.test.fail() lets the run finish, then exits 110 (k6's)", async () => {
      let r = await runScript(
        dir,
        `import exec from "k6/execution";
import { Counter } from "k6/metrics";
const after = new Counter("after_fail");
export const options = { vus: 2, iterations: 6, thresholds: { after_fail: ["count<1"] } };
export default function () {
  if (exec.scenario.iterationInTest === 1) exec.test.fail("device rejected");
  after.add(1);
}
export function teardown() { exec.test.fail(); }`,
      );
      // Marked failed wins over the crossed threshold, as k6 checks it first.
      assert.equal(r.code, 110, explain(r));
      assert.equal(count(r.summary, "iterations"), 6, explain(r));
      assert.equal(count(r.summary, "after_fail"), 6, explain(r));
      assert.match(r.stderr, /test marked as failed: device rejected/);
      assert.match(r.stderr, /test marked as failed\n|test marked as failed"/);
      assert.match(r.stderr, /test run was marked as failed/);
      r = await runScript(
        dir,
        `import exec from "k6/execution";
exec.test.fail("too early");
export default function () {}`,
      );
      assert.equal(r.code, 107, explain(r));
      assert.match(r.stderr, /execution.test.fail\(\) called outside of VU context/);
    });

    await t.step(
      "an ES module script may require() and default-import CommonJS, as in k6",
      async () => {
        await dir.write(
          "cjs_helper.js",
          `const { sleep } = require("k6");\nmodule.exports = { nap: (s) => sleep(s), n: 7 };\n`,
        );
        const r = await runScript(
          dir,
          `import { check } from "k6";
import helper from "./cjs_helper.js";
const k6 = require("k6");
export const options = { iterations: 2, thresholds: { checks: ["rate==1"] } };
export default function () {
  const t0 = Date.now();
  k6.sleep(0.2);
  helper.nap(0.2);
  check(Date.now() - t0, { "both blocked": (ms) => ms >= 390, "helper's value": () => helper.n === 7 });
}`,
          [],
          "esm_require.js",
        );
        assert.equal(r.code, 0, explain(r));
        const checks = r.summary.metrics.checks as Record<string, number>;
        assert.deepEqual([checks.passes, checks.fails], [4, 0], explain(r));
      },
    );

    await t.step("a TypeScript script with native imports", async () => {
      const r = await runScript(
        dir,
        `import { check, Client, QoS } from "@mqload/mqload/runner";
declare const __ENV: Record<string, string>;
export const options = { iterations: 2, thresholds: { checks: ["rate==1"], mqtt_errors: ["count==0"] } };
export default async function (): Promise<void> {
  const client = new Client();
  await client.connect(__ENV.MQTT_BROKER_ADDRESS);
  await client.publish("native/ts", "x", { qos: QoS.ExactlyOnce });
  check(client, { connected: (c) => c.connected });
  await client.end();
}`,
        env,
        "native.ts",
      );
      assert.equal(r.code, 0, explain(r));
      assert.equal(count(r.summary, "mqtt_messages_sent"), 2);
    });
  } finally {
    await dir.remove();
    await broker.close();
  }
});

Deno.test("runner scripts: --help and bad flags", async () => {
  let r = await mqload(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /mqload run \[flags\] <script>/);
  r = await mqload(["run", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--summary-export FILE/);
  // k6's code for a bad command line: its flag errors carry none, and it exits with -1.
  r = await mqload(["run", "--vus", "many", "x.js"]);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /--vus/);
  r = await mqload(["run", "--frobnicate", "x.js"]);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /--frobnicate/);
  r = await mqload(["run"]);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /needs a script/);
  r = await mqload(["run", "no-such-script.js"]);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /"no-such-script.js" couldn't be found on local disk/);
  r = await mqload(["runn", "x.js"]);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /unknown command "runn"/);
});
