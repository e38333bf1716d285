// k6's JSON config file: its options read, k6's own settings set apart, bad files refused as
// invalid config (104), with k6's wording.
import assert from "node:assert/strict";
import { readConfigFile } from "./config_file.ts";
import { InvalidConfigError } from "./options.ts";

Deno.test("config file: options read, k6's non-option settings set apart", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      path,
      `{"vus": 2, "tags": {"a": "b"}, "out": ["json"], "linger": null}`,
    );
    assert.deepEqual(await readConfigFile(path), {
      options: { vus: 2, tags: { a: "b" } },
      ignored: ["out"],
    });
    for (const bad of [`{"vus": `, `[1]`, `3`]) {
      await Deno.writeTextFile(path, bad);
      await assert.rejects(() => readConfigFile(path), InvalidConfigError);
    }
  } finally {
    await Deno.remove(path);
  }
  await assert.rejects(() => readConfigFile(path), /couldn't load the configuration/);
});
