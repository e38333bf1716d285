/**
 * The web dashboard's page: the HTML report's look (its stylesheet, cards, charts, thresholds
 * and checks) drawn from a {@linkcode DashboardState}, plus a small inline script that listens
 * to `/events` and redraws the same parts from each event's state. Self-contained: no external
 * resource, and the server sends a Content-Security-Policy that forbids any.
 *
 * @module
 */

import type { DashboardFigure, DashboardState } from "./_dashboard_state.ts";
import { REPORT_CSS } from "./_report_style.ts";
import { compactJson, escapeHtml, redactSecrets } from "./_report_text.ts";

/** What the page shows besides the state. */
export interface DashboardPageInput {
  /** Heading: the script's name. */
  title: string;
  /** The state now (the page is complete without its script). */
  state: DashboardState;
  /** The run's options, shown with secrets redacted. */
  options: unknown;
  /** Seconds between live updates. */
  periodMs: number;
}

/** The Content-Security-Policy the page is served with: nothing but itself and `/events`. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
  "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

const CSS = `
.status.live { background: #e0e7ff; color: var(--accent); }
td.verdict.pending span { background: #e5e7eb; color: var(--muted); }
.cards.live .card { border-color: #c7d2fe; }
.conn { color: var(--muted); font-size: 12px; }
`;

// Redraws the parts the state names; counts events in <body data-events>, for tests and people.
const SCRIPT = `
"use strict";
(() => {
  let events = 0;
  const conn = document.getElementById("conn");
  const apply = (state) => {
    for (const [id, html] of Object.entries(state.html)) {
      const el = document.getElementById("part-" + id);
      if (el) el.innerHTML = html;
    }
    for (const f of [...state.live.figures, ...state.totals]) {
      const el = document.getElementById("fig-" + f.id);
      if (!el) continue;
      el.textContent = f.text;
      el.dataset.value = f.value === null ? "" : String(f.value);
    }
    const second = document.getElementById("live-second");
    if (second) second.textContent = state.live.second === null ? "" : "second " + state.live.second;
    document.body.dataset.phase = state.phase;
    document.body.dataset.events = String(++events);
  };
  if (typeof EventSource !== "function") return;
  const source = new EventSource("events");
  const on = (e) => {
    try { apply(JSON.parse(e.data)); } catch (err) { conn.textContent = "bad event: " + err; }
  };
  // ?updates=N: stop listening after N events (a still picture, for headless browsers).
  const limit = Number(new URLSearchParams(location.search).get("updates")) || Infinity;
  source.addEventListener("snapshot", (e) => {
    on(e);
    if (events >= limit) { source.close(); conn.textContent = "paused after " + events + " updates"; }
  });
  source.addEventListener("stop", (e) => { on(e); source.close(); conn.textContent = "test ended"; });
  source.onopen = () => { conn.textContent = "live"; };
  source.onerror = () => { if (source.readyState !== 1) conn.textContent = "disconnected"; };
})();
`;

/**
 * Renders the page.
 *
 * @param input Title, state, options and period.
 * @returns A complete HTML document.
 *
 * @example Usage
 * ```ts
 * import { renderDashboardPage } from "./_dashboard_page.ts";
 * import { DashboardData } from "./_dashboard_state.ts";
 * import assert from "node:assert/strict";
 *
 * const html = renderDashboardPage({
 *   title: "t.js", state: new DashboardData().state(0), options: { password: "x1y2" }, periodMs: 1000,
 * });
 * assert.match(html, /<body data-phase="waiting" data-events="0">/);
 * assert.ok(!html.includes("x1y2") && !/https?:\/\//.test(html));
 * ```
 */
export function renderDashboardPage(input: DashboardPageInput): string {
  const { state } = input;
  const cards = (figures: readonly DashboardFigure[], live: boolean) =>
    `<section class="cards${live ? " live" : ""}">${
      figures.map((f) =>
        `<div class="card"><div class="label">${escapeHtml(f.label)}</div>` +
        `<div class="value" id="fig-${f.id}" data-value="${f.value ?? ""}">${
          escapeHtml(f.text)
        }</div></div>`
      ).join("")
    }</section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)} · mqload dashboard</title>
<style>${REPORT_CSS}${CSS}</style>
</head>
<body data-phase="${state.phase}" data-events="0">
<main>
<header class="top"><h1><span class="brand">mqload</span> ${escapeHtml(input.title)}</h1>` +
    `<span id="part-status">${state.html.status}</span></header>
<p class="meta">Live dashboard · updated every ${input.periodMs / 1000} s · ` +
    `<span id="conn" class="conn">connecting…</span></p>
<h2>Last second <span id="live-second" class="muted">${
      state.live.second === null ? "" : `second ${state.live.second}`
    }</span></h2>
${cards(state.live.figures, true)}
<h2>So far</h2>
${cards(state.totals, false)}
<h2>Over time</h2>
<section class="charts" id="part-charts">${state.html.charts}</section>
<h2>Thresholds</h2>
<div id="part-thresholds">${state.html.thresholds}</div>
<div id="part-checks">${state.html.checks}</div>
<h2>Options</h2>
<details><summary>Options used (secrets redacted)</summary><pre id="options">${
      escapeHtml(compactJson(redactSecrets(input.options ?? {})))
    }</pre></details>
<footer>mqload web dashboard. The HTML report (--report or K6_WEB_DASHBOARD_EXPORT) keeps the run.</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
