/**
 * The text the blocking transform inserts: `async` before functions, `await` (with the
 * `__mqloadBlock` mark for k6's own calls) before calls, and the rewrite of `xs.forEach(f)`,
 * `xs.map(f)`, … and `Array.from(xs, f)` into a helper that runs `f` one element after another.
 * Edits never add a line break.
 *
 * @module
 */

import type { CallInfo } from "./module_info.ts";
import type { SyntaxNode } from "./syntax.ts";

/** One insertion (or replacement of `remove` characters) at an offset of the source. */
export interface Edit {
  /** The offset. */
  readonly at: number;
  /** What goes there. */
  readonly text: string;
  /** Characters replaced from `at` (0 for an insertion). */
  readonly remove?: number;
  /** Among edits at one offset, lower first. */
  readonly order: number;
}

/**
 * The globals a transformed script calls (installed in each Worker by
 * `runner/k6/blocking_runtime.ts`).
 */
export const ITERATION_HELPERS = Object.freeze({
  block: "__mqloadBlock",
  iterate: "__mqloadIterate",
});

/** Statement lists, where a statement that starts with `(` needs a `;` before it. */
const STATEMENT_LISTS: ReadonlySet<string> = new Set([
  "Program",
  "BlockStatement",
  "SwitchCase",
  "StaticBlock",
]);

/**
 * The edits that make the script await a call.
 *
 * @param call The call.
 * @param statementStarts Expression statements by start offset, with their parents.
 * @returns The edits.
 */
export function awaitEdits(
  call: CallInfo,
  statementStarts: ReadonlyMap<number, SyntaxNode>,
): Edit[] {
  const { outer, parent } = call;
  const span = outer.end - outer.start;
  // `await f().x` would await `f().x`; `await f() ** 2` does not parse.
  const parens = (parent.type === "MemberExpression" && parent.object === outer) ||
    ((parent.type === "CallExpression" || parent.type === "NewExpression") &&
      parent.callee === outer) ||
    (parent.type === "TaggedTemplateExpression" && parent.tag === outer) ||
    (parent.type === "BinaryExpression" && parent.operator === "**" && parent.left === outer);
  const asi = parens && STATEMENT_LISTS.has(statementStarts.get(outer.start)?.type ?? "");
  const open = `${parens ? "(" : ""}await `;
  const close = parens ? ")" : "";
  // An empty statement first: harmless in a statement list, whatever else goes there.
  const edits: Edit[] = asi ? [{ at: outer.start, text: ";", order: -1e13 }] : [];
  if (call.kind === "iterate") {
    // `xs.filter(f, self)` → `await __mqloadIterate("filter", xs, f, self)`;
    // `Array.from(xs, f)` → `await __mqloadIterate("from", xs, f)`.
    const args = call.node.arguments as SyntaxNode[];
    const helper = `${ITERATION_HELPERS.iterate}(${JSON.stringify(call.method)}, `;
    if (call.method === "from") {
      const remove = args[0].start - outer.start;
      edits.push({ at: outer.start, text: `${open}${helper}`, remove, order: -span });
    } else {
      const target = (call.node.callee as SyntaxNode).object as SyntaxNode;
      edits.push({ at: outer.start, text: `${open}${helper}`, order: -span });
      edits.push({ at: target.end, text: ", ", remove: args[0].start - target.end, order: 1e12 });
    }
    if (close) edits.push({ at: outer.end, text: close, order: span });
    return edits;
  }
  const mark = call.kind === "k6" ? `${ITERATION_HELPERS.block}(` : "";
  edits.push({ at: outer.start, text: open + mark, order: -span });
  if (mark || close) edits.push({ at: outer.end, text: (mark ? ")" : "") + close, order: span });
  return edits;
}

/** An edited source, and where its columns were in the original. */
export interface EditedSource {
  /** The edited text. */
  readonly text: string;
  /**
   * The original column of a position of the edited text (lines are unchanged): stack traces
   * name the user's columns. Inside inserted text, the column the insertion was made at.
   *
   * @param line 1-based line.
   * @param column 1-based column.
   */
  originalColumn(line: number, column: number): number;
}

/**
 * Applies edits to a source.
 *
 * @param source The source.
 * @param edits The edits (any order; replacements must not overlap).
 * @returns The edited source and its column map.
 */
export function applyEdits(source: string, edits: readonly Edit[]): EditedSource {
  const sorted = [...edits].sort((a, b) => a.at - b.at || a.order - b.order);
  let out = "";
  let from = 0;
  // [edited offset, original offset] where each stretch of original text starts again.
  const anchors: [number, number][] = [[0, 0]];
  for (const edit of sorted) {
    if (edit.at < from) continue; // Inside a replaced range (cannot happen with our edits).
    out += source.slice(from, edit.at);
    anchors.push([out.length, edit.at]);
    out += edit.text;
    from = edit.at + (edit.remove ?? 0);
    anchors.push([out.length, from]);
  }
  const text = out + source.slice(from);
  const editedStarts = lineStarts(text);
  const originalStarts = lineStarts(source);
  return {
    text,
    originalColumn(line, column) {
      const at = (editedStarts[line - 1] ?? 0) + column - 1;
      let i = anchors.length - 1;
      while (i > 0 && anchors[i][0] > at) i--;
      const [edited, original] = anchors[i];
      const next = anchors[i + 1];
      // Inside inserted text: where it was inserted.
      const offset = next !== undefined && next[1] === original && at >= edited
        ? original
        : original + (at - edited);
      return offset - (originalStarts[line - 1] ?? 0) + 1;
    },
  };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}
