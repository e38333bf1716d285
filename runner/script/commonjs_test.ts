import assert from "node:assert/strict";
import { commonJsToEsm, isCommonJs, requiredSpecifiers } from "./commonjs.ts";
import { importForVu, prepareScript } from "./loader.ts";

Deno.test("isCommonJs() tells k6's CommonJS scripts from ES modules", () => {
  assert.ok(isCommonJs(`const k6 = require("k6");\nmodule.exports.default = () => {};`));
  assert.ok(isCommonJs(`exports.options = {};`));
  assert.ok(isCommonJs(`module.exports = function () {};`));
  assert.ok(!isCommonJs(`import { check } from "k6";\nexport default function () {}`));
  assert.ok(!isCommonJs(`export const options = {};\nconst x = require("k6");`));
  assert.ok(!isCommonJs(`export default function () { console.log("exports.a = 1"); }`));
  assert.ok(!isCommonJs(`console.log("plain script");`));
});

Deno.test("requiredSpecifiers() lists literal requires once, in order", () => {
  const source = `const a = require("k6"), b = require('./lib.cjs');\nrequire("k6");\n` +
    "const c = require(`k6/x/mqtt`); require(name);";
  assert.deepEqual(requiredSpecifiers(source), ["k6", "./lib.cjs", "k6/x/mqtt"]);
});

Deno.test("commonJsToEsm() keeps line numbers and exports what k6 looks for", () => {
  const source = `const k6 = require("k6");\nexports.helper = 1;\n` +
    `module.exports.options = { scenarios: { a: { exec: "publisher" } } };\n`;
  const out = commonJsToEsm(source, (s) => `file:///shims/${s}.ts`, true);
  const lines = out.split("\n");
  assert.ok(lines[0].startsWith('import * as __mqload_r0 from "file:///shims/k6.ts";'));
  assert.ok(lines[0].endsWith(`const k6 = require("k6");`));
  assert.equal(lines[1], "exports.helper = 1;");
  for (const name of ["options", "setup", "teardown", "handleSummary", "helper", "publisher"]) {
    assert.ok(out.includes(` as ${name} };`), name);
  }
  assert.ok(out.includes("export default"));
  // A required module's default is its whole module.exports (for an ES module's default import).
  assert.ok(commonJsToEsm(source, (s) => s, false).includes("export default __mqloadCjs;"));
  assert.ok(!commonJsToEsm(source, (s) => s, false).includes("export default typeof"));
});

Deno.test("prepareScript() runs CommonJS scripts and their local requires per VU", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mqload-cjs-" });
  try {
    await Deno.writeTextFile(`${dir}/lib.cjs`, `let calls = 0;\nexports.next = () => ++calls;\n`);
    await Deno.writeTextFile(
      `${dir}/script.cjs`,
      [
        `const lib = require("./lib.cjs");`,
        `const options = { vus: 2 };`,
        `module.exports = function () { return lib.next(); };`,
        `module.exports.options = options;`,
        `module.exports.boom = function () {`,
        `  throw new Error("boom");`,
        `};`,
        `module.exports.dynamic = (name) => require(name);`,
      ].join("\n"),
    );
    const script = await prepareScript(`${dir}/script.cjs`);
    try {
      const a = await importForVu(script.url, 1);
      assert.deepEqual(a.options, { vus: 2 });
      assert.equal((a.default as () => number)(), 1);
      assert.equal((a.default as () => number)(), 2);
      assert.equal(typeof a.setup, "undefined");
      assert.throws(() => (a.dynamic as (n: string) => unknown)("k6"), /string literal/);
      // The stack names the original file and line.
      let stack = "";
      try {
        (a.boom as () => void)();
      } catch (e) {
        stack = script.mapPaths((e as Error).stack ?? "");
      }
      assert.match(stack, /\/script\.cjs(\?vu=1)?:6:/);
    } finally {
      await script.cleanup();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
