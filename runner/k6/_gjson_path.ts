/**
 * The path syntax of GJSON, which k6's `res.json(selector)` reads: keys separated by `.` (`\.`
 * escapes a dot), array indexes, `*` and `?` wildcards in keys, `#` (an array's length, or
 * `#.key` each element's key), and queries `#(key==value)` (the first match) or `#(…)#` (every
 * match) with `==`, `!=`, `<`, `<=`, `>`, `>=`, `%` (like, with wildcards) and `!%`. Modifiers
 * (`@reverse`) and pipes (`|`) are not read: such a path finds nothing.
 *
 * @module
 */

const NOTHING = Symbol("nothing");
type Found = unknown | typeof NOTHING;

/**
 * The value at `path` in `root`, or undefined where GJSON finds nothing.
 *
 * @example Usage
 * ```ts
 * import { gjsonGet } from "./_gjson_path.ts";
 * import assert from "node:assert/strict";
 *
 * const doc = { friends: [{ first: "Dale", age: 44 }, { first: "Roger", age: 68 }] };
 * assert.equal(gjsonGet(doc, "friends.#"), 2);
 * assert.deepEqual(gjsonGet(doc, "friends.#.first"), ["Dale", "Roger"]);
 * assert.equal(gjsonGet(doc, "friends.#(age>45).first"), "Roger");
 * assert.equal(gjsonGet(doc, "friends.1.first"), "Roger");
 * assert.equal(gjsonGet(doc, "fr*.0.age"), 44);
 * ```
 *
 * @param root The parsed JSON.
 * @param path The GJSON path.
 * @returns The value.
 */
export function gjsonGet(root: unknown, path: string): unknown {
  const found = walk(root, components(path));
  return found === NOTHING ? undefined : found;
}

/** The path's components: split at unescaped dots outside a query's parentheses. */
function components(path: string): string[] {
  const out: string[] = [];
  let part = "";
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "\\" && i + 1 < path.length) {
      part += depth > 0 ? c + path[++i] : path[++i];
      continue;
    }
    if (c === "(") depth++;
    else if (c === ")") depth--;
    if (c === "." && depth === 0) {
      out.push(part);
      part = "";
    } else part += c;
  }
  out.push(part);
  return out;
}

function walk(value: unknown, parts: readonly string[]): Found {
  if (parts.length === 0) return value;
  const [part, ...rest] = parts;
  if (part === "#") {
    if (!Array.isArray(value)) return NOTHING;
    if (rest.length === 0) return value.length;
    return value.map((item) => walk(item, rest)).filter((v) => v !== NOTHING);
  }
  if (part.startsWith("#(")) {
    if (!Array.isArray(value)) return NOTHING;
    const every = part.endsWith(")#");
    const test = condition(part.slice(2, every ? -2 : -1));
    if (every) {
      return value.filter(test).map((item) => walk(item, rest)).filter((v) => v !== NOTHING);
    }
    const match = value.find(test);
    return match === undefined ? NOTHING : walk(match, rest);
  }
  if (value === null || typeof value !== "object") return NOTHING;
  if (Array.isArray(value)) {
    if (!/^\d+$/.test(part) || Number(part) >= value.length) return NOTHING;
    return walk(value[Number(part)], rest);
  }
  const object = value as Record<string, unknown>;
  if (/[*?]/.test(part)) {
    const key = Object.keys(object).find((k) => like(k, part));
    return key === undefined ? NOTHING : walk(object[key], rest);
  }
  return Object.hasOwn(object, part) ? walk(object[part], rest) : NOTHING;
}

const OPERATORS = ["!%", "==", "!=", "<=", ">=", "%", "<", ">", "="] as const;

/** A query's test of an element: `key op value`, `op value` (the element itself), or `key`. */
function condition(text: string): (item: unknown) => boolean {
  let at = -1;
  let op = "";
  let depth = 0;
  for (let i = 0; i < text.length && at < 0; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    // An operator of a nested query (`nets.#(=="fb")`) is that query's.
    else if (depth === 0) op = OPERATORS.find((o) => text.startsWith(o, i)) ?? "";
    if (op !== "") at = i;
  }
  // Parsed once for every element the query tests.
  if (at < 0) {
    const parts = components(text.trim());
    return (item) => walk(item, parts) !== NOTHING;
  }
  const path = text.slice(0, at).trim();
  const parts = path === "" ? [] : components(path);
  const wanted = literal(text.slice(at + op.length).trim());
  return (item) => {
    const got = walk(item, parts);
    return got !== NOTHING && compare(got, op, wanted);
  };
}

/** A query's value as GJSON keeps it: a quoted string unquoted, anything else as written. */
function literal(text: string): string {
  if (text.startsWith('"')) {
    try {
      return String(JSON.parse(text));
    } catch {
      return text.slice(1, text.endsWith('"') ? -1 : undefined);
    }
  }
  return text;
}

/** GJSON's `queryMatches`: by the document value's type; null, objects and arrays never match. */
function compare(got: unknown, op: string, wanted: string): boolean {
  const eq = op === "==" || op === "=";
  if (typeof got === "string") {
    if (op === "%" || op === "!%") return like(got, wanted) === (op === "%");
    return eq ? got === wanted : ordered(got, op, wanted);
  }
  if (typeof got === "number") {
    const n = Number.parseFloat(wanted);
    return eq ? got === n : ordered(got, op, n);
  }
  if (typeof got === "boolean") {
    // GJSON orders false before true.
    const own = String(got);
    if (eq) return wanted === own;
    if (op === "!=") return wanted !== own;
    if (got) return op === ">" ? wanted === "false" : op === ">=";
    return op === "<" ? wanted === "true" : op === "<=";
  }
  return false;
}

function ordered<T extends string | number>(a: T, op: string, b: T): boolean {
  switch (op) {
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
  return false;
}

/** Wildcard patterns compiled, for the elements and keys a query or path tests them on. */
const PATTERNS = new Map<string, RegExp>();

/** GJSON's match of a wildcard pattern: `*` any run of characters, `?` one. */
function like(text: string, pattern: string): boolean {
  let regex = PATTERNS.get(pattern);
  if (regex === undefined) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    if (PATTERNS.size >= 256) PATTERNS.clear();
    PATTERNS.set(pattern, regex = new RegExp(`^${source}$`, "s"));
  }
  return regex.test(text);
}
