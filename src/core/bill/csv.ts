/**
 * Plain RFC 4180 CSV, for what wxpay writes (normalised bills, findings)
 * and for merchants' order exports, which quote cells that hold commas,
 * quotes or line breaks. WeChat's own bill format is not this CSV (see
 * rows.ts: backtick cells, no quoting).
 */

const NEEDS_QUOTES = /[",\r\n]/;

/** One cell, quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (without the line break). */
export function csvLine(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i) line += ',';
    line += csvCell(values[i]);
  }
  return line;
}

/**
 * Splits one CSV record. Returns undefined when a quoted cell is still
 * open at the end of `line`: the record continues on the next line, and
 * the caller joins the two with "\n" and tries again.
 */
export function splitCsvRecord(line: string): string[] | undefined {
  if (line.indexOf('"') < 0) return line.split(',');
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) !== 34) {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        cells.push(line.slice(i));
        return cells;
      }
      cells.push(line.slice(i, comma));
      i = comma + 1;
      continue;
    }
    const cell = quotedCell(line, i + 1);
    if (!cell) return undefined;
    cells.push(cell.value);
    if (cell.end >= line.length) return cells;
    i = cell.end + 1;
  }
}

/** Reads a quoted cell starting after its opening quote. */
function quotedCell(
  line: string,
  start: number,
): { value: string; end: number } | undefined {
  let value = '';
  let from = start;
  for (;;) {
    const quote = line.indexOf('"', from);
    if (quote < 0) return undefined;
    value += line.slice(from, quote);
    if (line.charCodeAt(quote + 1) === 34) {
      value += '"';
      from = quote + 2;
      continue;
    }
    // Text between the closing quote and the next comma is kept, as
    // spreadsheet programs do.
    const comma = line.indexOf(',', quote + 1);
    const end = comma < 0 ? line.length : comma;
    return { value: value + line.slice(quote + 1, end), end };
  }
}
