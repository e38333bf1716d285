import assert from "node:assert/strict";
import { makeBlocking } from "./transform.ts";

const URL_A = "file:///scripts/a.js";

function transform(source: string, more: Record<string, string> = {}) {
  const modules = new Map([[URL_A, source], ...Object.entries(more)]);
  const result = makeBlocking(modules);
  return { code: result.sources.get(URL_A) ?? source, ...result };
}

const MQTT = `import { Client } from "k6/x/mqtt";\nimport { sleep, group } from "k6";\n`;

Deno.test("blocking transform: k6 calls are awaited and marked, their functions made async", () => {
  const { code } = transform(`${MQTT}export default function () {
  const c = new Client();
  c.connect(__ENV.URL);
  sleep(1);
}`);
  assert.match(code, /export default async function \(\)/);
  assert.match(code, /await __mqloadBlock\(c\.connect\(__ENV\.URL\)\);/);
  assert.match(code, /await __mqloadBlock\(sleep\(1\)\);/);
});

Deno.test("blocking transform: callers of a function made async wait for it, across modules", () => {
  const lib = "file:///scripts/lib.js";
  const { sources } = makeBlocking(
    new Map([
      [URL_A, `import { send } from "./lib.js";\nexport default function () { send(1); }`],
      [
        lib,
        `import { Client } from "k6/x/mqtt";\nexport function send(c) { c.publish("t", "x"); }`,
      ],
    ]),
  );
  assert.match(sources.get(lib)!, /export async function send\(c\) \{ await __mqloadBlock\(c/);
  assert.match(sources.get(URL_A)!, /export default async function \(\) \{ await send\(1\); \}/);
});

Deno.test("blocking transform: what the script awaits itself is left as written", () => {
  const source = `${MQTT}export default async function () {
  const c = new Client();
  await c.connectAsync(__ENV.URL);
  await sleep(1);
  await c.publishAsync("t", "x");
}`;
  const { code, sources } = transform(source);
  assert.equal(code, source);
  assert.equal(sources.size, 0);
});

Deno.test("blocking transform: line breaks are kept, so errors name the user's lines", () => {
  const source =
    `${MQTT}\nexport default function () {\n  const c = new Client()\n  c.connect()\n` +
    `  sleep(1)\n  throw new Error("line 8")\n}\n`;
  const { code } = transform(source);
  assert.equal(code.split("\n").length, source.split("\n").length);
  assert.match(code.split("\n")[7], /line 8/);
});

Deno.test("blocking transform: a call used as an object is parenthesized, ASI-safe", () => {
  const { code } = transform(`import http from "k6/http";
export default function () {
  const x = 1
  http.get("u").json()
  const s = http.get("u").status
}`);
  assert.match(code, /;\(await __mqloadBlock\(http\.get\("u"\)\)\)\.json\(\)/);
  assert.match(code, /const s = \(await __mqloadBlock\(http\.get\("u"\)\)\)\.status/);
});

Deno.test("blocking transform: forEach and map over blocking callbacks run one after another", () => {
  const { code, warnings } = transform(`${MQTT}export default function () {
  const clients = [new Client(), new Client()];
  clients.forEach((c) => c.connect(__ENV.URL));
  const ids = clients.map(function (c) { c.end(); return 1; });
}`);
  assert.match(
    code,
    /await __mqloadIterate\("forEach", clients, async \(c\) => await __mqloadBlock/,
  );
  assert.match(code, /const ids = await __mqloadIterate\("map", clients, async function \(c\)/);
  assert.deepEqual(warnings, []);
});

Deno.test("blocking transform: higher-order forms wait: parameters, IIFEs, aliases, .call", () => {
  const { code, warnings } = transform(`${MQTT}function work(c) { c.publish("t", "x"); return 1; }
function timed(fn) { const t0 = Date.now(); const r = fn(); return r; }
export default function () {
  const c = new Client();
  timed(() => work(c));
  (() => { work(c); })();
  work.call(null, c);
  const send = work;
  send(c);
  const all = Array.from([c], (x) => work(x));
  const kept = [c].filter((x) => work(x));
  const steps = { pub: (cl) => work(cl) };
  for (const k of ["pub"]) steps[k](c);
}`);
  assert.deepEqual(warnings, []);
  assert.match(
    code,
    /async function timed\(fn\) \{ const t0 = Date\.now\(\); const r = await fn\(\);/,
  );
  assert.match(code, /await timed\(async \(\) => await work\(c\)\);/);
  assert.match(code, /await \(async \(\) => \{ await work\(c\); \}\)\(\);/);
  assert.match(code, /await work\.call\(null, c\);/);
  assert.match(code, /await send\(c\);/);
  assert.match(code, /const all = await __mqloadIterate\("from", \[c\], async \(x\) => await work/);
  assert.match(code, /const kept = await __mqloadIterate\("filter", \[c\], async \(x\)/);
  assert.match(code, /for \(const k of \["pub"\]\) await steps\[k\]\(c\);/);
});

Deno.test("blocking transform: group() over a blocking callback is awaited", () => {
  const { code } = transform(`${MQTT}export default function () {
  group("think", () => sleep(0.3));
  group("plain", () => 1 + 1);
}`);
  assert.match(code, /await group\("think", async \(\) => await __mqloadBlock\(sleep\(0\.3\)\)\);/);
  assert.match(code, /\n {2}group\("plain", \(\) => 1 \+ 1\);/);
});

Deno.test("blocking transform: handlers and timers may be async; other hosts are named once", () => {
  const { warnings } = transform(`${MQTT}export default function () {
  const c = new Client();
  c.on("connect", () => c.subscribe("t"));
  setTimeout(() => c.end(), 10);
  [2, 1].sort((a, b) => { c.publish("t", "x"); return a - b; });
}`);
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0], /^\/scripts\/a\.js:7:15: .*\[2, 1\]\.sort\(\) does not wait for it/);
});

Deno.test("blocking transform: a getter cannot wait; the place is named", () => {
  const { warnings, code } = transform(`${MQTT}const box = {
  get value() { sleep(1); return 1; },
};
export default function () { return box.value; }`);
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0], /a\.js:4:17: sleep\(\) cannot wait in a getter/);
  assert.doesNotMatch(code, /async get/);
});

Deno.test("blocking transform: CommonJS modules are transformed too", () => {
  const { code } = transform(`const { sleep } = require("k6");
module.exports.default = function () { sleep(1); };`);
  assert.match(
    code,
    /module\.exports\.default = async function \(\) \{ await __mqloadBlock\(sleep/,
  );
});

Deno.test("blocking transform: a module the parser cannot read is left as is, with a warning", () => {
  const source = "export default function () { <div/> }";
  const { code, warnings } = transform(source);
  assert.equal(code, source);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^\/scripts\/a\.js:1:\d+: .*without k6's blocking calls/);
});

Deno.test("blocking transform: methods and static methods become async before their names", () => {
  const { code } = transform(`${MQTT}class Pub {
  static make() { sleep(0); return new Pub(); }
  send(c) { c.publish("t", "x"); }
}
const o = { go(c) { c.end(); } };`);
  assert.match(code, /static async make\(\)/);
  assert.match(code, /\n {2}async send\(c\)/);
  assert.match(code, /\{ async go\(c\)/);
});

Deno.test("blocking transform: columns of the rewrite map back to the user's", () => {
  const source = `${MQTT}export default function () {\n  sleep(1); sleep(2); boom();\n}`;
  const { code, columns } = transform(source);
  const line = code.split("\n")[3];
  const column = columns.get(URL_A)!;
  assert.equal(column(4, line.indexOf("boom") + 1), source.split("\n")[3].indexOf("boom") + 1);
  assert.equal(
    column(4, line.indexOf("sleep(2)") + 1),
    source.split("\n")[3].indexOf("sleep(2)") + 1,
  );
  // Inside inserted text: where it was inserted.
  assert.equal(column(4, line.indexOf("__mqloadBlock") + 1), 3);
});

Deno.test("blocking transform: a function kept in an array, called by no name, is warned of", () => {
  const { warnings } = transform(`${MQTT}const steps = [
  (c) => c.publish("t", "one"),
  () => sleep(0.5),
  (x) => x + 1,
];
const K = "go";
const api = { [K]: (c) => c.publish("t", "k") };
export default function () {
  const c = new Client();
  (() => c.connect(__ENV.URL))();
  for (const step of steps) step(c);
  api[K](c);
}`);
  // The two that block, not the one that does not, nor the function expression called in place,
  // nor an object's function under a computed key (called through the object, awaited).
  assert.equal(warnings.length, 2, warnings.join("\n"));
  assert.match(
    warnings[0],
    /a\.js:4:3: .*kept as a value \(an array element\) and called by no name/,
  );
  assert.match(warnings[1], /a\.js:5:3: /);
});

Deno.test("blocking transform: k6's functions given to variables anywhere block where called", () => {
  const { code } = transform(`import * as k6 from "k6";
import http from "k6/http";
${MQTT}const pause = sleep;
export default function () {
  const { sleep: nap } = k6;
  const snooze = pause;
  const opts = { wait: sleep, fetch: http.get, n: 1 };
  const api = { get: (p) => http.get(p) };
  const c = new Client();
  const pub = c.publish.bind(c);
  nap(1);
  snooze(1);
  opts.wait(1);
  check(opts.fetch("u"), {});
  check(api.get("/p"), {});
  pub("t", "x");
  sleep.call(null, 1);
  check(http.get.apply(http, ["u"]), {});
  c.publish.call(c, "t", "y");
}`);
  for (
    const call of [
      "nap(1)",
      "snooze(1)",
      "opts.wait(1)",
      'opts.fetch("u")',
      'pub("t", "x")',
      "sleep.call(null, 1)",
      'http.get.apply(http, ["u"])',
      'c.publish.call(c, "t", "y")',
    ]
  ) {
    assert.ok(code.includes(`await __mqloadBlock(${call})`), `${call}: ${code}`);
  }
  assert.ok(code.includes('check(await api.get("/p"), {})'), code);
});

Deno.test("blocking transform: k6's functions passed on by the script's modules block where called", () => {
  const lib = "file:///scripts/lib/helpers.js";
  const more = "file:///scripts/lib/more.js";
  const { sources } = makeBlocking(
    new Map([
      [
        URL_A,
        `import * as helpers from "./lib/helpers.js";
import nap, { pause, pause2, httpGet, get2, pause3, post } from "./lib/helpers.js";
export default function () {
  nap(1);
  pause(1);
  pause2(1);
  pause3(1);
  check(httpGet("u"), {});
  check(get2("u"), {});
  check(post("u"), {});
  helpers.pause(1);
}`,
      ],
      [
        lib,
        `import { sleep } from "k6";
import http from "k6/http";
export const pause = sleep;
export { sleep as pause2 };
export default sleep;
export const httpGet = http.get;
export { get as get2 } from "k6/http";
export * from "./more.js";`,
      ],
      [more, `export { sleep as pause3 } from "k6";\nexport * from "k6/http";`],
    ]),
  );
  const code = sources.get(URL_A)!;
  for (
    const call of [
      "nap(1)",
      "pause(1)",
      "pause2(1)",
      "pause3(1)",
      'httpGet("u")',
      'get2("u")',
      'post("u")',
      "helpers.pause(1)",
    ]
  ) {
    assert.ok(code.includes(`await __mqloadBlock(${call})`), `${call}: ${code}`);
  }
});

Deno.test("blocking transform: a name given k6's function is not taken for another of that name", () => {
  const { code, warnings } = transform(`import http from "k6/http";
export default function () {
  const { get } = http;
  check(get("u"), {});
}
export function sorted() {
  const get = (o) => o.key;
  return [{ key: 3 }, { key: 1 }].sort((a, b) => get(a) - get(b));
}`);
  // By name, not scope: where a name is declared twice the transform leaves both as written.
  assert.ok(code.includes(".sort((a, b) => get(a) - get(b))"), code);
  assert.doesNotMatch(code, /async \(a, b\)/);
  assert.ok(warnings.some((w) => /"get" is given one of k6's blocking functions/.test(w)));
  // A parameter of that name elsewhere does not count: it is seldom called.
  const params = transform(`import http from "k6/http";
export default function (posts) {
  const { post } = http;
  check(post("u"), {});
  posts.forEach((post) => console.log(post));
}`);
  assert.ok(params.code.includes('check(await __mqloadBlock(post("u")), {})'), params.code);
});

Deno.test("blocking transform: a blocking call in a default parameter is left as written, named", () => {
  const { code, warnings } = transform(`${MQTT}function f(d = sleep(0.1)) { return d; }
export default function () { f(); sleep(1); }`);
  assert.match(code, /function f\(d = sleep\(0\.1\)\)/);
  assert.match(code, /await __mqloadBlock\(sleep\(1\)\)/);
  assert.ok(
    warnings.some((w) => /a\.js:3:\d+: sleep\(\) cannot wait in a default parameter/.test(w)),
    warnings.join("\n"),
  );
});
