import assert from "node:assert/strict";
import { Progress, type ProgressState } from "./progress.ts";
import { liveLine } from "./live_line.ts";

function capture(): { writer: { writeSync(p: Uint8Array): number }; text: () => string } {
  let out = "";
  const decoder = new TextDecoder();
  return {
    writer: {
      writeSync(p) {
        out += decoder.decode(p);
        return p.length;
      },
    },
    text: () => out,
  };
}

const state = (elapsedMs: number, live?: string): ProgressState => ({
  elapsedMs,
  vus: 1,
  maxVus: 2,
  completed: 0,
  interrupted: 0,
  scenarios: [{ name: "default", fraction: 0.5, detail: "1/2 VUs  5s/10s" }],
  live,
});

Deno.test("Progress piped: the run line and the live line once a second", () => {
  const out = capture();
  const progress = new Progress({ writer: out.writer, tty: false });
  progress.update(state(500));
  progress.update(state(1490, "live a"));
  progress.update(state(1510, "live b"));
  progress.update(state(1900, "live c"));
  progress.update(state(2499, "live d"));
  assert.equal(
    out.text(),
    "running (0m00.5s), 1/2 VUs, 0 complete and 0 interrupted iterations\n" +
      "running (0m01.5s), 1/2 VUs, 0 complete and 0 interrupted iterations\nlive a\n" +
      "running (0m02.5s), 1/2 VUs, 0 complete and 0 interrupted iterations\nlive d\n",
  );
});

Deno.test("Progress on a terminal: the live line is the block's last line", () => {
  const out = capture();
  const progress = new Progress({ writer: out.writer, tty: true });
  progress.update(state(1500, "live conn 1 +1/s 0 fail"));
  progress.update(state(1700, "live conn 2 +1/s 0 fail"));
  const text = out.text();
  // Three lines drawn, then moved up over and redrawn.
  assert.ok(
    text.includes("1/2 VUs  5s/10s\nlive conn 1 +1/s 0 fail\n\x1b[3F\x1b[J"),
    JSON.stringify(text),
  );
  assert.ok(text.endsWith("live conn 2 +1/s 0 fail\n"));
});

Deno.test("Progress --quiet: nothing", () => {
  const out = capture();
  const progress = new Progress({ writer: out.writer, tty: false, quiet: true });
  progress.update(state(1500, "live x"));
  progress.done(state(2000, "live y"));
  assert.equal(out.text(), "");
});

const none = {
  connects: 0,
  connectFailures: 0,
  sent: 0,
  received: 0,
  publishFailures: 0,
  errors: 0,
};

Deno.test("liveLine() shows the parts the run has, in stable columns, within 120 characters", () => {
  const totals = { ...none, latencyCount: 0, publishRttCount: 0 };
  const second = { index: 3, startMs: 0, ...none };
  // No MQTT activity yet: no line.
  assert.equal(liveLine(second, totals), undefined);
  // Only publications, no latency measured: no conn, recv, lat, rtt parts.
  const pubOnly = liveLine({ ...second, sent: 987 }, { ...totals, sent: 5000 })!;
  assert.equal(pubOnly, "live pub 987/s 0 fail    err 0/s");
  // Everything, large figures: the columns hold and the line stays short.
  const busy = {
    ...second,
    connected: 5000,
    connects: 500,
    connectFailures: 3,
    sent: 50_000,
    received: 49_876,
    publishFailures: 12,
    errors: 15,
    latency: { p50: 0.84, p99: 12.4, count: 49_876 },
    publishRtt: { p50: 1.5, p99: 1234, count: 100 },
  };
  const all = { ...busy, latencyCount: 1, publishRttCount: 1 };
  const line = liveLine(busy, all)!;
  assert.equal(
    line,
    "live conn 5,000 +500/s 3 fail  pub 50.0k/s 12 fail  recv 49.9k/s  err 15/s  " +
      "lat p50/p99 0.8/12ms  rtt p50/p99 1.5/1234ms",
  );
  assert.ok(line.length <= 120, `${line.length} characters`);
  // A second without latency samples in a run that has some keeps the part, with dashes.
  assert.match(liveLine({ ...second, sent: 1 }, all)!, /lat p50\/p99 – +rtt p50\/p99 –$/);
  // Counts past 100k are compact.
  assert.match(liveLine({ ...second, sent: 123_456 }, all)!, /pub 123k\/s/);
});
