// The library's types as a consumer with strict compiler options sees them: it compiles under
// strict, noUncheckedIndexedAccess and exactOptionalPropertyTypes, and a mistake in a handler is
// reported against the handler's parameter.
import assert from "node:assert/strict";

const dir = new URL("./types/", import.meta.url);
const config = new URL("strict_consumer.json", dir).pathname;

async function check(file: string): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", "--config", config, file],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  return { code: output.code, stderr };
}

Deno.test("types: the library compiles under a consumer's strict options", async () => {
  const { code, stderr } = await check(new URL("strict_consumer.ts", dir).pathname);
  assert.equal(code, 0, stderr);
});

Deno.test("types: a message handler with the wrong payload type is named by its parameter", async () => {
  const file = await Deno.makeTempFile({ dir: dir.pathname, suffix: "_wrong_handler.ts" });
  try {
    await Deno.writeTextFile(
      file,
      'import { Client } from "../../mod.ts";\n' +
        'new Client().on("message", (topic: string, payload: string) => console.log(topic, payload));\n',
    );
    const { code, stderr } = await check(file);
    assert.notEqual(code, 0);
    assert.match(stderr, /payload/);
    assert.doesNotMatch(stderr, /not assignable to (parameter of )?type '"close"'/);
  } finally {
    await Deno.remove(file);
  }
});
