/**
 * Makes a k6 script wait where k6 blocks. In k6 `client.publish()`, `sleep()` and `http.get()`
 * return only when done; in Deno they return promises. This transform rewrites the script's
 * JavaScript modules so that every such call is awaited, every function that (transitively)
 * makes one becomes `async`, and every call of such a function is awaited too: the code after a
 * call then runs after it, as in k6. The k6 calls are also marked (`__mqloadBlock`) so that the
 * VU holds event callbacks back while they run (see `runner/worker/event_loop.ts`).
 *
 * Only text is inserted, never a line break: errors keep the user's line numbers. Where a call
 * cannot be made to wait — a function given to code that does not await it, a getter, a
 * generator, a constructor — the script runs as it did and one warning names the place and what
 * differs; `forEach` and `map` callbacks are run one after another through helpers instead.
 * Calls the script awaits itself (`await sleep(1)`) are left as written: async-style scripts
 * keep their behaviour.
 *
 * @module
 */

import { type K6Bindings, k6BindingsOf, k6CallKind } from "./k6_calls.ts";
import {
  FUNCTION_TYPES,
  identifierName,
  lineColumn,
  memberName,
  parseProgram,
  type SyntaxNode,
  unwrapChain,
  walk,
} from "./syntax.ts";
import { applyEdits, awaitEdits, type Edit, ITERATION_HELPERS } from "./edits.ts";

/** A function of the script and what the transform decided about it. */
interface FunctionInfo {
  readonly node: SyntaxNode;
  readonly parent: SyntaxNode | undefined;
  /** Names it can be called by (declaration, variable, property, method). */
  readonly names: string[];
  /** Declared `async` by the user. */
  readonly userAsync: boolean;
  /** Why it cannot become async (generator, getter, constructor), if so. */
  readonly cannot: string | undefined;
  /** Made async by the transform. */
  marked: boolean;
}

/** A call of the script. */
interface CallInfo {
  readonly node: SyntaxNode;
  /** The node that stands for the call in its parent (a ChainExpression for `a?.b()`). */
  readonly outer: SyntaxNode;
  readonly parent: SyntaxNode;
  /** The innermost function around it; undefined at the module's top level. */
  readonly within: FunctionInfo | undefined;
  /** Where an `await` cannot go (a class field, a CommonJS top level), if so. */
  readonly noAwait: string | undefined;
  /** How it blocks, once known. */
  kind: "k6" | "user" | "each" | "map" | undefined;
}

interface ModuleInfo {
  readonly url: string;
  readonly source: string;
  readonly bindings: K6Bindings;
  readonly functions: FunctionInfo[];
  readonly calls: CallInfo[];
  readonly statementStarts: Map<number, SyntaxNode>;
}

/** Built-in method names never taken for a call of a user's function of the same name. */
const BUILTIN_METHODS: ReadonlySet<string> = new Set([
  "get",
  "set",
  "has",
  "delete",
  "add",
  "clear",
  "push",
  "pop",
  "shift",
  "unshift",
  "slice",
  "splice",
  "concat",
  "join",
  "map",
  "filter",
  "forEach",
  "reduce",
  "find",
  "some",
  "every",
  "includes",
  "indexOf",
  "then",
  "catch",
  "finally",
  "call",
  "apply",
  "bind",
  "toString",
  "json",
  "text",
  "log",
  "info",
  "warn",
  "error",
  "debug",
  "keys",
  "values",
  "entries",
  "replace",
  "split",
  "trim",
  "parse",
  "stringify",
  "resolve",
  "reject",
  "all",
  "race",
  "now",
  "random",
]);

/** Callees whose function arguments may be async: event handlers, timers, promise reactions. */
const CALLBACK_HOSTS: ReadonlySet<string> = new Set([
  "on",
  "addEventListener",
  "setTimeout",
  "setInterval",
  "then",
  "catch",
  "finally",
]);

