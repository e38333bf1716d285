/**
 * What the blocking transform reads from one module: its functions (the names they are called
 * by, their parameters, whether they can become `async`), its calls (the function around each,
 * whether an `await` may go there) and its aliases (`const send = publishAll`).
 *
 * @module
 */

import { type K6Bindings, k6BindingsOf } from "./k6_calls.ts";
import {
  FUNCTION_TYPES,
  identifierName,
  memberName,
  parseProgram,
  type SyntaxNode,
  walk,
} from "./syntax.ts";

/** A function of the script and what the transform decided about it. */
export interface FunctionInfo {
  /** Its node. */
  readonly node: SyntaxNode;
  /** The node around it. */
  readonly parent: SyntaxNode | undefined;
  /** The function around it, if any. */
  readonly outer: FunctionInfo | undefined;
  /** Names it can be called by (declaration, variable, property, method). */
  readonly names: string[];
  /** Its parameters' names by position (undefined for a pattern). */
  readonly params: (string | undefined)[];
  /** Parameters given functions made async somewhere: calls of them are awaited. */
  readonly asyncParams: Set<string>;
  /** Declared `async` by the user. */
  readonly userAsync: boolean;
  /** Why it cannot become async (generator, getter, constructor), if so. */
  readonly cannot: string | undefined;
  /** Made async by the transform. */
  marked: boolean;
}

/** How a call blocks: a k6 call, a call of a function made async, an iteration over one. */
export type CallKind = "k6" | "user" | "iterate" | undefined;

/** A call of the script. */
export interface CallInfo {
  /** The CallExpression. */
  readonly node: SyntaxNode;
  /** The node that stands for the call in its parent (a ChainExpression for `a?.b()`). */
  readonly outer: SyntaxNode;
  /** The node around `outer`. */
  readonly parent: SyntaxNode;
  /** The innermost function around it; undefined at the module's top level. */
  readonly within: FunctionInfo | undefined;
  /** Where an `await` cannot go (a class field, a CommonJS top level), if so. */
  readonly noAwait: string | undefined;
  /** How it blocks, once known. */
  kind: CallKind;
  /** For `iterate`: the array method (`forEach`, `map`, …, or `from` for `Array.from`). */
  method?: string;
}

/** One module, read. */
export interface ModuleInfo {
  /** Its URL. */
  readonly url: string;
  /** Its source. */
  readonly source: string;
  /** Its syntax tree. */
  readonly program: SyntaxNode;
  /** What it calls k6's blocking functions by (its imports from the script's modules too). */
  bindings: K6Bindings;
  /** Its functions. */
  readonly functions: FunctionInfo[];
  /** Its calls. */
  readonly calls: CallInfo[];
  /** `[alias, name]`: a variable given another name's value (`const send = publishAll`). */
  readonly aliases: [string, string][];
  /** The function properties of an object literal a variable holds (`const steps = { pub() {…} }`). */
  readonly objectFunctions: Map<string, SyntaxNode[]>;
  /** Expression statements by start offset, with their parents (see `awaitEdits`). */
  readonly statementStarts: Map<number, SyntaxNode>;
}

/**
 * Reads a module.
 *
 * @param url Its URL.
 * @param source Its source.
 * @returns What the transform needs of it.
 * @throws {SyntaxError} When it does not parse, naming `path:line:col`.
 */
export function readModule(url: string, source: string): ModuleInfo {
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
  const aliases: [string, string][] = [];
  const objectFunctions = new Map<string, SyntaxNode[]>();
  const statementStarts = new Map<number, SyntaxNode>();
  /** The innermost function around `node`, or why an `await` cannot go there. */
  const around = (node: SyntaxNode): [FunctionInfo | undefined, string | undefined] => {
    let child = node;
    for (let up = parents.get(node); up !== undefined; child = up, up = parents.get(up)) {
      const fn = functions.get(up);
      // A parameter's default value: `await` may not go there, even in an async function.
      if (fn !== undefined && child !== up.body) return [undefined, "a default parameter"];
      if (fn !== undefined) return [fn, undefined];
      if (up.type === "PropertyDefinition" || up.type === "StaticBlock") {
        return [undefined, "a class field"];
      }
    }
    return [undefined, commonJs ? "the top level of a CommonJS module" : undefined];
  };
  walk(program, (node, parent) => {
    parents.set(node, parent);
    if (FUNCTION_TYPES.has(node.type)) {
      functions.set(node, functionInfo(node, parent, around(node)[0]));
    } else if (node.type === "ExpressionStatement") statementStarts.set(node.start, parent!);
    else if (node.type === "CallExpression") {
      const outer = parent?.type === "ChainExpression" ? parent : node;
      const [within, noAwait] = around(node);
      calls.push({ node, outer, parent: parents.get(outer)!, within, noAwait, kind: undefined });
    } else if (node.type === "VariableDeclarator" || node.type === "AssignmentExpression") {
      const alias = identifierName(node.type === "VariableDeclarator" ? node.id : node.left);
      const name = identifierName(node.type === "VariableDeclarator" ? node.init : node.right);
      if (alias !== undefined && name !== undefined) aliases.push([alias, name]);
      const value = (node.type === "VariableDeclarator" ? node.init : node.right) as SyntaxNode;
      if (alias !== undefined && value?.type === "ObjectExpression") {
        const functions = (value.properties as SyntaxNode[]).filter((p) => {
          const v = p.value as SyntaxNode | undefined;
          return v !== undefined && FUNCTION_TYPES.has(v.type);
        });
        objectFunctions.set(alias, functions);
      }
    }
  });
  return {
    url,
    source,
    program,
    bindings: k6BindingsOf(program),
    functions: [...functions.values()],
    calls,
    aliases,
    objectFunctions,
    statementStarts,
  };
}

function functionInfo(
  node: SyntaxNode,
  parent: SyntaxNode | undefined,
  outer: FunctionInfo | undefined,
): FunctionInfo {
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
  const params = (node.params as SyntaxNode[]).map((p) =>
    identifierName(p.type === "AssignmentPattern" ? p.left : p)
  );
  return {
    node,
    parent,
    outer,
    names,
    params,
    asyncParams: new Set(),
    userAsync: node.async === true,
    cannot,
    marked: false,
  };
}
