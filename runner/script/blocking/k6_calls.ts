/**
 * Which calls of a script block in k6: `sleep()` and `group()` of `k6`, the request functions
 * of `k6/http`, and the sync-named methods of a `k6/x/mqtt` client (`connect`, `reconnect`,
 * `subscribe`, `unsubscribe`, `publish`, `end`). The names a module binds them to are read from
 * its imports (and `require()` calls), and from the variables given them anywhere in it (`const
 * nap = sleep`, `const { sleep: nap } = k6`, `const api = { get: http.get }`: names, whatever
 * their scope); a client's methods are known by name only, since the client itself may be kept
 * anywhere.
 *
 * @module
 */

import { identifierName, memberName, type SyntaxNode, walk } from "./syntax.ts";

/** k6/http's functions that wait for the response (`asyncRequest` does not). */
export const HTTP_BLOCKING: ReadonlySet<string> = new Set([
  "request",
  "get",
  "post",
  "put",
  "patch",
  "del",
  "head",
  "options",
  "batch",
]);

/** xk6-mqtt's blocking client methods (their `…Async` forms return promises). */
export const MQTT_BLOCKING: ReadonlySet<string> = new Set([
  "connect",
  "reconnect",
  "subscribe",
  "unsubscribe",
  "publish",
  "end",
]);

/** What a module calls k6's blocking functions by. */
export interface K6Bindings {
  /** Local names of `sleep` from `k6`. */
  readonly sleep: Set<string>;
  /** Local names of `group` from `k6`. */
  readonly group: Set<string>;
  /** Names of the `k6` module object (default or namespace import). */
  readonly k6: Set<string>;
  /** Local names of k6/http's blocking functions. */
  readonly http: Set<string>;
  /** Names of the `k6/http` module object. */
  readonly httpModule: Set<string>;
  /** Whether the module imports an MQTT client module. */
  mqtt: boolean;
  /** Variables holding an object literal with k6's blocking functions, by property. */
  readonly objects: Map<string, Map<string, K6CallKind>>;
  /** Names given k6's functions and declared otherwise too: left as written (see the warning). */
  readonly shadowed: Set<string>;
}

/**
 * Which k6 module a specifier names, if any of those with blocking calls.
 *
 * @param specifier An import's specifier.
 * @returns The module, or undefined.
 */
export function moduleOf(specifier: string): "k6" | "http" | "mqtt" | undefined {
  const bare = specifier.replace(/^jsr:/, "").replace(/^(@mqload\/mqload)@[^/]+/, "$1");
  if (bare === "k6") return "k6";
  if (bare === "k6/http") return "http";
  if (bare === "k6/x/mqtt" || bare === "@mqload/mqload") return "mqtt";
  return undefined;
}

/**
 * Reads the names a module binds k6's blocking functions to.
 *
 * @param program The module's syntax tree.
 * @param local What the script's other modules export of them (see `exports.ts`).
 * @returns Its bindings.
 */
export function k6BindingsOf(program: SyntaxNode, local?: LocalExports): K6Bindings {
  const bindings: K6Bindings = {
    sleep: new Set(),
    group: new Set(),
    k6: new Set(),
    http: new Set(),
    httpModule: new Set(),
    mqtt: false,
    objects: new Map(),
    shadowed: new Set(),
  };
  const bind = (
    module: ReturnType<typeof moduleOf>,
    imported: string | undefined,
    local: string,
  ) => {
    if (module === "mqtt") bindings.mqtt = true;
    else if (module !== undefined) {
      const kind = imported === undefined
        ? (module === "k6" ? "k6" : "httpModule")
        : blockingExport(module, imported);
      if (kind !== undefined) bindings[kind].add(local);
    }
  };
  // Names variables bound to k6's functions, and names declared otherwise (see unbindShadowed).
  const bound = new Set<string>();
  const other = new Set<string>();
  walk(program, (node) => {
    if (node.type === "ImportDeclaration") {
      const specifier = (node.source as SyntaxNode).value as string;
      const module = moduleOf(specifier);
      if (module === undefined) return bindLocal(bindings, node, local?.(specifier));
      if (module === "mqtt") bindings.mqtt = true;
      for (const spec of node.specifiers as SyntaxNode[]) {
        const local = identifierName(spec.local)!;
        const imported = spec.type === "ImportSpecifier"
          ? identifierName(spec.imported) ?? (spec.imported as SyntaxNode).value as string
          : undefined; // default or namespace: the module object
        bind(module, imported, local);
      }
    } else if (node.type === "FunctionDeclaration" || node.type === "ClassDeclaration") {
      // Parameters are not counted: `posts.forEach((post) => …)` beside `const { post } = http`
      // is common, and rarely calls its parameter.
      declaredNames(node.id as SyntaxNode, other);
    } else if (node.type === "VariableDeclarator") {
      const init = node.init as SyntaxNode | null;
      if (init === null) return;
      if (init.type !== "CallExpression" || identifierName(init.callee) !== "require") {
        const names = bindValue(bindings, node);
        if (names.length === 0) declaredNames(node.id as SyntaxNode, other);
        for (const name of names) bound.add(name);
        return;
      }
      const arg = (init.arguments as SyntaxNode[])[0];
      if (arg?.type !== "Literal" || typeof arg.value !== "string") return;
      const module = moduleOf(arg.value);
      if (module === undefined) return;
      const id = node.id as SyntaxNode;
      if (id.type === "Identifier") bind(module, undefined, id.name as string);
      else if (id.type === "ObjectPattern") {
        for (const property of id.properties as SyntaxNode[]) {
          const key = identifierName(property.key);
          const value = identifierName(property.value);
          if (key !== undefined && value !== undefined) bind(module, key, value);
        }
      }
      if (module === "mqtt") bindings.mqtt = true;
    }
  });
  unbindShadowed(bindings, bound, other);
  return bindings;
}

