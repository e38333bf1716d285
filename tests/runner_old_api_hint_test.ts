/**
 * A pmalhaire/xk6-mqtt script (positional `Client` arguments) fails with one error saying how to
 * port it to grafana/xk6-mqtt's API, at the script's line, without mqload's frames.
 *
 * @module
 */

import assert from "node:assert/strict";
import { explain, mqload, TempDir } from "./_runner_helpers.ts";

const OLD_SCRIPT = `import mqtt from "k6/x/mqtt";

const client = new mqtt.Client(["localhost:1883"], "user", "pass", false, "clientid", 1000);

export default function () {
  client.connect();
}
`;

Deno.test("old API hint: pmalhaire/xk6-mqtt's constructor exits 107 with the port", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write("old.js", OLD_SCRIPT);
    const r = await mqload(["run", "-q", script]);
    assert.equal(r.code, 107, explain(r));
    assert.match(r.stderr, new RegExp(`${script}:3: new Client\\(servers, user, password`));
    assert.match(r.stderr, /pmalhaire\/xk6-mqtt/);
    assert.match(r.stderr, /mqload implements grafana\/xk6-mqtt's/);
    assert.match(r.stderr, /client\.connect\("mqtt:\/\/host:1883"\)/);
    assert.doesNotMatch(r.stderr, /Unknown client option/);
    assert.doesNotMatch(r.stderr, /\/(runner|client|codec)\/[^\s]*\.ts/, "no mqload frames");
  } finally {
    await dir.remove();
  }
});

Deno.test("old API hint: a lone string server is the old API too", async () => {
  const dir = await TempDir.create();
  try {
    const script = await dir.write(
      "old_string.js",
      `import { Client } from "k6/x/mqtt";\n\nconst client = new Client("localhost:1883");\nexport default function () {}\n`,
    );
    const r = await mqload(["run", "-q", script]);
    assert.equal(r.code, 107, explain(r));
    assert.match(r.stderr, new RegExp(`${script}:3: .*pmalhaire/xk6-mqtt`));
  } finally {
    await dir.remove();
  }
});
