import { csvLine } from '../../../core/bill/csv.js';
import type {
  BillLayout,
  BillRow,
  BillTotals,
  NoBill,
} from '../../../core/bill/index.js';
import type { StdoutWriter } from './out-stream.js';

/**
 * The output shapes of `bill parse`. Each writes rows as they arrive, so
 * even the json document is streamed: memory does not grow with the bill.
 */
export interface BillWriter {
  begin(layout: BillLayout): Promise<void>;
  rows(rows: BillRow[]): Promise<void>;
  end(totals: BillTotals, layout: BillLayout): Promise<void>;
  noBill(answer: NoBill): Promise<void>;
  /**
   * The bill turned out bad part way: ends the output so that it stays
   * well formed (json: the document gets an `error` member; ndjson: a last
   * `{"error":…}` line; csv simply stops).
   */
  fail(error: ErrorFacts): Promise<void>;
}

/** What a failed parse says in the output: the error's code and text. */
export interface ErrorFacts {
  code: string;
  message: string;
}

export type BillFormatName = 'json' | 'ndjson' | 'csv';

/** What follows the rows: the summary line and how the rows compare. */
function closing(totals: BillTotals) {
  return {
    row_count: totals.row_count,
    summary: totals.summary ?? null,
    checks: totals.checks,
  };
}

function noBillRecord(answer: NoBill) {
  return {
    no_bill: true,
    return_code: answer.return_code,
    return_msg: answer.return_msg,
    error_code: answer.error_code,
  };
}

/** One JSON document; one row per line inside its `rows` array. */
class JsonWriter implements BillWriter {
  private first = true;
  private open = false;
  constructor(private readonly out: StdoutWriter) {}

  async begin(layout: BillLayout) {
    const head = { bill_type: layout.bill_type, format: layout.format };
    await this.out.write(`${JSON.stringify(head).slice(0, -1)},"rows":[`);
    this.open = true;
  }

  async rows(rows: BillRow[]) {
    let text = '';
    for (const row of rows) {
      text += `${this.first ? '' : ','}\n${JSON.stringify(row)}`;
      this.first = false;
    }
    await this.out.write(text);
  }

  async end(totals: BillTotals) {
    this.open = false;
    const rest = JSON.stringify(closing(totals), null, 2);
    await this.out.write(`\n],\n${rest.slice(rest.indexOf('\n') + 1)}\n`);
  }

  async noBill(answer: NoBill) {
    const document = { ...noBillRecord(answer), rows: [] };
    await this.out.write(`${JSON.stringify(document, null, 2)}\n`);
  }

  async fail(error: ErrorFacts) {
    if (!this.open) return;
    this.open = false;
    const rest = JSON.stringify({ error }, null, 2);
    await this.out.write(`\n],\n${rest.slice(rest.indexOf('\n') + 1)}\n`);
  }
}

/** A row per line, then one summary line (unless rows only). */
class NdjsonWriter implements BillWriter {
  constructor(
    private readonly out: StdoutWriter,
    private readonly rowsOnly: boolean,
  ) {}

  async begin() {}

  async rows(rows: BillRow[]) {
    await this.out.write(
      `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`,
    );
  }

  async end(totals: BillTotals, layout: BillLayout) {
    if (this.rowsOnly) return;
    const line = {
      bill_type: layout.bill_type,
      format: layout.format,
      ...closing(totals),
    };
    await this.out.write(`${JSON.stringify(line)}\n`);
  }

  async noBill(answer: NoBill) {
    if (this.rowsOnly) return;
    await this.out.write(`${JSON.stringify(noBillRecord(answer))}\n`);
  }

  /** Written even with --rows-only: a reader must see the rows are cut. */
  async fail(error: ErrorFacts) {
    await this.out.write(`${JSON.stringify({ error })}\n`);
  }
}

/** Normalised CSV: English keys, amounts as integers, quoted when needed. */
class CsvWriter implements BillWriter {
  private cells: ((row: BillRow) => unknown)[] = [];
  constructor(private readonly out: StdoutWriter) {}

  async begin(layout: BillLayout) {
    this.cells = layout.columns.map((column) =>
      column.known
        ? (row: BillRow) =>
            (row as unknown as Record<string, unknown>)[column.key]
        : (row: BillRow) => row.extra?.[column.header],
    );
    await this.out.write(`${csvLine(layout.columns.map((c) => c.key))}\n`);
  }

  async rows(rows: BillRow[]) {
    let text = '';
    for (const row of rows) {
      text += `${csvLine(this.cells.map((cell) => cell(row)))}\n`;
    }
    await this.out.write(text);
  }

  async end() {}
  async noBill() {}
  /** CSV has no place for an error: the rows stop, stderr says why. */
  async fail() {}
}

export function billWriter(
  format: BillFormatName,
  out: StdoutWriter,
  rowsOnly: boolean,
): BillWriter {
  if (format === 'json') return new JsonWriter(out);
  if (format === 'csv') return new CsvWriter(out);
  return new NdjsonWriter(out, rowsOnly);
}
