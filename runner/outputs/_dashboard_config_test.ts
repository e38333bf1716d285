import assert from "node:assert/strict";
import { DASHBOARD_DEFAULTS, dashboardConfig, dashboardUrl } from "./_dashboard_config.ts";

Deno.test("dashboardConfig() defaults to k6's, but on loopback", () => {
  const c = dashboardConfig("", {});
  assert.deepEqual(c, { ...DASHBOARD_DEFAULTS, ignored: [] });
  assert.deepEqual([c.host, c.port, c.periodMs, c.open, c.export], [
    "127.0.0.1",
    5665,
    10_000,
    false,
    "",
  ]);
});

Deno.test("dashboardConfig() reads K6_WEB_DASHBOARD_*, and the argument wins", () => {
  const env = {
    K6_WEB_DASHBOARD_HOST: "0.0.0.0",
    K6_WEB_DASHBOARD_PORT: "8080",
    K6_WEB_DASHBOARD_PERIOD: "1s",
    K6_WEB_DASHBOARD_OPEN: "true",
    K6_WEB_DASHBOARD_EXPORT: "env.html",
  };
  const c = dashboardConfig("", env);
  assert.deepEqual([c.host, c.port, c.periodMs, c.open, c.export], [
    "0.0.0.0",
    8080,
    1000,
    true,
    "env.html",
  ]);
  const d = dashboardConfig("port=-1&period=2m&export=arg.html&host=::1", env);
  assert.deepEqual([d.host, d.port, d.periodMs, d.export], ["::1", -1, 120_000, "arg.html"]);
});

Deno.test("dashboardConfig() follows k6's details: report alias, open, empty values", () => {
  assert.equal(dashboardConfig("", { K6_WEB_DASHBOARD_REPORT: "r.html" }).export, "r.html");
  assert.equal(
    dashboardConfig("", { K6_WEB_DASHBOARD_REPORT: "r", K6_WEB_DASHBOARD_EXPORT: "e" }).export,
    "e",
  );
  assert.equal(dashboardConfig("report=q.html", {}).export, "q.html");
  assert.equal(dashboardConfig("open", {}).open, true);
  assert.equal(dashboardConfig("open=false", {}).open, false);
  assert.equal(dashboardConfig("", { K6_WEB_DASHBOARD_OPEN: "1" }).open, false, "env: true only");
  assert.equal(dashboardConfig("", { K6_WEB_DASHBOARD_HOST: "" }).host, "127.0.0.1");
  assert.equal(dashboardConfig("port=", { K6_WEB_DASHBOARD_PORT: "0" }).port, 0);
  assert.deepEqual(dashboardConfig("record=x.json&tag=a&tag=b", {}).ignored, ["record", "tag"]);
});

Deno.test("dashboardConfig() refuses bad ports, periods and unknown parameters", () => {
  for (const port of ["x", "-2", "65536", "1.5", " "]) {
    assert.throws(() => dashboardConfig("", { K6_WEB_DASHBOARD_PORT: port }), RangeError, port);
  }
  assert.throws(() => dashboardConfig("period=soon", {}), /Invalid period "soon"/);
  assert.throws(() => dashboardConfig("", { K6_WEB_DASHBOARD_PERIOD: "10" }), /100ms or more/);
  assert.throws(() => dashboardConfig("prot=1", {}), /unknown web-dashboard parameter "prot"/);
});

Deno.test("dashboardUrl() shows a wildcard host as 127.0.0.1 and brackets IPv6", () => {
  assert.equal(dashboardUrl("127.0.0.1", 5665), "http://127.0.0.1:5665");
  assert.equal(dashboardUrl("0.0.0.0", 1), "http://127.0.0.1:1");
  assert.equal(dashboardUrl("::", 2), "http://127.0.0.1:2");
  assert.equal(dashboardUrl("localhost", 3), "http://localhost:3");
  assert.equal(dashboardUrl("::1", 4), "http://[::1]:4");
});