/** What {@linkcode makeBlocking} produced. */
export interface BlockingResult {
  /** The rewritten sources, by URL (only the modules that changed). */
  readonly sources: Map<string, string>;
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
  const mqtt = infos.some((info) => info.bindings.mqtt);
  const names = new Set<string>();
  const marked = new WeakSet<SyntaxNode>();
  // Marking a function async makes its callers wait for it: repeat until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    for (const info of infos) {
      for (const call of info.calls) {
        if (call.kind !== undefined) continue;
        call.kind = kindOf(call, info.bindings, mqtt, names, marked);
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
  const sources = new Map<string, string>();
  for (const info of infos) {
    const edits = editsOf(info, warnings);
    if (edits.length > 0) sources.set(info.url, applyEdits(info.source, edits));
  }
  return { sources, warnings };
}

function readModule(url: string, source: string): ModuleInfo {
  let program: SyntaxNode;
  try {
    program = parseProgram(source);
  } catch (error) {
    const path = decodeURIComponent(new URL(url).pathname);
    const e = error as SyntaxError & { loc?: { line: number; column: number } };
    const where = e.loc ? `${path}:${e.loc.line}:${e.loc.column + 1}` : path;
    throw new SyntaxError(`${where}: ${e.message.replace(/ \(\d+:\d+\)$/, "")}`);
  }
  const commonJs = program.sourceType === "script";
  const functions = new Map<SyntaxNode, FunctionInfo>();
  const parents = new Map<SyntaxNode, SyntaxNode | undefined>();
  const calls: CallInfo[] = [];
  const statementStarts = new Map<number, SyntaxNode>();
  walk(program, (node, parent) => {
    parents.set(node, parent);
    if (FUNCTION_TYPES.has(node.type)) functions.set(node, functionInfo(node, parent));
    else if (node.type === "ExpressionStatement") statementStarts.set(node.start, parent!);
    else if (node.type === "CallExpression") {
      const outer = parent?.type === "ChainExpression" ? parent : node;
      let within: FunctionInfo | undefined;
      let noAwait: string | undefined;
      for (let up = parents.get(node); up !== undefined; up = parents.get(up)) {
        if (functions.has(up)) {
          within = functions.get(up);
          break;
        }
        if (up.type === "PropertyDefinition" || up.type === "StaticBlock") {
          noAwait = "a class field";
          break;
        }
      }
      if (within === undefined && noAwait === undefined && commonJs) {
        noAwait = "the top level of a CommonJS module";
      }
      calls.push({ node, outer, parent: parents.get(outer)!, within, noAwait, kind: undefined });
    }
  });
  return {
    url,
    source,
    bindings: k6BindingsOf(program),
    functions: [...functions.values()],
    calls,
    statementStarts,
  };
}

function functionInfo(node: SyntaxNode, parent: SyntaxNode | undefined): FunctionInfo {
  const names: string[] = [];
  const own = identifierName(node.id);
  if (own !== undefined) names.push(own);
  let cannot: string | undefined = node.generator ? "a generator" : undefined;
  if (parent !== undefined) {
    if (parent.type === "VariableDeclarator" && parent.init === node) {
      const name = identifierName(parent.id);
      if (name !== undefined) names.push(name);
    } else if (
      (parent.type === "Property" || parent.type === "MethodDefinition" ||
        parent.type === "PropertyDefinition") && parent.value === node
    ) {
      const key = parent.key as SyntaxNode;
      const name = parent.computed ? undefined : identifierName(key) ?? key.value as string;
      if (typeof name === "string") names.push(name);
      if (parent.kind === "get" || parent.kind === "set") cannot = `a ${parent.kind}ter`;
      if (parent.kind === "constructor") cannot = "a constructor";
    } else if (parent.type === "AssignmentExpression" && parent.right === node) {
      const left = parent.left as SyntaxNode;
      const name = identifierName(left) ??
        (left.type === "MemberExpression" ? memberName(left) : undefined);
      if (name !== undefined) names.push(name);
    }
  }
  return { node, parent, names, userAsync: node.async === true, cannot, marked: false };
}

/** How a call blocks: a k6 call, a call of a function made async, `forEach`/`map` over one. */
function kindOf(
  call: CallInfo,
  bindings: K6Bindings,
  mqtt: boolean,
  names: ReadonlySet<string>,
  marked: WeakSet<SyntaxNode>,
): CallInfo["kind"] {
  const callee = unwrapChain(call.node.callee as SyntaxNode);
  const args = call.node.arguments as SyntaxNode[];
  const k6 = k6CallKind(callee, bindings, mqtt);
  if (k6 === "k6") return "k6";
  if (k6 === "group") {
    return args.some((arg) => isAsyncCallback(arg, names, marked)) ? "user" : undefined;
  }
  const name = identifierName(callee);
  if (name !== undefined) return names.has(name) ? "user" : undefined;
  if (callee.type !== "MemberExpression") return undefined;
  const method = memberName(callee);
  if (method === undefined) return undefined;
  if ((method === "forEach" || method === "map") && isAsyncCallback(args[0], names, marked)) {
    return call.node.optional || callee.optional ? undefined : method === "map" ? "map" : "each";
  }
  return names.has(method) && !BUILTIN_METHODS.has(method) ? "user" : undefined;
}

/** Whether an argument is a function made async by the transform (inline or by name). */
function isAsyncCallback(
  arg: SyntaxNode | undefined,
  names: ReadonlySet<string>,
  marked: WeakSet<SyntaxNode>,
): boolean {
  if (arg === undefined) return false;
  if (FUNCTION_TYPES.has(arg.type)) return marked.has(arg);
  const name = identifierName(arg);
  return name !== undefined && names.has(name);
}

function editsOf(info: ModuleInfo, warnings: string[]): Edit[] {
  const edits: Edit[] = [];
  const where = (node: SyntaxNode) =>
    `${decodeURIComponent(new URL(info.url).pathname)}:${lineColumn(info.source, node.start)}`;
  for (const fn of info.functions) {
    if (fn.marked) edits.push(asyncEdit(fn));
  }
  for (const call of info.calls) {
    if (call.kind === undefined) continue;
    const fn = call.within;
    const what = describe(call.node, info.source);
    if (call.noAwait !== undefined) {
      warnings.push(`${where(call.node)}: ${what} cannot wait in ${call.noAwait}; it runs on`);
      continue;
    }
    if (fn !== undefined && !fn.marked && !fn.userAsync) {
      warnings.push(
        `${where(call.node)}: ${what} cannot wait in ${fn.cannot}: the code after it runs on ` +
          `before it ends (its MQTT calls still run in order)`,
      );
      continue;
    }
    if (call.parent.type === "AwaitExpression") continue; // The script waits for it itself.
    edits.push(...awaitEdits(call, info.statementStarts));
  }
  for (const fn of info.functions) {
    if (!fn.marked) continue;
    const host = fn.parent;
    if (host === undefined || host.type !== "CallExpression" && host.type !== "NewExpression") {
      continue;
    }
    if ((host.arguments as SyntaxNode[]).includes(fn.node) && !waitsFor(host, info)) {
      warnings.push(
        `${where(fn.node)}: this function makes blocking calls, but ` +
          `${describe(host, info.source)} does not wait for it: the code after that call runs ` +
          `before they end (they still run in order)`,
      );
    }
  }
  return edits;
}

/** Whether a call handles an async function argument as k6 would a blocking one. */
function waitsFor(host: SyntaxNode, info: ModuleInfo): boolean {
  const call = info.calls.find((c) => c.node === host);
  if (call?.kind !== undefined) return true; // group(), forEach(), map(), a function made async
  const callee = unwrapChain(host.callee as SyntaxNode);
  const name = identifierName(callee) ??
    (callee.type === "MemberExpression" ? memberName(callee) : undefined);
  return name !== undefined && CALLBACK_HOSTS.has(name);
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

export { ITERATION_HELPERS };
