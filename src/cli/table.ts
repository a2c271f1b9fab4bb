/** A plain text table: columns padded to their widest cell; `paint` colours a cell after padding is measured. */
import type { colours } from './output';

export function renderTable(
  head: string[],
  rows: string[][],
  c: ReturnType<typeof colours>,
  paint: (column: number, cell: string, row: number) => string = (_, cell) => cell,
): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => Array.from(r[i]).length)));
  const line = (cells: string[], row?: number) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i] - Array.from(cell).length));
        return (row === undefined ? cell : paint(i, cell, row)) + pad;
      })
      .join('  ')
      .trimEnd();
  return [c.dim(line(head)), ...rows.map((r, i) => line(r, i))].join('\n');
}
