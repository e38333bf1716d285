// k6's common `run` flags, as k6 users' command lines carry them: each has k6's effect (or is
// accepted with a warning saying what mqload does not do), and a bad value exits 2 naming the
// flag, before anything runs.
import assert from "node:assert/strict";
import { count, explain, mqload, runScript, spawnMqload, TempDir } from "./_runner_helpers.ts";

const MARKED = `
export function setup() { console.log("SETUP-RAN"); }
export default function () { console.log("ITERATION"); console.debug("DEBUG-LINE"); }
export function teardown() { console.log("TEARDOWN-RAN"); }
`;

Deno.test("k6 flags: -c file options apply, below the script's options, K6_* and flags", async () => {
  const dir = await TempDir.create();
  try {
    const config = await dir.write("k6.json", `{"vus": 2, "iterations": 4, "out": []}`);
    const plain = await runScript(dir, `export default function () {}`, ["-c", config]);
    assert.equal(plain.code, 0, explain(plain));
    assert.equal(count(plain.summary, "iterations"), 4);
    assert.match(plain.stderr, /config file's "out" is not applied/);
    const flag = await runScript(dir, `export default function () {}`, [
      "--config",
      config,
      "-i",
      "6",
    ]);
    assert.equal(count(flag.summary, "iterations"), 6, explain(flag));
    const script = await runScript(
      dir,
      `export const options = { iterations: 5 }; export default function () {}`,
      ["-c", config],
    );
    assert.equal(count(script.summary, "iterations"), 5, explain(script));
    const s = await dir.write(
      "env.js",
      `export const options = { iterations: 5 };
      export default function () {}`,
    );
    const env = await mqload(["run", "-q", "--summary-export", `${dir.path}/e.json`, s], {
      K6_CONFIG: config,
      K6_ITERATIONS: "3",
    });
    assert.equal(env.code, 0, explain(env));
    assert.equal(count(JSON.parse(await dir.read("e.json")), "iterations"), 3);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 flags: a missing or malformed -c file is invalid config (104); -c '' is 255", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("s.js", MARKED);
    const missing = await mqload(["run", "-q", "-c", `${dir.path}/none.json`, script]);
    assert.equal(missing.code, 104, explain(missing));
    assert.match(missing.stderr, /failed to load the configuration file/);
    const bad = await dir.write("bad.json", `{"vus": `);
    const malformed = await mqload(["run", "-q", "-c", bad, script]);
    assert.equal(malformed.code, 104, explain(malformed));
    assert.match(malformed.stderr, /couldn't parse the configuration/);
    assert.doesNotMatch(malformed.stderr, /ITERATION/);
    const empty = await mqload(["run", "-q", "--config=", script]);
    assert.equal(empty.code, 255, explain(empty));
    assert.match(empty.stderr, /--config/);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 flags: --no-setup and --no-teardown skip them", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("s.js", MARKED);
    const all = await mqload(["run", "-q", "--no-summary", script]);
    assert.equal(all.code, 0, explain(all));
    assert.match(all.stderr, /SETUP-RAN[\s\S]*ITERATION[\s\S]*TEARDOWN-RAN/);
    const noSetup = await mqload(["run", "-q", "--no-summary", "--no-setup", script]);
    assert.equal(noSetup.code, 0, explain(noSetup));
    assert.doesNotMatch(noSetup.stderr, /SETUP-RAN/);
    assert.match(noSetup.stderr, /ITERATION[\s\S]*TEARDOWN-RAN/);
    const noTeardown = await mqload(["run", "-q", "--no-summary", "--no-teardown", script]);
    assert.equal(noTeardown.code, 0, explain(noTeardown));
    assert.match(noTeardown.stderr, /SETUP-RAN[\s\S]*ITERATION/);
    assert.doesNotMatch(noTeardown.stderr, /TEARDOWN-RAN/);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 flags: --console-output takes the console lines off the log", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("s.js", MARKED);
    const path = `${dir.path}/console.log`;
    const r = await mqload(["run", "-q", "--no-summary", "--console-output", path, script]);
    assert.equal(r.code, 0, explain(r));
    assert.doesNotMatch(r.stderr, /SETUP-RAN|ITERATION/);
    const lines = (await Deno.readTextFile(path)).trim().split("\n");
    assert.equal(lines.length, 3, lines.join("\n"));
    assert.match(lines[0], /^time="[^"]+" level=info msg=SETUP-RAN source=console$/);
    assert.match(lines[2], /msg=TEARDOWN-RAN/);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 flags: --log-format json prints logrus JSON lines; -v shows debug lines", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("s.js", MARKED);
    const r = await mqload(["run", "-q", "--no-summary", "--log-format", "json", "-v", script]);
    assert.equal(r.code, 0, explain(r));
    const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("{"));
    const records = lines.map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(records[0]), ["level", "msg", "source", "time"]);
    assert.deepEqual(records.map((x) => x.msg), [
      "SETUP-RAN",
      "ITERATION",
      "DEBUG-LINE",
      "TEARDOWN-RAN",
    ]);
    assert.equal(records[2].level, "debug");
    assert.equal(records[0].source, "console");
    assert.ok(!Number.isNaN(Date.parse(records[0].time)));
    const quiet = await mqload(["run", "-q", "--no-summary", "--log-format=raw", script]);
    assert.equal(quiet.code, 0, explain(quiet));
    assert.equal(quiet.stderr, "SETUP-RAN\nITERATION\nTEARDOWN-RAN\n");
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 flags: --log-output none, stdout and file=PATH", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("s.js", MARKED);
    const none = await mqload(["run", "-q", "--no-summary", "--log-output", "none", script]);
    assert.equal(none.code, 0, explain(none));
    assert.equal(none.stderr + none.stdout, "");
    const stdout = await mqload(["run", "-q", "--no-summary", "--log-output=stdout", script]);
    assert.match(stdout.stdout, /INFO\[\d{4}\] SETUP-RAN {2}source=console/);
    const path = `${dir.path}/run.log`;
    const file = await mqload(["run", "-q", "--no-summary", `--log-output=file=${path}`, script]);
    assert.equal(file.code, 0, explain(file));
    assert.doesNotMatch(file.stderr, /SETUP-RAN/);
    assert.match(await Deno.readTextFile(path), /level=info msg=ITERATION source=console/);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 flags: --stage 1s:2,1s:0 runs two stages, like two -s", async () => {
  const dir = await TempDir.create();
  try {
    const source = `import { sleep } from "k6";
      export default function () { sleep(0.1); }`;
    const started = performance.now();
    const r = await runScript(dir, source, ["--stage", "1s:2,1s:0"]);
    const elapsed = performance.now() - started;
    assert.equal(r.code, 0, explain(r));
    assert.equal(r.summary.metrics.vus_max.value, 2);
    assert.ok(count(r.summary, "iterations") > 0);
    assert.ok(elapsed >= 2000, `ran ${elapsed} ms`);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 flags: accepted ones warn once; exec.test.options shows what k6 would", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write(
      "s.js",
      `import exec from "k6/execution";
      export default function () {
        const o = exec.test.options;
        console.log("OPTIONS", o.compatibilityMode, JSON.stringify(o.systemTags), o.throw);
        // The scenario k6 derives from the shortcut flags.
        console.log("DEFAULT", JSON.stringify(o.scenarios.default));
      }`,
    );
    const r = await mqload([
      "run",
      "-q",
      "--no-summary",
      "--compatibility-mode",
      "base",
      "--system-tags",
      "scenario,check",
      "--throw",
      "-a",
      "localhost:6565",
      "--vus",
      "2",
      "--iterations",
      "2",
      script,
    ]);
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stderr, /OPTIONS base \["scenario","check"\] true/);
    assert.match(r.stderr, /DEFAULT \{"executor":"shared-iterations","iterations":2,"vus":2\}/);
    for (const flag of ["--system-tags", "--address"]) {
      assert.equal(r.stderr.split(`mqload: ${flag}`).length - 1, 1, `${flag}: ${r.stderr}`);
    }
    assert.doesNotMatch(r.stderr, /mqload: --throw/);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 flags: --linger waits for Ctrl+C after the summary, then exits with the run's code", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("s.js", `export default function () {}`);
    const run = spawnMqload(["run", "-q", "--linger", script]);
    const child = run.child;
    const err = await run.until("waiting for Ctrl+C");
    assert.match(err, /Linger set; waiting for Ctrl\+C to continue/);
    child.kill("SIGINT");
    const out = await new Response(child.stdout).text();
    await run.rest();
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.match(out, /iterations/);
  } finally {
    await dir.remove();
  }
});

Deno.test("k6 flags: bad values exit 255 (k6's) naming the flag", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("s.js", MARKED);
    const cases: [string[], RegExp][] = [
      [
        ["--compatibility-mode", "es6"],
        /--compatibility-mode: invalid compatibility mode "es6". Use: "extended", "base", "experimental_enhanced"/,
      ],
      [["--log-output", "loki=http://x"], /--log-output: mqload cannot send logs to Loki/],
      [["--log-output", "syslog"], /--log-output: unsupported log output/],
      [["--log-output", "file"], /--log-output: expected file=PATH/],
      [["--log-format", "xml"], /--log-format/],
      [["--console-output="], /--console-output/],
      [["--stage", "1s:2,bogus"], /--stage/],
    ];
    for (const [args, message] of cases) {
      const r = await mqload(["run", "-q", ...args, script]);
      assert.equal(r.code, 255, `${args.join(" ")}: ${explain(r)}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /SETUP-RAN/);
    }
  } finally {
    await dir.remove();
  }
});
