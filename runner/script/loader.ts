/**
 * Resolves a script's imports as k6 does, without an import map or a subprocess (so that it
 * works in a `deno compile` binary too): `k6`, `k6/metrics`, `k6/execution`, `k6/x/mqtt`,
 * `k6/x/assert` (the assertions of xk6-mqtt's script tests),
 * `k6/data`, `k6/timers` (and its old name `k6/experimental/timers`), `k6/encoding`,
 * `k6/crypto`, `k6/http`, k6's jslibs `k6-summary` and `k6-utils`, and `@mqload/mqload` are rewritten to the
 * shims in `runner/k6/`, in a generated copy of the script and of the local modules it imports
 * (same line numbers; error messages are mapped back to the original paths). CommonJS files
 * (`require`, `module.exports`), which k6 runs too, become ES modules there. Each VU has its own
 * module scope: the script's top level also becomes the body of a function (see
 * `vu_factory.ts`) that Workers compile once and call once per VU. A script that form does not
 * fit is imported once per VU instead, with a distinct `?vu=N` query (and as is, when it imports
 * no k6 module).
 *
 * @module
 */

import { commonJsToEsm, esmWithRequire, isCommonJs, requiredSpecifiers } from "./commonjs.ts";
import { vuFactorySource } from "./vu_factory.ts";
import { makeBlocking } from "./blocking/transform.ts";

/** Raised when the script cannot be loaded: the CLI exits with k6's code 107. */
export class ScriptError extends Error {
  /**
   * Creates the error.
   *
   * @param message What went wrong, with the script's path.
   * @param options The original error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ScriptError";
  }
}

/** A script ready to be imported by Workers. */
export interface PreparedScript {
  /** What Workers import (add `?vu=N`). */
  readonly url: string;
  /** The script the user gave. */
  readonly originalUrl: string;
  /** Replaces generated paths by the original ones in a message or stack trace. */
  mapPaths(text: string): string;
  /** Removes the generated files. */
  cleanup(): Promise<void>;
  /** Where the script cannot wait as k6 blocks (`path:line:col: …`), to say once at load. */
  readonly warnings: readonly string[];
}

const here = (path: string) => new URL(path, import.meta.url).href;

/** k6 module names and the shims standing in for them. */
export const MODULES: Readonly<Record<string, string>> = Object.freeze({
  "k6": here("../k6/k6.ts"),
  "k6/metrics": here("../k6/metrics.ts"),
  "k6/execution": here("../k6/execution.ts"),
  "k6/x/mqtt": here("../k6/mqtt.ts"),
  "k6/x/assert": here("../k6/assert.ts"),
  "k6/data": here("../k6/data.ts"),
  "k6/timers": here("../k6/timers.ts"),
  "k6/experimental/timers": here("../k6/timers.ts"),
  "k6/encoding": here("../k6/encoding.ts"),
  "k6/crypto": here("../k6/crypto.ts"),
  "k6/http": here("../k6/http.ts"),
  "k6/options": here("../k6/options.ts"),
  "@mqload/mqload": here("../k6/mqload.ts"),
  "@mqload/mqload/runner": here("../mod.ts"),
  "@mqload/mqload/client": here("../../client/mod.ts"),
  "@mqload/mqload/codec": here("../../codec/mod.ts"),
  "@mqload/mqload/bench": here("../bench/mod.ts"),
});

const JSLIB_SUMMARY = /^https:\/\/jslib\.k6\.io\/k6-summary\/[^/]+\/index\.js$/;
const JSLIB_UTILS = /^https:\/\/jslib\.k6\.io\/k6-utils\/[^/]+\/index\.js$/;
const MODULE_EXT = /\.(m?[jt]sx?|cjs)$/;
// TypeScript modules are mqload's own scripts, written to await.
const JS_EXT = /\.(m?js|cjs)$/;
// `from "x"`, `import "x"`, `import("x")`; quotes kept, newlines never crossed.
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n\r]+)\2/g;

/** The shim URL for a specifier, or undefined when it is not a k6 or mqload module. */
export function shimFor(specifier: string): string | undefined {
  const bare = specifier.replace(/^jsr:/, "").replace(/^(@mqload\/mqload)@[^/]+/, "$1");
  if (MODULES[bare] !== undefined) return MODULES[bare];
  if (JSLIB_SUMMARY.test(specifier)) return here("../k6/summary.ts");
  if (JSLIB_UTILS.test(specifier)) return here("../k6/utils.ts");
  return undefined;
}

