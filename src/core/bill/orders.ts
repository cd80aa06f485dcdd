import { InputError, UsageError } from '../errors.js';
import { splitCsvRecord } from './csv.js';
import {
  checkEncoding,
  jsonValue,
  Normaliser,
  parseJsonLine,
  utf8Cell,
} from './order-cells.js';
import {
  crOnlyLineEnds,
  latin1ToUtf8,
  lineBatches,
  plainBytes,
  type ByteSource,
} from './source.js';

/**
 * The merchant's own orders, as exported from their system: CSV with a
 * header line, or NDJSON (one JSON object per line). Only four fields
 * matter, found through a column mapping; every other column is ignored.
 */

export const ORDER_FIELDS = [
  'out_trade_no',
  'amount',
  'status',
  'refund',
] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];

/** Column names tried when the mapping does not name one. */
const DEFAULT_COLUMNS: Record<OrderField, string[]> = {
  out_trade_no: ['out_trade_no'],
  amount: ['amount', 'total_fee'],
  status: ['status', 'trade_state'],
  refund: ['refund', 'refund_fee'],
};

export interface OrdersOptions {
  /** Detected from the first character when absent (`{` = NDJSON). */
  format?: 'csv' | 'ndjson';
  /** Order field → column name in the file. */
  map?: Partial<Record<OrderField, string>>;
  /** Unit of the amount and refund columns (default fen). */
  amountUnit?: 'fen' | 'yuan';
  /** The file's status values → WeChat trade_state. */
  statusMap?: Record<string, string>;
}

/** One order, normalised: amounts in fen, status as a trade_state. */
export interface MerchantOrder {
  out_trade_no: string;
  /** Absent when the file has no amount column. */
  amount?: number;
  /** Absent when the file has no status column (then: paid). */
  state?: string;
  /** Absent when the file has no refund column. */
  refund?: number;
  /** Line of the order in the file (1-based). */
  line: number;
}

/** Which of the optional fields the file provides. */
export type OrderColumns = Record<OrderField, string | undefined>;

export interface OrdersReader {
  format: 'csv' | 'ndjson';
  columns: OrderColumns;
  batches(): AsyncGenerator<MerchantOrder[]>;
}

/** Reads an orders file (plain or gzip) lazily, batch by batch. */
export async function openOrders(
  source: ByteSource,
  options: OrdersOptions = {},
): Promise<OrdersReader> {
  // Read as latin1 (exact bytes, fast, compact); the few cells used are
  // decoded as UTF-8 when they hold other bytes (see source.ts).
  const lines = lineBatches(plainBytes(source), 'latin1')[
    Symbol.asyncIterator
  ]();
  const pending: string[] = [];
  let records: CsvRecords | NdjsonRecords;
  let format: 'csv' | 'ndjson';
  try {
    const first = await firstLine(lines, pending);
    format =
      options.format ??
      (first.text.trimStart().startsWith('{') ? 'ndjson' : 'csv');
    const normalise = new Normaliser(options);
    records =
      format === 'csv'
        ? new CsvRecords(first.text, options.map, normalise, first.line)
        : new NdjsonRecords(first.text, options.map, normalise, first.line - 1);
    if (format === 'ndjson') pending.unshift(first.raw);
  } catch (error) {
    await lines.return(undefined);
    throw error;
  }
  return {
    format,
    columns: records.columns,
    async *batches() {
      try {
        const first = records.read(pending);
        if (first.length) yield first;
        for (let next = await lines.next(); !next.done;) {
          const orders = records.read(next.value);
          if (orders.length) yield orders;
          next = await lines.next();
        }
        records.finish();
      } finally {
        await lines.return(undefined);
      }
    },
  };
}

/**
 * The first non-empty line (the CSV header, or the first NDJSON record), as
 * UTF-8 text and as read; the lines after it in the same chunk go to
 * `pending`.
 */
async function firstLine(
  lines: AsyncGenerator<string[]>,
  pending: string[],
): Promise<{ text: string; raw: string; line: number }> {
  let line = 0;
  for (;;) {
    const next = await lines.next();
    if (next.done) throw emptyOrders();
    for (let i = 0; i < next.value.length; i++) {
      line += 1;
      const raw = next.value[i];
      checkEncoding(raw, line);
      const utf8 = latin1ToUtf8(raw);
      const text = line === 1 ? utf8.replace(/^\uFEFF/, '') : utf8;
      if (text.trim() === '') continue;
      if (text.includes('\r')) throw crOnlyLineEnds('orders file');
      pending.push(...next.value.slice(i + 1));
      return {
        text,
        raw: line === 1 ? raw.replace(/^\xEF\xBB\xBF/, '') : raw,
        line,
      };
    }
  }
}

function emptyOrders(): InputError {
  return new InputError('ORDERS_EMPTY', 'The orders file is empty.', {
    hint: 'Export your orders of the bill day as CSV (with a header line) or NDJSON.',
  });
}

/** CSV records; a quoted cell may span lines. */
class CsvRecords {
  readonly columns: OrderColumns;
  private readonly at: Record<OrderField, number>;
  private readonly width: number;
  private open?: { text: string; line: number };

