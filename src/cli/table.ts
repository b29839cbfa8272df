// Renders rows as a plain-text table with aligned columns; colour is applied after padding so widths stay right.
import type { Palette } from "./terminal.js";

/**
 * Column-aligned lines: a bold header row, then one line per row. Cells are plain text.
 * @example renderTable(["ID", "MODE"], [["rate_limit", "strict"]], palette)
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], paint: Palette): string[] {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[], style: (text: string) => string) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .map(style)
      .join("  ")
      .trimEnd();
  return [line(headers, paint.bold), ...rows.map((row) => line(row, (text) => text))];
}