/** How a call blocks in k6: `k6` for k6's own blocking calls, `group` for a group. */
export type K6CallKind = "k6" | "group";

/** Which of k6's functions or modules an expression is, if any (`sleep`, `k6.sleep`, `http`). */
export type K6Value = keyof Omit<K6Bindings, "mqtt" | "objects" | "shadowed">;

/** What a local module exports of k6's blocking functions and modules, by exported name. */
export type ModuleExports = ReadonlyMap<string, K6Value>;

/** The exports of the local module a specifier names, if known. */
export type LocalExports = (specifier: string) => ModuleExports | undefined;

/** Which blocking function `name` of a k6 module is, if it is one. */
function blockingExport(module: "k6" | "http", name: string): K6Value | undefined {
  if (module === "k6") return name === "sleep" || name === "group" ? name : undefined;
  return HTTP_BLOCKING.has(name) ? "http" : undefined;
}

/** What an import of `imported` (undefined: the module object) from a k6 module is. */
export function importedValue(
  module: "k6" | "http",
  imported: string | undefined,
): K6Value | undefined {
  if (imported === undefined || imported === "default") {
    return module === "k6" ? "k6" : "httpModule";
  }
  return blockingExport(module, imported);
}

/**
 * Which of k6's functions or modules an expression is, if any.
 *
 * @param node The expression.
 * @param bindings Its module's bindings.
 * @returns The value, or undefined.
 */
export function valueOf(
  node: SyntaxNode | null | undefined,
  bindings: K6Bindings,
): K6Value | undefined {
  if (node === null || node === undefined) return undefined;
  const name = identifierName(node);
  if (name !== undefined) {
    for (const kind of ["sleep", "group", "http", "k6", "httpModule"] as const) {
      if (bindings[kind].has(name)) return kind;
    }
    return undefined;
  }
  if (node.type === "MemberExpression") {
    return memberValue(valueOf(node.object as SyntaxNode, bindings), memberName(node));
  }
  // `client.publish.bind(client)`, `k6.sleep.bind(k6)`: the same function.
  if (node.type !== "CallExpression") return undefined;
  const callee = node.callee as SyntaxNode;
  if (callee.type !== "MemberExpression" || memberName(callee) !== "bind") return undefined;
  const bound = callee.object as SyntaxNode;
  if (bindings.mqtt && bound.type === "MemberExpression") {
    if (MQTT_BLOCKING.has(memberName(bound) ?? "")) return "sleep";
  }
  return valueOf(bound, bindings);
}

/** An import from a local module that exports k6's functions or modules. */
function bindLocal(bindings: K6Bindings, node: SyntaxNode, exports: ModuleExports | undefined) {
  if (exports === undefined) return;
  for (const spec of node.specifiers as SyntaxNode[]) {
    const local = identifierName(spec.local)!;
    if (spec.type === "ImportNamespaceSpecifier") {
      const kinds = new Map<string, K6CallKind>();
      for (const [name, kind] of exports) {
        if (kind === "sleep" || kind === "http") kinds.set(name, "k6");
        else if (kind === "group") kinds.set(name, "group");
      }
      if (kinds.size > 0) bindings.objects.set(local, kinds);
      continue;
    }
    const imported = spec.type === "ImportDefaultSpecifier"
      ? "default"
      : identifierName(spec.imported) ?? (spec.imported as SyntaxNode).value as string;
    const kind = exports.get(imported);
    if (kind !== undefined) bindings[kind].add(local);
  }
}

/** What `method` of a k6 module object is. */
function memberValue(object: K6Value | undefined, method: string | undefined): K6Value | undefined {
  if (method === undefined) return undefined;
  if (object === "k6") return blockingExport("k6", method);
  return object === "httpModule" ? blockingExport("http", method) : undefined;
}

