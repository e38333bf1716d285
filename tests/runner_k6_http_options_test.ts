import assert from "node:assert/strict";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

// k6's options of k6/http requests through `mqload run` against a Deno.serve on 127.0.0.1:
// discardResponseBodies, throw, the redirect limit's warning, httpDebug (credentials masked) and
// http.batch()'s bounds per host, each as k6 applies it.

function serve() {
  const state = { running: 0, most: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/loop") {
      return new Response(null, { status: 302, headers: { location: "/loop" } });
    }
    if (path === "/slow") {
      state.most = Math.max(state.most, ++state.running);
      await new Promise((resolve) => setTimeout(resolve, 150));
      state.running--;
      return new Response("slow");
    }
    if (path === "/items") return Response.json({ items: [{ id: 1 }, { id: 2, tag: "b" }] });
    return new Response(`body of ${path}`, { headers: { "x-seen": "yes" } });
  });
  return { server, state, url: `http://127.0.0.1:${server.addr.port}` };
}

Deno.test("k6/http options: discardResponseBodies, throw, redirects, httpDebug, batchPerHost", async (t) => {
  const { server, state, url } = serve();
  const dir = await TempDir.create();
  try {
    await t.step("discardResponseBodies: bodies are null unless responseType asks", async () => {
      const r = await runScript(
        dir,
        `import http from "k6/http";
export const options = { iterations: 1, discardResponseBodies: true };
export default function () {
  console.log("BODIES", JSON.stringify(http.get("${url}/a").body),
    http.get("${url}/b", { responseType: "text" }).body);
}`,
      );
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stderr, /BODIES null body of \/b/);
    });

    await t.step(
      "--throw: a failed request is the iteration's exception, still counted",
      async () => {
        const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const refused = `http://127.0.0.1:${closed.addr.port}/refused`;
        closed.close();
        const r = await runScript(
          dir,
          `import http from "k6/http";
export const options = { iterations: 1 };
export default function () {
  try {
    http.get("${refused}");
    console.log("NOT THROWN");
  } catch (e) {
    console.log("THROWN", e.message);
  }
}`,
          ["--throw"],
        );
        assert.equal(r.code, 0, explain(r));
        assert.ok(r.stderr.includes(`THROWN GET "${refused}": `), r.stderr);
        assert.doesNotMatch(r.stderr, /NOT THROWN|Request Failed/);
        assert.equal(count(r.summary, "http_reqs"), 1);
      },
    );

    await t.step(
      "the redirect limit: warned once by default, not when the script sets it",
      async () => {
        const r = await runScript(
          dir,
          `import http from "k6/http";
export const options = { iterations: 2 };
export default function () {
  console.log("STATUS", http.get("${url}/loop").status);
  http.get("${url}/loop", { redirects: 2 });
}`,
        );
        assert.equal(r.code, 0, explain(r));
        const warned = r.stderr.split("Stopped after 11 redirects").length - 1;
        assert.equal(warned, 1, r.stderr);
        assert.match(r.stderr, /STATUS 302/);
        // 11 requests each time without a limit, 3 with { redirects: 2 }.
        assert.equal(count(r.summary, "http_reqs"), 2 * (11 + 3));
      },
    );

    await t.step("res.json() reads GJSON paths, as k6's", async () => {
      const r = await runScript(
        dir,
        `import http from "k6/http";
export const options = { iterations: 1 };
export default function () {
  const res = http.get("${url}/items");
  console.log("JSON", res.json("items.#"), JSON.stringify(res.json("items.#.id")),
    res.json('items.#(tag=="b").id'), res.json("items.5"));
}`,
      );
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stderr, /JSON 2 \[1,2\] 2 undefined/);
    });

    await t.step("--http-debug=full logs requests and responses, credentials masked", async () => {
      const r = await runScript(
        dir,
        `import http from "k6/http";
export const options = { iterations: 1 };
export default function () {
  http.get("${url.replace("://", "://user:s3cr3t-marker@")}/dbg");
}`,
        ["--http-debug=full"],
      );
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stderr, /Request:\nGET \/dbg HTTP\/1\.1\nAuthorization: Basic \*\*\*\*/);
      assert.match(r.stderr, /Response:\nHTTP\/1\.1 200 OK\n/);
      assert.match(r.stderr, /X-Seen: yes/);
      assert.match(r.stderr, /body of \/dbg/);
      assert.match(r.stderr, /request_id=[0-9a-f-]{36}/);
      assert.doesNotMatch(r.stderr, /s3cr3t-marker|dXNlcjpzM2NyM3Qt/);
    });

    await t.step("http.batch(): at most batchPerHost requests to one host at once", async () => {
      for (const [option, most] of [["", 6], ["batchPerHost: 2,", 2], ["batch: 3,", 3]] as const) {
        state.most = 0;
        const r = await runScript(
          dir,
          `import http from "k6/http";
export const options = { ${option} iterations: 1 };
export default function () {
  const responses = http.batch(Array.from({ length: 10 }, () => "${url}/slow"));
  console.log("BATCH", responses.filter((r) => r.body === "slow").length);
}`,
        );
        assert.equal(r.code, 0, explain(r));
        assert.match(r.stderr, /BATCH 10/);
        assert.equal(state.most, most, option);
      }
    });
  } finally {
    await server.shutdown();
    await dir.remove();
  }
});
