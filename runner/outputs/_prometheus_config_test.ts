import assert from "node:assert/strict";
import { parsePrometheusRwConfig, redact } from "./_prometheus_config.ts";
import { InvalidConfigError } from "../config/options.ts";

const MARKER = "S3cr3t-PROM-77f1";

Deno.test("parsePrometheusRwConfig() has k6's defaults", () => {
  const c = parsePrometheusRwConfig({});
  assert.deepEqual(c, {
    url: "http://localhost:9090/api/v1/write",
    pushIntervalMs: 5000,
    trendStats: [{ stat: "p(99)", suffix: "p99" }],
    headers: {},
    staleMarkers: false,
    secrets: [],
    warnings: [],
  });
});

Deno.test("parsePrometheusRwConfig() reads every K6_PROMETHEUS_RW_* variable it supports", () => {
  const c = parsePrometheusRwConfig({
    K6_PROMETHEUS_RW_SERVER_URL: "https://prom.example/api/v1/write",
    K6_PROMETHEUS_RW_PUSH_INTERVAL: "1m30s",
    K6_PROMETHEUS_RW_TREND_STATS: "p(95),p(99),min,max,avg,med,count,sum",
    K6_PROMETHEUS_RW_USERNAME: "user",
    K6_PROMETHEUS_RW_PASSWORD: MARKER,
    "K6_PROMETHEUS_RW_HEADERS_X-Scope-OrgID": "tenant-1",
    K6_PROMETHEUS_RW_HTTP_HEADERS: "X-Api-Key:k1,X-Other:k2",
    K6_PROMETHEUS_RW_STALE_MARKERS: "true",
    K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: "true",
    K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY: "1",
    OTHER: "ignored",
  });
  assert.equal(c.url, "https://prom.example/api/v1/write");
  assert.equal(c.pushIntervalMs, 90_000);
  assert.deepEqual(c.trendStats.map((s) => s.suffix), [
    "p95",
    "p99",
    "min",
    "max",
    "avg",
    "med",
    "count",
    "sum",
  ]);
  assert.deepEqual(c.headers, {
    "X-Scope-OrgID": "tenant-1",
    "X-Api-Key": "k1",
    "X-Other": "k2",
    Authorization: `Basic ${btoa(`user:${MARKER}`)}`,
  });
  assert.equal(c.staleMarkers, true);
  assert.equal(c.warnings.length, 2);
  assert.match(c.warnings.join("\n"), /NATIVE_HISTOGRAM is not supported/);
  assert.match(c.warnings.join("\n"), /INSECURE_SKIP_TLS_VERIFY is not supported/);
  for (const secret of [MARKER, "tenant-1", "k1", "k2", btoa(`user:${MARKER}`)]) {
    assert.ok(c.secrets.includes(secret), secret);
  }
});

Deno.test("parsePrometheusRwConfig() takes URL credentials out of the URL as basic auth", () => {
  const c = parsePrometheusRwConfig({
    K6_PROMETHEUS_RW_SERVER_URL: `http://bob:${encodeURIComponent(MARKER + "/x")}@127.0.0.1:9090/w`,
  });
  assert.equal(c.url, "http://127.0.0.1:9090/w");
  assert.equal(c.headers.Authorization, `Basic ${btoa(`bob:${MARKER}/x`)}`);
  assert.equal(
    redact(`failed for ${MARKER}/x and ${encodeURIComponent(MARKER + "/x")}`, c.secrets),
    "failed for *** and ***",
  );
});

Deno.test("parsePrometheusRwConfig(): a bearer token wins over basic auth, as in k6", () => {
  const c = parsePrometheusRwConfig({
    K6_PROMETHEUS_RW_USERNAME: "u",
    K6_PROMETHEUS_RW_BEARER_TOKEN: MARKER,
  });
  assert.equal(c.headers.Authorization, `Bearer ${MARKER}`);
  assert.ok(c.secrets.includes(MARKER));
});

Deno.test("parsePrometheusRwConfig() lists every problem and quotes no secret", () => {
  let error: unknown;
  try {
    parsePrometheusRwConfig({
      K6_PROMETHEUS_RW_SERVER_URL: "ftp://x",
      K6_PROMETHEUS_RW_PUSH_INTERVAL: "soon",
      K6_PROMETHEUS_RW_TREND_STATS: "p(99),p99,mean",
      K6_PROMETHEUS_RW_HTTP_HEADERS: `Good:v,Bad-${MARKER}`,
      K6_PROMETHEUS_RW_STALE_MARKERS: "yes",
      K6_PROMETHEUS_RW_PASSWORD: MARKER,
    });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof InvalidConfigError);
  assert.deepEqual(error.problems, [
    "K6_PROMETHEUS_RW_SERVER_URL must be an http or https URL",
    'K6_PROMETHEUS_RW_PUSH_INTERVAL "soon" is not a positive duration',
    'K6_PROMETHEUS_RW_TREND_STATS: "p99" is not a trend statistic',
    'K6_PROMETHEUS_RW_TREND_STATS: "mean" is not a trend statistic',
    "K6_PROMETHEUS_RW_HTTP_HEADERS: header 2 does not respect the expected format <header key>:<value>",
    'K6_PROMETHEUS_RW_STALE_MARKERS "yes" is not a boolean',
  ]);
  assert.doesNotMatch(error.message + error.stack, new RegExp(MARKER));
});
