/**
 * Plain-text tables for benchmark output.
 *
 * @module
 */

/**
 * Formats rows as an aligned table with a header rule; numbers are right-aligned.
 *
 * @param header Column titles.
 * @param rows Cells (strings or numbers, already rounded as wanted).
 * @returns The table text.
 */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[], numeric: boolean[]) =>
    row.map((cell, i) => numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join("  ");
  const numeric = header.map((_, i) => rows.some((row) => typeof row[i] === "number"));
  return [
    line(header, numeric),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map((row) => line(row.map(String), numeric)),
  ].join("\n");
}

/**
 * Rounds to a sensible number of digits for a table.
 *
 * @param value The number.
 * @param digits Fraction digits (default 0).
 * @returns The rounded number, or NaN unchanged.
 */
export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * A ratio `a / b` with two decimals, or `"-"` when either side is missing.
 *
 * @param a Numerator.
 * @param b Denominator.
 * @returns The ratio text.
 */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return "-";
  }
  return (a / b).toFixed(2);
}
