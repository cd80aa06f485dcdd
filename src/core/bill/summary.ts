import { InputError } from '../errors.js';
import { decimalToUnits } from '../money.js';
import { readAmount } from './amounts.js';
import { SCALE, SUMMARY_COLUMNS, type SummaryDef } from './columns.js';
import { splitCells } from './rows.js';

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
