import assert from "node:assert/strict";
import { gjsonGet } from "./_gjson_path.ts";

// GJSON's README examples, with what GJSON returns for each.
const DOC = {
  name: { first: "Tom", last: "Anderson" },
  age: 37,
  children: ["Sara", "Alex", "Jack"],
  "fav.movie": "Deer Hunter",
  friends: [
    { first: "Dale", last: "Murphy", age: 44, nets: ["ig", "fb", "tw"] },
    { first: "Roger", last: "Craig", age: 68, nets: ["fb", "tw"] },
    { first: "Jane", last: "Murphy", age: 47, nets: ["ig", "tw"] },
  ],
};

Deno.test("gjsonGet: GJSON's README paths", () => {
  const cases: Array<[string, unknown]> = [
    ["name.last", "Anderson"],
    ["age", 37],
    ["children", ["Sara", "Alex", "Jack"]],
    ["children.#", 3],
    ["children.1", "Alex"],
    ["child*.2", "Jack"],
    ["c?ildren.0", "Sara"],
    ["fav\\.movie", "Deer Hunter"],
    ["friends.#.first", ["Dale", "Roger", "Jane"]],
    ["friends.1.last", "Craig"],
    ['friends.#(last=="Murphy").first', "Dale"],
    ['friends.#(last=="Murphy")#.first', ["Dale", "Jane"]],
    ["friends.#(age>45)#.last", ["Craig", "Murphy"]],
    ['friends.#(first%"D*").last', "Murphy"],
    ['friends.#(first!%"D*").last', "Craig"],
    ['friends.#(nets.#(=="fb"))#.first', ["Dale", "Roger"]],
  ];
  for (const [path, want] of cases) assert.deepEqual(gjsonGet(DOC, path), want, path);
});

Deno.test("gjsonGet: what finds nothing is undefined; # of an array of nothing is []", () => {
  assert.equal(gjsonGet(DOC, "nope"), undefined);
  assert.equal(gjsonGet(DOC, "name.#"), undefined);
  assert.equal(gjsonGet(DOC, "children.7"), undefined);
  assert.equal(gjsonGet(DOC, 'friends.#(last=="Nobody").first'), undefined);
  assert.deepEqual(gjsonGet(DOC, "friends.#.nope"), []);
  assert.equal(gjsonGet(DOC, "age.x"), undefined);
});

Deno.test("gjsonGet: queries compare by the document value's type, as GJSON's queryMatches", () => {
  const doc = {
    items: [
      { n: "a", id: "1", age: 44, x: null, ok: true },
      { n: "b", id: 2, age: 45, x: 3, ok: false },
    ],
  };
  assert.equal(gjsonGet(doc, "items.#(id==1).n"), "a");
  assert.equal(gjsonGet(doc, 'items.#(age=="44").n'), "a");
  assert.deepEqual(gjsonGet(doc, "items.#(x!=3)#.n"), []);
  assert.deepEqual(gjsonGet(doc, 'items.#(age!%"4*")#.n'), []);
  assert.deepEqual(gjsonGet(doc, "items.#(ok==true)#.n"), ["a"]);
  assert.deepEqual(gjsonGet(doc, "items.#(ok>false)#.n"), ["a"]);
  assert.deepEqual(gjsonGet(doc, "items.#(age>=44.5)#.n"), ["b"]);
});
