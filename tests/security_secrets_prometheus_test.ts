// Secrets of --out experimental-prometheus-rw stay secret: a marker password, bearer token,
// header values and URL credentials never show up in the banner, the logs, the summary or the
// exports — when the endpoint is unreachable, and when it refuses and echoes the request's
// headers back in its error body.
import assert from "node:assert/strict";
import { startBroker } from "../runner/cli/broker.ts";
import { mqload, type RunResult, TempDir } from "./_runner_helpers.ts";
import { secretChecker, spellingsOf } from "./fixtures/secrets.ts";

const MARKER = "S3cr3t-PROMRW-3b9e";
/**
 * Fails when a text holds the marker as is, URL-encoded or base64, or basic auth as sent: the
 * marker inside base64 of user:password (its first 16 characters).
 */
const assertClean = secretChecker([...spellingsOf(MARKER), btoa(`alice:${MARKER}`).slice(0, 16)]);

const SCRIPT = `
import { Client } from "k6/x/mqtt";
export const options = { vus: 1, iterations: 3 };
export default async function () {
  const client = new Client();
  await client.connectAsync(__ENV.BROKER);
  await client.publishAsync("sec/prom", "x", { qos: 1 });
  await client.endAsync();
}
`;

async function runWith(
  dir: TempDir,
  broker: string,
  env: Record<string, string>,
): Promise<RunResult> {
  const script = await dir.write("prom_secrets.js", SCRIPT);
  return await mqload([
    "run",
    "-e",
    `BROKER=${broker}`,
    "--out",
    "experimental-prometheus-rw",
    "--out",
    `json=${dir.path}/points.ndjson`,
    "--summary-export",
    `${dir.path}/summary.json`,
    script,
  ], env);
}

async function assertRunClean(dir: TempDir, r: RunResult, label: string): Promise<void> {
  assert.equal(r.code, 0, `${label}: exit ${r.code}\n${r.stderr}`);
  assert.match(
    r.stderr,
    /output: .*Prometheus remote write \(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write\)/,
  );
  assert.match(r.stderr, /samples were not delivered/, `${label}: the failure was reported`);
  assertClean(`${label}: stdout`, r.stdout);
  assertClean(`${label}: stderr`, r.stderr);
  assertClean(`${label}: --summary-export`, await dir.read("summary.json"));
  assertClean(`${label}: --out json`, await dir.read("points.ndjson"));
}

function secretEnv(url: string, credentialsInUrl = false): Record<string, string> {
  const u = new URL(url);
  if (credentialsInUrl) {
    u.username = "alice";
    u.password = encodeURIComponent(MARKER);
  }
  return {
    K6_PROMETHEUS_RW_SERVER_URL: u.href,
    K6_PROMETHEUS_RW_PUSH_INTERVAL: "200ms",
    ...(credentialsInUrl
      ? {}
      : { K6_PROMETHEUS_RW_USERNAME: "alice", K6_PROMETHEUS_RW_PASSWORD: MARKER }),
    "K6_PROMETHEUS_RW_HEADERS_X-Api-Key": `${MARKER}-header`,
    K6_PROMETHEUS_RW_HTTP_HEADERS: `X-Tenant:${MARKER}-tenant`,
  };
}

Deno.test("security: --out experimental-prometheus-rw prints, exports and reports no secret", async (t) => {
  const broker = await startBroker();
  const dir = await TempDir.create();
  // A hostile endpoint: refuses every push and echoes the request's headers in its error body.
  const echo = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.arrayBuffer();
    return new Response(JSON.stringify([...req.headers]), { status: 401 });
  });
  try {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closed = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const unreachable = `http://127.0.0.1:${closed}/api/v1/write`;
    const echoing = `http://127.0.0.1:${echo.addr.port}/api/v1/write`;
    for (
      const [label, url, inUrl] of [
        ["unreachable", unreachable, false],
        ["unreachable, URL credentials", unreachable, true],
        ["echoing endpoint", echoing, false],
        ["echoing endpoint, URL credentials", echoing, true],
      ] as const
    ) {
      await t.step(label, async () => {
        const r = await runWith(dir, broker.url, secretEnv(url, inUrl));
        if (url === echoing) assert.match(r.stderr, /got status code: 401/, r.stderr);
        await assertRunClean(dir, r, label);
      });
    }
    await t.step("a malformed header list names no value", async () => {
      const r = await runWith(dir, broker.url, {
        K6_PROMETHEUS_RW_SERVER_URL: unreachable,
        K6_PROMETHEUS_RW_HTTP_HEADERS: `X-Tenant=${MARKER}`,
      });
      assert.equal(r.code, 104, r.stderr);
      assert.match(r.stderr, /HTTP_HEADERS: header 1 does not respect the expected format/);
      assertClean("stderr", r.stderr);
      assertClean("stdout", r.stdout);
    });
  } finally {
    await echo.shutdown();
    await broker.close();
    await dir.remove();
  }
});
