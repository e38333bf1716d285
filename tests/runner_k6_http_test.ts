import assert from "node:assert/strict";
import { count, explain, runScript, TempDir } from "./_runner_helpers.ts";

// k6/http through `mqload run` against a Deno.serve on 127.0.0.1: setup provisions with a JSON
// POST, iterations GET a named URL, thresholds on http_req_duration{name:x} and http_req_failed
// decide the exit code, and a refused port fails requests without failing the run.

/** A server that answers `status` on /x and counts what it saw. */
function serve(status: { value: number }) {
  const seen = { post: 0, get: 0, other: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "POST" && path === "/provision") {
      seen.post++;
      const body = await req.json();
      return Response.json({ id: `dev-${body.n}`, auth: req.headers.get("authorization") });
    }
    if (path === "/x") {
      seen.get++;
      const headers = new Headers();
      headers.append("set-cookie", "session=abc; Path=/; HttpOnly; Max-Age=60");
      headers.append("set-cookie", "theme=dark; Secure; Expires=Wed, 09 Jun 2027 10:18:14 GMT");
      return new Response("ok", { status: status.value, headers });
    }
    if (path === "/slow") {
      seen.other++;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return new Response("late");
    }
    if (path === "/ua") {
      seen.other++;
      return new Response(req.headers.get("user-agent"));
    }
    if (path.startsWith("/items/")) {
      seen.other++;
      return new Response(path.slice("/items/".length));
    }
    if (path === "/upload") {
      seen.other++;
      const form = await req.formData();
      const part = form.get("f") as File;
      return Response.json({
        field: form.get("a"),
        file: [part.name, part.type, await part.text()],
      });
    }
    if (path === "/redirect") {
      seen.other++;
      return new Response(null, { status: 302, headers: { location: "/x" } });
    }
    seen.other++;
    return new Response("?", { status: 404 });
  });
  return { server, seen, url: `http://127.0.0.1:${server.addr.port}` };
}

const SCRIPT = `import http from "k6/http";
import { check } from "k6";
export const options = {
  vus: 2, iterations: 6,
  thresholds: { "http_req_duration{name:x}": ["p(95)<1000"], http_req_failed: ["rate<0.01"] },
};
export async function setup() {
  const res = await http.post(__ENV.BASE.replace("http://", "http://u:p@") + "/provision", JSON.stringify({ n: 7 }), {
    headers: { "Content-Type": "application/json" },
  });
  check(res, { "provisioned": (r) => r.status === 200 && r.json().id === "dev-7" && r.json("auth") === "Basic dTpw" });
  return { id: res.json().id };
}
export default async function (data) {
  const res = await http.get(__ENV.BASE + "/x", { tags: { name: "x" } });
  check(res, {
    "status 200": (r) => r.status === 200,
    "body": (r) => r.body === "ok",
    "headers": (r) => r.headers["Content-Type"].startsWith("text/plain"),
    "timings": (r) => r.timings.duration >= r.timings.waiting && r.timings.blocked === 0,
    "cookies": (r) => r.cookies.session[0].value === "abc" && r.cookies.session[0].http_only &&
      r.cookies.session[0].path === "/" && r.cookies.session[0].max_age === 60 &&
      r.cookies.theme[0].secure && r.cookies.theme[0].expires === Date.UTC(2027, 5, 9, 10, 18, 14),
    "data": () => data.id === "dev-7",
  });
}`;

