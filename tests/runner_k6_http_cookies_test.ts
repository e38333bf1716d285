import assert from "node:assert/strict";
import { explain, mqload, runScript, TempDir } from "./_runner_helpers.ts";

// k6/http's cookie jars through `mqload run` against a Deno.serve on 127.0.0.1: what responses
// set is sent back, within the iteration (or the VU's life with noCookiesReset), through
// redirects, beside and instead of a request's own cookies, and through the jar's API.

function serve() {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    const cookie = req.headers.get("cookie") ?? "";
    if (path === "/login") {
      return new Response("in", { headers: { "set-cookie": "session=abc; Path=/; HttpOnly" } });
    }
    if (path === "/area/set") {
      // No Path: the default path, /area, is where it goes back to.
      return new Response("set", { headers: { "set-cookie": "area=1" } });
    }
    if (path === "/redirect") {
      return new Response(null, {
        status: 302,
        headers: { location: "/echo", "set-cookie": "hop=1; Path=/" },
      });
    }
    if (path === "/logout") {
      return new Response("out", { headers: { "set-cookie": "session=; Path=/; Max-Age=0" } });
    }
    return new Response(cookie === "" ? "-" : cookie);
  });
  return { server, url: `http://127.0.0.1:${server.addr.port}` };
}

Deno.test("k6/http cookie jars: responses' cookies go back, as k6's", async (t) => {
  const { server, url } = serve();
  const dir = await TempDir.create();
  try {
    const script = (options: string) =>
      `import http from "k6/http";
export const options = { vus: 1, iterations: 2${options} };
export default function () {
  const before = http.get("${url}/echo").body;
  http.get("${url}/login");
  console.log("ITER", __ITER, before, http.get("${url}/echo").body);
}`;
    await t.step("a new jar each iteration, one for the VU with noCookiesReset", async () => {
      const r = await runScript(dir, script(""));
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stderr, /ITER 0 - session=abc/);
      assert.match(r.stderr, /ITER 1 - session=abc/);
      const kept = await runScript(dir, script(", noCookiesReset: true"));
      assert.equal(kept.code, 0, explain(kept));
      assert.match(kept.stderr, /ITER 1 session=abc session=abc/);
      // K6_NO_COOKIES_RESET, above the script's options as k6's variables are.
      const path = await dir.write("reset.js", script(", noCookiesReset: false"));
      const env = await mqload(["run", "-q", path], { K6_NO_COOKIES_RESET: "true" });
      assert.equal(env.code, 0, explain(env));
      assert.match(env.stderr, /ITER 1 session=abc session=abc/);
    });

    await t.step("paths, redirects, deletion, request cookies and the jar's API", async () => {
      const r = await runScript(
        dir,
        `import http from "k6/http";
export const options = { iterations: 1 };
export default function () {
  http.get("${url}/login");
  http.get("${url}/area/set");
  console.log("AREA", http.get("${url}/area/x").body, "|", http.get("${url}/other").body);
  console.log("REDIRECT", http.get("${url}/redirect", { headers: { Cookie: "given=1" } }).body);
  const own = http.get("${url}/echo", { cookies: { theme: "dark" } });
  console.log("OWN", own.body, JSON.stringify(own.request.cookies.theme));
  console.log("REPLACED", http.get("${url}/echo", { cookies: { session: { value: "x", replace: true } } }).body);
  const jar = http.cookieJar();
  jar.set("${url}/", "k", "v");
  console.log("FOR", JSON.stringify(jar.cookiesForURL("${url}/echo")));
  jar.delete("${url}/", "k");
  http.get("${url}/logout");
  console.log("AFTER", http.get("${url}/echo").body);
  const other = new http.CookieJar();
  console.log("OTHER", http.get("${url}/echo", { jar: other }).body);
  jar.clear("${url}/");
  console.log("CLEARED", http.get("${url}/echo").body);
}`,
      );
      assert.equal(r.code, 0, explain(r));
      assert.match(r.stderr, /AREA area=1; session=abc \| session=abc/);
      assert.match(r.stderr, /REDIRECT session=abc; hop=1/);
      assert.match(
        r.stderr,
        /OWN theme=dark; session=abc; hop=1 \[\{"name":"theme","value":"dark","replace":false\}\]/,
      );
      assert.match(r.stderr, /REPLACED session=x; hop=1 {2}source=console/);
      assert.match(r.stderr, /FOR \{"session":\["abc"\],"hop":\["1"\],"k":\["v"\]\}/);
      assert.match(r.stderr, /AFTER hop=1 {2}source=console/);
      assert.match(r.stderr, /OTHER - {2}source=console/);
      assert.match(r.stderr, /CLEARED - {2}source=console/);
    });
  } finally {
    await server.shutdown();
    await dir.remove();
  }
});
