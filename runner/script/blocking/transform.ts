/**
 * Makes a k6 script wait where k6 blocks. In k6 `client.publish()`, `sleep()` and `http.get()`
 * return only when done; in Deno they return promises. This transform rewrites the script's
 * JavaScript modules so that every such call is awaited, every function that (transitively)
 * makes one becomes `async`, and every call of such a function is awaited too: the code after a
 * call then runs after it, as in k6. The k6 calls are also marked (`__mqloadBlock`) so that the
 * VU holds event callbacks back while they run (see `runner/worker/event_loop.ts`).
 *
 * Only text is inserted, never a line break: errors keep the user's line numbers. Where a call
 * cannot be made to wait — a function given to code that does not await it, one kept as a value
 * (in an array) and called by no name, a getter, a generator, a constructor — the script runs as
 * it did and one warning names the place and what
 * differs; `forEach` and `map` callbacks are run one after another through helpers instead.
 * Calls the script awaits itself (`await sleep(1)`) are left as written: async-style scripts
 * keep their behaviour.
 *
 * @module
 */

import { isAsyncCallback, kindOf, type Known, waitsFor } from "./call_kinds.ts";
import { type CallInfo, type FunctionInfo, type ModuleInfo, readModule } from "./module_info.ts";
import { identifierName, lineColumn, memberName, type SyntaxNode, unwrapChain } from "./syntax.ts";
import { applyEdits, awaitEdits, type Edit } from "./edits.ts";
import { k6BindingsOf, type ModuleExports } from "./k6_calls.ts";
import { k6ExportsOf } from "./exports.ts";

/** The user's column of a (1-based) line and column of a rewritten module. */
export type ColumnMap = (line: number, column: number) => number;

/** What {@linkcode makeBlocking} produced. */
export interface BlockingResult {
  /** The rewritten sources, by URL (only the modules that changed). */
  readonly sources: Map<string, string>;
  /** For each rewritten module, the user's column of a (line, column) of the rewrite. */
  readonly columns: Map<string, ColumnMap>;
  /** One line per place where a call cannot wait as in k6 (`path:line:col: …`). */
  readonly warnings: string[];
}

/**
 * Rewrites a script's JavaScript modules so that they wait where k6 blocks.
 *
 * @param modules The sources of the script's local JavaScript modules, by URL.
 * @returns The changed sources and the warnings (a module that does not parse is left as is,
 * with a warning).
 *
 * @example Usage
 * ```ts
 * import { makeBlocking } from "./transform.ts";
 * const url = "file:///tmp/script.js";
 * const source = 'import { sleep } from "k6";\nexport default function () { sleep(1); }';
 * const { sources } = makeBlocking(new Map([[url, source]]));
 * console.log(sources.get(url)); // … export default async function () { await __mqloadBlock(sleep(1)); }
 * ```
 */
export function makeBlocking(modules: ReadonlyMap<string, string>): BlockingResult {
  const warnings: string[] = [];
  const infos: ModuleInfo[] = [];
  for (const [url, source] of modules) {
    try {
      infos.push(readModule(url, source));
    } catch (error) {
      // Deno reports a real syntax error when it loads the module; syntax newer than the
      // parser's only loses the transform.
      warnings.push(`${(error as Error).message}: this module runs without k6's blocking calls`);
    }
  }
  linkExports(infos);
  for (const info of infos) {
    for (const name of info.bindings.shadowed) {
      warnings.push(
        `${decodeURIComponent(new URL(info.url).pathname)}: "${name}" is given one of k6's ` +
          "blocking functions and declared otherwise in this module too: its calls are left " +
          "as written, and return a Promise where k6 blocks",
      );
    }
  }
  markAsync(infos);
  const sources = new Map<string, string>();
  const columns = new Map<string, ColumnMap>();
  for (const info of infos) {
    const edits = editsOf(info, warnings);
    if (edits.length === 0) continue;
    const edited = applyEdits(info.source, edits);
    sources.set(info.url, edited.text);
    columns.set(info.url, edited.originalColumn);
  }
  return { sources, columns, warnings };
}

