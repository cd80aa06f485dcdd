import { UsageError } from '../errors.js';
import type { PayClient } from '../http/client.js';
import { REFUNDQUERY_PATH } from './refund.js';

/** Any one of the four numbers refundquery accepts (spec 4.5). */
export type RefundLookup = Partial<
  Record<
    'transaction_id' | 'out_trade_no' | 'out_refund_no' | 'refund_id',
    string
  >
>;

/** What each `refund_status_$n` means, and what to do about it. */
export const REFUND_STATUS_MEANINGS: Readonly<Record<string, string>> = {
  SUCCESS: 'refunded: the money is on its way back to the payer',
  REFUNDCLOSE: 'closed: the refund failed and will not be paid',
  PROCESSING:
    'in progress: query again later (change within 20 minutes, bank cards in about 3 working days)',
  CHANGE:
    'abnormal: the money could not reach the payer (card cancelled or frozen); handle it by hand in the merchant platform',
};

export function refundStatusMeaning(status: string | undefined): string {
  if (!status) return 'no status given';
  return REFUND_STATUS_MEANINGS[status] ?? `unknown status ${status}`;
}

/**
 * One refund of the answer, with WeChat's field names without the `_$n`
 * suffix (`refund_fee_0` → `refund_fee`, `coupon_refund_id_0_1` →
 * `coupon_refund_id_1`), plus `refund_status_meaning`.
 */
export type RefundRecord = Record<string, string>;

export interface RefundQueryResult {
  /** Order-level fields: transaction_id, out_trade_no, total_fee, … */
  order: Record<string, string>;
  /** Every refund found, over all pages. */
  refunds: RefundRecord[];
  /** total_refund_count when WeChat gave it, else the refunds found. */
  total_refund_count: number;
  pages: number;
}

/** The first 10 refunds come per page when querying by an order number. */
const MAX_PAGES = 10;

export function lookupFields(lookup: RefundLookup): Record<string, string> {
  const given = Object.entries(lookup).filter(([, value]) => value);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0 ? 'REFUND_LOOKUP_MISSING' : 'REFUND_LOOKUP_AMBIGUOUS',
      given.length === 0
        ? 'Name one of --out-refund-no, --refund-id, --transaction-id or --out-trade-no.'
        : `Give one number, not ${given.map(([name]) => name).join(' and ')}.`,
    );
  }
  return Object.fromEntries(given) as Record<string, string>;
}

/**
 * Queries refunds, following `offset` until every refund of the order is
 * read: by order number WeChat answers 10 refunds at a time with
 * total_refund_count (spec 4.5). A page that adds nothing new ends the
 * walk, so a server that ignores offset cannot loop it.
 */
export async function refundQuery(
  client: PayClient,
  lookup: RefundLookup,
): Promise<RefundQueryResult> {
  const fields = lookupFields(lookup);
  const byOrder = Boolean(fields.transaction_id || fields.out_trade_no);
  const refunds: RefundRecord[] = [];
  const seen = new Set<string>();
  let order: Record<string, string> = {};
  let total: number | undefined;
  let pages = 0;
  while (pages < MAX_PAGES) {
    const offset = refunds.length;
    const result = await client.call(REFUNDQUERY_PATH, {
      ...fields,
      ...(offset > 0 ? { offset } : {}),
    });
    pages += 1;
    order = orderFieldsOf(result.fields);
    const count = Number(result.fields.total_refund_count);
    if (Number.isInteger(count) && count >= 0) total = count;
    const fresh = refundsOf(result.fields).filter((refund) => {
      const id = refund.refund_id || refund.out_refund_no;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    refunds.push(...fresh);
    if (!byOrder || total === undefined || fresh.length === 0) break;
    if (refunds.length >= total) break;
  }
  return {
    order,
    refunds,
    total_refund_count: total ?? refunds.length,
    pages,
  };
}

const PER_REFUND = /^(.+?)_(\d+)(?:_(\d+))?$/;
const ORDER_LEVEL = [
  'transaction_id',
  'out_trade_no',
  'total_fee',
  'settlement_total_fee',
  'fee_type',
  'cash_fee',
  'cash_fee_type',
  'refund_count',
  'total_refund_count',
];

function orderFieldsOf(fields: Record<string, string>): Record<string, string> {
  const order: Record<string, string> = {};
  for (const name of ORDER_LEVEL) {
    if (fields[name] !== undefined) order[name] = fields[name];
  }
  return order;
}

/** Groups `name_$n` and `name_$n_$m` fields into one record per `$n`. */
export function refundsOf(fields: Record<string, string>): RefundRecord[] {
  const byIndex = new Map<number, RefundRecord>();
  for (const [name, value] of Object.entries(fields)) {
    const m = PER_REFUND.exec(name);
    if (!m || ORDER_LEVEL.includes(name)) continue;
    const index = Number(m[2]);
    const record = byIndex.get(index) ?? {};
    record[m[3] === undefined ? m[1] : `${m[1]}_${m[3]}`] = value;
    byIndex.set(index, record);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, record]) => record)
    .filter((record) => record.out_refund_no || record.refund_id)
    .map((record) => ({
      ...record,
      refund_status_meaning: refundStatusMeaning(record.refund_status),
    }));
}
