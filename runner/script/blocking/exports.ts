/**
 * What a script's module exports of k6's blocking functions and modules, for the modules that
 * import it: `export const pause = sleep`, `export { sleep as pause }`, `export default sleep`,
 * `export { get } from "k6/http"`, `export * from "k6/http"`, and the same passed on from another
 * of the script's modules. A helper module that hands k6's `sleep` on makes its importers' calls
 * of it block as the direct import does.
 *
 * @module
 */

import {
  HTTP_BLOCKING,
  importedValue,
  type K6Bindings,
  type K6Value,
  type LocalExports,
  moduleOf,
  valueOf,
} from "./k6_calls.ts";
import { identifierName, type SyntaxNode } from "./syntax.ts";

/** k6's blocking functions by module, for `export * from`. */
const ALL: Readonly<Record<"k6" | "http", readonly string[]>> = {
  k6: ["sleep", "group"],
  http: [...HTTP_BLOCKING],
};

/**
 * The exports of one module that are k6's blocking functions or modules.
 *
 * @param program The module's syntax tree.
 * @param bindings Its bindings (see `k6BindingsOf`).
 * @param local What the script's other modules export.
 * @returns Its exports of them, by exported name.
 */
export function k6ExportsOf(
  program: SyntaxNode,
  bindings: K6Bindings,
  local: LocalExports,
): Map<string, K6Value> {
  const exports = new Map<string, K6Value>();
  const set = (name: string | undefined, kind: K6Value | undefined) => {
    if (name !== undefined && kind !== undefined) exports.set(name, kind);
  };
  const nameOf = (node: SyntaxNode) => identifierName(node) ?? node.value as string | undefined;
  for (const statement of program.body as SyntaxNode[]) {
    const source = (statement.source as SyntaxNode | null | undefined)?.value as string | undefined;
    const module = source === undefined ? undefined : moduleOf(source);
    const from = (name: string) =>
      module === "k6" || module === "http"
        ? importedValue(module, name)
        : source === undefined || module !== undefined
        ? undefined
        : local(source)?.get(name);
    if (statement.type === "ExportNamedDeclaration") {
      const declaration = statement.declaration as SyntaxNode | null;
      if (declaration?.type === "VariableDeclaration") {
        for (const declarator of declaration.declarations as SyntaxNode[]) {
          const name = identifierName(declarator.id);
          set(
            name,
            name === undefined ? undefined : valueOf(declarator.id as SyntaxNode, bindings),
          );
        }
      }
      for (const spec of (statement.specifiers ?? []) as SyntaxNode[]) {
        const exported = nameOf(spec.exported as SyntaxNode);
        const inner = nameOf(spec.local as SyntaxNode);
        if (inner === undefined) continue;
        set(
          exported,
          source === undefined ? valueOf(spec.local as SyntaxNode, bindings) : from(inner),
        );
      }
    } else if (statement.type === "ExportDefaultDeclaration") {
      set("default", valueOf(statement.declaration as SyntaxNode, bindings));
    } else if (statement.type === "ExportAllDeclaration" && source !== undefined) {
      const as = statement.exported ? nameOf(statement.exported as SyntaxNode) : undefined;
      if (module === "k6" || module === "http") {
        if (as !== undefined) set(as, importedValue(module, undefined));
        else for (const name of ALL[module]) set(name, importedValue(module, name));
      } else if (module === undefined && as === undefined) {
        for (const [name, kind] of local(source) ?? []) if (name !== "default") set(name, kind);
      }
    }
  }
  return exports;
}
