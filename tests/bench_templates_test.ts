// `mqload bench pub`'s templates against mosquitto, as emqtt-bench fills them: %TIMESTAMP% in
// milliseconds, %TIMESTAMPUS%, %TIMESTAMPNS%, %UNIQUE%, %RANDOM% as -s random bytes, -u '%i' one
// username per client; what it does not fill is refused (exit 2), never sent as written.

import assert from "node:assert/strict";
import { Client } from "../mod.ts";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { bench, brokerFlags, explain } from "./_bench_helpers.ts";
import { TempDir } from "./_runner_helpers.ts";

Deno.test({
  name: "bench pub -m fills emqtt-bench's variables; -u '%i' gives each client its number",
  ignore: needsMosquitto.ignore,
  async fn() {
    await using mosquitto = await startMosquitto({ extraConfig: "log_type all" });
    const watcher = new Client({ client_id: "watcher" });
    const got: Uint8Array[] = [];
    watcher.on("message", (_topic, payload) => got.push(new Uint8Array(payload)));
    await watcher.connectAsync(mosquitto.url);
    await watcher.subscribeAsync("tpl/#", { qos: 1 });
    try {
      const before = Date.now();
      const r = await bench([
        "pub",
        ...brokerFlags(mosquitto.port),
        "-c",
        "2",
        "-L",
        "1",
        "-q",
        "1",
        "-s",
        "5",
        "-u",
        "%i",
        "-t",
        "tpl/%i",
        "-m",
        "ms=%TIMESTAMP% us=%TIMESTAMPUS% ns=%TIMESTAMPNS% u=%UNIQUE% r=%RANDOM%.",
      ]);
      assert.equal(r.code, 0, explain(r));
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(got.length, 2);
      const uniques = new Set<string>();
      for (const payload of got) {
        const head = new TextDecoder().decode(payload.subarray(0, payload.length - 6));
        const m = /^ms=(\d+) us=(\d+) ns=(\d+) u=(-?\d+) r=$/.exec(head);
        assert.ok(m !== null, head);
        const ms = Number(m[1]);
        assert.ok(ms >= before - 1000 && ms <= Date.now(), head);
        assert.equal(Math.floor(Number(m[2]) / 1000), ms);
        assert.equal(m[3].length, m[2].length + 3);
        uniques.add(m[4]);
        // Five random bytes, then the end of the template.
        assert.equal(payload.at(-1), 0x2e);
      }
      assert.equal(uniques.size, 2);
      assert.match(mosquitto.log(), /u'1'\)/);
      assert.match(mosquitto.log(), /u'2'\)/);
    } finally {
      await watcher.endAsync();
    }
  },
});

Deno.test("bench pub refuses what it would send as written: %NOW%, %s topics, render", async () => {
  const dir = await TempDir.create();
  try {
    const now = await bench(["pub", "-t", "a", "-m", "at %NOW%"]);
    assert.equal(now.code, 2, explain(now));
    assert.match(now.stderr, /for --message: %NOW% is not supported/);
    const seq = await bench(["pub", "-t", "a/%s"]);
    assert.equal(seq.code, 2, explain(seq));
    assert.match(seq.stderr, /for --topic: %s .* is not supported/);
    const file = await dir.write(
      "topics.json",
      JSON.stringify({ topics: [{ name: "t", payload: { pad: "%p2" }, render: "pad" }] }),
    );
    const render = await bench(["pub", "--topics-payload", file]);
    assert.equal(render.code, 2, explain(render));
    assert.match(render.stderr, /render .* is not supported/);
    const unit = await dir.write(
      "unit.json",
      JSON.stringify({ topics: [{ name: "t", payload: {}, inject_timestamp: "min" }] }),
    );
    const badUnit = await bench(["pub", "--topics-payload", unit]);
    assert.equal(badUnit.code, 2, explain(badUnit));
    assert.match(badUnit.stderr, /inject_timestamp: expected true, false, "s", "ms", "us" or "ns"/);
  } finally {
    await dir.remove();
  }
});
