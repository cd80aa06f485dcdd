import { InputError } from '../errors.js';

/**
 * The columns of a WeChat Pay trade bill (spec §5.1 current format, §5.2
 * legacy format), mapped by header NAME to English keys named after the v2
 * API fields they mean. Columns are never taken by position: the three bill
 * types and the two formats put different columns in different places.
 */

/** How a cell is read: text as sent, or an exact integer amount. */
export type ColumnKind = 'text' | 'fen' | 'fee';

/**
 * Decimal places of each amount kind. Bills give yuan with 2 decimals, and
 * 手续费 with 5 (`-0.00120`), so fees are counted in 1e-5 yuan (case B31).
 */
export const SCALE: Record<Exclude<ColumnKind, 'text'>, number> = {
  fen: 2,
  fee: 5,
};

export interface ColumnDef {
  key: string;
  kind: ColumnKind;
}

const text = (key: string): ColumnDef => ({ key, kind: 'text' });
const fen = (key: string): ColumnDef => ({ key, kind: 'fen' });

/**
 * Detail columns. Where the legacy format names a column differently, both
 * names map to one key: 总金额 ↔ 应结订单金额 and 代金券或立减优惠金额 ↔
 * 代金券金额 (format page "注意事项", spec §5.2); 子商户号 ↔ 特约商户号 and
 * 代金券或立减优惠退款金额 ↔ 充值券退款金额 by their place in the header.
 */
export const DETAIL_COLUMNS: Readonly<Record<string, ColumnDef>> = {
  交易时间: text('trade_time'),
  公众账号ID: text('appid'),
  商户号: text('mch_id'),
  特约商户号: text('sub_mch_id'),
  子商户号: text('sub_mch_id'),
  设备号: text('device_info'),
  微信订单号: text('transaction_id'),
  商户订单号: text('out_trade_no'),
  用户标识: text('openid'),
  交易类型: text('trade_type'),
  交易状态: text('trade_state'),
  付款银行: text('bank_type'),
  货币种类: text('fee_type'),
  应结订单金额: fen('settlement_total_fee'),
  总金额: fen('settlement_total_fee'),
  代金券金额: fen('coupon_fee'),
  代金券或立减优惠金额: fen('coupon_fee'),
  退款申请时间: text('refund_apply_time'),
  退款成功时间: text('refund_success_time'),
  微信退款单号: text('refund_id'),
  商户退款单号: text('out_refund_no'),
  退款金额: fen('settlement_refund_fee'),
  充值券退款金额: fen('coupon_refund_fee'),
  代金券或立减优惠退款金额: fen('coupon_refund_fee'),
  退款类型: text('refund_channel'),
  退款状态: text('refund_status'),
  商品名称: text('body'),
  商户数据包: text('attach'),
  手续费: { key: 'service_charge', kind: 'fee' },
  费率: text('rate'),
  订单金额: fen('total_fee'),
  申请退款金额: fen('refund_fee'),
  费率备注: text('rate_remark'),
};

/**
 * Summary columns (the last two lines). The SUCCESS summary has 4 columns
 * on the format page and 7 in a 2019 fixture (spec §11 item 6), and the
 * legacy summary has 5, so it is read by name too. `rowKey` is the detail
 * key whose sum the total must equal; `count` is the number of rows.
 */
export interface SummaryDef extends ColumnDef {
  rowKey: string;
}

const total = (key: string, kind: ColumnKind = 'fen'): SummaryDef => ({
  key,
  kind,
  rowKey: key,
});

export const SUMMARY_COLUMNS: Readonly<Record<string, SummaryDef>> = {
  总交易单数: { key: 'total_count', kind: 'text', rowKey: '' },
  应结订单总金额: total('settlement_total_fee'),
  总交易额: total('settlement_total_fee'),
  退款总金额: total('settlement_refund_fee'),
  总退款金额: total('settlement_refund_fee'),
  充值券退款总金额: total('coupon_refund_fee'),
  总代金券或立减优惠退款金额: total('coupon_refund_fee'),
  手续费总金额: total('service_charge', 'fee'),
  订单总金额: total('total_fee'),
  申请退款总金额: total('refund_fee'),
};

/** The first cell of every summary header seen so far. */
export const SUMMARY_FIRST_HEADER = '总交易单数';

export type BillType = 'ALL' | 'SUCCESS' | 'REFUND';
export type BillFormat = 'current' | 'legacy';

/** One column of the bill being read, in file order. */
export interface BillColumn extends ColumnDef {
  /** The header exactly as in the file (BOM removed). */
  header: string;
  /** False for a header this table does not know; kept under `extra`. */
  known: boolean;
}

export interface BillLayout {
  bill_type: BillType;
  format: BillFormat;
  columns: BillColumn[];
  /** Remarks on the header: unknown or missing columns. */
  notes: string[];
}

const REQUIRED = ['交易时间', '商户订单号', '交易状态'];

/**
 * Reads a detail header line into a layout. The bill type follows from the
 * columns (REFUND has 退款申请时间, ALL has 微信退款单号, SUCCESS neither),
 * the format from 应结订单金额 (current) or 总金额 (legacy).
 */
export function layoutFromHeader(headers: string[]): BillLayout {
  const names = new Set(headers);
  const missing = REQUIRED.filter((name) => !names.has(name));
  const amount = names.has('应结订单金额') || names.has('总金额');
  if (missing.length || !amount) {
    throw notATradeBill(headers);
  }
  const seen = new Set<string>();
  const columns = headers.map((header): BillColumn => {
    const def = DETAIL_COLUMNS[header];
    const known = def !== undefined && !seen.has(def.key);
    if (def) seen.add(def.key);
    return known
      ? { header, known, ...def }
      : { header, known: false, key: header, kind: 'text' };
  });
  const unknown = columns.filter((c) => !c.known).map((c) => c.header);
  return {
    bill_type: names.has('退款申请时间')
      ? 'REFUND'
      : names.has('微信退款单号')
        ? 'ALL'
        : 'SUCCESS',
    format: names.has('应结订单金额') ? 'current' : 'legacy',
    columns,
    notes: unknown.length
      ? [`Unknown columns kept under "extra": ${unknown.join(', ')}.`]
      : [],
  };
}

function notATradeBill(headers: string[]): InputError {
  const first = headers[0] ?? '';
  const fundflow = first === '记账时间';
  return new InputError(
    'BILL_HEADER_UNKNOWN',
    fundflow
      ? 'This is a fund-flow bill (资金账单), not a trade bill.'
      : `The first line is not a trade-bill header (it starts with "${first.slice(0, 40)}").`,
    {
      hint: fundflow
        ? '`bill parse` reads trade bills from downloadbill (spec §5).'
        : 'Give the file saved by `wxpay bill download`, as UTF-8 (a bill re-saved by Excel as GBK does not parse).',
    },
  );
}
