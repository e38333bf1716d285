/**
 * The HTML report's stylesheet: system fonts only, light, print-friendly.
 *
 * @module
 */

export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --panel: #ffffff;
  --bg: #f3f4f6; --ok: #15803d; --ok-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2; --accent: #4f46e5; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1220px; margin: 0 auto; padding: 24px 24px 40px; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 20px; margin-bottom: 4px; }
header.top h1 { font-size: 24px; margin: 0; font-weight: 650; letter-spacing: -0.01em; }
header.top .brand { color: var(--accent); font-weight: 700; }
.meta { color: var(--muted); margin: 0 0 20px; }
.status { display: inline-flex; align-items: center; gap: 6px; padding: 4px 12px; border-radius: 999px;
  font-weight: 600; font-size: 13px; }
.status.ok, td.verdict.ok span { background: var(--ok-bg); color: var(--ok); }
.status.bad, td.verdict.bad span { background: var(--bad-bg); color: var(--bad); }
.status.none { background: #e5e7eb; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 12px; margin-bottom: 20px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 22px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.card.bad .value { color: var(--bad); }
h2 { font-size: 17px; margin: 28px 0 10px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px; }
figure.chart { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  padding: 12px 14px 8px; }
figure.chart h3 { margin: 0; font-size: 14px; font-weight: 620; }
figure.chart figcaption p { margin: 0; color: var(--muted); font-size: 12px; }
figure.chart svg { display: block; width: 100%; height: auto; margin-top: 6px; }
svg .plot { fill: #fafafa; stroke: var(--line); }
svg .grid { stroke: #e5e7eb; stroke-dasharray: 3 3; }
svg .tick { stroke: #9ca3af; }
svg text { font-size: 12px; fill: var(--muted); font-family: inherit; }
svg .ylabel { text-anchor: end; dominant-baseline: middle; }
svg .xlabel { text-anchor: middle; }
svg .nodata { text-anchor: middle; dominant-baseline: middle; font-size: 15px; fill: #9ca3af; }
svg .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg .area { opacity: 0.12; stroke: none; }
svg .hover { fill: transparent; }
svg .hover:hover { fill: rgba(79, 70, 229, 0.08); }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 4px 0 0; padding: 0;
  font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px;
  vertical-align: -1px; }
.muted { color: var(--muted); }
table { width: 100%; border-collapse: collapse; background: var(--panel); border: 1px solid var(--line);
  border-radius: 10px; overflow: hidden; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 7px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f9fafb; font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase;
  letter-spacing: .03em; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.verdict span { display: inline-block; padding: 1px 9px; border-radius: 999px; font-weight: 600; font-size: 12px; }
td code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
td.sub { padding-left: 28px; color: var(--muted); }
details { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
details summary { cursor: pointer; font-weight: 600; }
pre { margin: 10px 0 0; overflow: auto; max-height: 480px; font-size: 12.5px; line-height: 1.5;
  font-family: ui-monospace, "SFMono-Regular", Menlo, "DejaVu Sans Mono", monospace; }
.empty-note { color: var(--muted); background: var(--panel); border: 1px dashed var(--line); border-radius: 10px;
  padding: 12px 14px; margin: 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; }
@media print { body { background: #fff; } .charts { grid-template-columns: 1fr 1fr; } }
`;
