import { TRADE_STATES } from '../api/trade-state.js';
import { InputError, UsageError } from '../errors.js';
import { parseUnits } from './amounts.js';
import { splitCsvRecord } from './csv.js';
import {
  hasHighBytes,
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
      const utf8 = latin1ToUtf8(raw);
      const text = line === 1 ? utf8.replace(/^\uFEFF/, '') : utf8;
      if (text.trim() === '') continue;
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
  private open?: { text: string; line: number };

  constructor(
    header: string,
    map: OrdersOptions['map'],
    private readonly normalise: Normaliser,
    private lineNo: number,
  ) {
    const names = (splitCsvRecord(header) ?? []).map((name) => name.trim());
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
      orders.push(
        this.normalise.order((field) => utf8Cell(cells[this.at[field]]), start),
      );
    }
    return orders;
  }

  finish() {
    if (this.open) throw unterminatedQuote(this.open.line);
  }
}

/** NDJSON records: one JSON object per line. */
class NdjsonRecords {
  readonly columns: OrderColumns;

  constructor(
    first: string,
    map: OrdersOptions['map'],
    private readonly normalise: Normaliser,
    private lineNo: number,
  ) {
    const keys = Object.keys(parseJsonLine(first, lineNo + 1));
    this.columns = resolveColumns(map, keys, 'first record');
  }

  read(lines: string[]): MerchantOrder[] {
    const orders: MerchantOrder[] = [];
    for (const line of lines) {
      this.lineNo += 1;
      if (line.trim() === '') continue;
      const record = parseJsonLine(utf8Cell(line), this.lineNo);
      const lineNo = this.lineNo;
      orders.push(
        this.normalise.order((field) => {
          const name = this.columns[field];
          if (name === undefined) return undefined;
          return jsonValue(record[name], field, lineNo);
        }, lineNo),
      );
    }
    return orders;
  }

  finish() {}
}

function utf8Cell(text: string): string;
function utf8Cell(text: string | undefined): string | undefined;
function utf8Cell(text: string | undefined): string | undefined {
  return text !== undefined && hasHighBytes(text) ? latin1ToUtf8(text) : text;
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

function parseJsonLine(line: string, lineNo: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new InputError(
      'ORDERS_JSON_INVALID',
      `Line ${lineNo} is not valid JSON.`,
      {
        hint: 'NDJSON has one JSON object per line; use --orders-format csv for CSV.',
        cause: error,
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(
      'ORDERS_JSON_INVALID',
      `Line ${lineNo} is not a JSON object.`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * A JSON value as text. A number beyond 2^53 has already lost digits in
 * JSON.parse (a 28-digit id becomes 4.2e+27), so it is refused, not
 * guessed (the same fault as case B21).
 */
function jsonValue(
  value: unknown,
  field: OrderField,
  line: number,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw new InputError(
        'ORDERS_NUMBER_UNSAFE',
        `Line ${line}: ${field} is a JSON number too large to read exactly.`,
        { hint: 'Write ids and large amounts as JSON strings ("…").' },
      );
    }
    return String(value);
  }
  return String(value);
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

/** Turns raw cell text into a MerchantOrder: fen amounts, trade_state. */
class Normaliser {
  private readonly scale: number;
  private readonly statuses = new Map<string, string>();

  constructor(private readonly options: OrdersOptions) {
    this.scale = options.amountUnit === 'yuan' ? 2 : 0;
    for (const [from, to] of Object.entries(options.statusMap ?? {})) {
      this.statuses.set(from, to.toUpperCase());
    }
    for (const state of TRADE_STATES) {
      if (!this.statuses.has(state)) this.statuses.set(state, state);
    }
  }

  order(
    get: (field: OrderField) => string | undefined,
    line: number,
  ): MerchantOrder {
    const out_trade_no = get('out_trade_no')?.trim() ?? '';
    if (out_trade_no === '') {
      throw new InputError(
        'ORDERS_NO_OUT_TRADE_NO',
        `Line ${line} has no out_trade_no.`,
      );
    }
    const order: MerchantOrder = { out_trade_no, line };
    const amount = get('amount');
    if (amount !== undefined) order.amount = this.fen(amount, 'amount', line);
    const status = get('status');
    if (status !== undefined) order.state = this.state(status.trim(), line);
    const refund = get('refund');
    if (refund !== undefined) order.refund = this.fen(refund, 'refund', line);
    return order;
  }

  private fen(text: string, field: OrderField, line: number): number {
    if (text.trim() === '') return 0;
    const units = parseUnits(text, this.scale);
    if (units !== undefined && units >= 0) return units;
    const yuanLike = this.scale === 0 && /^\s*\d+\.\d+\s*$/.test(text);
    throw new InputError(
      'ORDERS_AMOUNT_INVALID',
      `Line ${line}: ${field} "${text}" is not an amount in ${this.scale ? 'yuan' : 'fen'}.`,
      {
        hint: yuanLike
          ? 'The amounts look like yuan: add --amount-unit yuan.'
          : 'Amounts are fen by default (--amount-unit fen|yuan).',
      },
    );
  }

  private state(raw: string, line: number): string {
    const state =
      this.statuses.get(raw) ?? this.statuses.get(raw.toUpperCase());
    if (state !== undefined) return state;
    throw new UsageError(
      'ORDERS_STATUS_UNKNOWN',
      `Line ${line}: order status "${raw}" is not a WeChat trade_state.`,
      {
        hint: `Map your values, e.g. --status-map ${raw || '""'}=SUCCESS (paid) or =NOTPAY (not paid).`,
      },
    );
  }
}
