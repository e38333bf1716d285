import assert from "node:assert/strict";
import { vuFactorySource } from "./vu_factory.ts";
import { prepareScript, ScriptInstances } from "./loader.ts";

Deno.test("vuFactorySource() hoists imports, keeps lines and returns live exports", () => {
  const source = [
    `import { sleep } from "k6";`,
    `import {`,
    `  Trend,`,
    `} from "k6/metrics";`,
    "let n = 0, label = `a${1 + 2}/b`;",
    `const re = /["'\`{]/g; // export const fake = 1;`,
    `export const options = { vus: 2 };`,
    `export default async function () {`,
    "  return `${++n} ${`x${label}`}`;",
    `}`,
    `export function setup() { return "import x from 'y'"; }`,
    `export { n as count };`,
  ].join("\n");
  const out = vuFactorySource(source)!;
  const lines = out.split("\n");
  assert.ok(
    lines[0].startsWith(`import { sleep } from "k6" ; import { Trend , } from "k6/metrics" ;`),
  );
  assert.match(lines[0], /export default async function \(\) \{\s*$/);
  assert.equal(lines[4], "let n = 0, label = `a${1 + 2}/b`;");
  assert.match(lines[6], /^ {7}const options = \{ vus: 2 \};$/);
  assert.match(lines[7], /async function __mqload_default \(\) \{$/);
  assert.match(lines[10], /^ {7}function setup\(\)/);
  assert.match(out, /get "count"\(\) \{ return n; \}/);
  assert.match(out, /get "default"\(\) \{ return __mqload_default; \}/);
  assert.doesNotMatch(out, /get "fake"/);
});

Deno.test("vuFactorySource() drops comments inside hoisted imports", () => {
  const out = vuFactorySource(`import { a, // the first\n  b } from "m";\nexport default a;`)!;
  assert.ok(out.startsWith(`import { a , b } from "m" ; export default async function () {`));
  assert.equal(out.split("\n")[1].trim(), "");
  assert.match(out.split("\n")[2], /^__mqload_default = +a;$/);
});

Deno.test("vuFactorySource() gives up on forms it does not handle", () => {
  for (
    const source of [
      `export * from "../lib.js";\nexport default function () {}`,
      `export { a } from "../lib.js";\nexport default function () {}`,
      `export const a = 1, b = 2;\nexport default function () {}`,
      `export const { a } = {};\nexport default function () {}`,
      `export interface A {}\nexport default function () {}`,
      `const s = "unterminated;\nexport default function () {}`,
      `const x = 1;`,
      `export default`,
    ]
  ) {
    assert.equal(vuFactorySource(source), undefined, source);
  }
});

Deno.test("ScriptInstances: every VU gets its own module scope from one compiled factory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mqload-factory-" });
  try {
    await Deno.writeTextFile(
      `${dir}/script.js`,
      [
        `import { sleep } from "k6";`,
        `let calls = 0;`,
        `export const options = { vus: 2 };`,
        `export default function () { return ++calls; }`,
        `export function boom() {`,
        `  throw new Error("boom");`,
        `}`,
        `await Promise.resolve(sleep);`,
      ].join("\n"),
    );
    const script = await prepareScript(`${dir}/script.js`);
    try {
      const instances = new ScriptInstances(script.url);
      const a = await instances.create(1);
      const b = await instances.create(2);
      const next = (m: Record<string, unknown>) => (m.default as () => number)();
      assert.deepEqual([next(a), next(a), next(b)], [1, 2, 1]);
      assert.notEqual(a.options, b.options);
      assert.deepEqual(a.options, { vus: 2 });
      let stack = "";
      try {
        (a.boom as () => void)();
      } catch (e) {
        stack = script.mapPaths((e as Error).stack ?? "");
      }
      assert.ok(stack.includes(`${dir}/script.js:6:`), stack);
      assert.doesNotMatch(stack, /mqload-script-/);
    } finally {
      await script.cleanup();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