function isK6(specifier: string): boolean {
  return specifier === "k6" || specifier.startsWith("k6/");
}

function isLocal(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") ||
    specifier.startsWith("/") || specifier.startsWith("file:");
}

/**
 * Makes a script importable by Workers.
 *
 * @param script A path (relative to the working directory) or a URL.
 * @returns The prepared script.
 * @throws {ScriptError} When a file is missing or a k6 module is not provided by mqload.
 */
export async function prepareScript(script: string): Promise<PreparedScript> {
  const entry = /^[a-z][a-z0-9+.-]*:/i.test(script) && !/^[a-z]:[\\/]/i.test(script)
    ? new URL(script)
    : new URL(script, `file://${Deno.cwd()}/`);
  const sources = new Map<string, string>();
  const commonJs = new Set<string>();
  let rewrite = false;
  const queue = [entry.href];
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (sources.has(url)) continue;
    let source: string;
    try {
      source = await Deno.readTextFile(new URL(url));
    } catch (e) {
      const path = decodeURIComponent(new URL(url).pathname);
      throw new ScriptError(
        e instanceof Deno.errors.NotFound
          ? `The module ${path} does not exist`
          : `Cannot read ${path}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    sources.set(url, source);
    const specifiers = [...source.matchAll(SPECIFIER)].map((m) => m[3]);
    if (isCommonJs(source)) {
      commonJs.add(url);
      rewrite = true;
      specifiers.push(...requiredSpecifiers(source));
    } else if (JS_EXT.test(new URL(url).pathname) && requiredSpecifiers(source).length > 0) {
      // An ES module's own `require("…")`, which k6 allows (see esmWithRequire).
      rewrite = true;
      specifiers.push(...requiredSpecifiers(source));
    }
    for (const spec of specifiers) {
      if (shimFor(spec) !== undefined) rewrite = true;
      else if (isK6(spec)) {
        throw new ScriptError(
          `Unknown module "${spec}" imported by ${decodeURIComponent(new URL(url).pathname)}: ` +
            `mqload provides ${Object.keys(MODULES).filter(isK6).join(", ")}`,
        );
      } else if (isLocal(spec)) {
        const target = new URL(spec, url);
        if (target.protocol === "file:" && MODULE_EXT.test(target.pathname)) {
          queue.push(target.href);
        }
      }
    }
  }
  // k6 blocks in its sync-named calls: the JavaScript modules are made to await them.
  const javaScript = new Map([...sources].filter(([url]) => JS_EXT.test(new URL(url).pathname)));
  const blocking = makeBlocking(javaScript);
  for (const [url, source] of blocking.sources) {
    sources.set(url, source);
    rewrite = true;
  }
  const warnings = blocking.warnings;
  const entrySource = sources.get(entry.href)!;
  const factory = commonJs.has(entry.href) ? undefined : vuFactorySource(entrySource);
  if (!rewrite && factory === undefined) {
    return {
      url: entry.href,
      originalUrl: entry.href,
      mapPaths: (text) => text,
      cleanup: () => Promise.resolve(),
      warnings,
    };
  }
  const dir = await Deno.makeTempDir({ prefix: "mqload-script-" });
  const generated = new Map<string, string>();
  let n = 0;
  for (const url of sources.keys()) {
    const name = decodeURIComponent(new URL(url).pathname).split("/").pop()!;
    // Deno loads `.cjs` files as CommonJS: converted ones must not keep that extension.
    const suffix = commonJs.has(url) ? ".mjs" : "";
    generated.set(url, new URL(`file://${dir}/${n++}_${name}${suffix}`).href);
  }
  for (const [url, source] of sources) {
    const resolve = (spec: string): string => {
      const shim = shimFor(spec);
      if (shim !== undefined) return shim;
      if (!isLocal(spec)) return spec;
      const target = new URL(spec, url).href;
      return generated.get(target) ?? target;
    };
    const esm = (text: string) => {
      const linked = text.replace(
        SPECIFIER,
        (_all, head: string, quote: string, spec: string) =>
          `${head}${quote}${resolve(spec)}${quote}`,
      );
      return JS_EXT.test(new URL(url).pathname)
        ? esmWithRequire(linked, resolve) ?? linked
        : linked;
    };
    const out = commonJs.has(url)
      ? commonJsToEsm(source, resolve, url === entry.href)
      : esm(source);
    await Deno.writeTextFile(new URL(generated.get(url)!), out);
    if (url === entry.href) {
      const instances = vuFactorySource(out);
      if (instances !== undefined) {
        const copy = factoryUrlOf(generated.get(url)!)!;
        await Deno.writeTextFile(new URL(copy), instances);
        generated.set(`${url}#instances`, copy);
      }
    }
  }
  const pairs = [...generated].map(([original, copy]) => [
    copy,
    original.replace(/#instances$/, ""),
  ]).flatMap(([copy, original]) => [
    [copy, original],
    [decodeURIComponent(new URL(copy).pathname), decodeURIComponent(new URL(original).pathname)],
  ]);
  // The rewrite for blocking calls inserts text: a stack trace's columns are mapped back.
  const columnFixes = [...generated].flatMap(([original, copy]) => {
    const columns = blocking.columns.get(original.replace(/#instances$/, ""));
    if (columns === undefined) return [];
    return [{ copy, columns }, { copy: decodeURIComponent(new URL(copy).pathname), columns }];
  });
  // One pass, longest name first: a copy's path is also part of its URL.
  const byCopy = new Map(columnFixes.map(({ copy, columns }) => [copy, columns]));
  const names = [...byCopy.keys()].sort((a, b) => b.length - a.length).map(RegExp.escape);
  const located = new RegExp(`(${names.join("|")}):(\\d+):(\\d+)`, "g");
  const fixColumns = (text: string) =>
    names.length === 0 ? text : text.replace(
      located,
      (_all, copy: string, line: string, column: string) =>
        `${copy}:${line}:${byCopy.get(copy)!(Number(line), Number(column))}`,
    );
  return {
    url: generated.get(entry.href)!,
    originalUrl: entry.href,
    mapPaths: (text) => pairs.reduce((t, [from, to]) => t.replaceAll(from, to), fixColumns(text)),
    cleanup: async () => {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    warnings,
  };
}

/** Where prepareScript() puts the factory of a generated entry (see `vu_factory.ts`). */
function factoryUrlOf(url: string): string | undefined {
  const match = /^(file:\/\/.*\/mqload-script-[^/]+\/)([^/]+)$/.exec(url);
  return match === null ? undefined : `${match[1]}vus_${match[2]}`;
}

type Factory = () => Promise<Record<string, unknown>>;

/**
 * The VU instances of one prepared script in one Worker: the script's factory is compiled once
 * and called once per VU (each call is a fresh module scope); a script without a factory is
 * imported once per VU.
 *
 * @example Usage
 * ```ts ignore
 * import { prepareScript, ScriptInstances } from "./loader.ts";
 * const script = await prepareScript("script.js");
 * const instances = new ScriptInstances(script.url);
 * const vu1 = await instances.create(1);
 * const vu2 = await instances.create(2); // its own module scope
 * ```
 */
export class ScriptInstances {
  readonly #url: string;
  #factory?: Promise<Factory | undefined>;

  /**
   * Creates the instances of a prepared script.
   *
   * @param url The prepared script's URL.
   */
  constructor(url: string) {
    this.#url = url;
  }

  /**
   * Runs the script's top level for a VU: its own module scope.
   *
   * @param vu The VU id (0 for setup and teardown).
   * @returns The VU's exports.
   * @throws Whatever the script's init context throws.
   */
  async create(vu: number): Promise<Record<string, unknown>> {
    const factory = await (this.#factory ??= loadFactory(this.#url));
    return factory === undefined ? await importForVu(this.#url, vu) : await factory();
  }
}

async function loadFactory(url: string): Promise<Factory | undefined> {
  const factoryUrl = factoryUrlOf(url);
  if (factoryUrl === undefined) return undefined;
  try {
    const module = await import(factoryUrl);
    return typeof module.default === "function" ? module.default : undefined;
  } catch {
    // Not there, or a form the rewrite got wrong: the per-VU import reports the script's own
    // errors as they are.
    return undefined;
  }
}

/**
 * Imports a VU's own instance of the script.
 *
 * @param url The prepared script's URL.
 * @param vu The VU id (0 for setup and teardown).
 * @returns The module namespace.
 */
export async function importForVu(url: string, vu: number): Promise<Record<string, unknown>> {
  const u = new URL(url);
  u.searchParams.set("vu", String(vu));
  return await import(u.href);
}
