/**
 * Server-side SVG line charts for the HTML report: no script, no external
 * resource, readable when printed, with a hover tooltip per time bucket
 * (SVG `<title>`), and a "no data" panel when there is nothing to draw.
 *
 * @module
 */

import { escapeHtml } from "./_report_text.ts";

/** One line of a chart. */
export interface ChartSeries {
  /** Legend label. */
  name: string;
  /** CSS colour. */
  color: string;
  /** One value per bucket; `null` leaves a gap. */
  values: ReadonlyArray<number | null>;
  /** Shade the area under the line. */
  area?: boolean;
}

/** What {@linkcode lineChart} draws. */
export interface ChartSpec {
  /** Element id (also used by tests). */
  id: string;
  /** Heading. */
  title: string;
  /** Smaller text under the heading. */
  subtitle?: string;
  /** The lines. */
  series: readonly ChartSeries[];
  /** Width of a bucket, in ms. */
  stepMs: number;
  /** Formats a y value for ticks, legend and tooltips. */
  format: (value: number) => string;
}

const W = 600, H = 230;
const M = { left: 58, right: 14, top: 12, bottom: 30 };
const PW = W - M.left - M.right, PH = H - M.top - M.bottom;

/**
 * Renders a chart as a `<figure>` holding an inline `<svg>`.
 *
 * @param spec Title, series, time step, formatter.
 * @returns HTML.
 */
export function lineChart(spec: ChartSpec): string {
  const n = Math.max(0, ...spec.series.map((s) => s.values.length));
  const defined = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const head = `<figcaption><h3>${escapeHtml(spec.title)}</h3>${
    spec.subtitle ? `<p>${escapeHtml(spec.subtitle)}</p>` : ""
  }</figcaption>`;
  if (n === 0 || defined.length === 0) {
    return `<figure class="chart empty" id="${spec.id}" data-points="0">${head}` +
      `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.title)}: no data">` +
      `<rect class="plot" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>` +
      `<text class="nodata" x="${M.left + PW / 2}" y="${
        M.top + PH / 2
      }">no data</text></svg></figure>`;
  }
  const yTicks = niceTicks(Math.max(...defined));
  const yMax = yTicks[yTicks.length - 1];
  const durationS = (n * spec.stepMs) / 1000;
  const x = (i: number) => M.left + ((i + 0.5) / n) * PW;
  const y = (v: number) => M.top + PH - (v / yMax) * PH;
  const parts: string[] = [
    `<rect class="plot" x="${M.left}" y="${M.top}" width="${PW}" height="${PH}"/>`,
  ];
  for (const t of yTicks) {
    const ty = r(y(t));
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${ty}" y2="${ty}"/>`,
      `<text class="ylabel" x="${M.left - 6}" y="${ty}">${escapeHtml(spec.format(t))}</text>`,
    );
  }
  const timeStep = niceTimeStep(durationS);
  for (let t = 0; t <= durationS + 1e-9; t += timeStep) {
    const tx = r(M.left + (t / durationS) * PW);
    parts.push(
      `<line class="tick" x1="${tx}" x2="${tx}" y1="${M.top + PH}" y2="${M.top + PH + 4}"/>`,
      `<text class="xlabel" x="${tx}" y="${H - 10}">${formatElapsed(t)}</text>`,
    );
  }
  const halfGap = Math.min(PW / n / 2, 6);
  for (const s of spec.series) {
    const d = pathOf(s.values, x, y, halfGap);
    if (d === "") continue;
    if (s.area) {
      const area = areaOf(s.values, x, y, halfGap, M.top + PH);
      parts.push(`<path class="area" d="${area}" fill="${s.color}"/>`);
    }
    parts.push(
      `<path class="line" data-series="${escapeHtml(s.name)}" d="${d}" stroke="${s.color}">` +
        `<title>${escapeHtml(s.name)}</title></path>`,
    );
  }
  parts.push(hoverTargets(spec, n, x));
  const legend = spec.series.map((s) => {
    const vals = s.values.filter((v): v is number => v !== null);
    const peak = vals.length ? `peak ${spec.format(Math.max(...vals))}` : "no data";
    return `<li><span class="swatch" style="background:${s.color}"></span>${
      escapeHtml(s.name)
    } <span class="muted">${escapeHtml(peak)}</span></li>`;
  }).join("");
  return `<figure class="chart" id="${spec.id}" data-points="${n}">${head}` +
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.title)}">` +
    `${parts.join("")}</svg><ul class="legend">${legend}</ul></figure>`;
}