/**
 * Binds what each module imports from the script's other modules that is k6's blocking
 * functions (a helper module that passes `sleep` on), until no module's exports change.
 */
function linkExports(infos: ModuleInfo[]): void {
  const exports = new Map<string, ModuleExports>();
  const resolver = (url: string) => (specifier: string) => {
    if (!/^(\.{1,2}\/|\/|file:)/.test(specifier)) return undefined;
    return exports.get(new URL(specifier, url).href);
  };
  for (let round = 0; round <= infos.length; round++) {
    let changed = false;
    for (const info of infos) {
      const local = resolver(info.url);
      if (round > 0) info.bindings = k6BindingsOf(info.program, local);
      const own = k6ExportsOf(info.program, info.bindings, local);
      const before = exports.get(info.url);
      if (before === undefined ? own.size > 0 : !sameExports(before, own)) changed = true;
      exports.set(info.url, own);
    }
    if (!changed) return;
  }
}

function sameExports(a: ModuleExports, b: ModuleExports): boolean {
  return a.size === b.size && [...a].every(([name, kind]) => b.get(name) === kind);
}

/**
 * Marks the functions that make blocking calls async, until nothing changes: marking one makes
 * its callers (by name, alias or parameter) wait for it, which may mark them in turn.
 */
function markAsync(infos: ModuleInfo[]): void {
  const names = new Set<string>();
  const marked = new WeakSet<SyntaxNode>();
  const byName = new Map<string, FunctionInfo[]>();
  for (const fn of infos.flatMap((info) => info.functions)) {
    for (const name of fn.names) {
      const same = byName.get(name);
      if (same === undefined) byName.set(name, [fn]);
      else same.push(fn);
    }
  }
  const mqtt = infos.some((info) => info.bindings.mqtt);
  const modules = infos.map((info) => {
    const { bindings, objectFunctions } = info;
    const known: Known = { bindings, mqtt, names, marked, objectFunctions };
    return { info, known };
  });
  for (let changed = true; changed;) {
    changed = false;
    for (const { info, known } of modules) {
      for (const [alias, name] of info.aliases) {
        if (names.has(name) && !names.has(alias)) {
          names.add(alias);
          changed = true;
        }
      }
      for (const call of info.calls) {
        changed = passesAsync(call, known, byName) || changed;
        if (call.kind !== undefined) continue;
        call.kind = kindOf(call, known);
        const fn = call.within;
        if (call.kind === undefined || fn === undefined || fn.marked || fn.userAsync) continue;
        if (fn.cannot !== undefined) continue;
        fn.marked = true;
        marked.add(fn.node);
        changed = true;
        for (const name of fn.names) names.add(name);
      }
    }
  }
}

/**
 * A call of the script's own function that is given a function made async: the parameter it
 * lands in is awaited where called (`timed(() => client.publish(…))`). True when that is new.
 */
function passesAsync(call: CallInfo, known: Known, byName: Map<string, FunctionInfo[]>): boolean {
  const callee = unwrapChain(call.node.callee as SyntaxNode);
  const name = identifierName(callee) ??
    (callee.type === "MemberExpression" ? memberName(callee) : undefined);
  const targets = name === undefined ? undefined : byName.get(name);
  if (targets === undefined) return false;
  let changed = false;
  (call.node.arguments as SyntaxNode[]).forEach((arg, i) => {
    if (!isAsyncCallback(arg, known)) return;
    for (const fn of targets) {
      const param = fn.params[i];
      if (param === undefined || fn.asyncParams.has(param)) continue;
      fn.asyncParams.add(param);
      changed = true;
    }
  });
  return changed;
}

