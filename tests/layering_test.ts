/**
 * The package's layering (docs/layout.md), read from the source text: which folders may
 * import which, that internals (`_x.ts`) stay in their folder, that runner/ keeps only its two
 * entries at the top, and that source files stay small. The imports read are the relative ones
 * of every non-test .ts file: `import … from`, `export … from`, `import "…"`, `import("…")` and
 * `new URL("….ts", import.meta.url)`. Each rule is a step whose failure lists every offender.
 */
import assert from "node:assert/strict";
import { BUILTIN_METRICS } from "../runner/metrics/builtin.ts";

const ROOT = new URL("../", import.meta.url);
/** Folders of the repository whose files are not sources of the package. */
const NOT_SOURCES = new Set(["node_modules", "tests", "bench"]);
const MAX_LINES = 400;

/** A relative import: where it stands, the repository path it resolves to, and its form. */
interface Import {
  line: number;
  target: string;
  /** `url` for `new URL("….ts", import.meta.url)`, e.g. a Worker's module. */
  kind: "import" | "url";
}

interface Source {
  /** The repository path, e.g. `runner/engine/run.ts`. */
  path: string;
  lines: number;
  imports: Import[];
}

// Static forms are anchored at a line's start (not in a comment); the others are skipped when
// their line is a comment. Specifiers that do not start with `./` or `../` are not read.
const STATIC = [
  /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:[\w$]+\s*,?\s*)?(?:\*\s*(?:as\s+[\w$]+\s*)?)?(?:\{[^}]*\}\s*)?from\s*(["'])(\.\.?\/[^"']*)\1/gm,
  /^[ \t]*import\s*(["'])(\.\.?\/[^"']*)\1/gm,
];
const DYNAMIC = /\bimport\(\s*(["'`])(\.\.?\/[^"'`$]*)\1\s*\)/g;
const URL_FORM = /\bnew URL\(\s*(["'`])(\.\.?\/[^"'`$]*\.ts)\1\s*,\s*import\.meta\.url\s*\)/g;

/** The repository paths of the .ts files below `dir`, tests and benches left out. */
async function tsFiles(dir = ""): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir || ".", ROOT))) {
    const path = dir + entry.name;
    if (entry.isDirectory && !entry.name.startsWith(".") && !NOT_SOURCES.has(path)) {
      paths.push(...await tsFiles(path + "/"));
    } else if (entry.isFile && path.endsWith(".ts") && !path.endsWith("_test.ts")) {
      paths.push(path);
    }
  }
  return paths.sort();
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

function readImports(path: string, text: string): Import[] {
  const base = new URL(path, ROOT);
  const imports: Import[] = [];
  const add = (index: number, spec: string, kind: Import["kind"]) => {
    const href = new URL(spec, base).href;
    const target = href.startsWith(ROOT.href) ? href.slice(ROOT.href.length) : href;
    imports.push({ line: lineAt(text, index), target, kind });
  };
  for (const form of STATIC) {
    for (const m of text.matchAll(form)) add(m.index, m[2], "import");
  }
  for (const [form, kind] of [[DYNAMIC, "import"], [URL_FORM, "url"]] as const) {
    for (const m of text.matchAll(form)) {
      const lineStart = text.lastIndexOf("\n", m.index) + 1;
      const before = text.slice(lineStart, m.index).trimStart();
      if (!/^(\/\/|\/\*|\*)/.test(before)) add(m.index, m[2], kind);
    }
  }
  return imports.sort((a, b) => a.line - b.line);
}

async function readSources(): Promise<Source[]> {
  const sources: Source[] = [];
  for (const path of await tsFiles()) {
    const text = await Deno.readTextFile(new URL(path, ROOT));
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    sources.push({ path, lines, imports: readImports(path, text) });
  }
  return sources;
}

const under = (...dirs: string[]) => (path: string) => dirs.some((d) => path.startsWith(d + "/"));
const folder = (path: string) => path.slice(0, path.lastIndexOf("/") + 1);
const fileName = (path: string) => path.slice(path.lastIndexOf("/") + 1);
const isInternal = (path: string) => fileName(path).startsWith("_");

/** Every import from a file `from` accepts to a path `to` rejects, as `file:line imports path`. */
function imports(
  sources: Source[],
  from: (path: string) => boolean,
  bad: (to: string, from: string, i: Import) => boolean,
): string[] {
  return sources.filter((s) => from(s.path)).flatMap((s) =>
    s.imports.filter((i) => bad(i.target, s.path, i)).map((i) =>
      `${s.path}:${i.line} imports ${i.target}`
    )
  );
}

function assertNone(offenders: string[], rule: string): void {
  assert.equal(offenders.length, 0, `${rule}; offenders:\n  ${offenders.join("\n  ")}`);
}

Deno.test("layering: folders import only what the layout allows", async (t) => {
  const sources = await readSources();
  const layered = sources.filter((s) => under("codec", "client", "runner")(s.path));
  assert.ok(layered.length > 50, `only ${layered.length} sources read`);
  assert.ok(layered.some((s) => s.imports.length > 0), "no imports read");

  await t.step("codec/ imports nothing of client/ or runner/", () => {
    assertNone(
      imports(layered, under("codec"), under("client", "runner")),
      "codec/ is the pure codec",
    );
  });

  await t.step("client/ imports nothing of runner/", () => {
    assertNone(imports(layered, under("client"), under("runner")), "client/ is below runner/");
  });

  await t.step("runner/metrics, summary and outputs import nothing of engine/ or worker/", () => {
    assertNone(
      imports(
        layered,
        under("runner/metrics", "runner/summary", "runner/outputs"),
        under("runner/engine", "runner/worker"),
      ),
      "metrics, summaries and outputs are used by engine/ and worker/, not the other way",
    );
  });

  await t.step("worker/ imports nothing of engine/; engine/ of worker/ only messages.ts", () => {
    // The engine names worker/worker.ts as its Workers' module (`new URL`), not to import it.
    const shared = (to: string, i: Import) =>
      to === (i.kind === "url" ? "runner/worker/worker.ts" : "runner/worker/messages.ts");
    assertNone(
      [
        ...imports(layered, under("runner/worker"), under("runner/engine")),
        ...imports(
          layered,
          under("runner/engine"),
          (to, _, i) => under("runner/worker")(to) && !shared(to, i),
        ),
      ],
      "the threads share only runner/worker/messages.ts",
    );
  });

  await t.step("runner/ reaches client internals only from k6/, through client/internal.ts", () => {
    assertNone(
      [
        ...imports(layered, under("runner"), (to) => under("client")(to) && isInternal(to)),
        ...imports(
          layered,
          (from) => under("runner")(from) && !under("runner/k6")(from),
          (to) => to === "client/internal.ts",
        ),
      ],
      "runner/ never imports client/_x.ts; only runner/k6 may import client/internal.ts",
    );
  });

  await t.step("a _x.ts file is imported only from its own folder", () => {
    assertNone(
      imports(sources, () => true, (to, from) => isInternal(to) && folder(to) !== folder(from)),
      "internals stay in their folder (tests and benches may reach them)",
    );
  });

  await t.step("no _x.ts file is exported by deno.json", async () => {
    const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
    const exported = Object.entries<string>(config.exports ?? {})
      .filter(([, path]) => isInternal(path))
      .map(([name, path]) => `deno.json exports "${name}": "${path}"`);
    assertNone(exported, "internals are not part of the published API");
  });
});

Deno.test("layering: files stay small and where the layout puts them", async (t) => {
  const sources = await readSources();

  await t.step(`no source file in codec/, client/ or runner/ over ${MAX_LINES} lines`, () => {
    assertNone(
      sources.filter((s) => under("codec", "client", "runner")(s.path) && s.lines > MAX_LINES)
        .map((s) => `${s.path}:${MAX_LINES + 1} (${s.lines} lines)`),
      `split files over ${MAX_LINES} lines by concept`,
    );
  });

  await t.step("runner/ holds no .ts file besides mod.ts and cli.ts", async () => {
    const stray: string[] = [];
    for await (const entry of Deno.readDir(new URL("runner/", ROOT))) {
      if (
        entry.isFile && entry.name.endsWith(".ts") && !["mod.ts", "cli.ts"].includes(entry.name)
      ) {
        stray.push(`runner/${entry.name}`);
      }
    }
    assertNone(stray.sort(), "runner/'s files belong in its folders by role");
  });
});

Deno.test("layering: metric names are spelt in their two constant files only", async () => {
  // Single-word names (vus, iterations, checks) are also option names and HTML ids: the
  // compound ones are checked, which are every MQTT metric and the rest of k6's.
  const names = BUILTIN_METRICS.map((m) => m.name).filter((n) => n.includes("_"));
  assert.ok(names.length >= 14, `only ${names.length} names`);
  const owners = new Set(["client/metric_names.ts", "runner/metrics/builtin.ts"]);
  const literal = new RegExp(`(["'\`])(${names.join("|")})\\1`);
  const offenders: string[] = [];
  for (const path of await tsFiles()) {
    if (owners.has(path) || !under("codec", "client", "runner")(path)) continue;
    const lines = (await Deno.readTextFile(new URL(path, ROOT))).split("\n");
    lines.forEach((line, i) => {
      if (/^\s*(\/\/|\/\*|\*)/.test(line)) return;
      const m = literal.exec(line);
      if (m) offenders.push(`${path}:${i + 1} spells "${m[2]}"`);
    });
  }
  assertNone(offenders, "import the name from client/metric_names.ts or runner/metrics/builtin.ts");
});

Deno.test("layering: no two classes share a name across folders", async () => {
  // Client is the xk6-mqtt contract's name for both the library's class and k6/x/mqtt's.
  const allowed = new Set(["Client"]);
  const where = new Map<string, string[]>();
  for (const path of await tsFiles()) {
    if (!under("codec", "client", "runner")(path)) continue;
    const text = await Deno.readTextFile(new URL(path, ROOT));
    for (const m of text.matchAll(/^(?:export )?(?:abstract )?class (\w+)/gm)) {
      where.set(m[1], [...where.get(m[1]) ?? [], path]);
    }
  }
  const clashes = [...where].filter(([name, paths]) =>
    !allowed.has(name) && new Set(paths.map(folder)).size > 1
  ).map(([name, paths]) => `${name}: ${paths.join(", ")}`);
  assertNone(clashes, "name each class for what it is");
});
