import { InputError } from '../errors.js';
import { decimalToUnits } from '../money.js';
import {
  SCALE,
  SUMMARY_COLUMNS,
  type BillColumn,
  type SummaryDef,
} from './columns.js';

/**
 * One detail row, keys named after the v2 API fields (see DETAIL_COLUMNS).
 * Amounts are integers: fen, except `service_charge` in 1e-5 yuan. A key is
 * present exactly when the bill has its column; the always-present ones
 * are the columns a trade bill cannot do without.
 */
export interface BillRow {
  trade_time: string;
  out_trade_no: string;
  trade_state: string;
  settlement_total_fee: number;
  appid?: string;
  mch_id?: string;
  sub_mch_id?: string;
  device_info?: string;
  transaction_id?: string;
  openid?: string;
  trade_type?: string;
  bank_type?: string;
  fee_type?: string;
  coupon_fee?: number;
  refund_apply_time?: string;
  refund_success_time?: string;
  refund_id?: string;
  out_refund_no?: string;
  settlement_refund_fee?: number;
  coupon_refund_fee?: number;
  refund_channel?: string;
  refund_status?: string;
  body?: string;
  attach?: string;
  service_charge?: number;
  rate?: string;
  total_fee?: number;
  refund_fee?: number;
  rate_remark?: string;
  /** Cells of columns this version does not know, by their header. */
  extra?: Record<string, string>;
}

/**
 * Splits a line into cells. Data cells each carry one leading backtick
 * (spec §5), so a data line is cut on ",`" after its first backtick: a
 * comma inside 商品名称 or 商户数据包 then stays in its cell. How WeChat
 * escapes ",`" inside a value is UNCONFIRMED (spec §11 item 7; no sample
 * shows quoting); such a row has too many cells and is refused.
 */
export function splitCells(line: string): string[] {
  if (line.charCodeAt(0) === 96) return line.slice(1).split(',`');
  return line.split(',');
}

/**
 * Reads an amount cell exactly as integer units of 10^-scale yuan; an empty
 * cell is 0. The common shapes (`12.34`, `-0.00120`, `0`) are read digit by
 * digit, because a bill has millions of them; anything else goes through
 * money.ts, which decides what is valid.
 */
export function readAmount(
  value: string,
  scale: number,
  where: () => string,
): number {
  const units = value === '' ? 0 : quickUnits(value, scale);
  if (units !== undefined) return units;
  const exact = decimalToUnits(value, scale);
  if (exact !== undefined) return exact;
  throw new InputError(
    'BILL_AMOUNT_INVALID',
    `${where()}: "${value}" is not an amount in yuan with at most ${scale} decimals.`,
    { hint: 'The file is damaged or not a WeChat Pay bill.' },
  );
}

/** Formats integer units with `scale` decimals, exactly: (-120, 5) → "-0.00120". */
export function formatUnits(units: number, scale: number): string {
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

function quickUnits(value: string, scale: number): number | undefined {
  const negative = value.charCodeAt(0) === 45;
  let i = negative ? 1 : 0;
  let units = 0;
  let decimals = -1;
  for (; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      units = units * 10 + (code - 48);
      if (decimals >= 0 && ++decimals > scale) return undefined;
    } else if (code === 46 && decimals < 0 && i > (negative ? 1 : 0)) {
      decimals = 0;
    } else {
      return undefined;
    }
  }
  if (decimals === 0 || i === (negative ? 1 : 0)) return undefined;
  units *= 10 ** (scale - Math.max(decimals, 0));
  if (!Number.isSafeInteger(units)) return undefined;
  return negative ? -units : units;
}

/** Every detail key, in the order rows carry them. */
const FIELDS = [
  'trade_time',
  'appid',
  'mch_id',
  'sub_mch_id',
  'device_info',
  'transaction_id',
  'out_trade_no',
  'openid',
  'trade_type',
  'trade_state',
  'bank_type',
  'fee_type',
  'settlement_total_fee',
  'coupon_fee',
  'refund_apply_time',
  'refund_success_time',
  'refund_id',
  'out_refund_no',
  'settlement_refund_fee',
  'coupon_refund_fee',
  'refund_channel',
  'refund_status',
  'body',
  'attach',
  'service_charge',
  'rate',
  'total_fee',
  'refund_fee',
  'rate_remark',
] as const;

type Field = (typeof FIELDS)[number];

/**
 * Where each key's cell sits in a row of this layout; a column the bill
 * lacks points past the end, so its key reads as undefined.
 */
type Slots = Record<Field, number>;

/**
 * One object literal with every key, whatever the layout: V8 then keeps all
 * rows on one hidden class, which is most of the parser's speed. Keys of
 * columns the bill lacks read as undefined (and JSON leaves them out).
 */
function makeRow(c: string[], x: Slots, a: number[]): BillRow {
  return {
    trade_time: c[x.trade_time],
    appid: c[x.appid],
    mch_id: c[x.mch_id],
    sub_mch_id: c[x.sub_mch_id],
    device_info: c[x.device_info],
    transaction_id: c[x.transaction_id],
    out_trade_no: c[x.out_trade_no],
    openid: c[x.openid],
    trade_type: c[x.trade_type],
    trade_state: c[x.trade_state],
    bank_type: c[x.bank_type],
    fee_type: c[x.fee_type],
    settlement_total_fee: a[x.settlement_total_fee],
    coupon_fee: a[x.coupon_fee],
    refund_apply_time: c[x.refund_apply_time],
    refund_success_time: c[x.refund_success_time],
    refund_id: c[x.refund_id],
    out_refund_no: c[x.out_refund_no],
    settlement_refund_fee: a[x.settlement_refund_fee],
    coupon_refund_fee: a[x.coupon_refund_fee],
    refund_channel: c[x.refund_channel],
    refund_status: c[x.refund_status],
    body: c[x.body],
    attach: c[x.attach],
    service_charge: a[x.service_charge],
    rate: c[x.rate],
    total_fee: a[x.total_fee],
    refund_fee: a[x.refund_fee],
    rate_remark: c[x.rate_remark],
  };
}