function editsOf(info: ModuleInfo, warnings: string[]): Edit[] {
  const edits: Edit[] = [];
  const where = (node: SyntaxNode) =>
    `${decodeURIComponent(new URL(info.url).pathname)}:${lineColumn(info.source, node.start)}`;
  for (const fn of info.functions) {
    if (fn.marked) edits.push(asyncEdit(fn));
  }
  const what = (call: CallInfo) => describe(call.node, info.source);
  for (const call of info.calls) {
    if (call.kind === undefined) continue;
    const fn = call.within;
    if (call.noAwait !== undefined) {
      warnings.push(
        `${where(call.node)}: ${what(call)} cannot wait in ${call.noAwait}; it runs on`,
      );
      continue;
    }
    if (fn !== undefined && !fn.marked && !fn.userAsync) {
      warnings.push(
        `${where(call.node)}: ${what(call)} cannot wait in ${fn.cannot}: the code after it runs ` +
          `on before it ends (its MQTT calls still run in order)`,
      );
      continue;
    }
    if (call.parent.type === "AwaitExpression") continue; // The script waits for it itself.
    edits.push(...awaitEdits(call, info.statementStarts));
  }
  const callOf = new Map(info.calls.map((call) => [call.node, call]));
  for (const fn of info.functions) {
    if (!fn.marked) continue;
    const host = fn.parent;
    if (fn.names.length === 0 && unnamedValue(host)) {
      warnings.push(
        `${where(fn.node)}: this function makes blocking calls, but it is kept as a value ` +
          `(${valueKind(host!)}) and called by no name: where ` +
          `it is called, it returns a Promise, and the code after that call runs before its ` +
          `calls end (they still run in order)`,
      );
      continue;
    }
    if (host === undefined || host.type !== "CallExpression" && host.type !== "NewExpression") {
      continue;
    }
    if ((host.arguments as SyntaxNode[]).includes(fn.node) && !waitsFor(host, callOf.get(host))) {
      warnings.push(
        `${where(fn.node)}: this function makes blocking calls, but ` +
          `${describe(host, info.source)} does not wait for it: there it returns a Promise, ` +
          `and the code after that call runs before its calls end (they still run in order)`,
      );
    }
  }
  return edits;
}

/**
 * Whether a function is kept where the transform cannot follow its calls: in an array, a
 * conditional, returned. Not an argument (see `editsOf`), a called function expression, nor
 * the module's default export (which the runner awaits).
 */
function unnamedValue(host: SyntaxNode | undefined): boolean {
  // An object's function under a computed key is called through the object, which the
  // transform follows (`objectFunctions`): no warning there.
  return host !== undefined && host.type !== "CallExpression" && host.type !== "NewExpression" &&
    host.type !== "ExportDefaultDeclaration" && host.type !== "Property";
}

/** What holds an unnamed function, for the warning. */
function valueKind(host: SyntaxNode): string {
  switch (host.type) {
    case "ArrayExpression":
      return "an array element";
    case "ReturnStatement":
    case "ArrowFunctionExpression":
      return "a function's result";
    case "ConditionalExpression":
    case "LogicalExpression":
      return "one branch of an expression";
    default:
      return "a value";
  }
}

function asyncEdit(fn: FunctionInfo): Edit {
  const parent = fn.parent;
  const method = parent !== undefined &&
    (parent.type === "MethodDefinition" || parent.type === "Property" && parent.method === true);
  if (!method) return { at: fn.node.start, text: "async ", order: -1e12 };
  // `static run() {}`: after `static`; `run() {}`, `[key]() {}`: where the method starts.
  const at = parent.static === true ? (parent.key as SyntaxNode).start : parent.start;
  return { at, text: "async ", order: -1e12 };
}

/** A call as the script wrote it, shortened, for messages. */
function describe(node: SyntaxNode, source: string): string {
  const callee = source.slice(
    (node.callee as SyntaxNode).start,
    (node.callee as SyntaxNode).end,
  ).replace(/\s+/g, " ");
  return `${callee.length > 40 ? callee.slice(0, 37) + "..." : callee}()`;
}
