/**
 * Looks at the HTML report as a person would: renders a realistic run, opens
 * the file in headless Chromium (Debian package `chromium`), dumps the DOM the
 * browser built and takes a screenshot, then checks that every chart drew
 * lines, that the thresholds are listed, and that the picture really shows
 * the charts' colours. With `MQLOAD_UPDATE_SCREENSHOT=1` the screenshot is
 * also saved as `docs/report.png` (the README's picture).
 *
 * Without Chromium the test is skipped, except when `CI=true`: then it fails.
 */

import assert from "node:assert/strict";
import { renderHtmlReport } from "../runner/outputs/html_report.ts";
import { assertChromium, needsChromium, runChromium } from "./fixtures/chromium.ts";
import { decodePng } from "./fixtures/png.ts";
import { syntheticRun } from "./fixtures/synthetic_run.ts";

const WIDTH = 1280, HEIGHT = 2000;

/** Runs Chromium headless on `url` at the report's window size, killed after 60 s at most. */
function chromium(profile: string, url: string, ...args: string[]): Promise<string> {
  return runChromium({
    profile,
    url,
    args: ["--hide-scrollbars", `--window-size=${WIDTH},${HEIGHT}`, ...args],
    timeoutMs: 60_000,
  });
}

/** The outer HTML of the element with this id (figures and tables do not nest in the report). */
function element(dom: string, tag: string, id: string): string {
  const start = dom.search(new RegExp(`<${tag}[^>]*\\bid="${id}"`));
  assert.ok(start >= 0, `no <${tag} id="${id}"> in the DOM`);
  const end = dom.indexOf(`</${tag}>`, start);
  return dom.slice(start, end);
}

/** Number of pixels within `tolerance` (per channel) of the colour `#rrggbb`. */
function countColour(png: { pixels: Uint8Array; channels: number }, hex: string, tolerance = 24) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < png.pixels.length; i += png.channels) {
    if (
      Math.abs(png.pixels[i] - r) <= tolerance && Math.abs(png.pixels[i + 1] - g) <= tolerance &&
      Math.abs(png.pixels[i + 2] - b) <= tolerance
    ) n++;
  }
  return n;
}

Deno.test({
  name: "HTML report: Chromium draws every chart, the thresholds and the run's colours",
  ...needsChromium,
  async fn() {
    assertChromium();
    const dir = await Deno.makeTempDir({ prefix: "mqload_report_" });
    try {
      const run = syntheticRun();
      const html = renderHtmlReport({
        ...run,
        title: "sensors.ts",
        generatedAt: new Date(Date.UTC(2025, 5, 1, 9, 31, 5)),
      });
      const file = `${dir}/report.html`;
      await Deno.writeTextFile(file, html);
      const url = new URL(`file://${file}`).href;

      const dom = await chromium(`${dir}/profile-dom`, url, "--dump-dom");
      for (const id of ["chart-vus", "chart-messages", "chart-errors"]) {
        const figure = element(dom, "figure", id);
        assert.ok(!figure.includes("no data"), `${id} says "no data"`);
        assert.match(
          figure,
          /<path class="line"[^>]* d="M[\d.]+ [\d.]+L[^"]+"/,
          `${id} has a line`,
        );
      }
      for (const id of ["chart-connect", "chart-publish", "chart-latency"]) {
        const figure = element(dom, "figure", id);
        for (const p of ["p50", "p95", "p99"]) {
          assert.match(
            figure,
            new RegExp(`<path class="line" data-series="${p}" d="M[\\d.]+ [\\d.]+L[^"]+"`),
            `${id} draws ${p}`,
          );
        }
      }
      const table = element(dom, "table", "thresholds");
      const rows = table.match(/<tr class="threshold (ok|bad)">/g) ?? [];
      assert.equal(rows.length, run.thresholds.length);
      assert.equal(rows.filter((r) => r.includes("bad")).length, 1);
      assert.match(table, /p\(99\)&lt;30/);
      assert.match(dom, /1 of 6 thresholds failed/);
      assert.ok(!dom.includes("s3cr3t-pa55"), "secrets are redacted");

      const shot = `${dir}/report.png`;
      await chromium(`${dir}/profile-shot`, url, `--screenshot=${shot}`);
      const bytes = await Deno.readFile(shot);
      assert.ok(bytes.length > 50_000, `screenshot is only ${bytes.length} bytes`);
      const png = await decodePng(bytes);
      assert.deepEqual([png.width, png.height], [WIDTH, HEIGHT]);
      // The page background, and each chart's ink: VUs, sent, received, errors, percentiles.
      assert.equal(countColour(png, "#f3f4f6", 0) > WIDTH * 100, true, "page background");
      for (const colour of ["#7c3aed", "#2563eb", "#059669", "#dc2626", "#0891b2", "#d97706"]) {
        const n = countColour(png, colour);
        assert.ok(n > 300, `colour ${colour}: only ${n} pixels`);
      }
      if (Deno.env.get("MQLOAD_UPDATE_SCREENSHOT") === "1") {
        await Deno.copyFile(shot, new URL("../docs/report.png", import.meta.url));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
