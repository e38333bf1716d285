/**
 * Each VU needs its own module scope of the script (k6 semantics), and importing the script once
 * per VU (`?vu=N`) costs 13–60 KiB of memory per VU (Deno's loader keeps a module record, a
 * parsed source and compiled code for every instance) and gets slower as the module map grows:
 * ten thousand VUs took two minutes to initialize. Instead, the entry module's top level is
 * turned into the body of an async function, compiled once per Worker and called once per VU:
 * every VU still gets its own bindings (a fresh function scope), but shares the code.
 *
 * The rewrite keeps line numbers (and columns, except on the first line): import declarations
 * move to the first line, `export` keywords are blanked out, and a getter per export is returned
 * at the end. Only the forms k6 scripts use are handled; anything else (`export *`, re-exports,
 * destructuring or multiple declarators in an exported declaration, TypeScript-only exports)
 * makes {@linkcode vuFactorySource} return undefined, and the script is imported per VU as before.
 *
 * @module
 */

interface Token {
  kind: "word" | "string" | "punct" | "other";
  text: string;
  start: number;
  end: number;
  /** Bracket depth before the token. */
  depth: number;
  /** A line break between the previous token and this one. */
  newline: boolean;
}

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;
const IDENT = /^[A-Za-z_$][\w$]*$/;
// After these, a `/` starts a regular expression, not a division.
const BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

/** Splits a source into tokens, skipping comments; undefined when it cannot (unbalanced). */
function tokenize(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  // Open brackets; "${" marks a template substitution, whose "}" resumes the template.
  const stack: string[] = [];
  let i = 0;
  let newline = false;
  const n = source.length;
  const push = (kind: Token["kind"], start: number, end: number, depth = stack.length) => {
    tokens.push({ kind, text: source.slice(start, end), start, end, depth, newline });
    newline = false;
  };
  // Scans a template from `i` (just after "`" or "}"): returns true at a "${".
  const template = (): boolean | undefined => {
    while (i < n) {
      const c = source[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        i++;
        return false;
      } else if (c === "$" && source[i + 1] === "{") {
        i += 2;
        return true;
      } else i++;
    }
    return undefined;
  };
  while (i < n) {
    const c = source[i];
    if (c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029") {
      newline = true;
      i++;
    } else if (c === " " || c === "\t" || c === "\f" || c === "\v" || c === "\ufeff") i++;
    else if (c === "/" && source[i + 1] === "/") {
      while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
    } else if (c === "/" && source[i + 1] === "*") {
      const close = source.indexOf("*/", i + 2);
      if (close < 0) return undefined;
      if (/[\n\r\u2028\u2029]/.test(source.slice(i, close))) newline = true;
      i = close + 2;
    } else if (c === '"' || c === "'") {
      const start = i++;
      while (i < n && source[i] !== c) {
        if (source[i] === "\n") return undefined;
        i += source[i] === "\\" ? 2 : 1;
      }
      if (i >= n) return undefined;
      push("string", start, ++i);
    } else if (c === "`") {
      const start = i++;
      const open = template();
      if (open === undefined) return undefined;
      if (open) stack.push("${");
      push("other", start, i, open ? stack.length - 1 : stack.length);
    } else if (c === "/" && regexAllowed(tokens.at(-1))) {
      const start = i++;
      let cls = false;
      while (i < n && (cls || source[i] !== "/")) {
        if (source[i] === "\n") return undefined;
        if (source[i] === "\\") i++;
        else if (source[i] === "[") cls = true;
        else if (source[i] === "]") cls = false;
        i++;
      }
      i++;
      while (i < n && WORD.test(source[i])) i++;
      push("other", start, i);
    } else if (WORD.test(c)) {
      const start = i;
      while (i < n && WORD.test(source[i])) i++;
      push("word", start, i);
    } else if (c === "{" || c === "(" || c === "[") {
      push("punct", i, i + 1);
      stack.push(c);
      i++;
    } else if (c === "}" || c === ")" || c === "]") {
      const open = stack.pop();
      if (open === "${" && c === "}") {
        const start = i++;
        const again = template();
        if (again === undefined) return undefined;
        if (again) stack.push("${");
        push("other", start, i, stack.length);
        continue;
      }
      if (open === undefined || "{([".indexOf(open) !== "})]".indexOf(c)) return undefined;
      push("punct", i, i + 1);
      i++;
    } else {
      push("punct", i, i + 1);
      i++;
    }
  }
  return stack.length === 0 ? tokens : undefined;
}

function regexAllowed(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.kind === "word") return BEFORE_REGEX.has(previous.text);
  if (previous.kind === "string") return false;
  if (previous.kind === "punct") {
    return !(previous.text === ")" || previous.text === "]" ||
      previous.text === "}");
  }
  return false; // a regex or a template
}

/** Replaces `source[start, end)` with spaces, keeping line breaks. */
function blank(out: string[], start: number, end: number): void {
  for (let k = start; k < end; k++) if (out[k] !== "\n" && out[k] !== "\r") out[k] = " ";
}

/**
 * Rewrites an ES module so that its top level becomes the body of the default-exported async
 * function, which returns the module's exports (as getters, so they stay live bindings).
 *
 * @param source The (already rewritten) entry module.
 * @returns The factory module's source, or undefined when the module uses a form this rewrite
 * does not handle.
 */
