import assert from "node:assert/strict";
import { MetricRegistry } from "./registry.ts";

Deno.test("points of frozen tags bound once carry them sorted, as k6's outputs write tags", () => {
  const r = new MetricRegistry({ recordPoints: true });
  r.define("calls", "counter");
  r.define("rtt", "trend");
  // A recorder's merge of a VU's tags with a client's own: insertion order, not sorted.
  const merged = Object.freeze({ scenario: "s", group: "", proto: "MQTT", client_id: "c1" });
  r.addBound(r.bind("rtt", merged, undefined, true), 5);
  const calls = r.bind("calls", merged, undefined, true);
  r.addBound(calls, 1);
  const { points } = r.drain();
  for (const point of points) {
    assert.deepEqual(Object.keys(point.tags), ["client_id", "group", "proto", "scenario"]);
  }
  assert.deepEqual(Object.keys(calls.tags), ["client_id", "group", "proto", "scenario"]);
  assert.equal(points.length, 2);
});
