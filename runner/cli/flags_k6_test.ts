// The parsing of k6's log and compatibility flags, without running anything: the forms k6
// accepts are read as k6 reads them, the others are refused naming the flag.
import assert from "node:assert/strict";
import { parseLogFlags } from "./_log_flags.ts";
import { applyCompatFlags } from "./_k6_compat_flags.ts";
import { parseRunArgs, UsageError } from "./flags.ts";
import type { TestOptions } from "../config/options.ts";

Deno.test("k6 log flags: k6's --log-output forms, formats and K6_* variables", () => {
  assert.deepEqual(parseLogFlags({}, {}), { verbose: false });
  assert.equal(parseLogFlags({ "log-output": "none" }, {}).output, "none");
  assert.deepEqual(parseLogFlags({ "log-output": "file=./a.log,level=info" }, {}).output, {
    file: "./a.log",
  });
  assert.equal(parseLogFlags({}, { K6_LOG_OUTPUT: "stdout" }).output, "stdout");
  assert.equal(
    parseLogFlags({ "log-output": "stderr" }, { K6_LOG_OUTPUT: "none" }).output,
    "stderr",
  );
  assert.equal(parseLogFlags({}, { K6_LOG_FORMAT: "json" }).format, "json");
  assert.equal(parseLogFlags({ verbose: true }, {}).verbose, true);
  assert.equal(parseLogFlags({ "console-output": "c.log" }, {}).consoleOutput, "c.log");
  for (const bad of ["loki", "loki=http://x:3100", "file", "file=", "syslog"]) {
    assert.throws(() => parseLogFlags({ "log-output": bad }, {}), UsageError, bad);
  }
  assert.throws(() => parseLogFlags({ "log-format": "xml" }, {}), /--log-format/);
});

Deno.test("k6 compat flags: compatibility modes, system tags, throw, address", () => {
  const cli: TestOptions = {};
  const warnings = applyCompatFlags(
    {
      "compatibility-mode": "experimental_enhanced",
      "system-tags": ["scenario,check", "group"],
      throw: true,
      address: "localhost:6565",
    },
    {},
    cli,
  );
  assert.deepEqual(cli, {
    compatibilityMode: "experimental_enhanced",
    systemTags: ["scenario", "check", "group"],
    throw: true,
  });
  // --throw is applied (failed k6/http requests throw): only the other two are warned of.
  assert.equal(warnings.length, 2);
  assert.throws(
    () => applyCompatFlags({}, { K6_COMPATIBILITY_MODE: "es5" }, {}),
    /invalid compatibility mode "es5". Use: "extended", "base", "experimental_enhanced"/,
  );
});

Deno.test("k6 flags: --stage takes k6's comma form beside repeats; skip flags set options", () => {
  const s = parseRunArgs([
    "-s",
    "5s:10,5m:20",
    "--stage",
    "1s",
    "--no-setup",
    "--no-teardown",
    "x.js",
  ]);
  assert.ok(s !== "help");
  assert.deepEqual(s.cliOptions?.stages, [
    { duration: "5s", target: 10 },
    { duration: "5m", target: 20 },
    { duration: "1s", target: 0 },
  ]);
  assert.equal(s.cliOptions?.noSetup, true);
  assert.equal(s.cliOptions?.noTeardown, true);
  const c = parseRunArgs(["-c", "k6.json", "-l", "x.js"]);
  assert.ok(c !== "help");
  assert.equal(c.configFile, "k6.json");
  assert.equal(c.linger, true);
  assert.throws(() => parseRunArgs(["--stage", "5s:10,", "x.js"]), /--stage/);
});