export function vuFactorySource(source: string): string | undefined {
  // A hashbang is only allowed first: it goes (the body no longer starts the file).
  if (source.startsWith("#!")) {
    source = source.replace(/^#![^\n\r]*/, (line) => " ".repeat(line.length));
  }
  const tokens = tokenize(source);
  if (tokens === undefined) return undefined;
  const out = [...source];
  const hoisted: string[] = [];
  // Export name → local binding.
  const exported = new Map<string, string>();
  let defaultDecl = ""; // How the default export is declared in the body, if it needs a binding.
  const at = (k: number) => tokens[k];
  const isStatementStart = (k: number) => {
    const prev = tokens[k - 1];
    return prev === undefined || at(k).newline ||
      (prev.kind === "punct" && (prev.text === ";" || prev.text === "}"));
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = at(k);
    if (t.depth !== 0 || t.kind !== "word" || !isStatementStart(k)) continue;
    if (t.text === "import") {
      const next = at(k + 1);
      if (next?.kind === "punct" && (next.text === "(" || next.text === ".")) continue;
      // Up to the specifier string (`import "x"` or `… from "x"`), then `with {…}`, then `;`.
      let e = k + 1;
      while (e < tokens.length && !(at(e).kind === "string" && at(e).depth === 0)) e++;
      if (e >= tokens.length) return undefined;
      if (at(e + 1)?.text === "with" || at(e + 1)?.text === "assert") {
        e += 2;
        while (e < tokens.length && !(at(e).text === "}" && at(e).depth === 0)) e++;
        if (e >= tokens.length) return undefined;
      }
      if (at(e + 1)?.text === ";") e++;
      const end = at(e).end;
      // Rebuilt from its tokens: on one line, a comment inside would swallow the rest of it.
      hoisted.push(tokens.slice(k, e + 1).map((x) => x.text).join(" "));
      blank(out, t.start, end);
      k = e;
      continue;
    }
    if (t.text !== "export") continue;
    const a = at(k + 1);
    const b = at(k + 2);
    if (a === undefined || b === undefined) return undefined;
    if (a.text === "default") {
      if (exported.has("default")) return undefined;
      const isAsync = b?.text === "async" && at(k + 3)?.text === "function" && !at(k + 3).newline;
      const fn = isAsync ? k + 3 : k + 2;
      if (at(fn)?.text === "function" || at(fn)?.text === "class") {
        let nameAt = fn + 1;
        if (at(nameAt)?.text === "*") nameAt++;
        const name = at(nameAt);
        if (name?.kind === "word" && IDENT.test(name.text) && name.text !== "extends") {
          blank(out, t.start, b.start); // `export default ` goes, the declaration stays
          exported.set("default", name.text);
        } else {
          // An anonymous declaration gets a name, so it stays a hoisted declaration.
          blank(out, t.start, b.start);
          const keyword = at(nameAt - 1);
          out[keyword.end - 1] += " __mqload_default";
          exported.set("default", "__mqload_default");
        }
      } else {
        // `export default expression`: an assignment, as the expression ends the same way.
        blank(out, t.start, a.end);
        out[t.start] = "__mqload_default =";
        defaultDecl = "let __mqload_default; ";
        exported.set("default", "__mqload_default");
      }
      k++;
      continue;
    }
    if (a.text === "function" || a.text === "class" || a.text === "async") {
      let nameAt = k + 2;
      if (a.text === "async") {
        if (b?.text !== "function" || b.newline) return undefined;
        nameAt++;
      }
      if (at(nameAt)?.text === "*") nameAt++;
      const name = at(nameAt);
      if (name?.kind !== "word" || !IDENT.test(name.text)) return undefined;
      exported.set(name.text, name.text);
      blank(out, t.start, a.start);
      continue;
    }
    if (a.text === "const" || a.text === "let" || a.text === "var") {
      if (b?.kind !== "word" || !IDENT.test(b.text)) return undefined; // destructuring
      // One declarator only: no comma at this level before the statement's end.
      for (let e = k + 3; e < tokens.length; e++) {
        const x = at(e);
        if (x.depth !== 0) continue;
        if (
          x.text === ";" || (x.kind === "word" && isStatementStart(e) &&
            (x.text === "export" || x.text === "import"))
        ) break;
        if (x.text === ",") return undefined;
      }
      exported.set(b.text, b.text);
      blank(out, t.start, a.start);
      continue;
    }
    if (a.text === "{") {
      // `export { a, b as c };` (not `… from "m"`: a re-export).
      let e = k + 2;
      const names: string[][] = [];
      while (at(e) !== undefined && at(e).text !== "}") {
        const local = at(e);
        let name = local;
        if (at(e + 1)?.text === "as") {
          name = at(e + 2);
          e += 2;
        }
        if (local.kind !== "word" || name?.kind !== "word") return undefined;
        names.push([name.text, local.text]);
        e++;
        if (at(e)?.text === ",") e++;
      }
      if (at(e) === undefined || at(e + 1)?.text === "from") return undefined;
      if (at(e + 1)?.text === ";") e++;
      for (const [name, local] of names) {
        if (exported.has(name)) return undefined;
        exported.set(name, local);
      }
      blank(out, t.start, at(e).end);
      k = e;
      continue;
    }
    return undefined; // `export *`, TypeScript-only exports…
  }
  if (!exported.has("default") && defaultDecl === "" && exported.size === 0) return undefined;
  const getters = [...exported].map(([name, local]) =>
    `get ${JSON.stringify(name)}() { return ${local}; }`
  );
  const head = `${hoisted.join(" ")} export default async function () { ${defaultDecl}`;
  const tail = `\n;return { __proto__: null, ${getters.join(", ")} };\n}\n`;
  return head + out.join("") + tail;
}
