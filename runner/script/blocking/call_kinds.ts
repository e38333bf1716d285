/**
 * Which calls of a script the blocking transform awaits: k6's blocking calls (see
 * `k6_calls.ts`), calls of the script's functions made async (by name, through aliases, `.call`
 * and `.apply`, an immediately invoked function, a parameter that is given one), and array
 * iterations (`forEach`, `map`, …, `Array.from`) over a function made async, which run through
 * sequential helpers.
 *
 * @module
 */

import { type K6Bindings, k6CallKind } from "./k6_calls.ts";
import type { CallInfo, CallKind, FunctionInfo } from "./module_info.ts";
import {
  FUNCTION_TYPES,
  identifierName,
  memberName,
  type SyntaxNode,
  unwrapChain,
} from "./syntax.ts";

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

/** Array methods whose callback, made async, runs through the sequential helper. */
export const ITERATING_METHODS: ReadonlySet<string> = new Set([
  "forEach",
  "map",
  "filter",
  "some",
  "every",
  "find",
  "findIndex",
  "reduce",
  "flatMap",
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

/** What the fixpoint knows so far. */
export interface Known {
  /** The bindings of the call's module. */
  readonly bindings: K6Bindings;
  /** Whether the script uses an MQTT client. */
  readonly mqtt: boolean;
  /** Names of the functions made async. */
  readonly names: ReadonlySet<string>;
  /** The functions made async. */
  readonly marked: WeakSet<SyntaxNode>;
  /** The function properties of object literals by the variable holding them (the call's module). */
  readonly objectFunctions: ReadonlyMap<string, SyntaxNode[]>;
}

/**
 * How a call blocks, given what is known; sets `call.method` for an iteration.
 *
 * @param call The call.
 * @param known What is known.
 * @returns Its kind, or undefined when it does not block (yet).
 */
export function kindOf(call: CallInfo, known: Known): CallKind {
  const callee = unwrapChain(call.node.callee as SyntaxNode);
  const args = call.node.arguments as SyntaxNode[];
  const k6 = k6CallKind(callee, known.bindings, known.mqtt);
  if (k6 === "k6") return "k6";
  if (k6 === "group") return args.some((arg) => isAsyncCallback(arg, known)) ? "user" : undefined;
  if (FUNCTION_TYPES.has(callee.type)) return known.marked.has(callee) ? "user" : undefined;
  const name = identifierName(callee);
  if (name !== undefined) {
    return known.names.has(name) || isAsyncParam(name, call.within) ? "user" : undefined;
  }
  if (callee.type !== "MemberExpression") return undefined;
  const object = unwrapChain(callee.object as SyntaxNode);
  const method = memberName(callee);
  const properties = known.objectFunctions.get(identifierName(object) ?? "") ?? [];
  if (method === undefined) {
    // `steps[key](…)`: any function of the object held by `steps` may be the one called.
    return properties.some((p) => known.marked.has(p.value as SyntaxNode)) ? "user" : undefined;
  }
  // `api.get(…)` of `const api = { get: (p) => http.get(p) }`: that function, whatever its name.
  const own = properties.find((p) => !p.computed && identifierName(p.key) === method);
  if (own !== undefined) return known.marked.has(own.value as SyntaxNode) ? "user" : undefined;
  if (method === "call" || method === "apply") {
    const target = identifierName(object) ??
      (object.type === "MemberExpression" ? memberName(object) : undefined);
    return target !== undefined && known.names.has(target) ? "user" : undefined;
  }
  const optional = call.node.optional === true || callee.optional === true;
  if (ITERATING_METHODS.has(method) && isAsyncCallback(args[0], known) && !optional) {
    call.method = method;
    return "iterate";
  }
  if (method === "from" && identifierName(object) === "Array" && isAsyncCallback(args[1], known)) {
    call.method = "from";
    return "iterate";
  }
  return known.names.has(method) && !BUILTIN_METHODS.has(method) ? "user" : undefined;
}

/** Whether an argument is a function made async (inline or by name). */
export function isAsyncCallback(arg: SyntaxNode | undefined, known: Known): boolean {
  if (arg === undefined) return false;
  if (FUNCTION_TYPES.has(arg.type)) return known.marked.has(arg);
  const name = identifierName(arg);
  return name !== undefined && known.names.has(name);
}

/** Whether `name` is a parameter, of a function around the call, that is given async functions. */
function isAsyncParam(name: string, within: FunctionInfo | undefined): boolean {
  for (let fn = within; fn !== undefined; fn = fn.outer) {
    if (fn.params.includes(name)) return fn.asyncParams.has(name);
  }
  return false;
}

/**
 * Whether a call that is given a function made async waits for it as k6 would: a call the
 * transform awaits (`group()`, an iteration, a function made async), or a host of event
 * callbacks.
 *
 * @param host The call given the function.
 * @param call What the transform decided about it.
 * @returns True when nothing differs from k6.
 */
export function waitsFor(host: SyntaxNode, call: CallInfo | undefined): boolean {
  if (call?.kind !== undefined) return true;
  const callee = unwrapChain(host.callee as SyntaxNode);
  const name = identifierName(callee) ??
    (callee.type === "MemberExpression" ? memberName(callee) : undefined);
  return name !== undefined && CALLBACK_HOSTS.has(name);
}