/** Invisible columns, one per bucket, whose `<title>` lists the bucket's values. */
function hoverTargets(spec: ChartSpec, n: number, x: (i: number) => number): string {
  const w = r(PW / n);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const values = spec.series.map((s) => {
      const v = s.values[i];
      return `${s.name} ${v === null || v === undefined ? "–" : spec.format(v)}`;
    });
    const t = formatElapsed((i * spec.stepMs) / 1000);
    out.push(
      `<rect class="hover" x="${r(x(i) - w / 2)}" y="${M.top}" width="${w}" height="${PH}">` +
        `<title>${escapeHtml(`${t}: ${values.join(" · ")}`)}</title></rect>`,
    );
  }
  return `<g class="hovers">${out.join("")}</g>`;
}

/** Polyline through defined values; a value alone between gaps becomes a short dash. */
function pathOf(
  values: ReadonlyArray<number | null>,
  x: (i: number) => number,
  y: (v: number) => number,
  halfGap: number,
): string {
  let d = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) continue;
    const prev = i > 0 ? values[i - 1] : null;
    const next = i + 1 < values.length ? values[i + 1] : null;
    if (prev === null && next === null) {
      d += `M${r(x(i) - halfGap)} ${r(y(v))}H${r(x(i) + halfGap)}`;
    } else {
      d += `${prev === null ? "M" : "L"}${r(x(i))} ${r(y(v))}`;
    }
  }
  return d;
}

/** Closed shapes under each run of defined values. */
function areaOf(
  values: ReadonlyArray<number | null>,
  x: (i: number) => number,
  y: (v: number) => number,
  halfGap: number,
  base: number,
): string {
  let d = "";
  let i = 0;
  while (i < values.length) {
    if (values[i] === null) {
      i++;
      continue;
    }
    const first = i;
    while (i + 1 < values.length && values[i + 1] !== null) i++;
    if (first === i) {
      const x0 = r(x(i) - halfGap), x1 = r(x(i) + halfGap), yy = r(y(values[i]!));
      d += `M${x0} ${base}L${x0} ${yy}L${x1} ${yy}L${x1} ${base}Z`;
    } else {
      d += `M${r(x(first))} ${base}`;
      for (let k = first; k <= i; k++) d += `L${r(x(k))} ${r(y(values[k]!))}`;
      d += `L${r(x(i))} ${base}Z`;
    }
    i++;
  }
  return d;
}

function r(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * Axis ticks from 0 covering `max`: the smallest step of 1, 2, 2.5 or 5 × 10ⁿ
 * that needs at most five intervals.
 */
export function niceTicks(max: number): number[] {
  if (!(max > 0)) return [0, 0.25, 0.5, 0.75, 1];
  const e = Math.pow(10, Math.floor(Math.log10(max / 5)));
  let step = 10 * e;
  for (const m of [1, 2, 2.5, 5]) {
    if (Math.ceil(max / (m * e) - 1e-9) <= 5) {
      step = m * e;
      break;
    }
  }
  const n = Math.max(1, Math.ceil(max / step - 1e-9));
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600];

function niceTimeStep(durationS: number): number {
  for (const s of TIME_STEPS) if (durationS / s <= 8) return s;
  return Math.ceil(durationS / 8 / 86400) * 86400;
}

/** `45s`, `2m`, `1m30s`, `1h5m`. */
export function formatElapsed(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), rest = s % 60;
  if (h > 0) return `${h}h${m > 0 ? `${m}m` : ""}`;
  return `${m}m${rest > 0 ? `${rest}s` : ""}`;
}
