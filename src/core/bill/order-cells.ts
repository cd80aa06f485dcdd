import { TRADE_STATES } from '../api/trade-state.js';
import { InputError, UsageError } from '../errors.js';
import { parseUnits } from './amounts.js';
import type { MerchantOrder, OrderField, OrdersOptions } from './orders.js';
import { hasHighBytes, latin1ToUtf8 } from './source.js';

/**
 * The cells of an orders file, read into a MerchantOrder: text decoded
 * as UTF-8 (or refused when it is not), JSON values checked, amounts in
 * fen, statuses mapped to WeChat's trade_state.
 */

export function utf8Cell(text: string, line: number): string;
export function utf8Cell(
  text: string | undefined,
  line: number,
): string | undefined;
export function utf8Cell(
  text: string | undefined,
  line: number,
): string | undefined {
  if (text === undefined || !hasHighBytes(text)) return text;
  const utf8 = latin1ToUtf8(text);
  if (utf8.includes('\uFFFD')) throw notUtf8(line);
  return utf8;
}

/**
 * Orders exported by Excel or an older system are often GBK or UTF-16;
 * read as UTF-8 their Chinese column names and statuses turn into
 * mojibake, so the file is refused with the way to convert it.
 */
export function checkEncoding(raw: string, line: number): void {
  if (/^(\xFF\xFE|\xFE\xFF)/.test(raw) || raw.includes('\x00')) {
    throw notUtf8(line, 'UTF-16');
  }
  if (hasHighBytes(raw) && latin1ToUtf8(raw).includes('\uFFFD')) {
    throw notUtf8(line);
  }
}

function notUtf8(line: number, found = 'GBK or another encoding'): InputError {
  const from = found === 'UTF-16' ? 'UTF-16' : 'GBK';
  return new InputError(
    'ORDERS_NOT_UTF8',
    `The orders file is not UTF-8 (line ${line} looks like ${found}).`,
    {
      hint: `Save it as UTF-8 (Excel: "CSV UTF-8"), or convert it: iconv -f ${from} -t UTF-8 orders.csv > orders-utf8.csv`,
    },
  );
}

export function parseJsonLine(
  line: string,
  lineNo: number,
): Record<string, unknown> {
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
export function jsonValue(
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
  if (typeof value === 'object') {
    throw new InputError(
      'ORDERS_JSON_VALUE',
      `Line ${line}: ${field} is a JSON ${Array.isArray(value) ? 'array' : 'object'}, not a text or a number.`,
      {
        hint: 'Give each order field as a plain value, e.g. "out_trade_no": "A1".',
      },
    );
  }
  return String(value);
}

/** Turns raw cell text into a MerchantOrder: fen amounts, trade_state. */
export class Normaliser {
  private readonly scale: number;
  private readonly statuses = new Map<string, string>();

  constructor(private readonly options: OrdersOptions) {
    this.scale = options.amountUnit === 'yuan' ? 2 : 0;
    for (const [from, to] of Object.entries(options.statusMap ?? {})) {
      const state = to.trim().toUpperCase();
      if (!TRADE_STATES.includes(state)) {
        throw new UsageError(
          'STATUS_MAP_INVALID',
          `--status-map ${from}=${to}: "${to}" is not a WeChat trade_state; use one of ${TRADE_STATES.join(', ')}.`,
          { hint: 'SUCCESS and REFUND count as paid; the others as not paid.' },
        );
      }
      this.statuses.set(from, state);
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