/**
 * A variable given one of k6's blocking functions or modules (an MQTT client's method bound to
 * it counts as `sleep`: a blocking call), destructured from a module, or an object of them.
 * Returns the names it bound.
 */
function bindValue(bindings: K6Bindings, node: SyntaxNode): string[] {
  const id = node.id as SyntaxNode;
  const init = node.init as SyntaxNode;
  const name = identifierName(id);
  const value = valueOf(init, bindings);
  const bound: string[] = [];
  if (name !== undefined && value !== undefined) {
    bindings[value].add(name);
    bound.push(name);
  } else if (id.type === "ObjectPattern" && (value === "k6" || value === "httpModule")) {
    for (const property of id.properties as SyntaxNode[]) {
      const kind = memberValue(value, identifierName(property.key));
      const local = identifierName(property.value);
      if (local !== undefined && kind !== undefined) {
        bindings[kind].add(local);
        bound.push(local);
      }
    }
  } else if (name !== undefined && init.type === "ObjectExpression") {
    const kinds = new Map<string, K6CallKind>();
    for (const property of init.properties as SyntaxNode[]) {
      const key = property.computed ? undefined : identifierName(property.key);
      const kind = valueOf(property.value as SyntaxNode, bindings);
      if (key === undefined || kind === undefined || kind === "k6" || kind === "httpModule") {
        continue;
      }
      kinds.set(key, kind === "group" ? "group" : "k6");
    }
    if (kinds.size > 0) {
      bindings.objects.set(name, kinds);
      bound.push(name);
    }
  }
  return bound;
}

/** The names a declaration's pattern (or a parameter) binds. */
function declaredNames(pattern: SyntaxNode | null | undefined, into: Set<string>): void {
  if (pattern === null || pattern === undefined) return;
  switch (pattern.type) {
    case "Identifier":
      into.add(pattern.name as string);
      return;
    case "ObjectPattern":
      for (const p of pattern.properties as SyntaxNode[]) {
        declaredNames((p.type === "RestElement" ? p.argument : p.value) as SyntaxNode, into);
      }
      return;
    case "ArrayPattern":
      for (const element of pattern.elements as (SyntaxNode | null)[]) declaredNames(element, into);
      return;
    case "AssignmentPattern":
      return declaredNames(pattern.left as SyntaxNode, into);
    case "RestElement":
      return declaredNames(pattern.argument as SyntaxNode, into);
  }
}

/**
 * Forgets the variables given k6's functions that the module declares again otherwise: the
 * bindings are by name, not scope, and `const get = (o) => o.key` elsewhere must not become a
 * request (a sort comparator made async sorts nothing).
 */
function unbindShadowed(bindings: K6Bindings, bound: Set<string>, other: Set<string>): void {
  for (const name of bound) {
    if (!other.has(name)) continue;
    bindings.shadowed.add(name);
    for (const kind of ["sleep", "group", "http", "k6", "httpModule"] as const) {
      bindings[kind].delete(name);
    }
    bindings.objects.delete(name);
  }
}

/**
 * Whether a call is one of k6's blocking calls.
 *
 * @param callee The call's callee.
 * @param bindings The module's bindings.
 * @param mqtt Whether the script uses an MQTT client (any of its modules imports one).
 * @returns `k6` for a blocking call, `group` for a `group()` call, else undefined.
 */
export function k6CallKind(
  callee: SyntaxNode,
  bindings: K6Bindings,
  mqtt: boolean,
): K6CallKind | undefined {
  const name = identifierName(callee);
  if (name !== undefined) {
    if (bindings.sleep.has(name) || bindings.http.has(name)) return "k6";
    if (bindings.group.has(name)) return "group";
    return undefined;
  }
  if (callee.type !== "MemberExpression") return undefined;
  const method = memberName(callee);
  if (method === undefined) return undefined;
  if (method === "call" || method === "apply") {
    // `sleep.call(null, 1)`, `http.get.apply(http, args)`, `client.publish.call(client, …)`.
    const target = callee.object as SyntaxNode;
    const kind = valueOf(target, bindings);
    if (kind === "sleep" || kind === "http") return "k6";
    const name = target.type === "MemberExpression" ? memberName(target) : undefined;
    return mqtt && MQTT_BLOCKING.has(name ?? "") ? "k6" : undefined;
  }
  const object = identifierName(callee.object);
  const held = object === undefined ? undefined : bindings.objects.get(object)?.get(method);
  if (held !== undefined) return held;
  if (object !== undefined && bindings.k6.has(object)) {
    return method === "sleep" ? "k6" : method === "group" ? "group" : undefined;
  }
  if (object !== undefined && bindings.httpModule.has(object)) {
    return HTTP_BLOCKING.has(method) ? "k6" : undefined;
  }
  return mqtt && MQTT_BLOCKING.has(method) ? "k6" : undefined;
}
