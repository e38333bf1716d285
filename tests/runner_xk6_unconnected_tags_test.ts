// xk6-mqtt tags a client's samples with its client_id (and URL) only once it dials: Paho's
// client is made then. An end() of a client never connected carries neither, one after a
// connection carries both.
import assert from "node:assert/strict";
import { needsMosquitto, startMosquitto } from "./fixtures/mosquitto.ts";
import { explain, runScript, TempDir } from "./_runner_helpers.ts";

const SCRIPT = `
import { Client } from "k6/x/mqtt";

export const options = { iterations: 1 };

export default function () {
  new Client({ client_id: "never" }).end();
  // A client_id among the client's own tags is the user's: it stays.
  new Client({ client_id: "auto", tags: { client_id: "mine" } }).end();
  const once = new Client({ client_id: "once" });
  once.connect(__ENV.BROKER);
  once.end();
}
`;

Deno.test({
  ...needsMosquitto,
  name: "runner xk6: end() of a client never connected carries no client_id, as xk6-mqtt's",
  async fn() {
    await using broker = await startMosquitto();
    const dir = await TempDir.create();
    try {
      const out = `${dir.path}/points.ndjson`;
      const r = await runScript(dir, SCRIPT, [
        "-e",
        `BROKER=${broker.url}`,
        "--out",
        `json=${out}`,
      ]);
      assert.equal(r.code, 0, explain(r));
      const ends = (await Deno.readTextFile(out)).split("\n").filter(Boolean).map((line) =>
        JSON.parse(line)
      ).filter((p) => p.type === "Point" && p.data.tags.method === "end");
      const byId = ends.map((p) => [p.data.tags.client_id, p.data.tags.url]);
      assert.deepEqual(byId, [[undefined, undefined], ["mine", undefined], ["once", broker.url]]);
    } finally {
      await dir.remove();
    }
  },
});