Deno.test("runner k6/http: provisioning, named requests, thresholds and failures", async (t) => {
  const dir = await TempDir.create();
  const status = { value: 200 };
  const { server, seen, url } = serve(status);
  try {
    await t.step("passing thresholds exit 0; http_reqs counts what the server saw", async () => {
      const r = await runScript(dir, SCRIPT, ["-e", `BASE=${url}`]);
      assert.equal(r.code, 0, explain(r));
      assert.equal(seen.post, 1);
      assert.equal(seen.get, 6);
      assert.equal(count(r.summary, "http_reqs"), 7);
      assert.equal(count(r.summary, "checks"), 0); // a rate has no count; see the passes below
      const m = r.summary.metrics as Record<string, Record<string, number>>;
      assert.equal(m.checks.fails, 0, explain(r));
      assert.equal(m.checks.passes, 37);
      assert.equal(m.http_req_failed.value, 0);
      assert.ok(m["http_req_duration{name:x}"].avg > 0);
      assert.ok(m.data_sent.count > 0 && m.data_received.count > 0);
      assert.equal(m.http_req_connecting.max, 0);
    });

    await t.step(
      "traffic as k6's trail: one sample per iteration and per setup",
      async () => {
        const out = `${dir.path}/points.json`;
        const r = await runScript(dir, SCRIPT, ["-e", `BASE=${url}`, "--out", `json=${out}`]);
        assert.equal(r.code, 0, explain(r));
        const points = (await Deno.readTextFile(out)).trim().split("\n").map((l) => JSON.parse(l))
          .filter((p) => p.type === "Point");
        const of = (metric: string) => points.filter((p) => p.metric === metric);
        // One sample per iteration (6) and one for setup, not one per request: k6's dialer trail.
        for (const metric of ["data_sent", "data_received"]) {
          assert.equal(of(metric).length, 7, metric);
          assert.equal(of(metric).filter((p) => p.data.tags.group === "::setup").length, 1);
        }
        // Iterations only: k6 times no setup in iteration_duration.
        assert.equal(of("iteration_duration").length, 6);
        const sent = of("data_sent").reduce((sum, p) => sum + p.data.value, 0);
        assert.equal(sent, count(r.summary, "data_sent"));
        assert.ok(of("data_sent").every((p) => p.data.value > 0), "every run made a request");
        assert.equal(count(r.summary, "iterations"), 6);
      },
    );

    await t.step(
      "the same script in k6's sync style (no await) gives the same results",
      async () => {
        const sync = SCRIPT.replaceAll("await ", "").replaceAll("async function", "function");
        assert.doesNotMatch(sync, /await|async/);
        const before = { ...seen };
        const r = await runScript(dir, sync, ["-e", `BASE=${url}`], "sync.js");
        assert.equal(r.code, 0, explain(r));
        assert.equal(seen.post - before.post, 1);
        assert.equal(seen.get - before.get, 6);
        assert.equal(count(r.summary, "http_reqs"), 7);
        const m = r.summary.metrics as Record<string, Record<string, number>>;
        assert.deepEqual([m.checks.passes, m.checks.fails], [37, 0], explain(r));
        assert.doesNotMatch(r.stderr, /Promise/, explain(r));
      },
    );
    await t.step("500s fail http_req_failed's threshold: exit 99", async () => {
      status.value = 500;
      const before = seen.get;
      const r = await runScript(dir, SCRIPT, ["-e", `BASE=${url}`]);
      assert.equal(r.code, 99, explain(r));
      assert.equal(seen.get - before, 6);
      const m = r.summary.metrics as Record<string, Record<string, number>>;
      assert.ok(m.http_req_failed.value > 0.8, explain(r));
      // k6 always makes http_req_duration{expected_response:true}: here the provisioning POST
      // alone (one sample: its min is its max), the 500s left out.
      const expected = m["http_req_duration{expected_response:true}"];
      assert.ok(expected !== undefined, explain(r));
      assert.equal(expected.min, expected.max);
      assert.match(r.stdout, /\{ expected_response:true \}/);
      status.value = 200;
    });

    await t.step(
      "a refused port: error_code 1212, http_req_failed 1, the run goes on",
      async () => {
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const port = (listener.addr as Deno.NetAddr).port;
        listener.close();
        const r = await runScript(
          dir,
          `import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 2, thresholds: { "http_reqs{error_code:1212}": ["count==2"] } };
export default async function () {
  const res = await http.get("http://127.0.0.1:${port}/", { timeout: "5s" });
  check(res, { "refused": (r) => r.status === 0 && r.error_code === 1212 && r.error !== "" });
}`,
        );
        assert.equal(r.code, 0, explain(r));
        const m = r.summary.metrics as Record<string, Record<string, number>>;
        assert.equal(m.http_req_failed.value, 1);
        assert.equal(m.checks.fails, 0, explain(r));
        assert.equal(count(r.summary, "iterations"), 2);
        // k6's warning, said once for the two.
        assert.equal(r.stderr.split('Request Failed error="dial: connection refused"').length, 2);
      },
    );

    await t.step(
      "redirects are followed (each hop a request), or not with redirects: 0",
      async () => {
        const r = await runScript(
          dir,
          `import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1 };
export default async function () {
  const followed = await http.get(__ENV.BASE + "/redirect");
  const kept = await http.get(__ENV.BASE + "/redirect", { redirects: 0, responseType: "none" });
  check(null, {
    "followed": () => followed.status === 200 && followed.url.endsWith("/x"),
    "kept": () => kept.status === 302 && kept.body === null,
  });
}`,
          ["-e", `BASE=${url}`],
        );
        assert.equal(r.code, 0, explain(r));
        const m = r.summary.metrics as Record<string, Record<string, number>>;
        assert.equal(m.checks.fails, 0, explain(r));
        assert.equal(count(r.summary, "http_reqs"), 3);
      },
    );

    await t.step(
      "http.url names its requests by template; http.file sends a multipart form",
      async () => {
        const r = await runScript(
          dir,
          `import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1, thresholds: {
  // Each interpolation is a \${}: the base URL too, as in k6.
  "http_reqs{name:\${}/items/\${}}": ["count==3"],
} };
export default function () {
  for (const id of [1, 2, 3]) {
    const res = http.get(http.url\`\${__ENV.BASE}/items/\${id}\`);
    check(res, { "item": (r) => r.body === String(id) });
  }
  const res = http.post(__ENV.BASE + "/upload", {
    a: "1",
    f: http.file("hello", "h.txt", "text/plain"),
  });
  check(res, {
    "multipart": (r) => JSON.stringify(r.json()) === '{"field":"1","file":["h.txt","text/plain","hello"]}',
  });
}`,
          ["-e", `BASE=${url}`],
        );
        assert.equal(r.code, 0, explain(r));
        const m = r.summary.metrics as Record<string, Record<string, number>>;
        assert.deepEqual([m.checks.passes, m.checks.fails], [4, 0], explain(r));
        assert.equal(count(r.summary, "http_reqs{name:${}/items/${}}"), 3, explain(r));
      },
    );

    await t.step("a request past its timeout: error_code 1050", async () => {
      const r = await runScript(
        dir,
        `import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1, thresholds: { "http_req_failed{error_code:1050}": ["rate==1"] } };
export default async function () {
  const res = await http.get(__ENV.BASE + "/slow", { timeout: "200ms" });
  check(res, { "timed out": (r) => r.status === 0 && r.error_code === 1050 && r.error === "request timeout" });
}`,
        ["-e", `BASE=${url}`],
      );
      assert.equal(r.code, 0, explain(r));
      const m = r.summary.metrics as Record<string, Record<string, number>>;
      assert.equal(m.checks.fails, 0, explain(r));
    });

    await t.step(
      "options.userAgent is the requests' User-Agent, unless one sets its own",
      async () => {
        const r = await runScript(
          dir,
          `import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1, userAgent: "MyAgent/1.0" };
export default async function () {
  const res = await http.get(__ENV.BASE + "/ua");
  const own = await http.get(__ENV.BASE + "/ua", { headers: { "User-Agent": "Mine/2" } });
  check(res, { "option": (r) => r.body === "MyAgent/1.0" });
  check(own, { "own": (r) => r.body === "Mine/2" });
}`,
          ["-e", `BASE=${url}`],
        );
        assert.equal(r.code, 0, explain(r));
        const m = r.summary.metrics as Record<string, Record<string, number>>;
        assert.equal(m.checks.passes, 2, explain(r));
      },
    );
  } finally {
    await server.shutdown();
    await dir.remove();
  }
});
