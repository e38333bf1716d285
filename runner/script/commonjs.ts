/**
 * k6 runs CommonJS scripts too (`const mqtt = require("k6/x/mqtt")`, `module.exports.options =
 * …`, `module.exports.default = function () {…}`, or `module.exports = function () {…}`).
 * Workers import ES modules, so the script loader turns such a file into one: the modules it
 * `require`s with string literals become static imports, `module`, `exports` and `require` are
 * declared on the first line (line numbers stay right), and the exports are re-exported at the
 * end under the names k6 looks for.
 *
 * @module
 */

const ESM_SYNTAX =
  /^[ \t]*(?:import[ \t]*[\w*{"']|export[ \t]+(?:default|const|let|var|function|class|async|\{|\*))/m;
const CJS_SYNTAX = /\brequire\s*\(\s*["'`]|\bmodule\.exports\b|\bexports\.[A-Za-z_$][\w$]*\s*=/;
/** `require("x")` with a literal. */
export const REQUIRE: RegExp = /\brequire\s*\(\s*(["'`])([^"'`\n\r]+)\1\s*\)/g;
const EXPORTED_NAME = /\bexports\.([A-Za-z_$][\w$]*)\s*=/g;
const EXEC_NAME = /\bexec\s*:\s*["'`]([A-Za-z_$][\w$]*)["'`]/g;
const K6_NAMES = ["options", "setup", "teardown", "handleSummary"];
/** The binding a converted module keeps its `module.exports` in, for `require` from another. */
const CJS_EXPORTS = "__mqloadCjs";

/**
 * Whether a source is a CommonJS module: it uses `require("…")` or `module.exports` or
 * `exports.x =`, and has no `import` or `export` statement.
 *
 * @param source The file's text.
 * @returns True for CommonJS.
 */
export function isCommonJs(source: string): boolean {
  return CJS_SYNTAX.test(source) && !ESM_SYNTAX.test(source);
}

/**
 * The module specifiers a CommonJS source `require`s with string literals.
 *
 * @param source The file's text.
 * @returns Distinct specifiers, in order of appearance.
 */
export function requiredSpecifiers(source: string): string[] {
  return [...new Set([...source.matchAll(REQUIRE)].map((m) => m[2]))];
}

/**
 * Turns a CommonJS source into an ES module with the same line numbers.
 *
 * @param source The file's text.
 * @param resolve The URL to import for a required specifier.
 * @param entry Whether it is the script itself: then its `module.exports` (a function, or an
 *   object with `default`) becomes the default export, and `options`, `setup`, `teardown`,
 *   `handleSummary`, every `exports.name =` and every scenario `exec` name become named exports.
 * @returns The ES module's text.
 */
export function commonJsToEsm(
  source: string,
  resolve: (specifier: string) => string,
  entry: boolean,
): string {
  const head = requireHead(source, resolve) +
    "const module = { exports: {} }; let exports = module.exports; ";
  let tail = `\n;const ${CJS_EXPORTS} = module.exports; export { ${CJS_EXPORTS} };\n`;
  // Imported from an ES module, a CommonJS module's `module.exports` is its default, as in k6.
  if (!entry) tail += `export default ${CJS_EXPORTS};\n`;
  if (entry) {
    const names = new Set(K6_NAMES);
    for (const m of source.matchAll(EXPORTED_NAME)) names.add(m[1]);
    for (const m of source.matchAll(EXEC_NAME)) names.add(m[1]);
    names.delete("default");
    tail += `export default typeof ${CJS_EXPORTS} === "function" ? ${CJS_EXPORTS} : ` +
      `${CJS_EXPORTS}.default;\n`;
    for (const name of names) {
      tail += `const __mqload_e_${name} = ${CJS_EXPORTS}.${name}; ` +
        `export { __mqload_e_${name} as ${name} };\n`;
    }
  }
  return head + source + tail;
}

/** A declaration of `require` of the module's own (then no `require` is given to it). */
const OWN_REQUIRE = /\b(?:const|let|var|function|class)\s+require\b|\bimport\s*\{[^}]*\brequire\b/;

/**
 * An ES module that calls `require("…")` as k6 lets every script do (k6 defines `require` for
 * ES modules too): the modules it names are imported, and `require` is declared on its first
 * line (line numbers stay right).
 *
 * @param source The module's text.
 * @param resolve The URL to import for a required specifier.
 * @returns The module with `require`, or undefined when it calls none or declares its own.
 */
export function esmWithRequire(
  source: string,
  resolve: (specifier: string) => string,
): string | undefined {
  if (requiredSpecifiers(source).length === 0 || OWN_REQUIRE.test(source)) return undefined;
  return requireHead(source, resolve) + source;
}

/** The imports of the modules a source `require`s, and its `require` over them, on one line. */
function requireHead(source: string, resolve: (specifier: string) => string): string {
  const specs = requiredSpecifiers(source);
  const imports = specs.map((s, i) =>
    `import * as __mqload_r${i} from ${JSON.stringify(resolve(s))};`
  )
    .join(" ");
  const table = specs.map((s, i) => `${JSON.stringify(s)}: __mqload_r${i}`).join(", ");
  return `${imports} const __mqload_required = { ${table} }; ` +
    "const require = (s) => { const ns = __mqload_required[s]; if (ns === undefined) { " +
    "throw new Error(`require(${JSON.stringify(s)}): only modules named by a string literal can " +
    "be required`); } " +
    `return "${CJS_EXPORTS}" in ns ? ns.${CJS_EXPORTS} : ns; }; `;
}