  constructor(
    header: string,
    map: OrdersOptions['map'],
    private readonly normalise: Normaliser,
    private lineNo: number,
  ) {
    const names = (splitCsvRecord(header) ?? []).map((name) => name.trim());
    this.width = names.length;
    this.columns = resolveColumns(map, names, 'CSV header');
    const at = {} as Record<OrderField, number>;
    for (const field of ORDER_FIELDS) {
      const name = this.columns[field];
      at[field] = name === undefined ? -1 : names.indexOf(name);
    }
    this.at = at;
  }

  read(lines: string[]): MerchantOrder[] {
    const orders: MerchantOrder[] = [];
    for (const line of lines) {
      this.lineNo += 1;
      const text = this.open ? `${this.open.text}\n${line}` : line;
      const start = this.open ? this.open.line : this.lineNo;
      if (text === '') continue;
      const cells = splitCsvRecord(text);
      if (!cells) {
        if (text.length > 1 << 20) throw unterminatedQuote(start);
        this.open = { text, line: start };
        continue;
      }
      this.open = undefined;
      // A row with more or fewer cells than the header has shifted
      // columns: reading it would compare the wrong values (or none).
      if (cells.length !== this.width)
        throw cellCount(start, cells, this.width);
      orders.push(
        this.normalise.order(
          (field) => utf8Cell(cells[this.at[field]], start),
          start,
        ),
      );
    }
    return orders;
  }

  finish() {
    if (this.open) throw unterminatedQuote(this.open.line);
  }
}

/**
 * NDJSON records: one JSON object per line. Columns are looked up in each
 * record, because exporters leave out empty or zero fields: the first record
 * is not a header.
 */
class NdjsonRecords {
  readonly columns: OrderColumns;
  private readonly map: NonNullable<OrdersOptions['map']>;

  constructor(
    first: string,
    map: OrdersOptions['map'],
    private readonly normalise: Normaliser,
    private lineNo: number,
  ) {
    this.map = map ?? {};
    const keys = Object.keys(parseJsonLine(first, lineNo + 1));
    // Reported to the caller. An explicit mapping is trusted even when the
    // first record happens to lack that field; each record is read by name.
    this.columns = resolveColumns(
      this.map,
      keys.concat(Object.values(this.map) as string[]),
      'first record',
    );
  }

  read(lines: string[]): MerchantOrder[] {
    const orders: MerchantOrder[] = [];
    for (const line of lines) {
      this.lineNo += 1;
      if (line.trim() === '') continue;
      const record = parseJsonLine(utf8Cell(line, this.lineNo), this.lineNo);
      const lineNo = this.lineNo;
      if (this.column('out_trade_no', record) === undefined) {
        throw new InputError(
          'ORDERS_NDJSON_NO_ID',
          `Line ${lineNo} has no out_trade_no field.`,
          {
            hint: 'Every order needs its out_trade_no (or map yours with --map out_trade_no=FIELD).',
          },
        );
      }
      orders.push(
        this.normalise.order((field) => {
          const name = this.column(field, record);
          if (name === undefined) return undefined;
          return jsonValue(record[name], field, lineNo);
        }, lineNo),
      );
    }
    return orders;
  }

  private column(
    field: OrderField,
    record: Record<string, unknown>,
  ): string | undefined {
    const mapped = this.map[field];
    if (mapped !== undefined)
      return Object.hasOwn(record, mapped) ? mapped : undefined;
    return DEFAULT_COLUMNS[field].find((name) => Object.hasOwn(record, name));
  }

  finish() {}
}

function cellCount(line: number, cells: string[], width: number): InputError {
  return new InputError(
    'ORDERS_CSV_CELLS',
    `Line ${line} has ${cells.length} cell${cells.length === 1 ? '' : 's'}; the header has ${width}.`,
    {
      hint: 'Every row needs one cell per header column; a cell holding a comma must be quoted ("a,b").',
    },
  );
}

function unterminatedQuote(line: number): InputError {
  return new InputError(
    'ORDERS_CSV_QUOTE',
    `The quoted cell opened on line ${line} is never closed.`,
    {
      hint: 'Check the export: a quote inside a cell is written as two quotes ("").',
    },
  );
}

/** Picks the column of each field: the mapping, else a default name. */
export function resolveColumns(
  map: Partial<Record<OrderField, string>> = {},
  available: string[],
  where: string,
): OrderColumns {
  const names = new Set(available);
  const columns = {} as OrderColumns;
  for (const field of ORDER_FIELDS) {
    const wanted = map[field];
    if (wanted !== undefined && !names.has(wanted)) {
      throw new UsageError(
        'ORDERS_COLUMN_MISSING',
        `--map ${field}=${wanted}: the ${where} has no column "${wanted}".`,
        { hint: `Columns found: ${available.slice(0, 20).join(', ')}.` },
      );
    }
    columns[field] =
      wanted ?? DEFAULT_COLUMNS[field].find((name) => names.has(name));
  }
  if (columns.out_trade_no === undefined) {
    throw new UsageError(
      'ORDERS_COLUMN_MISSING',
      `The ${where} has no out_trade_no column.`,
      {
        hint: `Name yours with --map out_trade_no=COLUMN (columns found: ${available.slice(0, 20).join(', ')}).`,
      },
    );
  }
  return columns;
}
