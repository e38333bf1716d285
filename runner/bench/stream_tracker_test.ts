import assert from "node:assert/strict";
import { StreamTracker } from "./stream_tracker.ts";

/** Feeds counters and sums what the tracker reported. */
function feed(tracker: StreamTracker, stream: string, counts: number[]) {
  const sum = { lost: 0, duplicated: 0, outOfOrder: 0 };
  for (const c of counts) {
    const e = tracker.receive(stream, c);
    sum.lost += e.lost;
    sum.duplicated += e.duplicated;
    sum.outOfOrder += e.outOfOrder;
  }
  return sum;
}

Deno.test("StreamTracker counts gaps, late arrivals and repeats per stream", () => {
  const tracker = new StreamTracker();
  assert.deepEqual(feed(tracker, "a", [0, 1, 2, 5, 3, 3, 6, 6, 9]), {
    lost: 3, // 4, 7 and 8 never came; 3 came late
    duplicated: 2, // the second 3 and the second 6
    outOfOrder: 1,
  });
  // Another stream is counted apart, from its own first message.
  assert.deepEqual(feed(tracker, "b", [40, 41, 42]), { lost: 0, duplicated: 0, outOfOrder: 0 });
  assert.deepEqual(tracker.streams(), ["a", "b"]);
  assert.equal(tracker.missing("a"), 3);
});

Deno.test("StreamTracker from zero counts a lost head; takeTails a lost tail, once", () => {
  const tracker = new StreamTracker(true);
  assert.deepEqual(feed(tracker, "a", [2, 3]), { lost: 2, duplicated: 0, outOfOrder: 0 });
  assert.deepEqual(feed(tracker, "b", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).lost, 0);
  assert.deepEqual(tracker.takeTails(10), [["a", 6]]);
  assert.deepEqual(tracker.takeTails(10), []);
  // A late head message still fills its gap.
  assert.deepEqual(tracker.receive("a", 0), { lost: -1, duplicated: 0, outOfOrder: 1 });
});
