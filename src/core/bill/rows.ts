import { InputError } from '../errors.js';
import { amountError, parseUnits } from './amounts.js';
import { SCALE, type BillColumn } from './columns.js';
import { hasHighBytes, latin1ToUtf8 } from './source.js';

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
 * Cuts only the wanted cells of a backtick line into `out` (the others keep
 * whatever they held) and returns how many cells the line has.
 */
function pickCells(line: string, wanted: boolean[], out: string[]): number {
  let from = 1;
  for (let k = 0; ; k++) {
    const end = line.indexOf(',`', from);
    if (end < 0) {
      if (wanted[k]) out[k] = line.slice(from);
      return k + 1;
    }
    if (wanted[k]) out[k] = line.slice(from, end);
    from = end + 2;
  }
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
  /** Text cells to re-read as UTF-8 when the line was read as latin1. */
  private readonly recode: number[];
  /** With `select`: which cells are used, and a reused array for them. */
  private readonly picked?: boolean[];
  private readonly cells: string[];
  private readonly amountAt: number[];
  private readonly scales: number[];
  private readonly unknown: number[];
  private readonly totals: number[];
  private readonly units: number[];

  /**
   * `select` limits the text keys set on rows (amounts are always read, for
   * the summary check); `latin1` says data lines were decoded as latin1, so
   * the selected text cells with non-ASCII bytes are decoded again as UTF-8.
   */
  constructor(
    private readonly columns: BillColumn[],
    options: { select?: ReadonlySet<string>; latin1?: boolean } = {},
  ) {
    const n = columns.length;
    const wanted = (c: BillColumn) =>
      c.kind !== 'text' || !options.select || options.select.has(c.key);
    const slots = {} as Slots;
    for (const field of FIELDS) {
      const at = columns.findIndex(
        (c) => c.known && c.key === field && wanted(c),
      );
      slots[field] = at < 0 ? n : at;
    }
    this.slots = slots;
    this.recode = options.latin1
      ? columns.flatMap((c, i) => (c.kind === 'text' && wanted(c) ? [i] : []))
      : [];
    this.amountAt = columns.flatMap((c, i) => (c.kind === 'text' ? [] : [i]));
    this.scales = this.amountAt.map((i) => SCALE[columns[i].kind as 'fen']);
    this.unknown = columns.flatMap((c, i) =>
      c.known || !wanted(c) ? [] : [i],
    );
    this.picked = options.select ? columns.map(wanted) : undefined;
    this.cells = columns.map(() => '');
    this.totals = this.amountAt.map(() => 0);
    this.units = new Array<number>(n + 1).fill(0);
  }

  /**
   * Builds the row of one data line. With `select`, only the cells used are
   * cut out of the line, which saves most of the garbage.
   */
  line(text: string, line: number): BillRow {
    if (!this.picked || text.charCodeAt(0) !== 96) {
      return this.build(splitCells(text), line);
    }
    const cells = this.cells;
    const found = pickCells(text, this.picked, cells);
    if (found !== cells.length) throw this.cellCount(found, line);
    return this.build(cells, line);
  }

  /** Builds the row of one data line; `line` numbers errors (1-based). */
  build(cells: string[], line: number): BillRow {
    if (cells.length !== this.columns.length) {
      throw this.cellCount(cells.length, line);
    }
    for (const i of this.recode) {
      if (hasHighBytes(cells[i])) cells[i] = latin1ToUtf8(cells[i]);
    }
    const units = this.units;
    for (let k = 0; k < this.amountAt.length; k++) {
      const i = this.amountAt[k];
      const value =
        cells[i] === ''
          ? 0
          : (parseUnits(cells[i], this.scales[k]) ??
            this.badAmount(cells[i], line, i));
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

  private badAmount(value: string, line: number, i: number): never {
    // A valid amount is ASCII; other bytes are decoded only for the message.
    const shown = hasHighBytes(value) ? latin1ToUtf8(value) : value;
    return amountError(
      `Line ${line}, column ${this.columns[i].header}`,
      shown,
      this.scales[this.amountAt.indexOf(i)],
    );
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
