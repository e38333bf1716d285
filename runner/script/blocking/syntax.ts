/**
 * The JavaScript syntax tree the blocking transform reads: acorn's ESTree nodes, a walk that
 * knows each node's parent, and the few shapes the transform asks about.
 *
 * @module
 */

import { parse } from "acorn";

/** An ESTree node as acorn gives it (only what the transform reads is typed). */
export interface SyntaxNode {
  /** The node's kind, e.g. `CallExpression`. */
  readonly type: string;
  /** Offset of its first character. */
  readonly start: number;
  /** Offset after its last character. */
  readonly end: number;
  /** Any other field of the node. */
  readonly [field: string]: unknown;
}

/** A function of any form: declaration, expression, arrow, method. */
export const FUNCTION_TYPES: ReadonlySet<string> = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
]);

/**
 * Parses a module (or, when that fails, a classic script: CommonJS files may use sloppy-mode
 * syntax).
 *
 * @param source The source.
 * @returns The program node.
 * @throws {SyntaxError} With acorn's message and position when neither parses.
 */
export function parseProgram(source: string): SyntaxNode {
  const options = { ecmaVersion: "latest", allowHashBang: true, allowAwaitOutsideFunction: true };
  try {
    return parse(source, { ...options, sourceType: "module" } as never) as unknown as SyntaxNode;
  } catch (moduleError) {
    try {
      return parse(source, { ...options, sourceType: "script" } as never) as unknown as SyntaxNode;
    } catch {
      throw moduleError;
    }
  }
}

/** The children of a node, in source order. */
function* childrenOf(node: SyntaxNode): Generator<SyntaxNode> {
  for (const key in node) {
    if (key === "type" || key === "start" || key === "end") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) yield item;
    } else if (isNode(value)) yield value;
  }
}

function isNode(value: unknown): value is SyntaxNode {
  return typeof value === "object" && value !== null &&
    typeof (value as { type?: unknown }).type === "string";
}

/**
 * Visits every node below `root` (depth first, in source order) with its parent.
 *
 * @param root Where to start.
 * @param visit Called for each node.
 */
export function walk(
  root: SyntaxNode,
  visit: (node: SyntaxNode, parent: SyntaxNode | undefined) => void,
): void {
  const stack: [SyntaxNode, SyntaxNode | undefined][] = [[root, undefined]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    visit(node, parent);
    const children = [...childrenOf(node)];
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], node]);
  }
}

/** The name of an identifier node, else undefined. */
export function identifierName(node: unknown): string | undefined {
  return isNode(node) && node.type === "Identifier" ? node.name as string : undefined;
}

/** The property name of a non-computed member access (or a string-keyed computed one). */
export function memberName(node: SyntaxNode): string | undefined {
  const property = node.property as SyntaxNode;
  if (!node.computed) return identifierName(property);
  return property.type === "Literal" && typeof property.value === "string"
    ? property.value
    : undefined;
}

/** A node without the parentheses-free wrappers around it (`a?.b()` is a ChainExpression). */
export function unwrapChain(node: SyntaxNode): SyntaxNode {
  return node.type === "ChainExpression" ? node.expression as SyntaxNode : node;
}

/** 1-based line and column of an offset, for messages that name the user's source. */
export function lineColumn(source: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf("\n"); i !== -1 && i < offset; i = source.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `${line}:${offset - lineStart + 1}`;
}
