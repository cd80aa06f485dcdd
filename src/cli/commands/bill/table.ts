import { stringWidth } from './width.js';

/**
 * A plain text table for terminals: columns padded to their widest cell
 * (wide CJK characters count as two), numbers aligned right.
 */
export function formatTable(
  header: string[],
  rows: string[][],
  rightAligned: ReadonlySet<number> = new Set(),
): string[] {
  const widths = header.map((title, i) =>
    Math.max(
      stringWidth(title),
      ...rows.map((row) => stringWidth(row[i] ?? '')),
    ),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i] - stringWidth(cell)));
        return rightAligned.has(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