/**
 * Turns cell arrays into rows for one layout and keeps the running sums the
 * summary is checked against.
 */
export class RowBuilder {
  count = 0;
  private readonly slots: Slots;
  private readonly amountAt: number[];
  private readonly scales: number[];
  private readonly unknown: number[];
  private readonly totals: number[];
  private readonly units: number[];

  constructor(private readonly columns: BillColumn[]) {
    const n = columns.length;
    const slots = {} as Slots;
    for (const field of FIELDS) {
      const at = columns.findIndex((c) => c.known && c.key === field);
      slots[field] = at < 0 ? n : at;
    }
    this.slots = slots;
    this.amountAt = columns.flatMap((c, i) => (c.kind === 'text' ? [] : [i]));
    this.scales = this.amountAt.map((i) => SCALE[columns[i].kind as 'fen']);
    this.unknown = columns.flatMap((c, i) => (c.known ? [] : [i]));
    this.totals = this.amountAt.map(() => 0);
    this.units = new Array<number>(n + 1).fill(0);
  }

  /** Builds the row of one data line; `line` numbers errors (1-based). */
  build(cells: string[], line: number): BillRow {
    if (cells.length !== this.columns.length) {
      throw this.cellCount(cells.length, line);
    }
    const units = this.units;
    for (let k = 0; k < this.amountAt.length; k++) {
      const i = this.amountAt[k];
      const value = readAmount(cells[i], this.scales[k], () =>
        this.where(line, this.columns[i].header),
      );
      units[i] = value;
      this.totals[k] += value;
    }
    units[cells.length] = undefined as unknown as number;
    const row = makeRow(cells, this.slots, units);
    if (this.unknown.length) this.addExtra(row, cells);
    this.count += 1;
    return row;
  }

  /** Sums per amount key so far. */
  amountSums(): Record<string, number> {
    const sums: Record<string, number> = {};
    this.amountAt.forEach((i, k) => {
      sums[this.columns[i].key] = this.totals[k];
    });
    return sums;
  }

  private addExtra(row: BillRow, cells: string[]) {
    const extra: Record<string, string> = {};
    for (const i of this.unknown) extra[this.columns[i].header] = cells[i];
    row.extra = extra;
  }

  private where(line: number, header: string): string {
    return `Line ${line}, column ${header}`;
  }

  private cellCount(found: number, line: number): InputError {
    const n = this.columns.length;
    return new InputError(
      'BILL_ROW_SHAPE',
      `Line ${line} has ${found} cells; the header has ${n}.`,
      {
        hint:
          found > n
            ? 'A value probably contains ",`"; how WeChat escapes that is undocumented, so the row cannot be split safely.'
            : 'The line is cut short: download the bill again.',
      },
    );
  }
}

/** The totals line, read by its own header names. */
export interface BillSummary {
  total_count: number;
  settlement_total_fee?: number;
  settlement_refund_fee?: number;
  coupon_refund_fee?: number;
  service_charge?: number;
  total_fee?: number;
  refund_fee?: number;
  /** Totals of columns this version does not know, by their header. */
  extra?: Record<string, string>;
}

export interface ReadSummary {
  summary: BillSummary;
  /** Per summary key, the header the file used for it. */
  headers: Record<string, string>;
}

/** Reads the two summary lines (header and totals). */
export function readSummary(
  headerLine: string,
  valuesLine: string,
  line: number,
): ReadSummary {
  const headers = splitCells(headerLine);
  const values = splitCells(valuesLine);
  if (values.length !== headers.length) {
    throw new InputError(
      'BILL_SUMMARY_SHAPE',
      `The summary on line ${line} has ${values.length} cells; its header has ${headers.length}.`,
    );
  }
  const summary: Record<string, unknown> = {};
  const used: Record<string, string> = {};
  headers.forEach((header, i) => {
    const def: SummaryDef | undefined = SUMMARY_COLUMNS[header];
    if (!def) {
      const extra = (summary.extra ??= {}) as Record<string, string>;
      extra[header] = values[i];
      return;
    }
    const kind = def.kind === 'text' ? 'count' : def.kind;
    used[def.key] = header;
    summary[def.key] = readSummaryValue(values[i], kind, line, header);
  });
  if (summary.total_count === undefined) {
    throw new InputError(
      'BILL_SUMMARY_SHAPE',
      `The summary header on line ${line - 1} has no 总交易单数.`,
    );
  }
  return { summary: summary as unknown as BillSummary, headers: used };
}

function readSummaryValue(
  value: string,
  kind: 'count' | 'fen' | 'fee',
  line: number,
  header: string,
): number {
  if (kind !== 'count') {
    return readAmount(
      value,
      SCALE[kind],
      () => `Line ${line}, total ${header}`,
    );
  }
  const count = decimalToUnits(value, 0);
  if (count === undefined || count < 0) {
    throw new InputError(
      'BILL_SUMMARY_INVALID',
      `Line ${line}: 总交易单数 "${value}" is not a count.`,
    );
  }
  return count;
}
